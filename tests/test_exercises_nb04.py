import re

import numpy as np
import pytest

from rnn_edu import bptt
from rnn_edu.exercises import nb04


def good_step(dh, h_t, h_prev, W_hh):
    da = dh * (1 - h_t**2)
    return da, h_prev.T @ da, da @ W_hh.T


@pytest.mark.parametrize(
    "fn,expected",
    [
        (lambda dh, h, hp, W: (dh, hp.T @ dh, dh @ W.T), "skipped the tanh"),
        (lambda dh, h, hp, W: good_step(dh, np.tanh(h), hp, W), "applied tanh to h_t again"),
        (lambda dh, h, hp, W: good_step(dh, hp, hp, W), "use 1 - h_t\\*\\*2, not 1 - h_prev"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1].T, r[2]))(good_step(dh, h, hp, W)),
         "transposed"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1], r[0] @ W))(good_step(dh, h, hp, W)),
         "W_hh where its transpose belongs"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1], r[2][0]))(good_step(dh, h, hp, W)),
         r"dh_prev: expected shape \(3, 4\)"),
        (lambda dh, h, hp, W: good_step(dh, h, hp, W)[:2], "return three arrays"),
        (lambda dh, h, hp, W: 1 / 0, "raised ZeroDivisionError"),
        (lambda dh, h, hp, W: None, "returned None: did you forget `return"),
        (lambda dh, h, hp, W: (lambda r: (r[0], None, r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t is None"),
        (lambda dh, h, hp, W: (lambda r: (r[0], "dW", r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t: expected a NumPy array of numbers, got str"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1] / len(dh), r[2]))(good_step(dh, h, hp, W)),
         "averaged over the batch"),
        (lambda dh, h, hp, W: (lambda r: (r[0], hp.T @ dh, r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t skips the tanh"),
    ],
)
def test_backward_step_hints(fn, expected):
    fb = nb04.check_backward_step(fn)
    assert not fb.ok
    assert re.search(expected, fb.message), fb.message
    with pytest.raises(AssertionError):
        nb04.check_backward_step(fn, strict=True)


def test_backward_step_passes_the_reference():
    assert nb04.check_backward_step(good_step, strict=True).ok


def good_b_h(params, cache, dy):
    return bptt.backward(params, cache, dy)[0].b_h


def loop_b_h(params, cache, dy, slope=True, prev_slope=False, W_T=True, keep=False):
    # A learner's loop, written out independently of the checker, with one mistake switched on.
    dh_next = np.zeros_like(cache.h0)
    das = []
    for t in reversed(range(dy.shape[1])):
        h = cache.h[:, t - 1] if prev_slope else cache.h[:, t]
        if prev_slope and t == 0:
            h = cache.h0
        da = dy[:, t] @ params.W_hy.T + dh_next
        if slope:
            da = da * (1 - h**2)
        das.append(da)
        dh_next = da @ (params.W_hh.T if W_T else params.W_hh)
    das = np.stack(das[::-1], axis=1)
    return das if keep else das.sum(axis=(0, 1))


def no_recurrence(params, cache, dy):
    return ((dy @ params.W_hy.T) * (1 - cache.h**2)).sum(axis=(0, 1))


@pytest.mark.parametrize(
    "fn,expected",
    [
        (no_recurrence, "forgot that h_t also affects later steps"),
        (lambda p, c, dy: ((dy @ p.W_hy.T) * (1 - c.h**2))[:, -1].sum(axis=0), "only the last"),
        (lambda p, c, dy: (dy @ p.W_hy.T).sum(axis=(0, 1)), "skipped the tanh slope"),
        (lambda p, c, dy: np.zeros(3), r"expected shape \(hidden,\) = \(4,\)"),
        (lambda p, c, dy: 2 * good_b_h(p, c, dy), "db_h is off"),
        (lambda p, c, dy: None, "db_h is None: did you forget a `return`"),
        (lambda p, c, dy: good_b_h(p, c, dy) / dy.shape[0] / dy.shape[1],
         "averaged over batch and time"),
        (lambda p, c, dy: good_b_h(p, c, dy) / dy.shape[0], "averaged over the batch"),
        (lambda p, c, dy: loop_b_h(p, c, dy, slope=False), "skipped the tanh slope: da_t ="),
        (lambda p, c, dy: loop_b_h(p, c, dy, prev_slope=True), "not 1 - h_{t-1}"),
        (lambda p, c, dy: loop_b_h(p, c, dy, W_T=False), "W_hh where its transpose belongs"),
        (lambda p, c, dy: loop_b_h(p, c, dy, keep=True), r"right terms, shape \(2, 6, 4\)"),
    ],
)
def test_grad_b_h_hints(fn, expected):
    fb = nb04.check_grad_b_h(fn)
    assert not fb.ok and re.search(expected, fb.message), fb.message


def test_grad_b_h_per_sequence_hint_and_reference():
    def per_seq(params, cache, dy):
        # Run the real recurrence one sequence at a time and forget to sum over the batch.
        return np.stack([bptt.backward(params, type(cache)(cache.x[b:b + 1], cache.h0[b:b + 1],
                                                           cache.h[b:b + 1], cache.y[b:b + 1]),
                                       dy[b:b + 1])[0].b_h for b in range(dy.shape[0])])

    fb = nb04.check_grad_b_h(per_seq)
    assert not fb.ok and "sum over the batch" in fb.message
    assert nb04.check_grad_b_h(good_b_h, strict=True).ok


def good_clip(grads, max_norm):
    norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}


@pytest.mark.parametrize(
    "fn,expected",
    [
        (lambda g, m: {k: v * m / np.sqrt(sum((w**2).sum() for w in g.values()))
                       for k, v in g.items()}, "never scale up"),
        (lambda g, m: {k: v * min(1, m / np.linalg.norm(v)) for k, v in g.items()},
         "each parameter's norm separately"),
        (lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()}, "element-wise"),
        (lambda g, m: {"W_hh": g["W_hh"]}, "same names"),
        (lambda g, m: {k: 0.5 * v for k, v in g.items()}, "should be"),
        (lambda g, m: None, "returned None"),
        (lambda g, m: (good_clip(g, m), 1.0), "return only the dict"),
        (lambda g, m: {k: v * m / sum(np.linalg.norm(w) for w in g.values())
                       for k, v in g.items()}, "not the sum of the parameters' norms"),
        (lambda g, m: {k: v * min(1.0, m / float(np.sqrt(sum((w**2).sum() for w in g.values()))))
                       for k, v in g.items()}, "norm 0: return them unchanged"),
        (lambda g, m: {k: v / np.sqrt(sum((w**2).sum() for w in g.values()))
                       * min(m, np.sqrt(sum((w**2).sum() for w in g.values())))
                       for k, v in g.items()}, "all-zero gradients \\(norm 0\\) must come back"),
    ],
)
def test_clip_hints(fn, expected):
    fb = nb04.check_clip_global_norm(fn)
    assert not fb.ok and re.search(expected, fb.message), fb.message


def test_clip_passes_the_reference():
    assert nb04.check_clip_global_norm(good_clip, strict=True).ok
