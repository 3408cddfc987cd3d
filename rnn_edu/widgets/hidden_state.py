"""The hidden-state explorer (notebook 02): step through a bracket sequence, watch the state.

For a text of bracket pairs it shows, after each symbol: the state of the hand-built state
machine (which bracket is open), the hidden state of an RNN (any :class:`~rnn_edu.rnn.RNNParams`
over the task's vocabulary, e.g. weights set by hand), and the window of characters a Markov
chain of order ``k`` sees. A slider moves the current step ``t``.
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
MAX_CHARS = 80  # longer texts are cut (and the cut is reported)
MAX_ORDER = 12  # the Markov-order slider's upper end


class HiddenStateExplorer(Explorer):
    """Step through ``text`` and show the state after each symbol.

    params: an RNN over ``vocab`` (input and output size ``vocab.size``); its outputs at a
        closer's step are read as logits over ``vocab``.
    vocab: the task's characters; others typed into the text box are shown but fed to the RNN
        as a zero input vector (and reported).
    text: the starting sequence; t: the starting step (0-based); order: the Markov order shown.

    ``t`` must be a step of the (first :data:`MAX_CHARS` characters of the) text and ``order``
    in ``[1, MAX_ORDER]``, or the constructor raises ``ValueError``; later, :meth:`set` and the
    sliders clamp a value to their range (that is the slider's contract).
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
        self.params, self.vocab, self.openers = params, vocab, openers
        style = {"description_width": "initial"}
        self.controls = {
            "text": widgets.Text(value=text, description="sequence", style=style,
                                 continuous_update=False),
            "t": widgets.IntSlider(value=t, min=0, max=_last_step(text), description="step t",
                                   style=style),
            "order": widgets.IntSlider(value=order, min=1, max=MAX_ORDER,
                                       description="Markov order k", style=style),
        }
        # Registered before the base class's redraw, so the slider fits the text first.
        self.controls["text"].observe(self._fit_slider, names="value")
        super().__init__()
        self.box.add_class("rnn-edu-hidden-state")

    def _fit_slider(self, change=None) -> None:
        """Keep the step slider inside the text, without triggering a redraw of its own."""
        with self._hold():
            self.controls["t"].max = _last_step(self.controls["text"].value)

    def states(self, text: str) -> tuple[list[str], np.ndarray]:
        """The machine's states ``len(text)`` and the RNN's hidden states ``(len(text), hidden)``."""
        C.require_text("text", text)
        machine = tasks.bracket_states(text, self.openers)
        if not text:
            return machine, np.zeros((0, self.params.hidden_size))
        x = one_hot_text(text, self.vocab, self.params.dtype)[None]
        return machine, rnn.forward(self.params, x).h[0]

    def draw(self, fig: Figure, text: str, t: int, order: int) -> str:
        notes = []
        if len(text) > MAX_CHARS:
            notes.append(f"showing the first {MAX_CHARS} of {len(text)} characters")
            text = text[:MAX_CHARS]
        t = min(max(t, 0), max(len(text) - 1, 0))
        machine, h = self.states(text)
        ax_s, ax_h = fig.subplots(2, 1, sharex=True, height_ratios=[1, 2])
        if not text:
            ax_s.set_axis_off()
            ax_h.set_title("type a sequence of brackets and fillers, e.g. (abab)[ba]")
            ax_h.set_xlim(-0.5, 0.5)
            return "<i>The sequence is empty: nothing to step through.</i>"
        n = len(text)
        for i, (c, s) in enumerate(zip(text, machine, strict=True)):
            ax_s.add_patch(_box(i, STATE_COLORS.get(s, "#dddddd"), current=i == t))
            ax_s.text(i, 0.5, c, ha="center", va="center", family="monospace", fontsize=10,
                      parse_math=False)  # typed text is drawn literally, '$' too
        lo = max(t + 1 - order, 0)  # the window an order-k chain uses to predict step t + 1
        ax_s.plot([lo - 0.45, t + 0.45], [1.12, 1.12], color="#b35900", lw=3)
        ax_s.set_ylim(0, 1.3)
        ax_s.set_yticks([])
        ax_s.set_title(f"symbols colored by the machine's state; orange bar: what an order-{order}"
                       " chain sees", fontsize=9)
        states = ["", *self.openers]
        fig.legend(handles=[Patch(color=STATE_COLORS[s], alpha=0.8, label=repr(s) if s else "none")
                            for s in states], title="state", loc="outside right upper", fontsize=8,
                   title_fontsize=8, frameon=False)
        for j in range(h.shape[1]):
            ax_h.step(range(n), h[:, j], where="mid", label=f"h[{j}]")
        ax_h.axvline(t, color="k", lw=0.8, ls=":")
        ax_h.axhline(0, color="#999999", lw=0.5)
        ax_h.set_ylim(-1.05, 1.05)
        ax_h.set_ylabel("RNN hidden state")
        ax_h.set_xlabel("step t")
        ax_h.set_xlim(-0.6, n - 0.4)
        if h.shape[1] <= 4:
            ax_h.legend(loc="lower right", fontsize=8)
        unseen = sorted({c for c in text if c not in self.vocab})
        if unseen:
            notes.append("not in the vocabulary (zero input to the RNN): "
                         + ", ".join(map(repr, unseen)))
        return self._describe(text, t, order, machine, h) + "".join(
            f"<br><i>{html.escape(note)}</i>" for note in notes
        )

    def _describe(self, text, t, order, machine, h) -> str:
        state = machine[t]
        expect = f"the next closer must be {tasks.CLOSER[state]!r}" if state else "no bracket open"
        window = text[max(t + 1 - order, 0) : t + 1]
        sees = [c for c in window if c in self.openers]
        chain = (f"sees the opener {sees[-1]!r}" if sees
                 else "sees no opener, so it cannot tell which closer comes")
        y = h[t] @ self.params.W_hy + self.params.b_y
        closers = [tasks.CLOSER[o] for o in self.openers if tasks.CLOSER[o] in self.vocab]
        guess = max(closers, key=lambda c: y[self.vocab.encode(c)[0]]) if closers else "?"
        hs = ", ".join(f"{v:+.3f}" for v in h[t][:8])
        return (
            f"<b>t = {t}</b>, symbol {html.escape(repr(text[t]))}.<br>"
            f"state machine: state {html.escape(repr(state))}: {html.escape(expect)}.<br>"
            f"RNN: h_t = ({hs}){' ...' if h.shape[1] > 8 else ''}; of the closers it "
            f"prefers {html.escape(repr(guess))}.<br>"
            f"order-{order} Markov chain: context {html.escape(repr(window))} "
            f"{html.escape(chain)}."
        )


def _last_step(text: str) -> int:
    """The last step the slider reaches: the texts are cut to :data:`MAX_CHARS` characters."""
    return max(min(len(text), MAX_CHARS) - 1, 0)


def _box(i: int, color: str, current: bool) -> Rectangle:
    return Rectangle((i - 0.45, 0.05), 0.9, 0.9, facecolor=color, alpha=0.8,
                     edgecolor="k" if current else "none", lw=2)
