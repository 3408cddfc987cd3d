"""The unrolled-network stepper (notebook 03): one time step of the RNN, in numbers.

A slider over t shows the input x_t, the previous state h_{t-1}, the new state h_t and the
output y_t, with the update taken apart::

    a_t = x_t @ W_xh + h_{t-1} @ W_hh + b_h      h_t = tanh(a_t)      y_t = h_t @ W_hy + b_y

and a heatmap of the hidden state over the whole sequence with the current step framed.
"""

from __future__ import annotations

import html
import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from rnn_edu import _checks as C
from rnn_edu import rnn
from rnn_edu.data import Vocab, one_hot_text
from rnn_edu.widgets._base import Explorer, figure_png
from rnn_edu.widgets._pixels import bake
from rnn_edu.widgets.markov_explorer import show_char

MAX_CHARS = 60  # longer texts are cut (and the cut is reported)
MAX_UNITS = 16  # hidden units listed in the table of numbers
TOP = 3  # most likely next characters shown
SCALES = (0.1, 100.0)  # the input-scale slider's range


class StepperExplorer(Explorer):
    """Step through the RNN ``params`` run on ``text``, one character per step.

    params: an RNN whose input size is ``vocab.size`` (characters are one-hot inputs); its
        outputs are read as logits over ``vocab`` when ``output_size == vocab.size``.
    vocab: the characters; others typed in are a zero input vector (and reported).
    text: the starting sequence; t: the starting step, 1-based like the equations (h_0 is the
        initial state, zeros).
    input_scale: multiplies the one-hot input (so ``x_t W_xh``), from 0.1 to 100: at large
        scales ``a_t`` grows and ``tanh(a_t)`` saturates at +-1, the nonlinearity made visible.

    ``t`` must be a step of the (first :data:`MAX_CHARS` characters of the) text and
    ``input_scale`` in [0.1, 100], or the constructor raises ``ValueError``; later, :meth:`set`
    and the sliders clamp a value to their range (that is the slider's contract).
    """

    title = "Unrolled-network stepper"
    figsize = (7.5, 3.4)

    def __init__(self, params: rnn.RNNParams, vocab: Vocab, text: str = "for x in y:", *,
                 t: int = 1, input_scale: float = 1.0) -> None:
        C.require_instance("params", params, rnn.RNNParams).require_finite()
        C.require_instance("vocab", vocab, Vocab, "a Vocab")
        if params.input_size != vocab.size:
            raise ValueError(f"params: expected input size {vocab.size} (the vocabulary), got "
                             f"{params.input_size}")
        C.require_text("text", text)
        t = C.require_int("t", t, 1, _last_step(text))
        input_scale = C.require_real("input_scale", input_scale, *SCALES)
        self.params, self.vocab = params, vocab
        self._drawn_empty = False
        style = {"description_width": "initial"}
        self.controls = {
            "text": widgets.Text(value=text, description="input text", style=style,
                                 continuous_update=False),
            "t": widgets.IntSlider(value=t, min=1, max=_last_step(text),
                                   description="time step t", style=style),
            "input_scale": widgets.FloatLogSlider(value=input_scale, base=10, min=-1, max=2, step=0.1,
                                                  description="input scale", style=style),
        }
        self.controls["text"].observe(self._fit_slider, names="value")
        super().__init__()
        self.box.add_class("rnn-edu-stepper")

    def _fit_slider(self, change=None) -> None:
        """Keep the slider inside the text, without triggering a redraw of its own."""
        with self._hold():
            self.controls["t"].max = _last_step(self.controls["text"].value)

    def draw(self, fig: Figure, text: str, t: int, input_scale: float = 1.0) -> str:
        """Build the heat map, the bars and their labels on ``fig``, then fill them in."""
        if not text:
            ax_map, ax_bar = fig.subplots(1, 2, width_ratios=[3, 1])
            ax_map.set_axis_off()
            ax_bar.set_axis_off()
            ax_map.set_title("type some text to run the RNN on")
            self._drawn_empty = True
            return "<i>The input text is empty: there is no time step to show.</i>"
        self._drawn_empty = False
        # Fixed margins, no layout engine: constrained layout took half the time of every slider
        # move, and this figure is redrawn on every move (it is built once, then updated).
        fig.set_layout_engine(None)
        H = self.params.hidden_size
        ax_map = fig.add_axes((0.062, 0.139, 0.582, 0.795))
        ax_bar = fig.add_axes((0.798, 0.139, 0.196, 0.795))
        self._map = ax_map.imshow(np.zeros((H, 1)), aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1,
                                  interpolation="nearest")
        self._frame = ax_map.add_patch(Rectangle((0.5, -0.5), 1, H, fill=False, lw=2))
        self._ticks_text = None  # the text whose characters label the x axis
        ax_map.set_xlabel("$x_t$ (time runs left to right)")
        ax_map.set_ylabel("hidden unit")
        ax_map.set_title("$h_t$ for every $t$", fontsize=9)
        cax = fig.add_axes((0.673, 0.139, 0.018, 0.795))
        fig.colorbar(self._map, cax=cax)
        units = np.arange(H)
        self._bars = (ax_bar.barh(units - 0.2, np.zeros(H), height=0.4, label="$h_{t-1}$",
                                  color="#bbbbbb"),
                      ax_bar.barh(units + 0.2, np.zeros(H), height=0.4, label="$h_t$",
                                  color="#4c72b0"))
        ax_bar.set_xlim(-1.05, 1.05)
        ax_bar.axvline(0, color="k", lw=0.5)
        self._step = ax_bar.set_title("", fontsize=9)
        ax_bar.legend(fontsize=7, loc="lower right")
        for ax in (ax_map, ax_bar):  # the units never change: ticks located and labelled once
            ax.set_ylim(H - 0.5, -0.5)
            ticks = [v for v in ax.yaxis.get_major_locator()() if -0.5 <= v <= H - 0.5]
            ax.set_yticks(ticks, ax.yaxis.get_major_formatter().format_ticks(ticks))
            ax.set_ylim(H - 0.5, -0.5)
        ticks = [v for v in ax_bar.xaxis.get_major_locator()() if -1.05 <= v <= 1.05]
        ax_bar.set_xticks(ticks, ax_bar.xaxis.get_major_formatter().format_ticks(ticks))
        ax_bar.set_xlim(-1.05, 1.05)
        # What never changes is drawn once into images: it costs nothing per redraw.
        bake(fig, [[cax], [ax_map.yaxis.label, *ax_map.get_yticklabels()], [ax_map.title],
                   ax_bar.get_yticklabels(), ax_bar.get_xticklabels()])
        return self._refresh(text, t, input_scale)

    def update(self) -> None:
        """Redraw: on a new figure (:meth:`draw`) the first time and when the text becomes or
        stops being empty, otherwise by updating the figure's heat map, frame and bars."""
        if self.figure is None or self._drawn_empty or not self.controls["text"].value:
            super().update()
            return
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            self.text.value = self._refresh(**self.values)
            self.image.value = figure_png(self.figure)

    def _refresh(self, text: str, t: int, input_scale: float) -> str:
        """Put one text, step and input scale on the figure; return the HTML text."""
        notes = []
        if len(text) > MAX_CHARS:
            notes.append(f"showing the first {MAX_CHARS} of {len(text)} characters")
            text = text[:MAX_CHARS]
        T, p = len(text), self.params
        t = min(max(t, 1), T)
        x, h, y = self._unrolled(text, input_scale)
        ax_map = self._map.axes
        self._map.set_data(h[1:].T)
        self._map.set_extent((0.5, T + 0.5, p.hidden_size - 0.5, -0.5))
        ax_map.set_xlim(0.5, T + 0.5)
        ax_map.set_ylim(p.hidden_size - 0.5, -0.5)
        self._frame.set_x(t - 0.5)
        if text != self._ticks_text:  # new characters under the heat map
            ticks = range(1, T + 1, max(1, T // 30))
            ax_map.set_xticks(list(ticks), [show_char(text[i - 1]) for i in ticks],
                              family="monospace", fontsize=8)
            self._ticks_text = text
        for bars, values in zip(self._bars, (h[t - 1], h[t])):
            for bar, value in zip(bars, values):
                bar.set_width(value)
        self._step.set_text(f"step t = {t}")
        if input_scale != 1:
            notes.append(f"input scale {input_scale:.3g}: x_t is {input_scale:.3g} times the one-hot vector")
        unseen = sorted({c for c in text if c not in self.vocab})
        if unseen:
            notes.append("not in the vocabulary (zero input x_t): " + ", ".join(map(repr, unseen)))
        return self._numbers(text, t, x[t - 1], h[t - 1], h[t], y[t - 1]) + "".join(
            f"<br><i>{html.escape(n)}</i>" for n in notes
        )

    def terms(self) -> dict[str, np.ndarray]:
        """The rows of the table of numbers at the current text and step, in full precision:
        ``h_{t-1}``, ``x_t W_xh``, ``h_{t-1} W_hh``, ``b_h``, ``a_t = sum``, ``h_t = tanh(a_t)``,
        each ``(hidden,)``. Empty for an empty text."""
        text = self.controls["text"].value[:MAX_CHARS]
        if not text:
            return {}
        t = min(max(self.controls["t"].value, 1), len(text))
        x, h, _ = self._unrolled(text, self.controls["input_scale"].value)
        return self._terms(x[t - 1], h[t - 1], h[t])

    def _unrolled(self, text: str, input_scale: float):
        """``x: (T, V)`` one-hot times ``input_scale``, ``h: (T + 1, hidden)`` with ``h[t]`` = h_t
        (h[0] = h_0), ``y: (T, K)``."""
        x = input_scale * one_hot_text(text, self.vocab, self.params.dtype)
        cache = rnn.forward(self.params, x[None])
        return x, np.concatenate([cache.h0, cache.h[0]]), cache.y[0]

    def _terms(self, x_t, h_prev, h_t) -> dict[str, np.ndarray]:
        p = self.params
        parts = {"x_t W_xh": x_t @ p.W_xh, "h_{t-1} W_hh": h_prev @ p.W_hh, "b_h": p.b_h}
        return {"h_{t-1}": h_prev, **parts, "a_t = sum": sum(parts.values()), "h_t = tanh(a_t)": h_t}

    def _numbers(self, text, t, x_t, h_prev, h_t, y_t) -> str:
        p = self.params
        c = text[t - 1]
        ident = (f"id {self.vocab.encode(c)[0]} (one-hot: W_xh row {self.vocab.encode(c)[0]})"
                 if c in self.vocab else "not in the vocabulary: x_t = 0")
        n = min(p.hidden_size, MAX_UNITS)
        rows = self._terms(x_t, h_prev, h_t).items()
        cells = "".join(
            f"<tr><td style='text-align:left'>{html.escape(name)}</td>"
            + "".join(f"<td>{v:+.2f}</td>" for v in values[:n]) + "</tr>"
            for name, values in rows
        )
        head = "".join(f"<th>{j}</th>" for j in range(n))
        more = f" (first {n} of {p.hidden_size} units)" if p.hidden_size > n else ""
        out = ""
        if p.output_size == self.vocab.size:
            e = np.exp(y_t - y_t.max())
            probs = e / e.sum()
            top = np.argsort(-probs, kind="stable")[:TOP]
            out = "; most likely next: " + ", ".join(
                f"{html.escape(repr(self.vocab.chars[i]))} (y = {y_t[i]:+.2f}, softmax "
                f"{probs[i]:.3f})" for i in top)
        return (
            f"<b>t = {t}</b>: x_t = {html.escape(repr(c))}, {html.escape(ident)}{more}"
            f"<table style='font-family:monospace;font-size:11px;text-align:right'>"
            f"<tr><th></th>{head}</tr>{cells}</table>"
            f"y_t = h_t W_hy + b_y has {p.output_size} entries, |y_t| max "
            f"{np.abs(y_t).max():.2f}{out}"
        )


def _last_step(text: str) -> int:
    """The last step the slider reaches (1 for an empty text): texts are cut to MAX_CHARS."""
    return max(min(len(text), MAX_CHARS), 1)
