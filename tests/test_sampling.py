import numpy as np
import pytest

from rnn_edu import data, rnn, sampling

TEXT = "abcabcabc hello world"


def model(seed=0):
    vocab = data.Vocab.from_text(TEXT)
    return rnn.init_params(vocab.size, 16, vocab.size, seed=seed), vocab


def test_sample_is_reproducible_has_the_length_and_uses_the_vocabulary():
    params, vocab = model()
    a = sampling.sample(params, vocab, 50, prompt="abc", temperature=1.0, seed=7)
    b = sampling.sample(params, vocab, 50, prompt="abc", temperature=1.0, seed=7)
    c = sampling.sample(params, vocab, 50, prompt="abc", temperature=1.0, seed=8)
    assert a == b and a != c and len(a) == 50 and set(a) <= set(vocab.chars)
    assert sampling.sample(params, vocab, 0) == ""


def test_greedy_sampling_follows_the_argmax_of_a_naive_loop():
    params, vocab = model(1)
    out = sampling.sample(params, vocab, 20, prompt="hel", temperature=0.0)
    h = np.zeros((1, params.hidden_size))
    for ch in "hel":
        h, y = rnn.step(params, vocab.encode(ch), h)
    expected = []
    for _ in range(20):
        i = int(np.argmax(y[0]))
        expected.append(vocab.chars[i])
        h, y = rnn.step(params, np.array([i]), h)
    assert out == "".join(expected)
    assert sampling.sample(params, vocab, 20, prompt="hel", temperature=1e-300, seed=3) == out


def test_temperature_sharpens_and_flattens():
    logits = np.array([2.0, 1.0, 0.0])
    cold, one, hot = (sampling.apply_temperature(logits, t) for t in (0.5, 1.0, 5.0))
    assert cold[0] > one[0] > hot[0] > 1 / 3
    assert np.allclose(sampling.apply_temperature(logits, 1e6), 1 / 3, atol=1e-5)
    assert np.array_equal(sampling.apply_temperature(logits, 0), [1.0, 0.0, 0.0])


def test_empty_prompt_starts_from_the_output_bias():
    params, vocab = model()
    params.b_y[:] = -50.0
    params.b_y[vocab.encode("w")[0]] = 50.0
    assert sampling.sample(params, vocab, 1, prompt="", temperature=1.0) == "w"


def test_bad_inputs_raise_clear_errors():
    params, vocab = model()
    with pytest.raises(ValueError, match=r"prompt: character 'Z' at position 1 is not in the vocab"):
        sampling.sample(params, vocab, 5, prompt="aZ")
    with pytest.raises(ValueError, match=r"temperature: expected a finite number >= 0"):
        sampling.sample(params, vocab, 5, temperature=-1)
    with pytest.raises(ValueError, match=r"length: expected an int in \[0, 100000\]"):
        sampling.sample(params, vocab, -1)
    with pytest.raises(ValueError, match=r"length: expected an int in \[0, 100000\] \(longer"):
        sampling.sample(params, vocab, 10**7)
    with pytest.raises(TypeError, match=r"seed: expected an int >= 0, got str 'x'"):
        sampling.sample(params, vocab, 3, seed="x")
    with pytest.raises(ValueError, match=r"vocab: expected \d+ characters to match"):
        sampling.sample(params, data.Vocab.from_text("ab"), 5)
    with pytest.raises(ValueError, match=r"logits: expected finite numbers, got 1 inf or NaN"):
        sampling.apply_temperature(np.array([0.0, np.nan]), 1.0)
    with pytest.raises(ValueError, match=r"logits: expected .* V >= 1, got shape \(0,\)"):
        sampling.apply_temperature(np.zeros(0), 1.0)


def test_extreme_temperatures_stay_finite_and_infinite_logits_are_refused():
    logits = np.array([1.0, 3.0, 2.0])
    for t in (1e-300, 5e-324, 1e300):
        p = sampling.apply_temperature(logits, t)
        assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)
    assert np.array_equal(sampling.apply_temperature(logits, 5e-324), [0.0, 1.0, 0.0])
    for bad in ([0.0, np.inf], [-np.inf, -np.inf]):  # [-inf, -inf] once gave [1, 0]
        with pytest.raises(ValueError, match=r"logits: expected finite numbers"):
            sampling.apply_temperature(bad, 1.0)
