"""rnn_edu.textgen: the corrected source-article model, its data, training step, generator, files."""

import numpy as np
import pytest

pytest.importorskip("keras")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnn_edu import data, keras_bridge, textgen  # noqa: E402
from rnn_edu import gru as npgru  # noqa: E402

VOCAB = data.Vocab.from_text("abcdefgh ")


@pytest.fixture(scope="module")
def model():
    return textgen.build(VOCAB.size, 4, 8, seed=0)


def test_shapes_and_state_carry(model):
    ids = tf.constant(np.arange(18).reshape(2, 9) % VOCAB.size, tf.int32)
    logits, state = model(ids)
    assert logits.shape == (2, 9, VOCAB.size) and state.shape == (2, 8)
    # two halves with the state carried equal the whole
    a, s = model(ids[:, :4])
    b, _ = model(ids[:, 4:], state=s)
    np.testing.assert_allclose(np.concatenate([a, b], axis=1), logits, atol=1e-5)


def test_the_source_articles_call_fails_and_the_corrected_calls_work(model):
    ids = tf.zeros((1, 3), tf.int32)
    with pytest.raises(TypeError, match="initial_state"):
        model(ids, initial_state=None)  # our call names it `state`
    for call in (lambda: model(ids, None), lambda: model(ids, state=None)):
        assert call()[0].shape == (1, 3, VOCAB.size)


def test_the_model_is_the_numpy_gru_of_notebook_07(model):
    ids = np.array([[0, 3, 2, 8, 1]])
    logits, _ = model(tf.constant(ids, tf.int32))
    p = keras_bridge.gru_from_keras(model.gru, model.dense, model.embedding)
    y = npgru.forward(p, data.one_hot(ids, VOCAB.size, np.float32)).y
    np.testing.assert_allclose(y, logits, atol=1e-5)


def test_one_step_lowers_the_loss_on_a_tiny_batch():
    m = textgen.build(VOCAB.size, 4, 8, seed=1)
    ids = tf.constant(VOCAB.encode("abcabcabcabc")[None], tf.int32)
    step = textgen.make_train_step(m, keras.optimizers.Adam(1e-2))
    first, norm = step(ids[:, :-1], ids[:, 1:])
    second, _ = step(ids[:, :-1], ids[:, 1:])
    assert float(second) < float(first) and float(norm) > 0
    assert abs(float(first) - np.log(VOCAB.size)) < 0.2  # at initialisation, about ln V


def test_dataset_windows_are_shifted_by_one_and_seeded():
    ids = np.arange(50) % VOCAB.size
    ds = textgen.dataset(ids, seq_len=7, batch_size=3, seed=4)
    (x, y), (x2, _) = next(iter(ds)), next(iter(textgen.dataset(ids, 7, 3, seed=4)))
    assert x.shape == y.shape == (3, 7) and x.dtype == tf.int32
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    np.testing.assert_array_equal(x, x2)
    other = next(iter(textgen.dataset(ids, 7, 3, seed=5)))[0]
    assert not np.array_equal(x, other)
    with pytest.raises(ValueError, match="ids: expected at least seq_len"):
        textgen.dataset(ids[:5], seq_len=7)


def test_train_runs_and_reports_per_step(model):
    m = textgen.build(VOCAB.size, 4, 8, seed=2)
    text = "abc defgh " * 40
    run = textgen.train(m, textgen.dataset(VOCAB.encode(text), 10, 4), steps=30, progress=False)
    assert run["loss"].shape == (30,) and run["loss"][-5:].mean() < run["loss"][:5].mean()
    assert textgen.bits_per_char(m, VOCAB, text) < np.log2(VOCAB.size)


def test_bits_per_char_is_the_mean_of_log2_probs_over_the_whole_text(model):
    text = "abcdefgh " * 20
    lp = textgen.log2_probs(model, VOCAB.encode(text), streams=4, chunk=7)
    assert lp.shape == (4 * ((len(text) - 1) // 4),) and np.all(lp <= 0)
    # the chunking does not change the numbers
    np.testing.assert_allclose(lp, textgen.log2_probs(model, VOCAB.encode(text), 4, 1000), atol=1e-5)


def test_generator_is_seeded_greedy_at_zero_and_batched(model):
    a = textgen.generate(model, VOCAB, "abc", 20, temperature=1.0, samples=3, seed=7)
    assert a == textgen.generate(model, VOCAB, "abc", 20, temperature=1.0, samples=3, seed=7)
    assert len(a) == 3 and all(len(s) == 20 and set(s) <= set(VOCAB.chars) for s in a)
    assert len(set(a)) > 1  # the samples of a batch differ
    greedy = textgen.generate(model, VOCAB, "abc", 10, temperature=0, samples=2)
    assert greedy[0] == greedy[1]
    # greedy = the argmax of the full model at each step
    text = "abc"
    for _ in range(10):
        logits, _ = model(tf.constant(VOCAB.encode(text)[None], tf.int32))
        text += VOCAB.chars[int(np.argmax(logits[0, -1]))]
    assert greedy[0] == text[3:]
    assert textgen.generate(model, VOCAB, "a", 0) == [""]


def test_prompt_with_unseen_characters_names_them(model):
    with pytest.raises(ValueError, match=r"prompt: the characters \['\$', 'Z'\] are not in"):
        textgen.generate(model, VOCAB, "aZ$b", 5)
    with pytest.raises(ValueError, match="prompt: expected a non-empty str"):
        textgen.generate(model, VOCAB, "", 5)
    with pytest.raises(ValueError, match="vocab: expected 9 characters"):
        textgen.generate(model, data.Vocab.from_text("ab"), "a", 5)


def test_save_and_load_round_trip_and_refuse_pickles(model, tmp_path):
    path = textgen.save(tmp_path / "m", model, VOCAB)
    assert path.name == "m.npz"
    loaded, vocab = textgen.load(path)
    assert vocab == VOCAB and isinstance(loaded, textgen.RNN)
    ids = tf.constant([[1, 2, 3]], tf.int32)
    np.testing.assert_array_equal(loaded(ids)[0], model(ids)[0])
    arrays = dict(textgen.weights(model), vocab=np.array([1, 2]), format=np.array(1))
    arrays["bias"] = np.array([{"code": 1}], dtype=object)
    np.savez(tmp_path / "obj.npz", **arrays)
    with pytest.raises(ValueError, match="(?i)pickle"):
        textgen.load(tmp_path / "obj.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="expected an .npz"):
        textgen.load(tmp_path / "text.npz")


def test_adam_rates_are_float32_numbers():
    """Keras runs the schedule in float32: a rate past its range is refused by name."""
    assert np.isclose(float(textgen.adam(10, learning_rate=1e-2, lr_end=1e-3).learning_rate), 1e-2)
    with pytest.raises(ValueError, match=r"learning_rate: expected a finite number in \(0, 1e\+38\]"):
        textgen.adam(10, learning_rate=3.4028235677973366e38, lr_end=1e-3)
    with pytest.raises(ValueError, match="lr_end: expected 1e-30 to 1e30 times learning_rate"):
        textgen.adam(10, learning_rate=1e30, lr_end=1e-3)
