import numpy as np
import pytest

from rnn_edu import bptt, data, losses, optim, rnn
from rnn_edu.widgets.temperature import TemperatureExplorer
from rnn_edu.widgets.truncation import BPTTExplorer, cosine, flat

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


# ---- the BPTT explorer -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch():
    vocab = data.Vocab.from_text(TEXT)
    ids = vocab.encode(TEXT * 8)[: 4 * 61].reshape(4, 61)
    params = rnn.init_params(vocab.size, 12, vocab.size, seed=3, dtype=np.float64)
    params.W_hh *= 2.5  # long memory, so truncation visibly changes the gradient
    return params, ids[:, :-1], ids[:, 1:]


@pytest.fixture(scope="module")
def bptt_explorer(batch):
    return BPTTExplorer(*batch, truncate=5, clipping="none", threshold=1e-2)


def reference(batch, truncate, clipping="none", threshold=1.0):
    """The gradient, truncated and clipped, straight from rnn_edu.bptt and rnn_edu.optim."""
    params, x, targets = batch
    cache = rnn.forward(params, x)
    dy = losses.cross_entropy(cache.y, targets)[1]
    full = bptt.backward(params, cache, dy)[0]
    cut = bptt.backward(params, cache, dy, truncate=truncate)[0]
    if clipping == "norm":
        cut = optim.clip_global_norm(cut, threshold)[0]
    elif clipping == "element-wise":
        cut = optim.clip_elementwise(cut, threshold)
    return flat(cut), flat(full)


@pytest.mark.parametrize("control, value", [("truncate", 20), ("clipping", "norm"),
                                            ("threshold", 1e-3)])
def test_bptt_each_control_updates(bptt_explorer, control, value):
    bptt_explorer.set(truncate=5, clipping="element-wise", threshold=1e-2)
    before = (bptt_explorer.image.value, bptt_explorer.text.value)
    bptt_explorer.controls[control].value = value
    assert bptt_explorer.image.value != before[0] and bptt_explorer.text.value != before[1]


@pytest.mark.parametrize("truncate", [1, 5, 25, 60])
@pytest.mark.parametrize("clipping, threshold", [("none", 1.0), ("norm", 1e-3), ("norm", 10.0),
                                                 ("element-wise", 1e-3), ("element-wise", 10.0)])
def test_bptt_cosine_is_the_reference(bptt_explorer, batch, truncate, clipping, threshold):
    cut, full = reference(batch, truncate, clipping, threshold)
    want = np.dot(cut, full) / (np.linalg.norm(cut) * np.linalg.norm(full))
    got = bptt_explorer.compare(truncate, clipping, threshold)
    assert got["cosine"] == pytest.approx(want, abs=1e-12)
    if clipping == "element-wise":
        unclipped, _ = reference(batch, truncate)
        assert got["clipped"] == np.mean(np.abs(unclipped) > threshold)


def test_bptt_facts_the_notebook_states(bptt_explorer):
    T = 60
    assert bptt_explorer.compare(T, "none", 1.0)["cosine"] == pytest.approx(1.0, abs=1e-12)
    # norm clipping keeps the direction, element-wise clipping turns it
    for n in (1, 5, T):
        none = bptt_explorer.compare(n, "none", 1.0)["cosine"]
        assert bptt_explorer.compare(n, "norm", 1e-4)["cosine"] == pytest.approx(none, abs=1e-12)
    assert bptt_explorer.compare(T, "element-wise", 1e-4)["cosine"] < 0.99
    assert bptt_explorer.compare(1, "none", 1.0)["cosine"] < bptt_explorer.compare(25, "none", 1.0)["cosine"]


def test_bptt_dh_norms_over_t(bptt_explorer, batch):
    params, x, targets = batch
    cache = rnn.forward(params, x)
    dy = losses.cross_entropy(cache.y, targets)[1]
    dh, _ = bptt.state_gradients(params, cache, dy, truncate=5)
    _, norms = bptt_explorer.gradients(5)
    np.testing.assert_allclose(norms, np.linalg.norm(dh.transpose(1, 0, 2).reshape(60, -1), axis=1))
    _, full = bptt_explorer.gradients(60)
    np.testing.assert_allclose(norms[-5:], full[-5:])  # the last chunk is untouched by the cut
    assert np.all(norms[:55] <= full[:55] * 10)  # and earlier ones miss what comes from later
    bptt_explorer.set(truncate=5)
    drawn = bptt_explorer.figure.axes[0].get_lines()
    np.testing.assert_allclose(drawn[1].get_ydata(), norms)
    np.testing.assert_allclose(drawn[0].get_ydata(), full)


def test_state_gradients_agree_with_backward(batch):
    params, x, targets = batch
    cache = rnn.forward(params, x)
    dy = losses.cross_entropy(cache.y, targets)[1]
    dh, da = bptt.state_gradients(params, cache, dy)
    np.testing.assert_allclose(da, dh * (1 - cache.h**2))
    grads, dh0 = bptt.backward(params, cache, dy)
    h_prev = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)
    np.testing.assert_allclose(grads.W_hh, np.einsum("bti,btj->ij", h_prev, da))
    np.testing.assert_allclose(dh0, da[:, 0] @ params.W_hh.T)


@pytest.mark.parametrize("values", [{"truncate": 1}, {"truncate": 10_000},
                                    {"threshold": 1e-9, "clipping": "element-wise"},
                                    {"threshold": 1e9, "clipping": "norm"}])
def test_bptt_extremes(bptt_explorer, values):
    bptt_explorer.set(**values)
    assert bptt_explorer.image.value[:4] == b"\x89PNG"
    assert "nan" not in bptt_explorer.text.value.lower()
    for ax in bptt_explorer.figure.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(line.get_ydata()))


def test_bptt_zero_gradient_gives_cosine_zero_not_nan():
    assert cosine(np.zeros(3), np.ones(3)) == 0.0
    assert cosine(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == pytest.approx(1.0)


@pytest.mark.parametrize("scale", [1e-200, 1e-30, 1.0, 1e30, 1e200, 1e307])
def test_bptt_cosine_holds_at_extreme_scales(scale):
    # found by the bad-input property test: |u| |v| overflowed to inf (nan) or vanished (0.0)
    u, v = np.array([3.0, 4.0, 0.0]), np.array([4.0, 3.0, 1.0])
    expected = 24 / (5 * np.sqrt(26))
    assert cosine(scale * u, scale * v) == pytest.approx(expected, rel=1e-12)
    assert cosine(scale * u, -v) == pytest.approx(-expected, rel=1e-12)
    assert cosine(scale * u, scale * u) == pytest.approx(1.0, rel=1e-12)


def test_bptt_bad_construction(batch):
    params, x, targets = batch
    with pytest.raises(ValueError, match=r"truncate: expected an int in \[1, 60\], got 61"):
        BPTTExplorer(params, x, targets, truncate=61)
    with pytest.raises(ValueError, match=r"clipping: expected one of \('none', 'norm', "):
        BPTTExplorer(params, x, targets, clipping="value")
    with pytest.raises(ValueError, match=r"threshold: expected a finite number in \[0.0001, 10\]"):
        BPTTExplorer(params, x, targets, threshold=0)
    with pytest.raises(ValueError, match=r"targets: expected .*shape"):
        BPTTExplorer(params, x, targets[:, :5])
    with pytest.raises(TypeError, match=r"x: expected"):
        BPTTExplorer(params, x.astype(float), targets)


def test_bptt_static_fallback(bptt_explorer):
    bundle = bptt_explorer._repr_mimebundle_()
    assert bundle["image/png"] and bundle["text/plain"].startswith("BPTT explorer")
    assert "rnn-edu-bptt-explorer" in bptt_explorer.box._dom_classes
