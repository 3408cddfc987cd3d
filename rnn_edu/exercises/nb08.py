"""Exercises of notebook 08 (text generation): each checker says what is wrong and hints why.

Each checker runs the learner's function on small cases and compares the result with the right
answer and with the results of plausible mistakes, each of which has its own hint.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_edu import losses
from rnn_edu.exercises._feedback import (
    Feedback,
    WatchedModel,
    as_number,
    call_learner,
    describe,
    exercise,
    hint,
    learner_array,
    names_used,
    passed,
)

_DRAWS = 20_000  # rows drawn per temperature: frequencies within about 0.01 of the truth


def _tv(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance between two distributions ``(V,)``."""
    return 0.5 * float(np.abs(p - q).sum())


@exercise("1. sampling with temperature")
def check_sample(fn) -> Feedback:
    """Exercise 1: ``fn(logits (B, V), temperature, rng) -> ids (B,)``: one draw per row from
    ``softmax(logits / temperature)``; ``temperature == 0`` gives each row's argmax."""
    logits = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    batch = np.random.default_rng(2).normal(0, 0.3, (50, 5))  # close logits: a draw is rarely the max
    got, failed = learner_array(fn, batch.copy(), 0.0, np.random.default_rng(0), label="ids")
    if failed is not None:
        return failed
    if got.shape != (50,):
        axis = (" np.argmax(logits) without an axis, or with axis=0, does not give one id per row: "
                "use np.argmax(logits, axis=-1).") if got.shape in ((), (5,)) else ""
        return hint(f"expected one id per row, shape (50,), got shape {got.shape}.{axis}")
    if not np.array_equal(got, batch.argmax(axis=1)):
        return hint("at temperature 0 return each row's most likely id, np.argmax(logits, "
                    "axis=-1): dividing by 0 is not defined, its limit is the argmax.")
    for T in (0.5, 2.0):
        got, failed = learner_array(fn, np.tile(logits, (_DRAWS, 1)), T,
                                    np.random.default_rng(1), label="ids")
        if failed is not None:
            return failed
        if got.shape != (_DRAWS,) or np.any(got != np.round(got)) or got.min() < 0 or got.max() >= 5:
            return hint(f"expected {_DRAWS} integer ids in [0, 5) for {_DRAWS} rows, got "
                        f"{describe(got)}.")
        freq = np.bincount(got.astype(int), minlength=5) / _DRAWS
        right = losses.softmax(logits / T)
        if _tv(freq, right) < 0.02:
            continue
        for wrong, message in (
            (losses.softmax(logits * T), "the logits are multiplied by the temperature: divide "
             "them, so that T > 1 flattens the distribution and T < 1 sharpens it."),
            (losses.softmax(logits), "the temperature has no effect: sample from "
             "softmax(logits / temperature)."),
            (np.eye(5)[logits.argmax()], "you always return the argmax: draw at random (e.g. "
             "rng.choice or a cumulative sum and rng.random) when temperature > 0."),
        ):
            if _tv(freq, wrong) < 0.02:
                return hint(message)
        if freq[-1] > 0.5 > right[-1]:
            return hint(f"at T = {T} most draws are the last id ({freq[-1]:.0%}): the "
                        "probabilities you draw from do not sum to 1 in each row (a cumulative sum "
                        "that stops short of 1 runs past the last id). Normalise each row (over "
                        "axis=-1) after dividing by T: p = softmax(logits / T).")
        return hint(f"at T = {T} the ids' frequencies {np.round(freq, 2).tolist()} are not "
                    f"softmax(logits / T) = {np.round(right, 2).tolist()}.")
    return passed(f"argmax at T = 0, and {_DRAWS:,} draws at T = 0.5 and 2 match softmax(logits / T).")


@exercise("2. bits per character from logits")
def check_bits_per_char(fn) -> Feedback:
    """Exercise 2: ``fn(logits (B, T, V), targets (B, T)) -> float``, the mean of
    ``-log2 softmax(logits)[target]`` over every position."""
    rng = np.random.default_rng(3)
    logits, targets = rng.normal(0, 2, (2, 6, 5)) + 1.0, rng.integers(0, 5, (2, 6))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    picked = np.take_along_axis(logp, targets[..., None], -1)[..., 0]
    right = float(-picked.mean() / math.log(2))
    got, failed = call_learner(fn, logits.copy(), targets.copy())
    if failed is not None:
        return failed
    got, failed = as_number(got, "bits per character")
    if failed is not None:
        return failed
    if abs(got - right) < 1e-6:
        return passed(f"{right:.4f} bits/char on a batch of 2 x 6 positions, as textgen.bits_per_char "
                      "computes it.")
    raw = np.take_along_axis(logits, targets[..., None], -1)[..., 0]
    for wrong, message in (
        (right * math.log(2), "that is in nats (natural log): divide by ln 2 for bits."),
        (right * math.log10(2), "that is log10: divide the natural log by ln 2, not ln 10 "
         "(or use np.log2)."),
        (-right, "the sign: log2 p is negative, bits per character is -mean(log2 p(target))."),
        (float(-logp[:, :, targets].mean() / math.log(2)), "logp[:, :, targets] picks every "
         "target at every position: pick each position's own target, "
         "np.take_along_axis(logp, targets[..., None], axis=-1)."),
        (float(-(np.exp(logp) * logp).sum(-1).mean() / math.log(2)), "that is the entropy of the "
         "predictions, -sum(p log2 p): it ignores the targets. Take the log-probability of each "
         "position's target."),
        (-picked.sum() / math.log(2), "that is the sum over positions: bits per character is "
         "the mean."),
        (float(-raw.mean() / math.log(2)), "the logits are not normalised: take log_softmax "
         "(logits minus the log of the sum of their exponentials) before picking the target."),
        (float(-logp.mean() / math.log(2)), "you averaged "
         "over every character of the vocabulary: pick the target's entry at each position."),
    ):
        if abs(got - wrong) < 1e-6:
            return hint(message)
    return hint(f"expected {right:.4f} bits/char, got {got:.4f}. Hint: -mean(log2 p(target)).")


def _tiny_models(seed: int = 0):
    from rnn_edu import textgen

    return textgen.build(7, 3, 5, seed=seed), textgen.build(7, 3, 5, seed=seed)


@exercise("3. the training step, from the equations")
def check_train_step(fn) -> Feedback:
    """Exercise 3: ``fn(model, optimizer, inputs (B, T), targets (B, T)) -> loss`` (nats): one
    update of a :class:`rnn_edu.textgen.RNN` with ``tf.GradientTape`` and the optimizer, without
    clipping; the loss is the mean cross-entropy of the logits, before the update."""
    import keras
    import tensorflow as tf

    from rnn_edu import textgen

    mine, ref = _tiny_models()
    rng = np.random.default_rng(4)
    ids = tf.constant(rng.integers(0, 7, (3, 9)), tf.int32)
    inputs, targets = ids[:, :-1], ids[:, 1:]
    want, _ = textgen.make_train_step(ref, keras.optimizers.Adam(1e-2), clip_norm=None)(inputs, targets)
    before = [w.copy() for w in mine.get_weights()]
    got, failed = call_learner(fn, mine, keras.optimizers.Adam(1e-2), inputs, targets)
    if failed is not None:
        if "initial_state" in failed.message or "required argument: 'state'" in failed.message:
            return hint("that is the source article's error: the model's call takes `state`, "
                        "so call model(inputs) or model(inputs, state=None).")
        if "No gradients provided" in failed.message:
            return hint("no gradients: the tape saw no computation. Run the model and the loss "
                        "inside `with tf.GradientTape() as tape:`, then take "
                        "tape.gradient(loss, model.trainable_variables).")
        return failed
    got, failed = as_number(got, "the loss")
    if failed is not None:
        return failed
    if abs(got - float(want)) > 1e-5:
        for wrong, message in (
            (keras.losses.SparseCategoricalCrossentropy()(targets, _logits(before, inputs)),
             "the loss treats the logits as probabilities: use "
             "SparseCategoricalCrossentropy(from_logits=True), the Dense layer has no softmax."),
            (float(want) * np.size(targets), "that is the sum over the batch's positions: the "
             "loss is their mean (the default reduction of SparseCategoricalCrossentropy)."),
            (textgen.loss_fn()(targets, ref(inputs)[0]), "that is the loss after the update: "
             "return the loss computed on the tape, before apply_gradients."),
        ):
            if abs(got - float(wrong)) < 1e-4:
                return hint(message)
        return hint(f"expected the loss {float(want):.4f} nats (mean cross-entropy before the "
                    f"update), got {got:.4f}.")
    after = mine.get_weights()
    if all(np.array_equal(a, b) for a, b in zip(after, before)):
        return hint("the weights did not change: apply the gradients, "
                    "optimizer.apply_gradients(zip(gradients, model.trainable_variables)).")
    if not all(np.allclose(a, b, atol=1e-5) for a, b in zip(after, ref.get_weights())):
        return hint("the weights changed, but not as one Adam step on the gradient of this loss "
                    "would: take tape.gradient(loss, model.trainable_variables), unclipped.")
    return passed("the same loss and the same weights after one update as textgen.make_train_step "
                  "(clip_norm=None) on a tiny model.")


def _logits(weights, inputs):
    """The logits of a tiny model holding ``weights`` (the state of the learner's model before)."""
    model, _ = _tiny_models()
    model.set_weights(weights)
    return model(inputs)[0]


@exercise("4. greedy generation, the state fed back")
def check_greedy(fn, model, vocab) -> Feedback:
    """Exercise 4: ``fn(model, vocab, prompt, n) -> str``: the ``n`` most likely next characters
    after ``prompt``, one model call per character, each feeding back the state it returned (the
    checker watches the calls: after the first, each reads a (1, 1) input and gets a state)."""
    import tensorflow as tf

    from rnn_edu import textgen

    prompt = next(p for p in ("The value of ", "the ", "ab") if set(p) <= set(vocab.chars))
    n = 30
    right = textgen.generate(model, vocab, prompt, n, temperature=0)[0]
    if "generate" in names_used(fn):
        return hint("textgen.generate does the work for you: write the loop yourself, one model "
                    "call per character, each passing back the state the previous call returned.")
    watched = WatchedModel(model)
    got, failed = call_learner(fn, watched, vocab, prompt, n)
    if failed is not None:
        return failed
    if not isinstance(got, str):
        return hint(f"return the continuation as a str, got {describe(got)}.")
    after_prompt = watched.calls[1:]
    if any(shape != (1, 1) for shape, _ in after_prompt):
        return hint("after the prompt, a call reads more than one character: running the whole "
                    "text again at every step repeats the work. Call the model once per character "
                    "on a (1, 1) input, passing back its state: logits, state = model(x, "
                    "state=state).")
    if not all(with_state for _, with_state in after_prompt):
        return hint("each step starts from a fresh state: pass the state the previous call "
                    "returned, model(x, state=state), or the model sees one character at a time.")
    if got == right:
        return passed(f"the {n} characters textgen.generate(..., temperature=0) gives after "
                      f"{prompt!r}.")
    if got == prompt + right:
        return hint("return only the continuation, without the prompt.")
    # the mistake: every step starts again from the state the prompt left, not the latest one
    logits, warm = model(tf.constant(vocab.encode(prompt)[None], tf.int32))
    text = vocab.chars[int(np.argmax(logits[0, -1]))]
    for _ in range(n - 1):
        logits, _ = model(tf.constant([[vocab.encode(text[-1])[0]]], tf.int32), state=warm)
        text += vocab.chars[int(np.argmax(logits[0, -1]))]
    if got == text:
        return hint("every step starts again from the prompt's state: keep the state each call "
                    "returns, `logits, state = model(x, state=state)`.")
    if len(got) != n:
        return hint(f"expected {n} characters, got {len(got)}.")
    return hint(f"expected {right!r}, got {got!r}. Hint: run the prompt first, then feed each "
                "argmax back with the state.")

