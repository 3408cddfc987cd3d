"""Exercises of notebook 03 (the vanilla RNN): each checker says what is wrong and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import rnn
from rnn_edu.exercises._feedback import Feedback, as_array, call_learner, checked, hint, passed


def check_rnn_step(fn, strict: bool = False) -> Feedback:
    """Exercise 1: ``fn(x_t, h_prev, W_xh, W_hh, b_h) -> h_t``, one step of the recurrence.

    x_t: ``(batch, input)``; h_prev: ``(batch, hidden)``; W_xh: ``(input, hidden)``;
    W_hh: ``(hidden, hidden)``; b_h: ``(hidden,)``; h_t: ``(batch, hidden)``.
    """
    name = "1. rnn_step"
    rng = np.random.default_rng(3)
    batch, n_in, n_h = 3, 4, 5
    x_t, h_prev = rng.normal(size=(batch, n_in)), rng.uniform(-1, 1, size=(batch, n_h))
    W_xh, W_hh, b_h = rng.normal(size=(n_in, n_h)), rng.normal(size=(n_h, n_h)), rng.normal(size=n_h)
    args = (x_t.copy(), h_prev.copy(), W_xh.copy(), W_hh.copy(), b_h.copy())
    result, fail = call_learner(name, fn, *args)
    if fail is not None:
        msg = fail.message
        if "matmul" in msg or "shapes" in msg or "aligned" in msg:
            msg += (". Hint: with one row per sequence, multiply on the right: x_t @ W_xh is "
                    f"({batch}, {n_in}) @ ({n_in}, {n_h}) -> ({batch}, {n_h}).")
        return checked(hint(name, msg), strict)
    if result is None:
        return checked(hint(name, "your function returned None: did you forget `return h_t`?"),
                       strict)
    if isinstance(result, tuple):
        return checked(hint(name, f"your function returned a tuple of {len(result)}: return only "
                                  "h_t, one array (batch, hidden)."), strict)
    got, fail = as_array(name, result)
    if fail is not None:
        return checked(hint(name, f"expected an array (batch, hidden), got "
                                  f"{type(result).__name__} {result!r:.60}."), strict)
    a = x_t @ W_xh + h_prev @ W_hh + b_h
    expected = np.tanh(a)
    if got.shape != expected.shape:
        msg = f"h_t should have shape (batch, hidden) = {expected.shape}, got {got.shape}."
        if got.shape == expected.T.shape:
            msg += " Hint: that is transposed: keep one row per sequence (row vectors)."
        return checked(hint(name, msg), strict)
    if np.allclose(got, expected):
        return checked(passed(name, "h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)."), strict)
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
            return checked(hint(name, msg), strict)
    return checked(hint(name, "the values differ from tanh(x_t @ W_xh + h_prev @ W_hh + b_h); "
                              f"first row expected {np.round(expected[0], 3).tolist()}, got "
                              f"{np.round(got[0], 3).tolist()}."), strict)


#: The sizes of exercise 2.
SHAPES_SETUP = {"batch": 4, "time": 7, "vocab": 30, "hidden": 16}


def check_shapes(answer: dict, strict: bool = False) -> Feedback:
    """Exercise 2: the shapes for a batch of 4 token sequences of 7 steps over a vocabulary of 30
    characters, a hidden size of 16 and one logit per character: ``answer`` maps each of
    ``"x", "W_xh", "W_hh", "b_h", "W_hy", "b_y", "h", "y", "h_T"`` to a shape tuple."""
    name = "2. shapes"
    B, T, V, H = (SHAPES_SETUP[k] for k in ("batch", "time", "vocab", "hidden"))
    params = rnn.init_params(V, H, V)
    x = np.zeros((B, T), dtype=np.int64)
    cache = rnn.forward(params, x)
    expected = {"x": x.shape, **{k: v.shape for k, v in params.as_dict().items()},
                "h": cache.h.shape, "y": cache.y.shape, "h_T": cache.h_last.shape}
    if not isinstance(answer, dict):
        return checked(hint(name, f"expected a dict name -> shape, got {type(answer).__name__}."),
                       strict)
    missing = [k for k in expected if k not in answer]
    if missing:
        return checked(hint(name, f"give a shape for each of {missing}."), strict)
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
            return checked(hint(name, msg), strict)
        if not isinstance(got, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in got
        ):
            return checked(hint(name, f"{key}: expected a tuple of ints like (4, 7), got "
                                      f"{got!r:.40}."), strict)
        got = tuple(int(n) for n in got)
        if got != shape:
            msg = f"{key}: {got} is not right. Hint: {hints[key]}"
            if sorted(got) == sorted(shape):
                msg += " (the numbers are right, the order is not)"
            return checked(hint(name, msg), strict)
    return checked(passed(name, "every shape right. None of them depends on T except x, h "
                                "and y: the weights are shared across time."), strict)


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


def check_h2(answer, strict: bool = False) -> Feedback:
    """Exercise 3: ``answer``, the hidden state h_2 ``(2,)`` of :func:`h2_example`."""
    name = "3. h_2 by hand"
    p, x = h2_example()
    x1, x2 = x[0, 0], x[0, 1]
    h1 = np.tanh(x1 @ p.W_xh + p.b_h)
    a2 = x2 @ p.W_xh + h1 @ p.W_hh + p.b_h
    expected = np.tanh(a2)
    if answer is None:
        return checked(hint(name, "got None: give h_2 as two numbers, e.g. [0.1, -0.2]."), strict)
    got, fail = as_array(name, answer)
    if fail is not None:
        return checked(hint(name, f"expected two numbers, got {answer!r:.60}."), strict)
    got = got.reshape(-1)
    if got.shape != (2,):
        msg = f"h_2 has one number per hidden unit, 2 in all; got {got.size}."
        if got.size == 1 and np.allclose(got, expected @ p.W_hy + p.b_y, atol=1e-3):
            msg += " That is the output y_2 = h_2 W_hy + b_y: give the hidden state itself."
        return checked(hint(name, msg), strict)
    if np.allclose(got, expected, atol=1e-3):
        return checked(passed(name, f"h_2 = {np.round(expected, 4).tolist()}."), strict)
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
    ]
    for wrong, msg in suspects:
        if np.allclose(got, wrong, atol=1e-3):
            return checked(hint(name, msg), strict)
    return checked(hint(name, f"got {np.round(got, 4).tolist()}. Hint: first h_1 = tanh(x_1 W_xh "
                              "+ h_0 W_hh + b_h) with h_0 = 0, then h_2 = tanh(x_2 W_xh + h_1 W_hh "
                              "+ b_h)."), strict)
