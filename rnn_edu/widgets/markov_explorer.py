"""The Markov explorer (notebook 01): order, smoothing, temperature and a context.

Shows the chain's next-character distribution after the context as a bar chart (the most
likely characters) and a sample generated from that context.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import markov
from rnn_edu.data import Vocab
from rnn_edu.widgets._base import Explorer

TOP = 15  # bars shown


def show_char(c: str) -> str:
    """A printable label for a character (newline and space are otherwise invisible)."""
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(c, c)


class MarkovExplorer(Explorer):
    """Fit chains on ``text`` and explore them.

    text: training text; vocab: the alphabet (default: characters of ``text``);
    max_order: the slider's upper end; sample_length: characters generated per sample.
    Chains are fitted once per (order, k) and cached, so moving a slider stays fast.
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
        if not isinstance(text, str) or not text:
            raise ValueError("text: expected a non-empty training text")
        self.train_text = text
        self.vocab = Vocab.from_text(text) if vocab is None else vocab
        if not 0 <= max_order <= markov.max_order(self.vocab.size):
            raise ValueError(
                f"max_order: expected an int in [0, {markov.max_order(self.vocab.size)}] for "
                f"{self.vocab.size} characters, got {max_order}"
            )
        self.sample_length = sample_length
        self.seed = seed
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
        key = (int(order), float(k))
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
        ax.set_title(f"order {order}, context {used!r}: using order {used_order}")
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
