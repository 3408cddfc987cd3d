"""The hidden-state explorer (notebook 02): step through a bracket sequence, watch the state.

For a text of bracket pairs it shows, after each symbol: the state of the hand-built state
machine (which bracket is open), the hidden state of an RNN (any :class:`~rnn_edu.rnn.RNNParams`
over the task's vocabulary, e.g. weights set by hand), and the window of characters a Markov
chain of order ``n`` sees. Sliders move the current step ``t``, the Markov order and the size of
``W_hh`` (its largest singular value, the same matrix rescaled): below 1 the state fades over the
fillers, above 1 it settles at a stable fixed point, drawn for a one-unit RNN.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from rnn_edu import _checks as C
from rnn_edu import rnn, tasks
from rnn_edu.data import Vocab, one_hot_text
from rnn_edu.widgets._base import Explorer

STATE_COLORS = {"": "#dddddd", "(": "#4c72b0", "[": "#dd8452", "{": "#55a868", "<": "#c44e52"}
MAX_CHARS = 2000  # longer texts are cut (and the cut is reported)
WINDOW = 80  # steps drawn at once: the picture scrolls with t
MAX_ORDER = 12  # the Markov-order slider's upper end
SIGMA_MAX = 3.0  # the W_hh slider's upper end (or the given W_hh's, if larger)


class HiddenStateExplorer(Explorer):
    """Step through ``text`` and show the state after each symbol.

    params: an RNN over ``vocab`` (input and output size ``vocab.size``); its outputs at a
        closer's step are read as logits over ``vocab``.
    vocab: the task's characters; others typed into the text box are shown but fed to the RNN
        as a zero input vector (and reported).
    text: the starting sequence; t: the starting step (0-based); order: the Markov order ``n``
        shown; w_hh: sigma_max of the W_hh used, ``params.W_hh`` rescaled (default: its own).

    ``t`` must be a step of the (first :data:`MAX_CHARS` characters of the) text, ``order`` in
    ``[1, MAX_ORDER]`` and ``w_hh`` in the slider's range, or the constructor raises
    ``ValueError``; later, :meth:`set` and the sliders clamp a value to their range (that is
    the slider's contract). A ``W_hh`` of zeros cannot be rescaled: its slider is disabled.
    """

    title = "Hidden-state explorer"
    figsize = (7.5, 3.6)

    def __init__(
        self,
        params: rnn.RNNParams,
        vocab: Vocab,
        text: str = "(abab)[ba](b)",
        *,
        t: int = 3,
        order: int = 3,
        w_hh: float | None = None,
        openers: str = "([",
    ) -> None:
        C.require_instance("params", params, rnn.RNNParams).require_finite()
        C.require_instance("vocab", vocab, Vocab, "a Vocab")
        tasks._check_openers(openers)
        if params.input_size != vocab.size or params.output_size != vocab.size:
            raise ValueError(
                f"params: expected input and output size {vocab.size} (the vocabulary), got "
                f"input {params.input_size} and output {params.output_size}"
            )
        C.require_text("text", text)
        t = C.require_int("t", t, 0, _last_step(text))
        order = C.require_int("order", order, 1, MAX_ORDER)
        self.sigma0 = float(np.linalg.norm(params.W_hh, 2))  # sigma_max of the given W_hh
        top = max(SIGMA_MAX, np.ceil(self.sigma0))
        w_hh = self.sigma0 if w_hh is None else C.require_real("w_hh", w_hh, 0.0, top)
        self.params, self.vocab, self.openers = params, vocab, openers
        style = {"description_width": "initial"}
        self.controls = {
            "text": widgets.Text(value=text, description="sequence", style=style,
                                 continuous_update=False),
            "t": widgets.IntSlider(value=t, min=0, max=_last_step(text), description="step t",
                                   style=style),
            "order": widgets.IntSlider(value=order, min=1, max=MAX_ORDER,
                                       description="Markov order n", style=style),
            "w_hh": widgets.FloatSlider(value=w_hh, min=0.0, max=top, step=0.05,
                                        description="σ_max(W_hh)", style=style,
                                        readout_format=".2f", continuous_update=False,
                                        disabled=self.sigma0 == 0),
        }
        # Registered before the base class's redraw, so the slider fits the text first.
        self.controls["text"].observe(self._fit_slider, names="value")
        super().__init__()
        self.box.add_class("rnn-edu-hidden-state")

    def _fit_slider(self, change=None) -> None:
        """Keep the step slider inside the text, without triggering a redraw of its own."""
        with self._hold():
            self.controls["t"].max = _last_step(self.controls["text"].value)

    def scaled(self, w_hh: float) -> rnn.RNNParams:
        """``params`` with ``W_hh`` rescaled to ``sigma_max = w_hh`` (unchanged if it is 0)."""
        w_hh = C.require_real("w_hh", w_hh, min=0)
        if self.sigma0 == 0:
            return self.params
        return rnn.RNNParams(**{**self.params.as_dict(),
                                "W_hh": self.params.W_hh * (w_hh / self.sigma0)})

    def states(self, text: str, w_hh: float | None = None) -> tuple[list[str], np.ndarray]:
        """The machine's states ``len(text)`` and the RNN's hidden states ``(len(text), hidden)``.

        w_hh: sigma_max of the W_hh used (default: the given ``params``' own).
        """
        C.require_text("text", text)
        params = self.params if w_hh is None else self.scaled(w_hh)
        machine = tasks.bracket_states(text, self.openers)
        if not text:
            return machine, np.zeros((0, params.hidden_size))
        x = one_hot_text(text, self.vocab, params.dtype)[None]
        return machine, rnn.forward(params, x).h[0]

    def draw(self, fig: Figure, text: str, t: int, order: int, w_hh: float) -> str:
        notes = []
        if len(text) > MAX_CHARS:
            notes.append(f"only the first {MAX_CHARS} of {len(text)} characters are used")
            text = text[:MAX_CHARS]
        t = min(max(t, 0), max(len(text) - 1, 0))
        params = self.scaled(w_hh)
        machine, h = self.states(text, w_hh)
        ax_s, ax_h = fig.subplots(2, 1, sharex=True, height_ratios=[1, 2])
        if not text:
            ax_s.set_axis_off()
            ax_h.set_title("type a sequence of brackets and fillers, e.g. (abab)[ba]")
            ax_h.set_xlim(-0.5, 0.5)
            return "<i>The sequence is empty: nothing to step through.</i>"
        n = len(text)
        # The picture shows at most WINDOW steps, scrolled so that t stays in view.
        start = min(max(t - WINDOW // 2, 0), max(n - WINDOW, 0))
        stop = min(start + WINDOW, n)
        if n > WINDOW:
            notes.append(f"the picture shows steps {start} to {stop - 1} of 0 to {n - 1}; it "
                         "scrolls with t")
        for i in range(start, stop):
            ax_s.add_patch(_box(i, STATE_COLORS.get(machine[i], "#dddddd"), current=i == t))
            ax_s.text(i, 0.5, text[i], ha="center", va="center", family="monospace",
                      fontsize=10, parse_math=False)  # typed text is drawn literally, '$' too
        lo = max(t + 1 - order, 0)  # the window an order-n chain uses to predict step t + 1
        ax_s.plot([lo - 0.45, t + 0.45], [1.12, 1.12], color="#b35900", lw=3)
        ax_s.set_ylim(0, 1.3)
        ax_s.set_yticks([])
        ax_s.set_title(f"symbols colored by the machine's state; orange bar: what an order-{order}"
                       " chain sees", fontsize=9)
        states = ["", *self.openers]
        fig.legend(handles=[Patch(color=STATE_COLORS[s], alpha=0.8, label=repr(s) if s else "none")
                            for s in states], title="state", loc="outside right upper", fontsize=8,
                   title_fontsize=8, frameon=False)
        steps = np.arange(start, stop)
        for j in range(h.shape[1]):
            ax_h.step(steps, h[start:stop, j], where="mid", label=f"h[{j}]")
        fixed = self._fixed_points(params, text[t]) if h.shape[1] == 1 else None
        if fixed is not None:
            for value in fixed[2]:
                ax_h.axhline(value, color="#55a868", lw=1, ls="--")
        ax_h.axvline(t, color="k", lw=0.8, ls=":")
        ax_h.axhline(0, color="#999999", lw=0.5)
        ax_h.set_ylim(-1.05, 1.05)
        ax_h.set_ylabel("RNN hidden state")
        ax_h.set_xlabel("step t" + ("; green dashed: stable fixed points of step t's map"
                                    if fixed is not None else ""))
        ax_h.set_xlim(start - 0.6, stop - 0.4)
        if h.shape[1] <= 4:
            ax_h.legend(loc="lower right", fontsize=8)
        nested = _first_nesting(text, self.openers)
        if nested is not None:
            notes.append(f"nested brackets (an opener at step {nested} while another is open): "
                         "this machine and this RNN keep only the last opener, so after the inner "
                         "closer they no longer know the outer one; nesting needs a stack "
                         "(exercise 4)")
        unseen = sorted({c for c in text if c not in self.vocab})
        if unseen:
            notes.append("not in the vocabulary (zero input to the RNN): "
                         + ", ".join(map(repr, unseen)))
        return self._describe(text, t, order, machine, h, params, fixed) + "".join(
            f"<br><i>{html.escape(note)}</i>" for note in notes
        )

    def _fixed_points(self, params: rnn.RNNParams, symbol: str):
        """One unit: ``(w, b, stable, unstable)`` for the map ``h -> tanh(w h + b)`` of ``symbol``."""
        x = one_hot_text(symbol, self.vocab, params.dtype)[0]
        w, b = float(params.W_hh[0, 0]), float(x @ params.W_xh[:, 0] + params.b_h[0])
        return (w, b, *fixed_points(w, b))

    def _describe(self, text, t, order, machine, h, params, fixed) -> str:
        state = machine[t]
        expect = f"the next closer must be {tasks.CLOSER[state]!r}" if state else "no bracket open"
        window = text[max(t + 1 - order, 0) : t + 1]
        sees = [c for c in window if c in self.openers]
        chain = (f"sees the opener {sees[-1]!r}" if sees
                 else "sees no opener, so it cannot tell which closer comes")
        hs = ", ".join(f"{v:+.3f}" for v in h[t][:8])
        lines = [
            f"<b>t = {t}</b>, symbol {html.escape(repr(text[t]))}.",
            f"state machine: state {html.escape(repr(state))}: {html.escape(expect)}.",
            f"RNN (σ_max(W_hh) = {np.linalg.norm(params.W_hh, 2):.2f}): h_t = ({hs})"
            f"{' ...' if h.shape[1] > 8 else ''}; {html.escape(self._preference(h[t], params))}.",
        ]
        if fixed is not None:
            lines.append(html.escape(_describe_fixed(text[t], *fixed)))
        lines.append(f"order-{order} Markov chain: context {html.escape(repr(window))} "
                     f"{html.escape(chain)}.")
        return "<br>".join(lines)

    def _preference(self, h_t: np.ndarray, params: rnn.RNNParams) -> str:
        """Which closer the RNN prefers after ``h_t``, with its probability among the closers."""
        closers = [tasks.CLOSER[o] for o in self.openers if tasks.CLOSER[o] in self.vocab]
        if not closers:
            return "no closer is in the vocabulary"
        y = (h_t @ params.W_hy + params.b_y)[self.vocab.encode("".join(closers))]
        best = np.flatnonzero(y == y.max())
        if len(best) > 1:  # equal logits: no preference at all (e.g. h_t = 0)
            return "the closers " + " and ".join(repr(closers[i]) for i in best) + " tie"
        p = np.exp(y - y.max())
        return (f"of the closers it prefers {closers[best[0]]!r} (softmax over the closers: "
                f"{p[best[0]] / p.sum():.3f})")


def fixed_points(w: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``(stable, unstable)`` fixed points of ``h -> tanh(w h + b)``, each sorted, shape ``(m,)``.

    A fixed point is stable when the map's slope there, ``w (1 - h**2)``, is below 1 in size.
    Found on a grid of (-1, 1) and refined by bisection (about 1e-12). A touching (double)
    fixed point, where the slope is exactly 1, can be missed.
    """
    w, b = C.require_real("w", w), C.require_real("b", b)
    grid = np.linspace(-1.0, 1.0, 4001)
    gap = np.tanh(w * grid + b) - grid  # > 0 at -1, < 0 at +1: at least one zero between
    lo_i = np.flatnonzero(gap[:-1] * gap[1:] <= 0)  # the gap changes sign in [lo, hi]
    lo, hi = grid[lo_i], grid[lo_i + 1]
    for _ in range(45):  # bisection: the sign of the gap at lo stays that of gap[lo_i]
        mid = (lo + hi) / 2
        same = np.sign(np.tanh(w * mid + b) - mid) == np.sign(gap[lo_i])
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    h = np.unique(np.round((lo + hi) / 2, 12)) + 0.0  # + 0.0: no -0.0
    stable = np.abs(w * (1 - h**2)) < 1
    return h[stable], h[~stable]


def _describe_fixed(symbol: str, w: float, b: float, stable, unstable) -> str:
    points = ", ".join(f"{v:+.3f}" for v in stable)
    others = ", ".join(f"{v:+.3f}" for v in unstable)
    fate = ("repeated, it draws every state to that point: a state away from it fades"
            if len(stable) == 1 else "repeated, it moves the state to the one on its side")
    return (f"one unit: {symbol!r} maps h to tanh({w:.2f}·h {'-' if b < 0 else '+'} {abs(b):.2f}), with "
            f"{len(stable)} stable fixed point{'s' if len(stable) != 1 else ''} ({points})"
            + (f" and an unstable one ({others})" if others else "") + f"; {fate}.")


def _first_nesting(text: str, openers: str) -> int | None:
    """The first step at which an opener arrives while another bracket is still open."""
    closers = {tasks.CLOSER[o] for o in openers}
    depth = 0
    for i, c in enumerate(text):
        if c in openers:
            if depth:
                return i
            depth += 1
        elif c in closers:
            depth = max(depth - 1, 0)
    return None


def _last_step(text: str) -> int:
    """The last step the slider reaches: the texts are cut to :data:`MAX_CHARS` characters."""
    return max(min(len(text), MAX_CHARS) - 1, 0)


def _box(i: int, color: str, current: bool) -> Rectangle:
    return Rectangle((i - 0.45, 0.05), 0.9, 0.9, facecolor=color, alpha=0.8,
                     edgecolor="k" if current else "none", lw=2)
