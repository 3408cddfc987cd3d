"""The temperature explorer (notebooks 04 and 08): how temperature reshapes a trained model's
predictions (a vanilla RNN or a GRU, anything :mod:`rnn_edu.sampling` runs).

Shows the next-character distribution ``softmax(y / T)`` after a prompt as a bar chart (the most
likely characters, at temperature 1 in grey and at the chosen temperature in color) and a sample
generated from that prompt at that temperature.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import sampling
from rnn_edu.data import Vocab
from rnn_edu.gru import GRUParams
from rnn_edu.rnn import RNNParams
from rnn_edu.widgets._base import Explorer
from rnn_edu.widgets.markov_explorer import show_char

TOP = 15  # bars shown
#: The ranges of the temperature and seed sliders, and the longest sample.
TEMPERATURE_RANGE, SEED_RANGE, MAX_SAMPLE_LENGTH = (0.0, 2.0), (0, 20), 10_000


class TemperatureExplorer(Explorer):
    """Sample from a trained character model at a chosen temperature.

    params, vocab: the trained model (``RNNParams`` or ``GRUParams``) and its vocabulary;
    prompt: the starting text; sample_length: characters generated per sample (1 to
    :data:`MAX_SAMPLE_LENGTH`); the seed slider picks another sample.

    ``temperature`` and ``seed`` must lie in their sliders' ranges (:data:`TEMPERATURE_RANGE`,
    :data:`SEED_RANGE`), or the constructor raises ``ValueError``; later, :meth:`set` and the
    sliders clamp a value to the range (that is the slider's contract).
    """

    title = "Temperature explorer"

    def __init__(
        self,
        params: RNNParams | GRUParams,
        vocab: Vocab,
        *,
        temperature: float = 1.0,
        prompt: str = "The ",
        seed: int = 0,
        sample_length: int = 200,
    ) -> None:
        sampling.warm_up(params, vocab, "")  # validates params against vocab
        temperature = C.require_real("temperature", temperature, *TEMPERATURE_RANGE)
        C.require_text("prompt", prompt)
        seed = C.require_int("seed", seed, *SEED_RANGE)
        sample_length = C.require_int("sample_length", sample_length, 1, MAX_SAMPLE_LENGTH)
        self.params, self.vocab, self.sample_length = params, vocab, sample_length
        style = {"description_width": "initial"}
        self.controls = {
            "temperature": widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05,
                                               description="temperature", style=style,
                                               continuous_update=False),
            "prompt": widgets.Text(value=prompt, description="prompt", style=style,
                                   continuous_update=False),
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="seed",
                                      style=style, continuous_update=False),
        }
        super().__init__()
        self.box.add_class("rnn-edu-temperature-explorer")

    def draw(self, fig: Figure, temperature: float, prompt: str, seed: int) -> str:
        # Characters outside the vocabulary cannot be fed to the model: drop them and say so.
        unseen = sorted({c for c in prompt if c not in self.vocab})
        known = "".join(c for c in prompt if c in self.vocab)
        temperature = max(float(temperature), 0.0)
        _, logits = sampling.warm_up(self.params, self.vocab, known)
        p1 = sampling.apply_temperature(logits, 1.0)
        p = sampling.apply_temperature(logits, temperature)
        top = np.argsort(-p1, kind="stable")[:TOP]
        ax = fig.add_subplot()
        x = np.arange(len(top))
        ax.bar(x - 0.2, p1[top], width=0.4, color="#bbbbbb", label="τ = 1")
        ax.bar(x + 0.2, p[top], width=0.4, color="#c44e52", label=f"τ = {temperature:.2f}")
        ax.set_xticks(x, [show_char(self.vocab.chars[i]) for i in top])
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(next | prompt)")
        ax.legend(loc="upper right")
        entropy = abs(float(-(p[p > 0] * np.log2(p[p > 0])).sum()))  # abs: no "-0.00"
        # The entropy of the next-character distribution at the chosen temperature (red bars).
        ax.set_title(f"after {known[-20:]!r}: next-character entropy at τ = {temperature:.2f}: "
                     f"{entropy:.2f} bits" if known else
                     f"no prompt: next-character entropy at τ = {temperature:.2f}: {entropy:.2f} bits",
                     parse_math=False, fontsize=9)  # '$' too
        text = sampling.sample(self.params, self.vocab, self.sample_length, prompt=known,
                               temperature=temperature, seed=int(seed))
        note = ""
        if unseen:
            note = ("<br><i>" + html.escape("ignored characters not in the vocabulary: "
                                            + ", ".join(map(repr, unseen))) + "</i>")
        return (
            f"<b>sample</b> (temperature {temperature:.2f}, seed {seed}):"
            f"<pre style='white-space:pre-wrap;margin:2px 0'>{html.escape(known)}"
            f"<span style='color:#c44e52'>{html.escape(text)}</span></pre>{note}"
        )
