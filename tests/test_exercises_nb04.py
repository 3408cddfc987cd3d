import re

import numpy as np
import pytest

from rnn_edu import bptt, gradcheck, losses, rnn
from rnn_edu.exercises import nb04
from tests.exercise_helpers import assert_hint, no_return


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
        (no_return, "returned None: did you forget `return"),
        (lambda dh, h, hp, W: (lambda r: (r[0], None, r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t is None"),
        (lambda dh, h, hp, W: (lambda r: (r[0], "dW", r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t: expected a NumPy array of numbers, got str"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1] / len(dh), r[2]))(good_step(dh, h, hp, W)),
         "averaged over the batch"),
        (lambda dh, h, hp, W: (lambda r: (r[0], hp.T @ dh, r[2]))(good_step(dh, h, hp, W)),
         "dW_hh_t skips the tanh"),
        (lambda dh, h, hp, W: (lambda da: (da, hp.T @ da, da @ W.T))(dh * (1 - h)),
         r"you used 1 - h_t\."),
        (lambda dh, h, hp, W: (lambda da: (da, hp.T @ da, da @ W.T))(dh * h * (1 - h)),
         "the sigmoid's slope"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[1], r[2] * (1 - hp**2)))(good_step(dh, h, hp, W)),
         "belongs to the next step back"),
        (lambda dh, h, hp, W: (lambda r: (r[0], r[2], r[1]))(good_step(dh, h, hp, W)),
         r"The order is \(da_t, dW_hh_t, dh_prev\)"),
    ],
)
def test_backward_step_hints(fn, expected):
    assert_hint(nb04.check_backward_step, fn, expected)


def test_backward_step_passes_the_reference():
    assert nb04.check_backward_step(good_step).ok


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
        (no_return, "db_h is None: did you forget a `return`"),
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
    assert nb04.check_grad_b_h(good_b_h).ok


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
        (no_return, "returned None"),
        (lambda g, m: (good_clip(g, m), 1.0), "return only the dict"),
        (lambda g, m: {k: v * m / sum(np.linalg.norm(w) for w in g.values())
                       for k, v in g.items()}, "not the sum of the parameters' norms"),
        (lambda g, m: {k: v * min(1.0, m / float(np.sqrt(sum((w**2).sum() for w in g.values()))))
                       for k, v in g.items()}, "norm 0: return them unchanged"),
        (lambda g, m: {k: v / np.sqrt(sum((w**2).sum() for w in g.values()))
                       * min(m, np.sqrt(sum((w**2).sum() for w in g.values())))
                       for k, v in g.items()}, "all-zero gradients \\(norm 0\\) must come back"),
        (lambda g, m: (lambda sq: {k: v * min(1.0, m / sq) if sq else v for k, v in g.items()})(
            sum((w**2).sum() for w in g.values())), "you divided by the squared norm"),
    ],
)
def test_clip_hints(fn, expected):
    fb = nb04.check_clip_global_norm(fn)
    assert not fb.ok and re.search(expected, fb.message), fb.message


def test_clip_passes_the_reference():
    assert nb04.check_clip_global_norm(good_clip).ok


def written_b_h(params, cache, dy, *, slope=lambda h: 1 - h**2, stop=-1, through_dh=False,
                forward=False, late_next=False, W_hy=lambda p: p.W_hy.T):
    """grad_b_h as a learner writes it; the keywords make one mistake each."""
    dh_next = np.zeros_like(cache.h0)
    db_h = np.zeros(params.hidden_size)
    for t in range(dy.shape[1]) if forward else range(dy.shape[1] - 1, stop, -1):
        dh = dy[:, t] @ W_hy(params) + (0 if late_next else dh_next)
        da = dh * slope(cache.h[:, t]) + (dh_next if late_next else 0)
        db_h += da.sum(axis=0)
        dh_next = (dh if through_dh else da) @ params.W_hh.T
    return db_h


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"slope": lambda h: 1 - h}, r"1 - h_t\*\*2 \(squared\)"),
        ({"stop": 0}, "stops before t = 0"),
        ({"through_dh": True}, "passes dh_t back where it should pass da_t"),
        ({"forward": True}, "your loop runs forward in time"),
        ({"late_next": True}, "add dh_next before the slope"),
        ({"W_hy": lambda p: p.W_hy}, r"raised ValueError: matmul.*Hint: .*dy\[:, t\] @ W_hy\.T: "
                                     r"\(batch, output\) @ \(output, hidden\)"),
    ],
)
def test_grad_b_h_names_the_issue_mistakes(kwargs, expected):
    assert nb04.check_grad_b_h(written_b_h).ok
    fb = nb04.check_grad_b_h(lambda p, c, dy: written_b_h(p, c, dy, **kwargs))
    assert not fb.ok and re.search(expected, fb.message), fb.message


def relu_backward(params, cache, dy, *, slope=lambda h, hp: (h > 0) * 1.0, carry=True,
                  W_T=True, through_dh=False, stop=-1, dW_state="prev", scale=1.0, as_dict=False,
                  h0=lambda cache: cache.h0, forward=False):
    """BPTT for the ReLU RNN; the keywords make one mistake each (h0: the state before t = 0)."""
    grads = {name: np.zeros_like(w) for name, w in params.as_dict().items()}
    dh_next = np.zeros_like(cache.h0)
    W = params.W_hh.T if W_T else params.W_hh
    for t in range(cache.x.shape[1]) if forward else range(cache.x.shape[1] - 1, stop, -1):
        h_t = cache.h[:, t]
        h_prev = cache.h[:, t - 1] if t > 0 else h0(cache)
        grads["W_hy"] += h_t.T @ dy[:, t]
        grads["b_y"] += dy[:, t].sum(axis=0)
        dh = dy[:, t] @ params.W_hy.T + dh_next
        da = dh * slope(h_t, h_prev)
        grads["W_xh"] += cache.x[:, t].T @ da
        grads["W_hh"] += (h_prev if dW_state == "prev" else h_t).T @ da
        grads["b_h"] += da.sum(axis=0)
        dh_next = ((dh if through_dh else da) @ W) if carry else 0 * dh_next
    grads = {k: v * scale for k, v in grads.items()}
    return (grads if as_dict else rnn.RNNParams(**grads)), dh_next


def test_relu_backward_reference_passes_and_agrees_with_gradcheck():
    assert nb04.check_relu_backward(relu_backward).ok
    rng = np.random.default_rng(1)
    params = rnn.init_params(3, 4, 2, seed=1)
    x, targets = rng.standard_normal((2, 5, 3)), rng.integers(0, 2, (2, 5))
    cache = nb04.relu_forward(params, x)
    _, dy = losses.cross_entropy(cache.y, targets)
    grads, _ = relu_backward(params, cache, dy)
    report = gradcheck.check(lambda p: losses.cross_entropy(nb04.relu_forward(p, x).y, targets)[0],
                             params, grads)
    assert report.ok
    tanh_params = rnn.init_params(3, 4, 2, seed=2)  # relu_forward is rnn.forward with max(0, .)
    assert np.all(nb04.relu_forward(tanh_params, x).h >= 0)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"slope": lambda h, hp: 1 - h**2}, "that is tanh's slope"),
        ({"slope": lambda h, hp: np.ones_like(h)}, "ReLU's slope is missing"),
        ({"slope": lambda h, hp: (hp > 0) * 1.0}, r"not \(h_\{t-1\} > 0\)"),
        ({"carry": False}, "the recurrence is missing"),
        ({"W_T": False}, "W_hh untransposed"),
        ({"through_dh": True}, "not dh_t @ W_hh.T"),
        ({"stop": 0}, "stops before t = 0"),
        ({"dW_state": "h_t"}, "not h_t"),
        ({"scale": 0.5}, "averaged over the batch|are off"),
        ({"as_dict": True}, "not a dict"),
        ({"slope": lambda h, hp: (h >= 0) * 1.0}, r"or always 1 \(h_t >= 0 holds"),
        ({"h0": lambda c: c.h[:, -1]}, "a negative index wraps"),
        ({"h0": lambda c: np.zeros_like(c.h0)}, "started from, not zeros"),
        ({"forward": True}, "your loop runs forward in time"),
    ],
)
def test_relu_backward_hints(kwargs, expected):
    fb = nb04.check_relu_backward(lambda p, c, dy: relu_backward(p, c, dy, **kwargs))
    assert not fb.ok and re.search(expected, fb.message), fb.message


def test_relu_backward_return_hints():
    def grads_only(p, c, dy):
        return relu_backward(p, c, dy)[0]

    def wrong_dh0(p, c, dy):
        return relu_backward(p, c, dy)[0], np.zeros_like(c.h0)

    assert "return a pair (grads, dh0)" in nb04.check_relu_backward(grads_only).message
    assert "dh0 is not" in nb04.check_relu_backward(wrong_dh0).message

    def b_h_doubled(p, c, dy):
        grads, dh0 = relu_backward(p, c, dy)
        return rnn.RNNParams(**{**grads.as_dict(), "b_h": 2 * grads.b_h}), dh0

    assert_hint(nb04.check_relu_backward, b_h_doubled, "^b_h is off")
