import html
import re

import numpy as np
import pytest

from rnn_edu import data, gru, sampling, units
from rnn_edu.widgets import units as unit_widgets
from rnn_edu.widgets.markov_explorer import show_char
from rnn_edu.widgets.temperature import TemperatureExplorer
from rnn_edu.widgets.units import UnitExplorer
from tests.test_units import VOCAB as BRACKETS
from tests.test_units import bracket_text, planted

CORPUS = data.load_corpus(max_chars=20_000)
VOCAB = data.Vocab.from_text(CORPUS)


@pytest.fixture(scope="module")
def params():
    return gru.init_params(VOCAB.size, 8, VOCAB.size, seed=0)


@pytest.fixture(scope="module")
def explorer(params):
    return UnitExplorer(params, VOCAB)


def visible(explorer) -> str:
    """What a browser shows of the explorer's HTML: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", explorer.text.value)).replace("\u00a0", " ")


def colored_spans(explorer):
    return explorer.text.value.count("<span title=")


def test_each_control_changes_the_picture_or_the_text(explorer):
    for control, value in [("unit", 5), ("text", "other (text)"), ("position", 3),
                           ("example", list(unit_widgets.EXAMPLES)[1]),
                           ("feature", "inside a word")]:
        before = (explorer.image.value, explorer.text.value)
        explorer.controls[control].value = value
        assert explorer.text.value != before[1], control
        if control in ("unit", "text", "example"):  # the picture shows the text and the unit
            assert explorer.image.value != before[0], control


def test_the_colours_are_the_units_activations_and_the_guesses_the_models(explorer, params):
    text = "Use (x)."
    explorer.set(text=text, unit=3, feature=unit_widgets.NO_FEATURE, position=4)
    H, P = units.hidden_states(params, VOCAB, text)
    picture = explorer.figure.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(picture[0, :len(text)], H[:, 3], atol=1e-12)
    assert colored_spans(explorer) == len(text)
    top = np.argsort(-P[4], kind="stable")[0]
    assert f"{show_char(VOCAB.chars[top])} {P[4, top]:.0%}" in explorer.text.value
    assert f"h = {H[0, 3]:+.2f}" in explorer.text.value


def test_the_feature_list_jumps_to_the_best_unit_and_shows_its_r():
    text = bracket_text(600)
    e = UnitExplorer(planted(), BRACKETS, text[:80], search_text=text, unit=0)
    e.controls["feature"].value = "inside parentheses"
    assert e.values["unit"] == 2  # the planted latch
    best = e.best["inside parentheses"]
    assert best.unit == 2 and best.r > 0.99
    assert f"unit 2, r = {best.r:+.2f}" in e.text.value


def test_odd_text_is_escaped_and_unknown_characters_are_grey_and_named(explorer):
    explorer.set(text="a < b & $x$ \\\n  ✓ \x00", position=0)
    html_text = explorer.text.value
    assert "a < b & $x$ \\↵  ✓ \x00" in visible(explorer)  # every character, literally
    assert "mathjax_ignore" in html_text and "tex2jax_ignore" in html_text
    assert "↵" in html_text and "\u00a0" in html_text  # newline and space visible
    assert "not in the vocabulary" in html_text and "'✓'" in visible(explorer)
    assert "color:#888" in html_text  # the unknown characters, grey
    assert "<b" not in html_text.replace("<b>", "").replace("<br>", "")  # no stray tag from the text


@pytest.mark.parametrize("text", ["", "✓✓✓", " ", "\n", "$"])
def test_empty_and_unknown_only_texts_draw(explorer, text):
    explorer.set(text=text, position=0)
    assert explorer.image.value[:4] == b"\x89PNG"
    assert "nan" not in explorer.text.value.lower()


def test_long_text_is_cut_and_the_cut_is_said(explorer):
    long = "(abc) def " * 300
    explorer.set(text=long)
    assert f"showing the first {unit_widgets.MAX_CHARS:,} of {len(long):,} characters" in explorer.text.value
    assert colored_spans(explorer) == unit_widgets.MAX_CHARS
    assert explorer.controls["position"].max == unit_widgets.MAX_CHARS - 1
    explorer.set(position=10**6)  # clamps to the slider's end
    assert explorer.values["position"] == unit_widgets.MAX_CHARS - 1
    explorer.set(text="ab")  # the slider follows a shorter text
    assert explorer.controls["position"].max == 1 and explorer.values["position"] == 1


def test_extremes_of_the_unit_slider(explorer, params):
    for unit in (0, params.hidden_size - 1, -5, 10**6):
        explorer.set(unit=unit, text="(x)")
        assert 0 <= explorer.values["unit"] < params.hidden_size
        assert "nan" not in explorer.text.value.lower()


def test_static_fallback_and_css_class(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and "Unit explorer" in bundle["text/plain"]
    assert "rnn-edu-unit-explorer" in explorer.box._dom_classes


def test_bad_arguments_are_named(params):
    with pytest.raises(TypeError, match="params: expected GRUParams"):
        UnitExplorer(None, VOCAB)
    with pytest.raises(ValueError, match=r"unit: expected an int in \[0, 7\], got 8"):
        UnitExplorer(params, VOCAB, unit=8)
    with pytest.raises(ValueError, match="feature: expected one of"):
        UnitExplorer(params, VOCAB, feature="vowels")
    with pytest.raises(ValueError, match="examples: expected at least one example"):
        UnitExplorer(params, VOCAB, examples={})
    with pytest.raises(ValueError, match="search_text: expected a non-empty str"):
        UnitExplorer(params, VOCAB, search_text="")
    with pytest.raises(ValueError, match=r"position: expected an int in \[0, 1\]"):
        UnitExplorer(params, VOCAB, "ab", position=2)
    with pytest.raises(ValueError, match="unknown control"):
        UnitExplorer(params, VOCAB).set(layer=2)


def test_the_temperature_explorer_samples_a_gru(params):
    e = TemperatureExplorer(params, VOCAB, prompt="The (", sample_length=40)
    sample = sampling.sample(params, VOCAB, 40, prompt="The (", temperature=1.0, seed=0)
    assert html.escape(sample) in e.text.value
    before = e.text.value
    e.set(temperature=0.0, prompt="✓$", seed=20)
    assert e.text.value != before and "ignored characters not in the vocabulary" in e.text.value
    assert sampling.sample(params, VOCAB, 30, temperature=0.0) == sampling.sample(
        params, VOCAB, 30, temperature=0.0, seed=5)  # greedy: the seed does not matter
