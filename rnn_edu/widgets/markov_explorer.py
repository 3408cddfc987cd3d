"""The Markov explorer (notebook 01): order, smoothing, temperature and a context.

Shows the chain's next-character distribution after the context as a bar chart (the most
likely characters) and a sample generated from that context.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import markov
from rnn_edu.data import Vocab
from rnn_edu.widgets._base import Explorer

TOP = 15  # bars shown
#: The ranges of the smoothing and temperature sliders (log scale), and the longest sample.
K_RANGE, TEMPERATURE_RANGE, MAX_SAMPLE_LENGTH = (1e-3, 10.0), (10**-1.5, 10.0), 10_000


def show_char(c: str) -> str:
    """A printable label for a character (newline and space are otherwise invisible)."""
    C.require_text("c", c)
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


class MarkovExplorer(Explorer):
    """Fit chains on ``text`` and explore them.

    text: training text; vocab: the alphabet (default: characters of ``text``);
    max_order: the slider's upper end; sample_length: characters generated per sample
    (1 to :data:`MAX_SAMPLE_LENGTH`).
    Chains are fitted once per (order, k) and cached, so moving a slider stays fast.

    ``order``, ``k`` and ``temperature`` must lie in their sliders' ranges (``order`` in
    ``[0, max_order]``, ``k`` in :data:`K_RANGE`, ``temperature`` in :data:`TEMPERATURE_RANGE`):
    a value outside is refused with a ``ValueError``. Later, :meth:`set` and the sliders
    themselves clamp a value to the range (that is the slider's contract).
    """

    title = "Markov explorer"

    def __init__(
        self,
        text: str,
        vocab: Vocab | None = None,
        *,
        order: int = 3,
        k: float = markov.DEFAULT_K,
        temperature: float = 1.0,
        context: str = "The ",
        max_order: int = 8,
        sample_length: int = 120,
        seed: int = 0,
    ) -> None:
        self.train_text = C.require_text("text", text, min_len=1)
        self.vocab = Vocab.from_text(text) if vocab is None else C.require_instance(
            "vocab", vocab, Vocab, "a data.Vocab or None")
        max_order = C.require_int("max_order", max_order, 0, markov.max_order(self.vocab.size),
                                  why=f"for {self.vocab.size} characters")
        order = C.require_int("order", order, 0, max_order)
        k = C.require_real("k", k, *K_RANGE)
        temperature = C.require_real("temperature", temperature, *TEMPERATURE_RANGE)
        C.require_text("context", context)
        self.sample_length = C.require_int("sample_length", sample_length, 1, MAX_SAMPLE_LENGTH)
        self.seed = C.require_seed("seed", seed)
        self._chains: dict[tuple[int, float], markov.MarkovChain] = {}
        style = {"description_width": "initial"}
        self.controls = {
            "order": widgets.IntSlider(value=order, min=0, max=max_order, description="order n",
                                       style=style, continuous_update=False),
            "k": widgets.FloatLogSlider(value=k, base=10, min=-3, max=1, step=0.25,
                                        description="smoothing k", style=style,
                                        continuous_update=False),
            "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-1.5, max=1,
                                                  step=0.05, description="temperature",
                                                  style=style, continuous_update=False),
            "context": widgets.Text(value=context, description="context", style=style,
                                    continuous_update=False),
        }
        super().__init__()
        self.box.add_class("rnn-edu-markov-explorer")

    def chain(self, order: int, k: float) -> markov.MarkovChain:
        """The chain of ``order`` with add-k smoothing ``k`` (fitted once, then cached)."""
        key = (C.require_int("order", order, min=0), C.require_real("k", k, min=0))
        if key not in self._chains:
            self._chains[key] = markov.fit(self.train_text, key[0], key[1], self.vocab)
        return self._chains[key]

    def draw(self, fig: Figure, order: int, k: float, temperature: float, context: str) -> str:
        chain = self.chain(order, k)
        # A character outside the alphabet has no counts: the context starts after the last one.
        unseen = sorted({c for c in context if c not in self.vocab})
        cut = max((i + 1 for i, c in enumerate(context) if c not in self.vocab), default=0)
        known = context[cut:]
        used = known[max(len(known) - order, 0) :] if order else ""
        used_order = chain.context_order(used)
        p = markov.apply_temperature(chain.distribution(used), temperature)
        top = np.argsort(-p, kind="stable")[:TOP]
        ax = fig.add_subplot()
        ax.bar(range(len(top)), p[top], color="#4c72b0")
        ax.set_xticks(range(len(top)), [show_char(self.vocab.chars[i]) for i in top])
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(next | context)")
        # Typed text is drawn literally: a '$' must not start matplotlib's mathtext.
        ax.set_title(f"order {order}, context {used!r}: using order {used_order}", parse_math=False)
        sample = markov.sample(chain, self.sample_length, prompt=known, temperature=temperature,
                               seed=self.seed)
        notes = []
        if unseen:
            notes.append(f"characters not in the vocabulary: {', '.join(map(repr, unseen))}; "
                         "the context starts after the last of them")
        if used_order < order:
            why = "is shorter than the order" if len(used) < order else "was never seen in training"
            notes.append(f"the context {why}: backed off to its last {used_order} characters")
        note = "".join(f"<br><i>{html.escape(n)}</i>" for n in notes)
        return (
            f"<b>sample</b> (temperature {temperature:.2g}, seed {self.seed}):"
            f"<pre style='white-space:pre-wrap;margin:2px 0'>{html.escape(known)}"
            f"<span style='color:#b35900'>{html.escape(sample)}</span></pre>{note}"
        )
