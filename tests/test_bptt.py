import numpy as np
import pytest

from rnn_edu import bptt, losses, rnn
from rnn_edu.gradcheck import relative_error
from rnn_edu.rnn import PARAM_NAMES


def setup(batch=3, time=7, hidden=5, vocab=6, seed=0, features=False):
    rng = np.random.default_rng(seed)
    n_in = 4 if features else vocab
    params = rnn.init_params(n_in, hidden, vocab, seed=seed)
    params.b_h[:] = 0.1 * rng.standard_normal(hidden)
    tokens = rng.integers(0, vocab, (batch, time))
    x = rng.standard_normal((batch, time, n_in)) if features else tokens
    targets = rng.integers(0, vocab, (batch, time))
    h0 = 0.5 * rng.standard_normal((batch, hidden))
    return params, x, targets, h0


def naive_backward(params, x, h0, dy):
    """One sequence and one step at a time, with explicit one-hot vectors: the reference."""
    g = {name: np.zeros_like(getattr(params, name)) for name in PARAM_NAMES}
    dh0 = np.zeros_like(h0)
    for b in range(x.shape[0]):
        xs = [np.eye(params.input_size)[v] for v in x[b]] if x.ndim == 2 else list(x[b])
        hs = [h0[b]]
        for x_t in xs:
            hs.append(np.tanh(x_t @ params.W_xh + hs[-1] @ params.W_hh + params.b_h))
        dh_next = np.zeros(params.hidden_size)
        for t in reversed(range(len(xs))):
            g["W_hy"] += np.outer(hs[t + 1], dy[b, t])
            g["b_y"] += dy[b, t]
            dh = dy[b, t] @ params.W_hy.T + dh_next
            da = dh * (1 - hs[t + 1] ** 2)
            g["W_xh"] += np.outer(xs[t], da)
            g["W_hh"] += np.outer(hs[t], da)
            g["b_h"] += da
            dh_next = da @ params.W_hh.T
        dh0[b] = dh_next
    return g, dh0


@pytest.mark.parametrize("features", [False, True])
@pytest.mark.parametrize("batch,time,hidden,vocab", [(1, 1, 3, 4), (3, 7, 5, 6), (4, 12, 9, 3)])
def test_backward_equals_a_naive_loop(batch, time, hidden, vocab, features):
    params, x, targets, h0 = setup(batch, time, hidden, vocab, features=features)
    cache = rnn.forward(params, x, h0)
    _, dy = losses.cross_entropy(cache.y, targets)
    grads, dh0 = bptt.backward(params, cache, dy)
    ref, ref_dh0 = naive_backward(params, x, h0, dy)
    for name in PARAM_NAMES:
        assert np.allclose(getattr(grads, name), ref[name], atol=1e-12), name
    assert np.allclose(dh0, ref_dh0, atol=1e-12)


def test_dh0_and_dh_last_are_numerical_gradients():
    params, x, targets, h0 = setup()
    g_last = np.random.default_rng(5).standard_normal(h0.shape)

    def loss(h0_):
        cache = rnn.forward(params, x, h0_)
        return losses.cross_entropy(cache.y, targets)[0] + np.sum(cache.h_last * g_last)

    cache = rnn.forward(params, x, h0)
    _, dy = losses.cross_entropy(cache.y, targets)
    _, dh0 = bptt.backward(params, cache, dy, dh_last=g_last)
    eps = 1e-5
    num = np.zeros_like(h0)
    for i in np.ndindex(h0.shape):
        hp, hm = h0.copy(), h0.copy()
        hp[i] += eps
        hm[i] -= eps
        num[i] = (loss(hp) - loss(hm)) / (2 * eps)
    assert relative_error(dh0, num).max() < 1e-7


@pytest.mark.parametrize("time", [1, 6, 13])
def test_truncation_at_sequence_length_is_full_bptt(time):
    params, x, targets, h0 = setup(time=time)
    cache = rnn.forward(params, x, h0)
    _, dy = losses.cross_entropy(cache.y, targets)
    full, dh0_full = bptt.backward(params, cache, dy)
    for k in (time, time + 5):
        trunc, dh0 = bptt.backward(params, cache, dy, truncate=k)
        for name in PARAM_NAMES:
            assert np.array_equal(getattr(trunc, name), getattr(full, name)), name
        assert np.array_equal(dh0, dh0_full)


def test_truncation_equals_chunks_with_carried_state_and_cut_gradients():
    params, x, targets, h0 = setup(time=12)
    cache = rnn.forward(params, x, h0)
    _, dy = losses.cross_entropy(cache.y, targets)
    trunc, _ = bptt.backward(params, cache, dy, truncate=5)
    total = {name: 0.0 for name in PARAM_NAMES}
    h = h0
    for start in range(0, 12, 5):
        chunk = rnn.forward(params, x[:, start:start + 5], h)
        g, _ = bptt.backward(params, chunk, dy[:, start:start + 5])  # nothing from later chunks
        for name in PARAM_NAMES:
            total[name] = total[name] + getattr(g, name)
        h = chunk.h_last  # the state is carried
    for name in PARAM_NAMES:
        assert np.allclose(getattr(trunc, name), total[name], atol=1e-13), name
    full, _ = bptt.backward(params, cache, dy)
    assert not np.allclose(full.W_hh, trunc.W_hh)  # the cut does change the gradient


def test_summing_rows_by_id_is_the_one_hot_product():
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 9, 40)
    ids[ids == 4] = 5  # an id that never occurs gets a zero row
    rows = rng.standard_normal((40, 6))
    got = bptt._sum_rows_by_id(ids, rows, 9)
    assert np.allclose(got, np.eye(9)[ids].T @ rows, rtol=1e-12, atol=1e-12)
    assert not got[4].any()


def test_float32_stays_float32():
    params, x, targets, h0 = setup()
    params = params.astype(np.float32)
    cache = rnn.forward(params, x, h0.astype(np.float32))
    _, dy = losses.cross_entropy(cache.y, targets)
    grads, dh0 = bptt.backward(params, cache, dy)
    assert grads.dtype == np.float32 and dh0.dtype == np.float32


def test_bad_inputs_raise_clear_errors():
    params, x, targets, h0 = setup()
    cache = rnn.forward(params, x, h0)
    _, dy = losses.cross_entropy(cache.y, targets)
    with pytest.raises(ValueError, match=r"dy: expected a float array of shape \(batch, time, output\)"):
        bptt.backward(params, cache, dy[:, :-1])
    with pytest.raises(ValueError, match=r"dh_last: expected a float array of shape \(batch, hidden\)"):
        bptt.backward(params, cache, dy, dh_last=np.zeros(5))
    with pytest.raises(ValueError, match=r"dy: expected finite numbers, got 1 inf or NaN"):
        bptt.backward(params, cache, np.where(np.arange(dy.size).reshape(dy.shape) == 0, np.nan, dy))
    with pytest.raises(ValueError, match=r"truncate: expected an int >= 1"):
        bptt.backward(params, cache, dy, truncate=0)
    with pytest.raises(TypeError, match=r"cache: expected the Cache"):
        bptt.backward(params, cache.h, dy)
    other = rnn.init_params(6, 8, 6)
    with pytest.raises(ValueError, match=r"cache: hidden size 5, .* do not match params"):
        bptt.backward(other, cache, dy)
    wider = rnn.init_params(params.input_size, 5, params.output_size + 1)
    with pytest.raises(ValueError, match=r"output size 6 and .* do not match params .*output 7"):
        bptt.backward(wider, cache, dy)
