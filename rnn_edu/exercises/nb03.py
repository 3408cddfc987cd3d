"""Exercises of notebook 03 (the vanilla RNN): each checker says what is wrong and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import rnn
from rnn_edu.exercises._feedback import (
    Feedback,
    as_array,
    call_learner,
    describe,
    exercise,
    hint,
    passed,
)


@exercise("1. rnn_step")
def check_rnn_step(fn) -> Feedback:
    """Exercise 1: ``fn(x_t, h_prev, W_xh, W_hh, b_h) -> h_t``, one step of the recurrence.

    x_t: ``(batch, input)``; h_prev: ``(batch, hidden)``; W_xh: ``(input, hidden)``;
    W_hh: ``(hidden, hidden)``; b_h: ``(hidden,)``; h_t: ``(batch, hidden)``.
    """
    rng = np.random.default_rng(3)
    batch, n_in, n_h = 3, 4, 5
    x_t, h_prev = rng.normal(size=(batch, n_in)), rng.uniform(-1, 1, size=(batch, n_h))
    W_xh, W_hh, b_h = rng.normal(size=(n_in, n_h)), rng.normal(size=(n_h, n_h)), rng.normal(size=n_h)
    args = (x_t.copy(), h_prev.copy(), W_xh.copy(), W_hh.copy(), b_h.copy())
    result, fail = call_learner(fn, *args)
    if fail is not None:
        if any(word in fail.message for word in ("matmul", "shapes", "aligned")):
            return hint(f"{fail.message}. Hint: with one row per sequence, multiply on the "
                        f"right: x_t @ W_xh is ({batch}, {n_in}) @ ({n_in}, {n_h}) -> "
                        f"({batch}, {n_h}).")
        return fail
    if isinstance(result, tuple):
        return hint(f"your function returned a tuple of {len(result)}: return only h_t, one "
                    "array (batch, hidden).")
    got, fail = as_array(result, "h_t")
    if fail is not None:
        return fail
    a = x_t @ W_xh + h_prev @ W_hh + b_h
    expected = np.tanh(a)
    if got.shape != expected.shape:
        msg = f"h_t should have shape (batch, hidden) = {expected.shape}, got {got.shape}."
        if got.shape == expected.T.shape:
            msg += " Hint: that is transposed: keep one row per sequence (row vectors)."
        return hint(msg)
    if np.allclose(got, expected):
        return passed("verified on a batch of 3: h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h).")
    suspects = [
        (a, "you returned the pre-activation: apply np.tanh to it."),
        (1 / (1 + np.exp(-a)), "that is a sigmoid: the vanilla RNN uses tanh."),
        (np.maximum(a, 0), "that is a ReLU: the vanilla RNN uses tanh."),
        (np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b_h),
         "W_hh is transposed: with row vectors the recurrent term is h_prev @ W_hh."),
        (np.tanh(x_t @ W_xh + h_prev @ W_hh), "the bias b_h is missing."),
        (np.tanh(x_t @ W_xh + h_prev @ W_hh) + b_h, "b_h goes inside the tanh, with the other "
                                                    "two terms."),
        (np.tanh(np.tanh(a)), "tanh is applied twice: once, to the sum of the three terms."),
        (h_prev, "you returned h_prev unchanged: compute the new state from x_t and h_prev."),
        (np.tanh(x_t @ W_xh + b_h), "the recurrent term h_prev @ W_hh is missing: without it "
                                    "there is no memory."),
        (np.tanh(h_prev @ W_hh + b_h), "the input term x_t @ W_xh is missing."),
        (np.tanh(x_t @ W_xh + h_prev + b_h), "h_prev must go through W_hh before it is added."),
    ]
    for wrong, msg in suspects:
        if np.allclose(got, wrong):
            return hint(msg)
    return hint("the values differ from tanh(x_t @ W_xh + h_prev @ W_hh + b_h); "
                              f"first row expected {np.round(expected[0], 3).tolist()}, got "
                              f"{np.round(got[0], 3).tolist()}.")


#: The sizes of exercise 2.
SHAPES_SETUP = {"batch": 4, "time": 7, "vocab": 30, "hidden": 16}


@exercise("2. shapes")
def check_shapes(answer: dict) -> Feedback:
    """Exercise 2: the shapes for a batch of 4 token sequences of 7 steps over a vocabulary of 30
    characters, a hidden size of 16 and one logit per character: ``answer`` maps each of
    ``"x", "W_xh", "W_hh", "b_h", "W_hy", "b_y", "h", "y", "h_T"`` to a shape tuple."""
    B, T, V, H = (SHAPES_SETUP[k] for k in ("batch", "time", "vocab", "hidden"))
    params = rnn.init_params(V, H, V)
    x = np.zeros((B, T), dtype=np.int64)
    cache = rnn.forward(params, x)
    expected = {"x": x.shape, **{k: v.shape for k, v in params.as_dict().items()},
                "h": cache.h.shape, "y": cache.y.shape, "h_T": cache.h_last.shape}
    if not isinstance(answer, dict):
        return hint(f"expected a dict name -> shape, got {describe(answer)}.")
    missing = [k for k in expected if k not in answer]
    if missing:
        return hint(f"give a shape for each of {missing}.")
    hints = {
        "x": "tokens are one int per sequence and step: (batch, time).",
        "W_xh": "one row per input (a one-hot vector has vocab entries), one column per unit.",
        "W_hh": "it maps a hidden state to a hidden state.",
        "b_h": "one bias per hidden unit, shared by every sequence and step.",
        "W_hy": "it maps a hidden state to one logit per character.",
        "b_y": "one bias per output.",
        "h": "the forward pass keeps every state: (batch, time, hidden).",
        "y": "one logit vector per sequence and step: (batch, time, vocab).",
        "h_T": "the last state of each sequence: (batch, hidden).",
    }
    for key, shape in expected.items():
        got = answer[key]
        if isinstance(got, (int, np.integer)) and not isinstance(got, bool):
            msg = f"{key}: {got!r} is a number, not a shape: write a shape as a tuple"
            msg += ", e.g. (16,) for a vector: (16) is just 16." if len(shape) == 1 else "."
            return hint(msg)
        if not isinstance(got, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in got
        ):
            return hint(f"{key}: expected a tuple of ints like (4, 7), got "
                                      f"{got!r:.40}.")
        got = tuple(int(n) for n in got)
        if got != shape:
            msg = f"{key}: {got} is not right. Hint: {hints[key]}"
            if sorted(got) == sorted(shape):
                msg += " (the numbers are right, the order is not)"
            return hint(msg)
    return passed("verified against rnn.forward: all nine shapes right. None depends on T "
                  "except x, h and y: the weights are shared across time.")


def h2_example() -> tuple[rnn.RNNParams, np.ndarray]:
    """The small RNN and input of exercise 3: 1 input, 2 hidden units, 1 output, 2 steps.

    Returns ``(params, x)`` with ``x: (1, 2, 1)`` (one sequence, x_1 = 1, x_2 = 2); h_0 = 0.
    """
    params = rnn.RNNParams(
        W_xh=np.array([[1.0, -0.5]]),
        W_hh=np.array([[0.5, -1.0], [1.0, 0.5]]),
        b_h=np.array([0.0, 0.5]),
        W_hy=np.array([[1.0], [1.0]]),
        b_y=np.array([0.0]),
    )
    return params, np.array([[[1.0], [2.0]]])


@exercise("3. h_2 by hand")
def check_h2(answer) -> Feedback:
    """Exercise 3: ``answer``, the hidden state h_2 ``(2,)`` of :func:`h2_example`."""
    p, x = h2_example()
    x1, x2 = x[0, 0], x[0, 1]
    h1 = np.tanh(x1 @ p.W_xh + p.b_h)
    a2 = x2 @ p.W_xh + h1 @ p.W_hh + p.b_h
    expected = np.tanh(a2)
    got, fail = as_array(answer, "h_2")
    if fail is not None:
        return fail
    got = got.reshape(-1)
    if got.shape != (2,):
        msg = f"h_2 has one number per hidden unit, 2 in all; got {got.size}."
        if got.size == 1 and np.allclose(got, expected @ p.W_hy + p.b_y, atol=1e-3):
            msg += " That is the output y_2 = h_2 W_hy + b_y: give the hidden state itself."
        return hint(msg)
    if np.allclose(got, expected, atol=1e-3):
        return passed(f"verified to 1e-3 against the two update steps: h_2 = "
                      f"{np.round(expected, 4).tolist()}.")
    suspects = [
        (h1, "that is h_1: apply the update once more, now with x_2 and h_1."),
        (a2, "that is the pre-activation a_2: apply tanh."),
        (np.tanh(x2 @ p.W_xh + p.b_h), "the recurrent term h_1 @ W_hh is missing."),
        (np.tanh(x2 @ p.W_xh + p.W_hh @ h1 + p.b_h),
         "W_hh is applied from the wrong side: with row vectors it is h_1 @ W_hh "
         "(row h_1 times the matrix), i.e. h_1[0] * W_hh[0] + h_1[1] * W_hh[1]."),
        (np.tanh(x2 @ p.W_xh + h1 @ p.W_hh), "the bias b_h is missing at step 2."),
        (np.tanh(x2 @ p.W_xh + np.tanh(x1 @ p.W_xh) @ p.W_hh + p.b_h),
         "the bias b_h is missing at step 1."),
        (np.tanh(x2 @ p.W_xh + np.tanh(x1 @ p.W_xh) @ p.W_hh),
         "the bias b_h is missing at both steps."),
        (np.tanh(x2 @ p.W_xh + (x1 @ p.W_xh + p.b_h) @ p.W_hh + p.b_h),
         "the tanh is missing at step 1: h_1 = tanh(x_1 W_xh + b_h), and h_2 uses that h_1."),
    ]
    for wrong, msg in suspects:
        if np.allclose(got, wrong, atol=1e-3):
            return hint(msg)
    if np.allclose(got, expected, atol=1e-2):
        return hint(f"right method, but {np.round(got, 4).tolist()} is rounded too coarsely: "
                    "give 3 decimals or more (h_2 is checked to 1e-3).")
    return hint(f"got {np.round(got, 4).tolist()}. Hint: first h_1 = tanh(x_1 W_xh "
                              "+ h_0 W_hh + b_h) with h_0 = 0, then h_2 = tanh(x_2 W_xh + h_1 W_hh "
                              "+ b_h).")


def _forward_variant(params: rnn.RNNParams, x: np.ndarray, h0: np.ndarray, *,
                     recurrence: str = "h_prev", W_hh_T: bool = False, act=np.tanh,
                     use_h0: bool = True, b_y: bool = True, y_from_prev: bool = False,
                     store_prev: bool = False, x_lag: int = 0):
    """``(h, y)`` of a forward loop, with one part optionally wrong (to name a mistake).

    recurrence: the state each step's W_hh multiplies: ``"h_prev"`` (right), ``"h0"`` at every
    step, or ``"zeros"`` after step 0 (a preallocated ``h[:, t]`` read before it is written);
    x_lag: step t reads ``x[:, t - x_lag]``.
    """
    W_hh = params.W_hh.T if W_hh_T else params.W_hh
    h_prev = h0 if use_h0 else np.zeros_like(h0)
    hs, ys = [], []
    for t in range(x.shape[1]):
        state = {"h_prev": h_prev, "h0": h0, "zeros": h0 if t == 0 else 0 * h0}[recurrence]
        h_t = act(x[:, t - x_lag] @ params.W_xh + state @ W_hh + params.b_h)
        ys.append((h_prev if y_from_prev else h_t) @ params.W_hy + (params.b_y if b_y else 0))
        hs.append(h_prev if store_prev else h_t)
        h_prev = h_t
    return np.stack(hs, axis=1), np.stack(ys, axis=1)


@exercise("4. the batched forward loop")
def check_forward_loop(fn) -> Feedback:
    """Exercise 4: ``fn(params, x, h0) -> (h, y)``, the forward pass over a batch.

    params: an :class:`~rnn_edu.rnn.RNNParams`; x: features ``(batch, time, input)``;
    h0: ``(batch, hidden)``; h: ``(batch, time, hidden)``; y: ``(batch, time, output)``, the same
    as ``rnn.forward(params, x, h0).h`` and ``.y``.
    """
    rng = np.random.default_rng(7)
    for batch, time, n_in, n_h, n_out in ((3, 5, 4, 6, 2), (1, 7, 2, 3, 4)):
        params = rnn.init_params(n_in, n_h, n_out, seed=batch)
        params = rnn.RNNParams(**{k: v + 0.3 * rng.standard_normal(v.shape)
                                  for k, v in params.as_dict().items()})
        x = rng.standard_normal((batch, time, n_in))
        h0 = 0.5 * rng.standard_normal((batch, n_h))
        cache = rnn.forward(params, x, h0)
        result, fail = call_learner(fn, params.copy(), x.copy(), h0.copy())
        if fail is not None:
            if "broadcast" in fail.message:
                return hint(f"{fail.message.rstrip()}. Hint: the input of step t for the whole "
                            f"batch is x[:, t], shape (batch, input) = {x[:, 0].shape}; x[t] is "
                            "sequence t, all its steps.")
            return fail
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return hint(f"return two arrays, (h, y); got {describe(result)}.")
        got = []
        for label, value, want in zip("hy", result, (cache.h, cache.y), strict=True):
            array, fail = as_array(value, label)
            if fail is not None:
                return fail
            if array.shape != want.shape:
                last = "hidden" if label == "h" else "output"
                msg = (f"{label}: expected shape (batch, time, {last}) = {want.shape}, got "
                       f"{array.shape}.")
                if array.shape == (time, batch, want.shape[2]):
                    msg += " That is (time, batch, ...): stack the steps on axis 1."
                elif array.shape == want.shape[::2]:
                    msg += " Keep every step, not only the last."
                elif label == "h" and array.shape == cache.y.shape != cache.h.shape:
                    msg += " Did you return (y, h)? The order is (h, y)."
                return hint(msg)
            got.append(array)
        h, y = got
        if np.allclose(h, cache.h) and np.allclose(y, cache.y):
            continue
        variants = [
            (dict(use_h0=False), "you started from zeros: the loop starts from the h0 it is "
                                 "given (a later chunk starts where the last one ended)."),
            (dict(recurrence="h0"), "every step uses h0 instead of the previous step's state: "
                                    "carry h_prev = h_t forward through the loop."),
            (dict(recurrence="zeros"), "after step 0 your recurrent term is zero: the previous "
                                       "state is h[:, t - 1] (h0 at t = 0), read before you "
                                       "overwrite it; h[:, t] is not written yet when step t "
                                       "reads it."),
            (dict(x_lag=1), "the input of step t is x[:, t]: you used x[:, t - 1] (at t = 0 that "
                            "is x[:, -1], the last step)."),
            (dict(W_hh_T=True), "W_hh is transposed: with row vectors the recurrent term is "
                                "h_prev @ W_hh."),
            (dict(act=lambda a: a), "the tanh is missing: h_t = tanh(x_t W_xh + h_{t-1} W_hh "
                                    "+ b_h)."),
            (dict(b_y=False), "b_y is missing from the outputs: y_t = h_t W_hy + b_y."),
            (dict(y_from_prev=True), "y_t is computed from h_{t-1}: update the state first, "
                                     "then read the output from the new h_t."),
            (dict(store_prev=True), "h[:, t] holds h_{t-1} (off by one in time): store the "
                                    "state after step t, h_t."),
        ]
        for changes, message in variants:
            wh, wy = _forward_variant(params, x, h0, **changes)
            if np.allclose(h, wh) and np.allclose(y, wy):
                return hint(message)
        if np.allclose(h, cache.h):
            return hint("h is right but y is not: y = h @ W_hy + b_y for every step at once.")
        b, t = np.argwhere(~np.isclose(h, cache.h).all(axis=2))[0]
        return hint(f"h differs from rnn.forward(params, x, h0).h (first at sequence {b}, step "
                    f"{t}: expected {np.round(cache.h[b, t], 3).tolist()}, got "
                    f"{np.round(h[b, t], 3).tolist()}).")
    return passed("matches rnn.forward on two batches (3 x 5 and 1 x 7 steps) from a given "
                  "h0: one loop over time, the whole batch in every matrix product.")
