import numpy as np
import pytest

from rnn_edu import data, rnn
from rnn_edu.widgets.temperature import TemperatureExplorer

TEXT = "the cat sat on the mat.\nthe dog sat on the log.\n"


@pytest.fixture(scope="module")
def explorer():
    vocab = data.Vocab.from_text(TEXT)
    params = rnn.init_params(vocab.size, 16, vocab.size, seed=0)
    params.W_hy *= 3  # a peaked distribution, so temperature visibly matters
    return TemperatureExplorer(params, vocab, prompt="the ", sample_length=40)


@pytest.mark.parametrize(
    "control, value", [("temperature", 0.3), ("prompt", "dog "), ("seed", 5)]
)
def test_each_control_updates_the_output(explorer, control, value):
    before = (explorer.image.value, explorer.text.value)
    explorer.controls[control].value = value
    assert explorer.image.value != before[0] or explorer.text.value != before[1]
    assert explorer.figure is not None


def bars(explorer):
    heights = np.array([b.get_height() for b in explorer.figure.axes[0].patches])
    return heights[: len(heights) // 2], heights[len(heights) // 2 :]


def test_colder_is_sharper(explorer):
    explorer.set(temperature=1.0, prompt="the ")
    at_one, same = bars(explorer)
    assert np.allclose(at_one, same)
    explorer.set(temperature=0.3)
    _, cold = bars(explorer)
    assert cold.max() > at_one.max()


@pytest.mark.parametrize(
    "values",
    [
        {"prompt": ""},
        {"prompt": "日本語 é"},
        {"prompt": "x" * 500},
        {"temperature": 0.0},
        {"temperature": 2.0},
        {"temperature": 0.0, "prompt": ""},
        {"seed": 20, "prompt": "\n\n"},
    ],
)
def test_odd_and_extreme_input_does_not_raise(explorer, values):
    explorer.set(**values)
    assert explorer.image.value[:4] == b"\x89PNG"
    a, b = bars(explorer)
    assert len(a) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    assert "<pre" in explorer.text.value


def test_greedy_puts_all_mass_on_one_character(explorer):
    explorer.set(temperature=0.0, prompt="the ")
    _, greedy = bars(explorer)
    assert greedy.max() == 1.0 and greedy.sum() == 1.0


def test_unseen_characters_are_reported(explorer):
    explorer.set(prompt="théé")
    assert "not in the vocabulary" in explorer.text.value and "é" in explorer.text.value


def test_static_fallback_in_the_display_bundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]
    assert bundle["text/plain"].startswith("Temperature explorer")


def test_model_and_vocabulary_must_match():
    vocab = data.Vocab.from_text(TEXT)
    with pytest.raises(ValueError, match=r"vocab: expected 5 characters"):
        TemperatureExplorer(rnn.init_params(5, 4, 5), vocab)


def test_constructor_refuses_out_of_range_and_accepts_numpy_scalars():
    vocab = data.Vocab.from_text(TEXT + "$^")
    params = rnn.init_params(vocab.size, 4, vocab.size, seed=0)
    for kwargs, match in [({"temperature": 3.0}, r"temperature: expected a finite number in \[0, 2\]"),
                          ({"seed": 21}, r"seed: expected an int in \[0, 20\], got 21"),
                          ({"sample_length": 0}, r"sample_length: expected an int in \[1, 10000\]")]:
        with pytest.raises(ValueError, match=match):
            TemperatureExplorer(params, vocab, **kwargs)
    e = TemperatureExplorer(params, vocab, sample_length=np.int64(10), prompt="a $^$ b")
    assert "$^$" in e.figure.axes[0].get_title()
