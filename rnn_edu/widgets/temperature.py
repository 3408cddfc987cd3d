"""The temperature explorer (notebooks 04 and 08): how temperature reshapes a trained model's
predictions (a vanilla RNN or a GRU, anything :mod:`rnn_edu.sampling` runs).

Shows the next-character distribution ``softmax(y / T)`` after a prompt as a bar chart (the most
likely characters, at temperature 1 in grey and at the chosen temperature in color) and a sample
generated from that prompt at that temperature.
"""

from __future__ import annotations

import html
import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import sampling
from rnn_edu.data import Vocab
from rnn_edu.gru import GRUParams
from rnn_edu.rnn import RNNParams
from rnn_edu.train import blas_limit
from rnn_edu.widgets._base import DPI, Explorer
from rnn_edu.widgets._pixels import Backdrop
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
        self._shown = None  # (prompt, temperature) in the picture
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
        """Build the bar chart on ``fig`` (laid out once, by the figure's layout engine), then
        fill it in; return the HTML."""
        fig.set_dpi(DPI)  # the PNG's own, for the Backdrop
        ax = fig.add_subplot()
        x = np.arange(min(TOP, self.vocab.size))
        self._at_one = ax.bar(x - 0.2, np.zeros(len(x)), width=0.4, color="#bbbbbb", label="τ = 1")
        self._at_t = ax.bar(x + 0.2, np.zeros(len(x)), width=0.4, color="#c44e52", label="τ")
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(next | prompt)")
        self._legend = ax.legend(loc="upper right")
        return self._refresh(ax, temperature, prompt, seed)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), laid out by
        :meth:`Explorer.update`'s layout engine; then on the same figure, its layout kept (laying
        it out again took a third of each move). A move of the temperature redraws only the
        red bars, the axes' frame over them, the legend and the title over the kept rest of the
        picture (:class:`Backdrop`); the seed changes only the sample. BLAS on one thread: the
        model's products are small."""
        with blas_limit(1):
            if self.figure is None:
                super().update()
                self.figure.set_layout_engine(None)  # the axes keep the place it gave them
                ax = self.figure.axes[0]
                self._backdrop = Backdrop(self.figure, [*self._at_t, *ax.spines.values(),
                                                        self._legend, ax.title])
                return
            with warnings.catch_warnings():  # a prompt's character the font lacks: a box
                warnings.filterwarnings("ignore", message="Glyph .* missing from font")
                shown = self._shown
                self.text.value = self._refresh(self.figure.axes[0], **self.values)
                if self._shown != shown:  # the seed changes the sample, not the picture
                    # The rest (grey bars, ticks) depends on the prompt alone.
                    self.image.value = self._backdrop.png(key=self._shown[0])

    def _refresh(self, ax, temperature: float, prompt: str, seed: int) -> str:
        """Put the bars and the title for one setting on ``ax``; return the HTML text."""
        # Characters outside the vocabulary cannot be fed to the model: drop them and say so.
        unseen = sorted({c for c in prompt if c not in self.vocab})
        known = "".join(c for c in prompt if c in self.vocab)
        temperature = max(float(temperature), 0.0)
        _, logits = sampling.warm_up(self.params, self.vocab, known)
        p1 = sampling.apply_temperature(logits, 1.0)
        p = sampling.apply_temperature(logits, temperature)
        top = np.argsort(-p1, kind="stable")[:TOP]
        self._shown = (known, temperature)
        for bars, heights in ((self._at_one, p1[top]), (self._at_t, p[top])):
            for bar, height in zip(bars, heights, strict=True):
                bar.set_height(height)
        self._legend.get_texts()[1].set_text(f"τ = {temperature:.2f}")
        ax.set_xticks(np.arange(len(top)), [show_char(self.vocab.chars[i]) for i in top])
        entropy = abs(float(-(p[p > 0] * np.log2(p[p > 0])).sum()))  # abs: no "-0.00"
        # The entropy of the next-character distribution at the chosen temperature (red bars).
        ax.set_title(f"after {known[-20:]!r}: next-character entropy at τ = {temperature:.2f}: "
                     f"{entropy:.2f} bits" if known else
                     f"no prompt: next-character entropy at τ = {temperature:.2f}: {entropy:.2f} bits",
                     parse_math=False, fontsize=9, y=1.0)  # '$' too; y: no search for
        # a place clear of the top axis (it has no ticks), a sixth of the time of a redraw
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
