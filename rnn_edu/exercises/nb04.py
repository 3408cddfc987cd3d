"""Exercises of notebook 04 (backpropagation through time): each checker says what is wrong
and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import bptt, losses, optim, rnn
from rnn_edu.exercises._feedback import (
    Feedback,
    as_array,
    call_learner,
    describe,
    exercise,
    hint,
    passed,
)

#: Hints shared by exercises 1, 2 and 4.
_ONE_MINUS_H = ("the slope of tanh is 1 - h_t**2 (squared): tanh'(a) = 1 - tanh(a)**2, and "
                "h_t = tanh(a_t); you used 1 - h_t.")
_FORWARD_IN_TIME = ("your loop runs forward in time: the gradient flows from the last step to the "
                    "first, for t in reversed(range(time)), so that dh_next from step t + 1 is "
                    "ready at step t.")


@exercise("1. one backward step")
def check_backward_step(fn) -> Feedback:
    """Exercise 1: one step of the backward recurrence.

    ``fn(dh_t, h_t, h_prev, W_hh) -> (da_t, dW_hh_t, dh_prev)`` with ``dh_t, h_t, h_prev:
    (batch, hidden)`` (``dh_t`` is everything that reaches h_t: from y_t and from h_{t+1}) and
    ``W_hh: (hidden, hidden)``; ``da_t: (batch, hidden)`` is dL/da_t (before the tanh),
    ``dW_hh_t: (hidden, hidden)`` this step's term of dW_hh, ``dh_prev: (batch, hidden)``.
    """
    rng = np.random.default_rng(4)
    for batch, hidden in ((3, 4), (1, 5), (2, 3)):
        dh = rng.standard_normal((batch, hidden))
        h_t = np.tanh(rng.standard_normal((batch, hidden)))
        h_prev = np.tanh(rng.standard_normal((batch, hidden)))
        W_hh = rng.standard_normal((hidden, hidden))
        da = dh * (1 - h_t**2)
        expected = (da, h_prev.T @ da, da @ W_hh.T)
        got, fail = call_learner(fn, dh.copy(), h_t.copy(), h_prev.copy(), W_hh.copy())
        if fail is not None:
            return fail
        if got is None:
            return hint("your function returned None: did you forget `return "
                                      "da_t, dW_hh_t, dh_prev`?")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return hint("return three arrays: (da_t, dW_hh_t, dh_prev).")
        shapes = [(batch, hidden), (hidden, hidden), (batch, hidden)]
        arrays = []
        for label, g, shape in zip(("da_t", "dW_hh_t", "dh_prev"), got, shapes, strict=True):
            g, fail = as_array(g, label)
            if fail is not None:
                return fail
            if g.shape != shape:
                order = (" The order is (da_t, dW_hh_t, dh_prev)." if sorted(map(np.shape, got))
                         == sorted(shapes) else "")
                return hint(f"{label}: expected shape {shape}, got {g.shape}.{order}")
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
            elif np.allclose(g_da, dh * (1 - h_t)):
                msg = _ONE_MINUS_H
            elif np.allclose(g_da, dh * h_t * (1 - h_t)):
                msg = ("h_t * (1 - h_t) is the sigmoid's slope: h_t = tanh(a_t), whose slope is "
                       "1 - h_t**2.")
            else:
                msg = "da_t is off. Hint: da_t = dh_t * (1 - h_t**2)."
            return hint(msg)
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
            return hint(msg)
        if not np.allclose(g_dh, expected[2]):
            if np.allclose(g_dh, da @ W_hh):
                msg = ("dh_prev uses W_hh where its transpose belongs: "
                       "dh_prev = da_t @ W_hh.T.")
            elif np.allclose(g_dh, dh @ W_hh.T):
                msg = "dh_prev skips the tanh: go through da_t, dh_prev = da_t @ W_hh.T."
            elif np.allclose(g_dh, expected[2] * (1 - h_prev**2)):
                msg = ("dh_prev = da_t @ W_hh.T, without a slope: 1 - h_prev**2 belongs to the "
                       "next step back, which applies it to its own dh_t.")
            else:
                msg = "dh_prev is off. Hint: dh_prev = da_t @ W_hh.T."
            return hint(msg)
    return passed("verified on 3 batch and hidden sizes, all three outputs: that is the whole "
                  "recurrence; the loop just repeats it.")


def _backward(params, cache, dy, *, slope: str = "h_t", recurrence: str = "da",
              W: str = "W_hh.T", first: int = 0, dW_hh_state: str = "h_prev",
              dW_hy_T: bool = False, mean: bool = False, h0_state: str = "h0",
              forward: bool = False, next_after_slope: bool = False):
    """``(da, grads, dh0)`` of the backward recurrence over features ``cache.x``, with one part
    optionally done wrong (to recognize a learner's mistake).

    slope: ``"h_t"`` (right for tanh), ``"h_prev"``, ``"1-h"``, ``"none"``, ``"relu"`` (right
    for ReLU, 1 where h_t > 0) or ``"relu_prev"``; recurrence: ``"da"`` (right,
    dh_next = da_t @ W_hh.T), ``"dh"`` (through dh_t, before the slope) or ``"none"``; W:
    ``"W_hh.T"`` (right) or ``"W_hh"``; first: the loop stops at this t (0 is right, 1 skips
    t = 0); dW_hh_state: ``"h_prev"`` (right) or ``"h_t"``; dW_hy_T: transpose dW_hy; mean:
    divide the weight gradients by the batch size; h0_state: the state before t = 0,
    ``"h0"`` (right), ``"wrap"`` (``cache.h[:, -1]``) or ``"zeros"``; forward: loop over t
    forward in time; next_after_slope: add dh_next to da_t after the slope, not to dh_t before
    it. ``da: (batch, time, hidden)``.
    """
    h = cache.h
    batch, time, hidden = h.shape
    before = {"h0": cache.h0, "wrap": h[:, -1], "zeros": 0 * cache.h0}[h0_state]
    h_prev = np.concatenate([before[:, None], h[:, :-1]], axis=1)
    factor = {"h_t": 1 - h**2, "h_prev": 1 - h_prev**2, "1-h": 1 - h, "none": np.ones_like(h),
              "relu": (h > 0) * 1.0, "relu_prev": (h_prev > 0) * 1.0}[slope]
    W_back = params.W_hh.T if W == "W_hh.T" else params.W_hh
    dh_out = dy @ params.W_hy.T
    da = np.zeros_like(h)
    dh_next = np.zeros_like(cache.h0)
    steps = range(first, time) if forward else reversed(range(first, time))
    for t in steps:
        dh = dh_out[:, t] + (0 if next_after_slope else dh_next)
        da[:, t] = dh * factor[:, t] + (dh_next if next_after_slope else 0)
        dh_next = {"da": da[:, t], "dh": dh, "none": 0.0 * dh}[recurrence] @ W_back
    scale = 1 / batch if mean else 1.0
    state = h_prev if dW_hh_state == "h_prev" else h
    W_hy = np.einsum("bth,bto->ho", h[:, first:], dy[:, first:])
    grads = {
        "W_xh": scale * np.einsum("bti,bth->ih", cache.x, da) if cache.x.ndim == 3 else None,
        "W_hh": scale * np.einsum("bti,bth->ih", state, da),
        "b_h": scale * da.sum(axis=(0, 1)),
        "W_hy": scale * (W_hy.T if dW_hy_T else W_hy),
        "b_y": scale * dy[:, first:].sum(axis=(0, 1)),
    }
    return da, grads, dh_next


@exercise("2. the gradient of b_h")
def check_grad_b_h(fn) -> Feedback:
    """Exercise 2: the gradient of ``b_h`` over a whole sequence.

    ``fn(params, cache, dy) -> db_h`` with ``params`` an RNNParams, ``cache`` from
    :func:`rnn_edu.rnn.forward`, ``dy: (batch, time, output)``; ``db_h: (hidden,)``.
    """
    rng = np.random.default_rng(5)
    for batch, time, hidden, vocab in ((2, 6, 4, 5), (3, 4, 3, 4)):
        params = rnn.init_params(vocab, hidden, vocab, seed=batch)
        x = rng.integers(0, vocab, (batch, time))
        cache = rnn.forward(params, x)
        _, dy = losses.cross_entropy(cache.y, rng.integers(0, vocab, (batch, time)))
        da = _backward(params, cache, dy)[0]
        expected = da.sum(axis=(0, 1))
        assert np.allclose(expected, bptt.backward(params, cache, dy)[0].b_h)
        mine = rnn.Cache(*(np.copy(v) for v in (cache.x, cache.h0, cache.h, cache.y)))
        got, fail = call_learner(fn, params.copy(), mine, dy.copy())
        if fail is not None and "matmul" in fail.message:
            return hint(f"{fail.message}. Hint: the gradient reaching h_t from the outputs is "
                        "dy[:, t] @ W_hy.T: (batch, output) @ (output, hidden) -> (batch, hidden).")
        if fail is None:
            got, fail = as_array(got, "db_h")
        if fail is not None:
            return fail
        if got.shape == (batch, hidden) and np.allclose(got.sum(axis=0), expected):
            return hint("right values per sequence: now sum over the batch too "
                                      "(b_h is shared by every sequence), shape (hidden,).")
        if got.shape in ((time, hidden), (batch, time, hidden)) and np.allclose(
                got.reshape(-1, hidden).sum(axis=0), expected):
            return hint(f"right terms, shape {got.shape}: now sum da_t over "
                                      "time (and batch): b_h is shared by every step.")
        if got.shape != (hidden,):
            return hint(f"expected shape (hidden,) = ({hidden},), got "
                                      f"{got.shape}.")
        if np.allclose(got, expected):
            continue
        wrong = [
            (expected / (batch * time), "you averaged over batch and time: sum instead. The "
             "loss is already a mean, so its 1/N is inside dy."),
            (expected / batch, "you averaged over the batch: sum instead. The loss is already a "
             "mean, so its 1/N is inside dy."),
            (expected / time, "you averaged over time: sum instead. b_h is used at every step, "
             "and each use adds its own term."),
            (_backward(params, cache, dy, recurrence="none")[0].sum(axis=(0, 1)),
             "you summed each step's own term but forgot that h_t also affects later steps: "
             "carry dh_next = da_t @ W_hh.T backwards and add it to dh_{t-1}."),
            (_backward(params, cache, dy, slope="none", recurrence="none")[0].sum(axis=(0, 1)),
             "you skipped the tanh slope (1 - h_t**2) and the recurrence."),
            (_backward(params, cache, dy, slope="none")[0].sum(axis=(0, 1)),
             "you skipped the tanh slope: da_t = dh_t * (1 - h_t**2), and dh_next = da_t @ "
             "W_hh.T goes through it too."),
            (_backward(params, cache, dy, slope="h_prev")[0].sum(axis=(0, 1)),
             "the slope belongs to each step's own output: use 1 - h_t**2 (cache.h[:, t]), "
             "not 1 - h_{t-1}**2."),
            (_backward(params, cache, dy, W="W_hh")[0].sum(axis=(0, 1)),
             "dh_next uses W_hh where its transpose belongs: dh_next = da_t @ W_hh.T "
             "(a_t = ... + h_{t-1} @ W_hh)."),
            (_backward(params, cache, dy, slope="1-h")[0].sum(axis=(0, 1)), _ONE_MINUS_H),
            (_backward(params, cache, dy, forward=True)[0].sum(axis=(0, 1)), _FORWARD_IN_TIME),
            (_backward(params, cache, dy, next_after_slope=True)[0].sum(axis=(0, 1)),
             "add dh_next before the slope: dh_t = dy[:, t] @ W_hy.T + dh_next is everything "
             "that reaches h_t, and all of it goes through tanh: da_t = dh_t * (1 - h_t**2)."),
            (_backward(params, cache, dy, first=1)[0].sum(axis=(0, 1)),
             "your loop stops before t = 0: reversed(range(time)) runs t = time - 1, ..., 0; "
             "range(time - 1, 0, -1) skips the first step, which uses b_h too."),
            (_backward(params, cache, dy, recurrence="dh")[0].sum(axis=(0, 1)),
             "the recurrence passes dh_t back where it should pass da_t: dh_next = da_t @ "
             "W_hh.T, after the tanh slope (h_{t-1} reaches the loss through a_t)."),
            (da[:, -1].sum(axis=0), "only the last step counts here: b_h is used at every "
             "step, so its gradient is a sum over all time steps."),
            (_backward(params, cache, dy, recurrence="none")[0][:, -1].sum(axis=0),
             "only the last step counts here: b_h is used at every step, so its gradient is a "
             "sum over all time steps."),
        ]
        msg = next((m for value, m in wrong if np.allclose(got, value)),
                   "db_h is off. Hint: run the backward recurrence for da_t and sum da_t over "
                   "batch and time.")
        return hint(msg)
    return passed("verified against bptt.backward on two batches (6 and 4 steps): b_h is "
                  "shared by every step, so its gradient is the sum of da_t over all of them.")


@exercise("3. clipping by global norm")
def check_clip_global_norm(fn) -> Feedback:
    """Exercise 3: clipping by global norm.

    ``fn(grads, max_norm) -> clipped`` with ``grads`` a dict name -> array; ``clipped`` is a dict
    with the same names and shapes, scaled together so the global norm is at most ``max_norm``.
    """
    rng = np.random.default_rng(6)
    some = {"W_hh": 3 * rng.standard_normal((4, 4)), "b_h": rng.standard_normal(4)}
    zeros = {k: np.zeros_like(v) for k, v in some.items()}
    norm = optim.global_norm(some)
    for grads, max_norm in ((some, norm / 4), (some, norm * 2), (zeros, 1.0)):
        expected, _ = optim.clip_global_norm(grads, max_norm)
        with np.errstate(all="ignore"):  # 0 / 0 in the learner's code is reported below
            got, fail = call_learner(fn, {k: v.copy() for k, v in grads.items()}, max_norm)
        if fail is not None:
            if grads is zeros:
                fail = hint(fail.message + " (on all-zero gradients, norm 0: return "
                                                 "them unchanged, without dividing by 0).")
            return fail
        if got is None:
            return hint("your function returned None: did you forget "
                                      "`return`?")
        if isinstance(got, tuple) and got and isinstance(got[0], dict):
            return hint("return only the dict of clipped gradients, not a "
                                      "tuple.")
        if not isinstance(got, dict) or set(got) != set(grads):
            return hint(f"return a dict with the same names {sorted(grads)}.")
        arrays = {}
        for k in grads:
            arrays[k], fail = as_array(got[k], f"clipped[{k!r}]", finite=grads is not zeros)
            if fail is not None:
                return fail
        got = arrays
        if any(got[k].shape != grads[k].shape for k in grads):
            return hint("keep every gradient's shape.")
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
        elif all(np.allclose(got[k], grads[k] * max_norm / norm**2) for k in grads):
            msg = ("you divided by the squared norm: norm = sqrt(sum of all squared entries), "
                   "the sqrt included.")
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
        return hint(msg)
    return passed("verified above, below and at norm 0: one scale for all parameters keeps "
                  "the gradient's direction.")


_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def relu_forward(params: rnn.RNNParams, x: np.ndarray, h0: np.ndarray | None = None) -> rnn.Cache:
    """``rnn.forward`` with ReLU in place of tanh: ``h_t = max(0, x_t W_xh + h_{t-1} W_hh + b_h)``.

    x: features ``(batch, time, input)``; h0: ``(batch, hidden)`` (zeros when None). Returns a
    :class:`~rnn_edu.rnn.Cache` with ``h: (batch, time, hidden)``, ``y: (batch, time, output)``.
    """
    C.require_instance("params", params, rnn.RNNParams).require_finite()
    x = C.require_array("x", x, shape=("batch", "time", params.input_size), nonempty=True)
    h_prev = (np.zeros((x.shape[0], params.hidden_size)) if h0 is None else
              C.require_array("h0", h0, shape=(x.shape[0], params.hidden_size), labels="(batch, hidden)"))
    h = np.empty((x.shape[0], x.shape[1], params.hidden_size))
    start = h_prev
    for t in range(x.shape[1]):
        h_prev = h[:, t] = np.maximum(0.0, x[:, t] @ params.W_xh + h_prev @ params.W_hh
                                      + params.b_h)
    return rnn.Cache(x=x, h0=start, h=h, y=h @ params.W_hy + params.b_y)


@exercise("4. BPTT for a ReLU RNN")
def check_relu_backward(fn) -> Feedback:
    """Exercise 4: ``fn(params, cache, dy) -> (grads, dh0)``, full BPTT for the ReLU RNN of
    :func:`relu_forward` (feature inputs).

    ``grads`` an :class:`~rnn_edu.rnn.RNNParams` of gradients (the same shapes as ``params``);
    ``dh0: (batch, hidden)``, the contract of :func:`rnn_edu.bptt.backward`.
    """
    rng = np.random.default_rng(8)
    for batch, time, n_in, hidden, n_out in ((3, 5, 2, 4, 3), (2, 7, 3, 3, 2)):
        params = rnn.init_params(n_in, hidden, n_out, seed=batch)
        params = rnn.RNNParams(**{k: v + 0.4 * rng.standard_normal(v.shape)
                                  for k, v in params.as_dict().items()})
        x = rng.standard_normal((batch, time, n_in))
        cache = relu_forward(params, x, np.abs(rng.standard_normal((batch, hidden))))
        dy = rng.standard_normal(cache.y.shape) / batch
        _, want, dh0 = _backward(params, cache, dy, slope="relu")
        mine = rnn.Cache(*(np.copy(v) for v in (cache.x, cache.h0, cache.h, cache.y)))
        result, fail = call_learner(fn, params.copy(), mine, dy.copy())
        if fail is not None:
            return fail
        if isinstance(result, rnn.RNNParams):
            return hint("return a pair (grads, dh0), like bptt.backward: the gradient of the "
                        "initial state too.")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return hint(f"return a pair (grads, dh0); got {describe(result)}.")
        grads, got_dh0 = result
        if isinstance(grads, dict):
            return hint("return the gradients as rnn.RNNParams(**grads), not a dict: "
                        "gradcheck.check compares RNNParams.")
        if not isinstance(grads, rnn.RNNParams):
            return hint(f"grads: expected rnn.RNNParams, got {describe(grads)}.")
        got_dh0, fail = as_array(got_dh0, "dh0")
        if fail is not None:
            return fail
        got = grads.as_dict()
        if all(np.allclose(got[k], want[k]) for k in _NAMES):
            if got_dh0.shape == dh0.shape and np.allclose(got_dh0, dh0):
                continue
            return hint("every parameter's gradient is right, dh0 is not: after the loop, "
                        "dh0 is the last dh_next = da_1 @ W_hh.T.")
        variants = [
            (dict(slope="h_t"), "that is tanh's slope, 1 - h_t**2: ReLU's slope is 1 where "
                                "a_t > 0 (that is, h_t > 0) and 0 elsewhere: da_t = dh_t * (h_t > 0)."),
            (dict(slope="none"), "the ReLU's slope is missing, or always 1 (h_t >= 0 holds for "
                                 "every ReLU output): da_t = dh_t * (h_t > 0); units that were "
                                 "off pass no gradient."),
            (dict(slope="relu_prev"), "the slope belongs to step t: (h_t > 0), not (h_{t-1} > 0)."),
            (dict(slope="relu", recurrence="none"), "the recurrence is missing: dh_t also gets "
                                                    "dh_next = da_{t+1} @ W_hh.T from the step "
                                                    "after it."),
            (dict(slope="relu", W="W_hh"), "dh_next = da_t @ W_hh.T: you used W_hh "
                                           "untransposed."),
            (dict(slope="relu", recurrence="dh"), "dh_next must go through the slope: da_t @ "
                                                  "W_hh.T, not dh_t @ W_hh.T."),
            (dict(slope="relu", first=1), "your loop stops before t = 0: the first step has "
                                          "gradients too."),
            (dict(slope="relu", dW_hh_state="h_t"), "dW_hh pairs da_t with the state W_hh "
                                                    "multiplied, h_{t-1} (h0 at the first "
                                                    "step), not h_t."),
            (dict(slope="relu", mean=True), "you averaged over the batch: sum instead; dy "
                                            "already holds the loss's 1/N."),
            (dict(slope="relu", h0_state="wrap"), "at t = 0 the previous state is cache.h0: "
                                                  "cache.h[:, t - 1] at t = 0 is cache.h[:, -1], "
                                                  "the LAST state (a negative index wraps)."),
            (dict(slope="relu", h0_state="zeros"), "at t = 0 the previous state is cache.h0, the "
                                                   "state the forward pass started from, not "
                                                   "zeros."),
            (dict(slope="relu", forward=True), _FORWARD_IN_TIME),
        ]
        for changes, message in variants:
            _, wrong, _ = _backward(params, cache, dy, **changes)
            if all(got[k].shape == wrong[k].shape and np.allclose(got[k], wrong[k])
                   for k in _NAMES):
                return hint(message)
        off = [k for k in _NAMES if got[k].shape != want[k].shape
               or not np.allclose(got[k], want[k])]
        bad_shape = [k for k in off if got[k].shape != want[k].shape]
        if bad_shape:
            k = bad_shape[0]
            return hint(f"grads.{k}: expected the shape of params.{k}, {want[k].shape}, got "
                        f"{got[k].shape}.")
        return hint(f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} off. Compare with "
                    "centered differences: gradcheck.check(loss_of_params, params, grads) names "
                    "the worst entry of each.")
    return passed("every gradient and dh0 match on two batches of feature sequences: you "
                  "have derived BPTT for another activation.")
