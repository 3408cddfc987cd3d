"""The Markov explorer (notebook 01): order, smoothing, temperature and a context.

Shows the chain's next-character distribution after the context as a bar chart (the most
likely characters), a sample generated from that context, and (given held-out text) the
chain's held-out bits per character for the current order and smoothing.
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
#: Long enough that every order up to 8 uses a context of its own length.
DEFAULT_CONTEXT = "the value of the "


def show_char(c: str) -> str:
    """A printable label for a character (newline and space are otherwise invisible)."""
    C.require_text("c", c)
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


class MarkovExplorer(Explorer):
    """Fit chains on ``text`` and explore them.

    text: training text; vocab: the alphabet (default: characters of ``text``, or of ``text``
    and ``val``); val: held-out text, scored in bits/char for the current order and k (None: no
    score); max_order: the slider's upper end; sample_length: characters generated per sample
    (1 to :data:`MAX_SAMPLE_LENGTH`).
    The counts are made once for the highest order asked so far and shared by every lower order
    and every k (a chain of order n uses the count tables of orders 0..n, and k only enters
    when they are divided): a sweep of both sliders holds one set of tables, not one per
    (order, k). Held-out scores are cached per (order, k).

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
        val: str | None = None,
        order: int = 3,
        k: float = markov.DEFAULT_K,
        temperature: float = 1.0,
        context: str = DEFAULT_CONTEXT,
        max_order: int = 8,
        sample_length: int = 120,
        seed: int = 0,
    ) -> None:
        self.train_text = C.require_text("text", text, min_len=1)
        self.val_text = None if val is None else C.require_text("val", val, min_len=1)
        self.vocab = Vocab.from_text(text + (val or "")) if vocab is None else C.require_instance(
            "vocab", vocab, Vocab, "a data.Vocab or None")
        if val is not None:
            self.vocab._encode(val, "val")  # names a held-out character outside the alphabet
        max_order = C.require_int("max_order", max_order, 0, markov.max_order(self.vocab.size),
                                  why=f"for {self.vocab.size} characters")
        order = C.require_int("order", order, 0, max_order)
        k = C.require_real("k", k, *K_RANGE)
        temperature = C.require_real("temperature", temperature, *TEMPERATURE_RANGE)
        C.require_text("context", context)
        self.sample_length = C.require_int("sample_length", sample_length, 1, MAX_SAMPLE_LENGTH)
        self.seed = C.require_seed("seed", seed)
        self._counted: markov.MarkovChain | None = None  # the highest order counted so far
        self._val_bits: dict[tuple[int, float], float] = {}
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
        """The chain of ``order`` with add-k smoothing ``k`` (its counts made once, then shared)."""
        order, k = C.require_int("order", order, min=0), C.require_real("k", k, min=0)
        if self._counted is None or self._counted.order < order:
            self._counted = markov.fit(self.train_text, order, k, self.vocab)
        return markov.MarkovChain(self.vocab, order, k, self._counted.tables[: order + 1])

    def val_bits(self, order: int, k: float) -> float | None:
        """Held-out bits/char of the chain of ``order`` and ``k`` (None without held-out text)."""
        if self.val_text is None:
            return None
        key = (C.require_int("order", order, min=0), C.require_real("k", k, min=0))
        if key not in self._val_bits:
            self._val_bits[key] = markov.bits_per_char(self.chain(*key), self.val_text)
        return self._val_bits[key]

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
        bits = self.val_bits(order, k)
        score = ("" if bits is None else
                 f"<b>held-out bits/char</b> at order {order}, k = {k:.3g}: {bits:.3f} "
                 f"(over {len(self.val_text):,} characters; uniform: "
                 f"{np.log2(self.vocab.size):.3f})<br>")
        return score + (
            f"<b>sample</b> (temperature {temperature:.2g}, seed {self.seed}):"
            f"<pre style='white-space:pre-wrap;margin:2px 0'>{html.escape(known)}"
            f"<span style='color:#b35900'>{html.escape(sample)}</span></pre>{note}"
        )
