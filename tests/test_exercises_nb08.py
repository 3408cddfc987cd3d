"""Notebook 08's checkers: the reference answers pass (and agree with rnn_edu.textgen); each
plausible mistake gets its own hint; odd answers get a hint, never a traceback."""

import numpy as np
import pytest

from rnn_edu.exercises import nb08
from tests.exercise_helpers import assert_hint, no_return


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample(logits, temperature, rng, *, how="right"):
    """The learner's sampler, with switches for the plausible mistakes."""
    if temperature == 0 and how != "no greedy":
        return np.argmax(logits, axis=-1)
    scaled = {"times": logits * temperature, "ignored": logits}.get(how, logits / max(temperature, 1e-9))
    if how == "argmax":
        return np.argmax(logits, axis=-1)
    p = softmax(scaled) if how != "axis 0" else np.exp(scaled) / np.exp(scaled).sum(axis=0)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), p.shape[-1] - 1)


def test_the_sampler_reference_passes_and_each_mistake_is_named():
    assert nb08.check_sample(sample).ok
    assert_hint(nb08.check_sample, lambda *a: sample(*a, how="times"), "multiplied")
    assert_hint(nb08.check_sample, lambda *a: sample(*a, how="ignored"), "no effect")
    assert_hint(nb08.check_sample, lambda *a: sample(*a, how="argmax"), "always return the argmax")
    assert_hint(nb08.check_sample, lambda z, t, r: sample(z, t or 1.0, r), "temperature 0")
    assert_hint(nb08.check_sample, lambda z, t, r: sample(z, t, r)[:1], "one id per row")
    assert_hint(nb08.check_sample, lambda *a: sample(*a, how="axis 0"), "do not sum to 1 in each row")
    for axis in (None, 0):
        assert_hint(nb08.check_sample, lambda z, t, r, axis=axis: np.argmax(z, axis=axis),
                    r"got shape \(5?,?\)\. .*np\.argmax\(logits, axis=-1\)")


def bpc(logits, targets, *, how="right"):
    logp = np.log(softmax(logits))
    picked = np.take_along_axis(logp, targets[..., None], -1)
    if how == "nats":
        return float(-picked.mean())
    if how == "sum":
        return float(-picked.sum() / np.log(2))
    if how == "raw":
        return float(-np.take_along_axis(logits, targets[..., None], -1).mean() / np.log(2))
    if how == "all":
        return float(-logp.mean() / np.log(2))
    if how == "log10":
        return float(-(picked / np.log(10)).mean())
    if how == "no minus":
        return float(picked.mean() / np.log(2))
    if how == "fancy":
        return float(-logp[:, :, targets].mean() / np.log(2))
    if how == "entropy":
        return float(-(np.exp(logp) * logp).sum(-1).mean() / np.log(2))
    return float(-picked.mean() / np.log(2))


def test_bits_per_char_reference_and_mistakes():
    assert nb08.check_bits_per_char(bpc).ok
    for how, expected in (("nats", "nats"), ("sum", "sum over positions"), ("raw", "not normalised"),
                          ("all", "every character of the vocabulary"),
                          ("log10", "not ln 10"), ("no minus", "the sign"),
                          ("fancy", "np.take_along_axis"), ("entropy", "entropy of the predictions")):
        assert_hint(nb08.check_bits_per_char, lambda z, t, how=how: bpc(z, t, how=how), expected)
    assert_hint(nb08.check_bits_per_char, lambda z, t: 3.0, "expected .* bits/char, got 3.0000")


keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from rnn_edu import data, textgen  # noqa: E402


def train_step(model, optimizer, inputs, targets, *, how="right"):
    reduction = "sum" if how == "sum" else "sum_over_batch_size"
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=how != "probs",
                                                         reduction=reduction)
    logits, _ = model(inputs, state=None)  # outside the tape: only for how="outside"
    with tf.GradientTape() as tape:
        if how == "article":
            logits, _ = model(inputs, initial_state=None)
        if how != "outside":
            logits, _ = model(inputs, state=None)
        loss = loss_fn(targets, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    if how == "clip":
        grads, _ = tf.clip_by_global_norm(grads, 1e-3)
    if how != "no update":
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    if how == "after":
        loss = loss_fn(targets, model(inputs)[0])
    return float(loss)


def test_train_step_reference_and_mistakes():
    assert nb08.check_train_step(train_step).ok
    for how, expected in (("article", "source article's error"), ("probs", "as probabilities"),
                          ("no update", "did not change"), ("clip", "not as one Adam step"),
                          ("outside", r"inside `with tf\.GradientTape\(\) as tape:`"),
                          ("sum", "the sum over the batch's positions"),
                          ("after", "loss after the update")):
        assert_hint(nb08.check_train_step, lambda *a, how=how: train_step(*a, how=how), expected)
    assert_hint(nb08.check_train_step, no_return, "None")


VOCAB = data.Vocab.from_text("The value of abc")


@pytest.fixture(scope="module")
def model():
    m = textgen.build(VOCAB.size, 4, 16, seed=3)
    rng = np.random.default_rng(3)  # large weights: the state, not only the last input, decides
    m.set_weights([rng.normal(0, 2.0, w.shape).astype(np.float32) for w in m.get_weights()])
    return m


def greedy(model, vocab, prompt, n, *, how="right"):
    logits, state = model(tf.constant(vocab.encode(prompt)[None]), state=None)
    out = []
    for _ in range(n):
        i = int(np.argmax(logits[0, -1]))
        out.append(vocab.chars[i])
        if how == "rerun":  # the right characters, but the whole text again at every step
            logits, _ = model(tf.constant(vocab.encode(prompt + "".join(out))[None]))
            continue
        logits, new_state = model(tf.constant([[i]]), state=None if how == "stateless" else state)
        state = state if how == "prompt state" else new_state
    text = "".join(out)
    return prompt + text if how == "with prompt" else text


def test_greedy_reference_and_mistakes(model):
    assert nb08.check_greedy(greedy, model, VOCAB).ok
    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB),
                lambda *a: greedy(*a, how="stateless"), "fresh state")
    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB),
                lambda *a: greedy(*a, how="with prompt"), "without the prompt")
    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB), lambda *a: 5, "as a str")
    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB),
                lambda *a: greedy(*a, how="prompt state"), "starts again from the prompt's state")


def test_greedy_must_feed_the_state_back_itself(model):
    assert greedy(model, VOCAB, "The ", 30, how="rerun") == greedy(model, VOCAB, "The ", 30)
    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB),
                lambda *a: greedy(*a, how="rerun"), r"reads more than one character.*\(1, 1\)")

    def by_the_package(model, vocab, prompt, n):
        return textgen.generate(model, vocab, prompt, n, temperature=0)[0]

    assert_hint(lambda fn: nb08.check_greedy(fn, model, VOCAB), by_the_package,
                "textgen.generate does the work for you")


def test_stubs_and_odd_answers_never_raise(model):
    for check in (nb08.check_sample, nb08.check_bits_per_char, nb08.check_train_step):
        assert not check(...).attempted
        fb = check(lambda *a: 1 / 0)
        assert not fb.ok and "ZeroDivisionError" in fb.message
    assert not nb08.check_greedy(..., model, VOCAB).attempted
