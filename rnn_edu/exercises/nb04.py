"""Exercises of notebook 04 (backpropagation through time): each checker says what is wrong
and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import bptt, losses, optim, rnn
from rnn_edu.exercises._feedback import Feedback, as_array, call_learner, checked, hint, passed


def check_backward_step(fn, strict: bool = False) -> Feedback:
    """Exercise 1: one step of the backward recurrence.

    ``fn(dh_t, h_t, h_prev, W_hh) -> (da_t, dW_hh_t, dh_prev)`` with ``dh_t, h_t, h_prev:
    (batch, hidden)`` (``dh_t`` is everything that reaches h_t: from y_t and from h_{t+1}) and
    ``W_hh: (hidden, hidden)``; ``da_t: (batch, hidden)`` is dL/da_t (before the tanh),
    ``dW_hh_t: (hidden, hidden)`` this step's term of dW_hh, ``dh_prev: (batch, hidden)``.
    """
    name = "1. one backward step"
    rng = np.random.default_rng(4)
    for batch, hidden in ((3, 4), (1, 5), (2, 3)):
        dh = rng.standard_normal((batch, hidden))
        h_t = np.tanh(rng.standard_normal((batch, hidden)))
        h_prev = np.tanh(rng.standard_normal((batch, hidden)))
        W_hh = rng.standard_normal((hidden, hidden))
        da = dh * (1 - h_t**2)
        expected = (da, h_prev.T @ da, da @ W_hh.T)
        got, fail = call_learner(name, fn, dh.copy(), h_t.copy(), h_prev.copy(), W_hh.copy())
        if fail is not None:
            return checked(fail, strict)
        if got is None:
            return checked(hint(name, "your function returned None: did you forget `return "
                                      "da_t, dW_hh_t, dh_prev`?"), strict)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return checked(hint(name, "return three arrays: (da_t, dW_hh_t, dh_prev)."), strict)
        shapes = [(batch, hidden), (hidden, hidden), (batch, hidden)]
        arrays = []
        for label, g, shape in zip(("da_t", "dW_hh_t", "dh_prev"), got, shapes, strict=True):
            g, fail = as_array(name, g, label)
            if fail is not None:
                return checked(fail, strict)
            if g.shape != shape:
                return checked(hint(name, f"{label}: expected shape {shape}, got {g.shape}."),
                               strict)
            arrays.append(g)
        g_da, g_dW, g_dh = arrays
        if not np.allclose(g_da, da):
            if np.allclose(g_da, dh):
                msg = ("da_t equals dh_t: you skipped the tanh. Multiply by its slope "
                       "1 - h_t**2 (h_t is already tanh(a_t)).")
            elif np.allclose(g_da, dh * (1 - np.tanh(h_t) ** 2)):
                msg = ("you applied tanh to h_t again: h_t = tanh(a_t) already, so the slope "
                       "is 1 - h_t**2, not 1 - tanh(h_t)**2.")
            elif np.allclose(g_da, dh * (1 - h_prev**2)):
                msg = "the slope belongs to this step: use 1 - h_t**2, not 1 - h_prev**2."
            else:
                msg = "da_t is off. Hint: da_t = dh_t * (1 - h_t**2)."
            return checked(hint(name, msg), strict)
        if not np.allclose(g_dW, expected[1]):
            if np.allclose(g_dW, expected[1].T):
                msg = ("dW_hh_t is transposed: with rows as batch entries, "
                       "a_t = ... + h_prev @ W_hh, so dW_hh_t = h_prev.T @ da_t.")
            elif np.allclose(g_dW, h_t.T @ da):
                msg = ("dW_hh_t uses h_t: W_hh multiplies the previous state, so "
                       "dW_hh_t = h_prev.T @ da_t.")
            elif batch > 1 and np.allclose(g_dW, expected[1] / batch):
                msg = ("dW_hh_t is averaged over the batch: sum instead (h_prev.T @ da_t). The "
                       "loss is already a mean, so its 1/N is inside dh_t.")
            elif np.allclose(g_dW, h_prev.T @ dh):
                msg = "dW_hh_t skips the tanh: use da_t, not dh_t: dW_hh_t = h_prev.T @ da_t."
            else:
                msg = "dW_hh_t is off. Hint: dW_hh_t = h_prev.T @ da_t (summed over the batch)."
            return checked(hint(name, msg), strict)
        if not np.allclose(g_dh, expected[2]):
            if np.allclose(g_dh, da @ W_hh):
                msg = ("dh_prev uses W_hh where its transpose belongs: "
                       "dh_prev = da_t @ W_hh.T.")
            elif np.allclose(g_dh, dh @ W_hh.T):
                msg = "dh_prev skips the tanh: go through da_t, dh_prev = da_t @ W_hh.T."
            else:
                msg = "dh_prev is off. Hint: dh_prev = da_t @ W_hh.T."
            return checked(hint(name, msg), strict)
    return checked(passed(name, "that is the whole recurrence; the loop just repeats it."),
                   strict)


def _db_h(params, cache, dy, *, slope: str = "h_t", recurrence: bool = True,
          W: str = "W_hh.T") -> np.ndarray:
    """Every ``da_t`` of the backward recurrence, ``(batch, time, hidden)``, with one part
    optionally done wrong (to recognize a learner's mistake).

    slope: ``"h_t"`` (right), ``"h_prev"`` or ``"none"``; recurrence: add ``dh_next`` (right) or
    not; W: ``"W_hh.T"`` (right) or ``"W_hh"``. ``db_h`` is the sum over batch and time.
    """
    h = cache.h
    h_prev = np.concatenate([cache.h0[:, None], h[:, :-1]], axis=1)
    factor = {"h_t": 1 - h**2, "h_prev": 1 - h_prev**2, "none": np.ones_like(h)}[slope]
    W_back = params.W_hh.T if W == "W_hh.T" else params.W_hh
    dh_out = dy @ params.W_hy.T
    da = np.empty_like(h)
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(h.shape[1])):
        da[:, t] = (dh_out[:, t] + dh_next) * factor[:, t]
        dh_next = da[:, t] @ W_back if recurrence else 0.0 * dh_next
    return da


def check_grad_b_h(fn, strict: bool = False) -> Feedback:
    """Exercise 2: the gradient of ``b_h`` over a whole sequence.

    ``fn(params, cache, dy) -> db_h`` with ``params`` an RNNParams, ``cache`` from
    :func:`rnn_edu.rnn.forward`, ``dy: (batch, time, output)``; ``db_h: (hidden,)``.
    """
    name = "2. the gradient of b_h"
    rng = np.random.default_rng(5)
    for batch, time, hidden, vocab in ((2, 6, 4, 5), (3, 4, 3, 4)):
        params = rnn.init_params(vocab, hidden, vocab, seed=batch)
        x = rng.integers(0, vocab, (batch, time))
        cache = rnn.forward(params, x)
        _, dy = losses.cross_entropy(cache.y, rng.integers(0, vocab, (batch, time)))
        da = _db_h(params, cache, dy)
        expected = da.sum(axis=(0, 1))
        assert np.allclose(expected, bptt.backward(params, cache, dy)[0].b_h)
        mine = rnn.Cache(*(np.copy(v) for v in (cache.x, cache.h0, cache.h, cache.y)))
        got, fail = call_learner(name, fn, params.copy(), mine, dy.copy())
        if fail is None:
            got, fail = as_array(name, got, "db_h")
        if fail is not None:
            return checked(fail, strict)
        if got.shape == (batch, hidden) and np.allclose(got.sum(axis=0), expected):
            return checked(hint(name, "right values per sequence: now sum over the batch too "
                                      "(b_h is shared by every sequence), shape (hidden,)."),
                           strict)
        if got.shape in ((time, hidden), (batch, time, hidden)) and np.allclose(
                got.reshape(-1, hidden).sum(axis=0), expected):
            return checked(hint(name, f"right terms, shape {got.shape}: now sum da_t over "
                                      "time (and batch): b_h is shared by every step."), strict)
        if got.shape != (hidden,):
            return checked(hint(name, f"expected shape (hidden,) = ({hidden},), got "
                                      f"{got.shape}."), strict)
        if np.allclose(got, expected):
            continue
        wrong = [
            (expected / (batch * time), "you averaged over batch and time: sum instead. The "
             "loss is already a mean, so its 1/N is inside dy."),
            (expected / batch, "you averaged over the batch: sum instead. The loss is already a "
             "mean, so its 1/N is inside dy."),
            (expected / time, "you averaged over time: sum instead. b_h is used at every step, "
             "and each use adds its own term."),
            (_db_h(params, cache, dy, recurrence=False).sum(axis=(0, 1)),
             "you summed each step's own term but forgot that h_t also affects later steps: "
             "carry dh_next = da_t @ W_hh.T backwards and add it to dh_{t-1}."),
            (_db_h(params, cache, dy, slope="none", recurrence=False).sum(axis=(0, 1)),
             "you skipped the tanh slope (1 - h_t**2) and the recurrence."),
            (_db_h(params, cache, dy, slope="none").sum(axis=(0, 1)),
             "you skipped the tanh slope: da_t = dh_t * (1 - h_t**2), and dh_next = da_t @ "
             "W_hh.T goes through it too."),
            (_db_h(params, cache, dy, slope="h_prev").sum(axis=(0, 1)),
             "the slope belongs to each step's own output: use 1 - h_t**2 (cache.h[:, t]), "
             "not 1 - h_{t-1}**2."),
            (_db_h(params, cache, dy, W="W_hh").sum(axis=(0, 1)),
             "dh_next uses W_hh where its transpose belongs: dh_next = da_t @ W_hh.T "
             "(a_t = ... + h_{t-1} @ W_hh)."),
            (da[:, -1].sum(axis=0), "only the last step counts here: b_h is used at every "
             "step, so its gradient is a sum over all time steps."),
            (_db_h(params, cache, dy, recurrence=False)[:, -1].sum(axis=0),
             "only the last step counts here: b_h is used at every step, so its gradient is a "
             "sum over all time steps."),
        ]
        msg = next((m for value, m in wrong if np.allclose(got, value)),
                   "db_h is off. Hint: run the backward recurrence for da_t and sum da_t over "
                   "batch and time.")
        return checked(hint(name, msg), strict)
    return checked(passed(name, "b_h is shared by every step, so its gradient is the sum of "
                                "da_t over all of them."), strict)


def check_clip_global_norm(fn, strict: bool = False) -> Feedback:
    """Exercise 3: clipping by global norm.

    ``fn(grads, max_norm) -> clipped`` with ``grads`` a dict name -> array; ``clipped`` is a dict
    with the same names and shapes, scaled together so the global norm is at most ``max_norm``.
    """
    name = "3. clipping by global norm"
    rng = np.random.default_rng(6)
    some = {"W_hh": 3 * rng.standard_normal((4, 4)), "b_h": rng.standard_normal(4)}
    zeros = {k: np.zeros_like(v) for k, v in some.items()}
    norm = optim.global_norm(some)
    for grads, max_norm in ((some, norm / 4), (some, norm * 2), (zeros, 1.0)):
        expected, _ = optim.clip_global_norm(grads, max_norm)
        with np.errstate(all="ignore"):  # 0 / 0 in the learner's code is reported below
            got, fail = call_learner(name, fn, {k: v.copy() for k, v in grads.items()}, max_norm)
        if fail is not None:
            if grads is zeros:
                fail = hint(name, fail.message + " (on all-zero gradients, norm 0: return "
                                                 "them unchanged, without dividing by 0).")
            return checked(fail, strict)
        if got is None:
            return checked(hint(name, "your function returned None: did you forget "
                                      "`return`?"), strict)
        if isinstance(got, tuple) and got and isinstance(got[0], dict):
            return checked(hint(name, "return only the dict of clipped gradients, not a "
                                      "tuple."), strict)
        if not isinstance(got, dict) or set(got) != set(grads):
            return checked(hint(name, f"return a dict with the same names {sorted(grads)}."),
                           strict)
        arrays = {}
        for k in grads:
            arrays[k], fail = as_array(name, got[k], f"clipped[{k!r}]")
            if fail is not None:
                return checked(fail, strict)
        got = arrays
        if any(got[k].shape != grads[k].shape for k in grads):
            return checked(hint(name, "keep every gradient's shape."), strict)
        if all(np.allclose(got[k], expected[k]) for k in grads):
            continue
        if grads is zeros:
            msg = ("all-zero gradients (norm 0) must come back unchanged (zeros); dividing "
                   "max_norm by a norm of 0 gives inf or nan: clip only when norm > max_norm.")
        elif max_norm > norm:
            msg = ("the gradients were already below max_norm and must stay unchanged: "
                   "clip only when the norm is larger (never scale up).")
        elif all(np.allclose(got[k], grads[k] * max_norm
                             / sum(np.linalg.norm(v) for v in grads.values())) for k in grads):
            msg = ("the global norm is sqrt(sum of all squared entries), not the sum of the "
                   "parameters' norms.")
        elif all(np.isclose(np.linalg.norm(got[k]), min(np.linalg.norm(grads[k]), max_norm))
                 for k in grads):
            msg = ("you clipped each parameter's norm separately: that changes the direction. "
                   "Use one norm over all parameters: sqrt(sum of all squares).")
        elif all(np.allclose(got[k], np.clip(grads[k], -max_norm, max_norm)) for k in grads):
            msg = "that is element-wise clipping; scale all gradients by max_norm / norm."
        else:
            msg = (f"with max_norm={max_norm:.3f} the clipped global norm should be "
                   f"{max_norm:.3f}, got {optim.global_norm(got):.3f}. Hint: "
                   "multiply every gradient by max_norm / norm.")
        return checked(hint(name, msg), strict)
    return checked(passed(name, "one scale for all parameters keeps the gradient's direction."),
                   strict)
