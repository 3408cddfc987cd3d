from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_edu import gradcheck, gru, losses, optim
from rnn_edu.gru import GRUParams


def random_params(n_in, n_h, n_out, seed, reset_after=True, dtype=np.float64):
    p = gru.init_params(n_in, n_h, n_out, reset_after=reset_after, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    for name, v in p.as_dict().items():
        if name.startswith("b"):
            v[:] = 0.5 * rng.standard_normal(v.shape)
    return p


def naive_forward(params, x, h0=None):
    """One sequence and one step at a time, each gate with its own weights, as in Cho et al."""
    H = params.hidden_size
    K_z, K_r, K_h = np.split(params.W_xh, 3, axis=1)
    R_z, R_r, R_h = np.split(params.W_hh, 3, axis=1)
    b_z, b_r, b_n = np.split(params.b_xh, 3)
    c_z, c_r, c_n = np.split(params.b_hh, 3) if params.reset_after else (0, 0, 0)
    sig = lambda a: 1 / (1 + np.exp(-a))
    hs = np.zeros((x.shape[0], x.shape[1], H))
    for b in range(x.shape[0]):
        h = np.zeros(H) if h0 is None else np.array(h0[b])
        for t in range(x.shape[1]):
            x_t = np.eye(params.input_size)[x[b, t]] if x.ndim == 2 else x[b, t]
            z = sig(x_t @ K_z + b_z + h @ R_z + c_z)
            r = sig(x_t @ K_r + b_r + h @ R_r + c_r)
            if params.reset_after:
                n = np.tanh(x_t @ K_h + b_n + r * (h @ R_h + c_n))
            else:
                n = np.tanh(x_t @ K_h + b_n + (r * h) @ R_h)
            h = hs[b, t] = z * h + (1 - z) * n
    return hs, hs @ params.W_hy + params.b_y


def complex_step_grads(params, x, h0, loss_of):
    """Exact derivatives (to rounding) by the complex step: Im L(w + i e) / e = L'(w) + O(e^2).

    loss_of: ``(y, h_T) -> loss``; returns the gradients by name, and of ``h0``.
    """
    grads = {}
    arrays = {**params.as_dict(), "h0": h0}
    for name, w in arrays.items():
        g = np.zeros(w.shape)
        for i in np.ndindex(w.shape):
            c = {k: v.astype(complex) for k, v in arrays.items()}
            c[name][i] += 1e-30j
            p = SimpleNamespace(**{"b_hh": None, **c}, hidden_size=params.hidden_size,
                                reset_after=params.reset_after)
            a = (p.W_xh[x] if x.ndim == 2 else x @ p.W_xh) + p.b_xh
            hs = [c["h0"]]
            for t in range(x.shape[1]):
                hs.append(gru._cell(p, a[:, t], hs[-1])[0])
            y = np.stack(hs[1:], axis=1) @ p.W_hy + p.b_y
            g[i] = loss_of(y, hs[-1]).imag / 1e-30
        grads[name] = g
    return grads


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 3), time=st.integers(1, 6), n_in=st.integers(1, 4), n_h=st.integers(1, 5),
    n_out=st.integers(1, 3), tokens=st.booleans(), with_h0=st.booleans(),
    reset_after=st.booleans(), seed=st.integers(0, 1000),
)
def test_forward_equals_naive_loop(batch, time, n_in, n_h, n_out, tokens, with_h0, reset_after, seed):
    params = random_params(n_in, n_h, n_out, seed, reset_after)
    rng = np.random.default_rng(seed)
    x = rng.integers(n_in, size=(batch, time)) if tokens else rng.normal(size=(batch, time, n_in))
    h0 = rng.normal(size=(batch, n_h)) if with_h0 else None
    cache = gru.forward(params, x, h0)
    hs, ys = naive_forward(params, x, h0)
    np.testing.assert_allclose(cache.h, hs, atol=1e-12)
    np.testing.assert_allclose(cache.y, ys, atol=1e-12)
    h = cache.h0
    for t in range(time):
        h, y = gru.step(params, x[:, t], h)
        np.testing.assert_allclose(h, cache.h[:, t], atol=1e-12)
        np.testing.assert_allclose(y, cache.y[:, t], atol=1e-12)


def test_tokens_are_one_hot_features():
    params = random_params(6, 4, 3, seed=1)
    x = np.array([[0, 5, 2, 2], [1, 3, 4, 0]])
    np.testing.assert_allclose(gru.forward(params, x).h, gru.forward(params, np.eye(6)[x]).h, atol=1e-14)


def test_a_closed_update_gate_keeps_the_state():
    params = random_params(2, 3, 1, seed=2)
    params.b_xh[:3] = 40.0  # z = sigmoid(40 + ...) = 1 to rounding: h_t = h_{t-1}
    h0 = np.array([[0.3, -0.7, 0.1]])
    cache = gru.forward(params, np.random.default_rng(0).normal(size=(1, 50, 2)), h0)
    np.testing.assert_allclose(cache.h[0, -1], h0[0], atol=1e-12)


def test_the_variants_agree_only_when_the_reset_gate_is_open():
    after = random_params(3, 4, 2, seed=3, reset_after=True)
    after.b_hh[:] = 0.0
    before = GRUParams(**{k: v for k, v in after.as_dict().items() if k != "b_hh"})
    x = np.random.default_rng(1).normal(size=(2, 8, 3))
    assert np.abs(gru.forward(after, x).h - gru.forward(before, x).h).max() > 1e-2
    after.b_xh[4:8] = before.b_xh[4:8] = 40.0  # r = 1: r * (h R) = (r * h) R
    np.testing.assert_allclose(gru.forward(after, x).h, gru.forward(before, x).h, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("tokens", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_backward_equals_complex_step_derivatives(reset_after, tokens, truncate):
    params = random_params(3, 4, 2, seed=4, reset_after=reset_after)
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, (2, 7)) if tokens else rng.normal(size=(2, 7, 3))
    h0, g_last, targets = rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 7, 2))
    cache = gru.forward(params, x, h0)
    dy = 2 * (cache.y - targets)  # the loss: sum((y - targets)^2) + sum(h_T * g_last)
    grads, dh0 = gru.backward(params, cache, dy, dh_last=g_last, truncate=truncate)
    if truncate is None:
        ref = complex_step_grads(params, x, h0,
                                 lambda y, h_T: np.sum((y - targets) ** 2) + np.sum(h_T * g_last))
    else:  # chunks with the carried state and no gradient across their boundaries
        ref = {n: 0.0 for n in params.as_dict()}
        h = h0
        for start in range(0, 7, truncate):
            chunk = gru.forward(params, x[:, start:start + truncate], h)
            last = g_last if start + truncate >= 7 else None
            g, dh0_chunk = gru.backward(params, chunk, dy[:, start:start + truncate], dh_last=last)
            ref.setdefault("h0", dh0_chunk)  # h0 gets the first chunk's gradient only
            for n, v in g.as_dict().items():
                ref[n] = ref[n] + v
            h = chunk.h_last
    for name, v in grads.as_dict().items():
        np.testing.assert_allclose(v, ref[name], atol=1e-11, err_msg=name)
    np.testing.assert_allclose(dh0, ref["h0"], atol=1e-11)


@pytest.mark.parametrize("time", [1, 6])
def test_truncation_at_sequence_length_is_full_bptt(time):
    params = random_params(3, 4, 3, seed=5)
    x = np.random.default_rng(5).integers(0, 3, (2, time))
    cache = gru.forward(params, x)
    dy = losses.cross_entropy(cache.y, x)[1]
    full, dh0 = gru.backward(params, cache, dy)
    cut, dh0_cut = gru.backward(params, cache, dy, truncate=time)
    assert all(np.array_equal(a, b) for a, b in zip(full.as_dict().values(), cut.as_dict().values()))
    assert np.array_equal(dh0, dh0_cut)
    if time > 2:
        assert not np.allclose(full.W_hh, gru.backward(params, cache, dy, truncate=2)[0].W_hh)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("features", [False, True])
def test_the_course_configuration_passes_gradcheck_below_1e_7(reset_after, features):
    # The notebook's check: a whole sequence of 20 steps, every entry of every parameter.
    params = random_params(4, 5, 4, seed=0, reset_after=reset_after)
    rng = np.random.default_rng(0)
    h0 = rng.uniform(-1, 1, (2, 5))
    tokens = rng.integers(0, 4, (2, 20))
    x = rng.standard_normal((2, 20, 4)) if features else tokens
    targets = rng.integers(0, 4, (2, 20))
    report = gradcheck.check_gru(params, x, targets, h0=h0)
    assert report.tol == 1e-7 and report.ok, str(report)
    names = ["W_xh", "W_hh", "b_xh", "b_hh", "W_hy", "b_y"] if reset_after else \
        ["W_xh", "W_hh", "b_xh", "W_hy", "b_y"]
    assert [p.name for p in report.params] == names
    assert all(p.checked == p.total for p in report.params)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gradcheck_catches_a_wrong_backward(reset_after):
    params = random_params(3, 4, 3, seed=6, reset_after=reset_after)
    x = np.random.default_rng(6).integers(0, 3, (2, 8))

    def no_recurrence(p, cache, dy):
        return gru.backward(p, cache, dy, truncate=1)

    report = gradcheck.check_gru(params, x, x, backward=no_recurrence)
    assert not report.ok and report["W_hh"].max_error > 1e-2


def test_float32_and_optimizers():
    for reset_after in (True, False):
        params = random_params(2, 6, 1, seed=7, reset_after=reset_after, dtype=np.float32)
        x = np.random.default_rng(0).normal(size=(4, 5, 2))
        cache = gru.forward(params, x)
        assert cache.h.dtype == np.float32
        ref = gru.forward(params.astype(np.float64), x)
        np.testing.assert_allclose(cache.h, ref.h, atol=1e-5)
        loss, dy = losses.mse_last(cache.y, np.ones((4, 1)))
        grads, dh0 = gru.backward(params, cache, dy)
        assert grads.dtype == np.float32 and dh0.dtype == np.float32
        clipped, _ = optim.clip_global_norm(grads, 0.1)
        assert isinstance(clipped, GRUParams) and clipped.reset_after == reset_after
        before = params.copy()
        optim.Adam(lr=1e-2).step(params, clipped)
        assert not np.array_equal(before.W_hh, params.W_hh)


def test_init_params_like_keras():
    p = gru.init_params(10, 8, 3, seed=0)
    assert (p.input_size, p.hidden_size, p.output_size, p.reset_after) == (10, 8, 3, True)
    for block in np.split(p.W_hh, 3, axis=1):
        np.testing.assert_allclose(block.T @ block, np.eye(8), atol=1e-12)
    assert np.abs(p.W_xh).max() <= np.sqrt(6 / (10 + 24))
    assert np.all(p.b_xh == 0) and np.all(p.b_hh == 0)
    q = gru.init_params(10, 8, 3, seed=0, reset_after=False)
    assert q.b_hh is None and not q.reset_after
    assert list(q.as_dict()) == ["W_xh", "W_hh", "b_xh", "W_hy", "b_y"]
    assert np.array_equal(gru.init_params(10, 8, 3, seed=0).W_hh, p.W_hh)
    assert gru.init_params(1, 2, 1, dtype=np.float32).dtype == np.float32


# --- bad input: errors name the argument, what was expected and what came ---


def test_bad_params():
    good = gru.init_params(3, 4, 2).as_dict()
    for name, bad, err, match in [
        ("W_xh", np.zeros((3, 13)), ValueError, r"W_xh: expected shape \(input, 3 \* hidden\), got"),
        ("W_hh", np.zeros((4, 4)), ValueError, r"W_hh: expected shape \(4, 12\), got \(4, 4\)"),
        ("b_xh", np.zeros(4), ValueError, r"b_xh: expected shape \(12,\), got \(4,\)"),
        ("b_hh", np.zeros((2, 12)), ValueError, r"b_hh: expected shape \(12,\), got \(2, 12\)"),
        ("W_hy", np.zeros((3, 2)), ValueError, r"W_hy: expected shape \(4, 2\), got \(3, 2\)"),
        ("b_y", np.zeros(3), ValueError, r"b_y: expected shape \(2,\), got \(3,\)"),
        ("W_xh", np.zeros(12), ValueError, r"W_xh: expected a 2-D array"),
        ("W_hh", np.zeros((4, 12), dtype=int), TypeError, "W_hh: expected a float array"),
        ("b_xh", [0.0] * 12, TypeError, "b_xh: expected a NumPy array, got list"),
        ("b_y", np.zeros(2, np.float32), TypeError, "expected one dtype for all"),
    ]:
        with pytest.raises(err, match=match):
            GRUParams(**{**good, name: bad})


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"input_size": 0}, "input_size: expected an int >= 1, got 0"),
    ({"hidden_size": 2.5}, "hidden_size: expected an int >= 1"),
    ({"reset_after": "yes"}, "reset_after: expected True or False, got str"),
    ({"dtype": np.int32}, "dtype: expected np.float32 or np.float64"),
])
def test_bad_init(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        gru.init_params(**{"input_size": 3, "hidden_size": 4, "output_size": 2, **kwargs})


@pytest.mark.parametrize(("x", "match"), [
    (np.array([[0, 3, 5]]), r"x: expected token ids in \[0, 3\).*max 5"),
    (np.zeros((2, 3, 4)), r"x: expected features of shape \(batch, time, 3\), got \(2, 3, 4\)"),
    (np.zeros((2, 3)), r"add a features axis"),
    (np.zeros((2, 0), dtype=int), r"x: expected at least one sequence and one time step"),
    ([[0, 1], [2]], r"x: expected a rectangular array"),
])
def test_bad_x(x, match):
    with pytest.raises(ValueError, match=match):
        gru.forward(gru.init_params(3, 4, 2), x)


def test_bad_state_step_and_backward_arguments():
    p = gru.init_params(3, 4, 2)
    x = np.zeros((2, 5), dtype=int)
    with pytest.raises(ValueError, match=r"h0: expected shape \(batch, hidden\) = \(2, 4\), got \(2, 3\)"):
        gru.forward(p, x, np.zeros((2, 3)))
    with pytest.raises(TypeError, match="params: expected GRUParams, got dict"):
        gru.forward(p.as_dict(), x)
    with pytest.raises(ValueError, match=r"x_t: expected int tokens \(batch,\) or float features \(batch, 3"):
        gru.step(p, np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"h_prev: expected shape"):
        gru.step(p, np.zeros(2, dtype=int), np.zeros((3, 4)))
    cache = gru.forward(p, x)
    with pytest.raises(ValueError, match=r"dy: expected a float array of shape \(batch, time, output\) = \(2, 5"):  # noqa: E501
        gru.backward(p, cache, np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"dh_last: expected a float array of shape \(batch, hidden\)"):
        gru.backward(p, cache, np.zeros((2, 5, 2)), dh_last=np.zeros(4))
    for bad in (0, 2.0, True):  # a wrong value or a wrong type, both named
        with pytest.raises((ValueError, TypeError), match="truncate: expected an int >= 1 or None"):
            gru.backward(p, cache, np.zeros((2, 5, 2)), truncate=bad)
    with pytest.raises(TypeError, match="cache: expected the Cache from gru.forward"):
        gru.backward(p, "cache", np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match=r"cache: expected hidden size 6 \(params.\), got 4"):
        gru.backward(gru.init_params(3, 6, 2), cache, np.zeros((2, 5, 2)))


@pytest.mark.parametrize("reset_after", [True, False])
def test_step_jacobians_are_the_derivatives_of_the_cell(reset_after):
    params = random_params(2, 4, 1, seed=8, reset_after=reset_after)
    rng = np.random.default_rng(8)
    x, h0 = rng.normal(size=(2, 5, 2)), rng.uniform(-1, 1, (2, 4))
    cache = gru.forward(params, x, h0)
    J = gru.step_jacobians(params, cache)
    assert J.shape == (2, 5, 4, 4)
    a = gru.input_projection(params, x)
    h_prev = np.concatenate([h0[:, None], cache.h[:, :-1]], axis=1)
    cparams = SimpleNamespace(**params.as_dict(), hidden_size=4, reset_after=reset_after,
                              **({} if reset_after else {"b_hh": None}))
    for t in range(5):
        for j in range(4):  # column j: the complex-step derivative with respect to h_{t-1}[j]
            hp = h_prev[:, t].astype(complex)
            hp[:, j] += 1e-30j
            col = gru._cell(cparams, a[:, t], hp)[0].imag / 1e-30
            np.testing.assert_allclose(J[:, t, :, j], col, atol=1e-13)
    # the product norms: one backward sweep equals the products written out
    log_norms = gru.log10_jacobian_norms(params, cache)
    for t in range(6):
        P = np.broadcast_to(np.eye(4), (2, 4, 4))
        for s in range(5, t, -1):
            P = P @ J[:, s - 1]
        np.testing.assert_allclose(log_norms[:, t], np.log10(np.linalg.norm(P, 2, axis=(1, 2))),
                                   atol=1e-12)


def test_a_gru_cache_is_refused_by_the_vanilla_backward():
    from rnn_edu import bptt, rnn

    p = gru.init_params(3, 4, 3)
    cache = gru.forward(p, np.zeros((1, 2), dtype=int))
    with pytest.raises(TypeError, match="cache: expected the Cache from rnn.forward, got rnn_edu.gru.Cache"):
        bptt.backward(rnn.init_params(3, 4, 3), cache, np.zeros((1, 2, 3)))
