import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_edu import rnn
from rnn_edu.rnn import RNNParams


def naive_forward(params, x, h0=None):
    """The equations one example and one step at a time, with column vectors like the seeds."""
    W_xh, W_hh, W_hy = params.W_xh.T, params.W_hh.T, params.W_hy.T  # column convention
    batch, time = x.shape[:2]
    hs = np.zeros((batch, time, params.hidden_size))
    ys = np.zeros((batch, time, params.output_size))
    for b in range(batch):
        h = np.zeros(params.hidden_size) if h0 is None else np.array(h0[b], dtype=float)
        for t in range(time):
            if x.ndim == 2:
                x_t = np.zeros(params.input_size)
                x_t[x[b, t]] = 1.0
            else:
                x_t = x[b, t]
            h = np.tanh(W_hh @ h + W_xh @ x_t + params.b_h)
            hs[b, t] = h
            ys[b, t] = W_hy @ h + params.b_y
    return hs, ys


def random_params(n_in, n_h, n_out, seed, dtype=np.float64):
    p = rnn.init_params(n_in, n_h, n_out, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    p.b_h[:] = rng.normal(size=n_h)
    p.b_y[:] = rng.normal(size=n_out)
    return p


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 4),
    time=st.integers(1, 6),
    n_in=st.integers(1, 5),
    n_h=st.integers(1, 6),
    n_out=st.integers(1, 4),
    tokens=st.booleans(),
    with_h0=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_forward_equals_naive_loop(batch, time, n_in, n_h, n_out, tokens, with_h0, seed):
    params = random_params(n_in, n_h, n_out, seed)
    rng = np.random.default_rng(seed)
    x = rng.integers(n_in, size=(batch, time)) if tokens else rng.normal(size=(batch, time, n_in))
    h0 = rng.normal(size=(batch, n_h)) if with_h0 else None
    cache = rnn.forward(params, x, h0)
    hs, ys = naive_forward(params, x, h0)
    assert cache.h.shape == (batch, time, n_h) and cache.y.shape == (batch, time, n_out)
    np.testing.assert_allclose(cache.h, hs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cache.y, ys, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(cache.h_last, cache.h[:, -1])
    assert cache.tokens == tokens
    # step() over time gives the same states
    h = cache.h0
    for t in range(time):
        h, y = rnn.step(params, x[:, t], h)
        np.testing.assert_allclose(h, cache.h[:, t], atol=1e-12)
        np.testing.assert_allclose(y, cache.y[:, t], atol=1e-12)


def test_two_unit_example_by_hand():
    # h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h), y_t = h_t W_hy + b_y, worked out on paper:
    params = RNNParams(
        W_xh=np.array([[0.5, -1.0]]),
        W_hh=np.array([[1.0, 0.0], [2.0, 0.5]]),
        b_h=np.array([0.0, 0.25]),
        W_hy=np.array([[1.0], [-1.0]]),
        b_y=np.array([0.5]),
    )
    x = np.array([[[2.0], [0.0]]])  # one sequence, two steps, one feature
    # t=1: a = (1.0, -2.0 + 0.25) = (1.0, -1.75)
    h1 = np.tanh([1.0, -1.75])
    # t=2: a = h1 W_hh + b_h = (h1[0] + 2 h1[1], 0.5 h1[1] + 0.25)
    h2 = np.tanh([h1[0] + 2 * h1[1], 0.5 * h1[1] + 0.25])
    cache = rnn.forward(params, x)
    np.testing.assert_allclose(cache.h[0], [h1, h2], atol=1e-15)
    np.testing.assert_allclose(cache.y[0, :, 0], [h1[0] - h1[1] + 0.5, h2[0] - h2[1] + 0.5])
    assert abs(h1[0] - 0.7615941559557649) < 1e-15  # tanh(1)


def test_tokens_are_one_hot_features():
    params = random_params(6, 4, 3, seed=1)
    x = np.array([[0, 5, 2, 2], [1, 3, 4, 0]])
    onehot = np.eye(6)[x]
    np.testing.assert_allclose(rnn.forward(params, x).h, rnn.forward(params, onehot).h)
    np.testing.assert_allclose(rnn.input_projection(params, x), onehot @ params.W_xh)


def test_batch_rows_are_independent():
    params = random_params(5, 7, 5, seed=2)
    x = np.random.default_rng(0).integers(5, size=(3, 9))
    batched = rnn.forward(params, x).h
    for b in range(3):
        np.testing.assert_allclose(batched[b], rnn.forward(params, x[b : b + 1]).h[0], atol=1e-14)


def test_initial_state_carries_over_chunks():
    params = random_params(4, 5, 4, seed=3)
    x = np.random.default_rng(1).integers(4, size=(2, 10))
    whole = rnn.forward(params, x)
    first = rnn.forward(params, x[:, :6])
    second = rnn.forward(params, x[:, 6:], h0=first.h_last)
    np.testing.assert_allclose(np.concatenate([first.h, second.h], axis=1), whole.h, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes(dtype):
    params = rnn.init_params(3, 8, 2, seed=0, dtype=dtype)
    assert params.dtype == dtype
    assert all(v.dtype == dtype for v in params.as_dict().values())
    x = np.random.default_rng(0).normal(size=(2, 5, 3))  # float64 input is cast
    cache = rnn.forward(params, x, h0=np.zeros((2, 8)))
    assert cache.h.dtype == dtype and cache.y.dtype == dtype
    h, y = rnn.step(params, x[:, 0], cache.h0)
    assert h.dtype == dtype and y.dtype == dtype
    ref = rnn.forward(params.astype(np.float64), x)
    tol = 1e-5 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(cache.h, ref.h, atol=tol)


def test_init_params_is_documented_and_seeded():
    p = rnn.init_params(50, 64, 30, seed=7)
    assert (p.input_size, p.hidden_size, p.output_size) == (50, 64, 30)
    np.testing.assert_allclose(np.linalg.svd(p.W_hh, compute_uv=False), 0.9, atol=1e-12)
    assert np.all(p.b_h == 0) and np.all(p.b_y == 0)
    assert abs(p.W_xh.std() * np.sqrt(50) - 1) < 0.1
    assert abs(p.W_hy.std() * np.sqrt(64) - 1) < 0.1
    q = rnn.init_params(50, 64, 30, seed=7)
    assert all(np.array_equal(getattr(p, n), getattr(q, n)) for n in rnn.PARAM_NAMES)
    assert not np.array_equal(p.W_hh, rnn.init_params(50, 64, 30, seed=8).W_hh)
    assert list(p.as_dict()) == list(rnn.PARAM_NAMES)
    c = p.copy()
    c.W_hh[0, 0] += 1
    assert c.W_hh[0, 0] != p.W_hh[0, 0]


# --- bad input: every path raises an error that names the argument, expectation and value ---


def test_bad_params():
    good = rnn.init_params(3, 4, 2).as_dict()
    for name, bad, err, match in [
        ("W_hh", np.zeros((4, 5)), ValueError, r"W_hh: expected shape \(4, 4\), got \(4, 5\)"),
        ("W_hh", np.zeros((3, 3)), ValueError, r"W_hh: expected shape \(4, 4\)"),
        ("b_h", np.zeros((1, 4)), ValueError, r"b_h: expected shape \(4,\), got \(1, 4\)"),
        ("W_hy", np.zeros((3, 2)), ValueError, r"W_hy: expected shape \(4, 2\), got \(3, 2\)"),
        ("W_hy", np.zeros(4), ValueError, r"W_hy: expected a 2-D array, got shape \(4,\)"),
        ("W_xh", np.zeros(4), ValueError, r"W_xh: expected a 2-D array"),
        ("b_y", np.zeros(3), ValueError, r"b_y: expected shape \(2,\), got \(3,\)"),
        ("W_xh", np.zeros((3, 4), dtype=int), TypeError, "W_xh: expected a float array"),
        ("b_h", [0.0] * 4, TypeError, "b_h: expected a NumPy array, got list"),
        ("b_y", np.zeros(2, np.float32), TypeError, "expected one dtype for all five"),
    ]:
        with pytest.raises(err, match=match):
            RNNParams(**{**good, name: bad})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"input_size": 0}, "input_size: expected an int >= 1, got 0"),
        ({"hidden_size": 2.5}, "hidden_size: expected an int >= 1"),
        ({"output_size": True}, "output_size: expected an int >= 1"),
        ({"dtype": np.int32}, "dtype: expected np.float32 or np.float64"),
        ({"dtype": np.float16}, "dtype: expected np.float32 or np.float64"),
        ({"dtype": "banana"}, "dtype: expected np.float32 or np.float64, got str 'banana'"),
    ],
)
def test_bad_init(kwargs, match):
    args = {"input_size": 3, "hidden_size": 4, "output_size": 2, **kwargs}
    with pytest.raises((TypeError, ValueError), match=match):
        rnn.init_params(**args)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.array([[0, 3, 5]]), r"x: expected token ids in \[0, 5\).*max 5"),
        (np.array([[0, -1]]), r"x: expected token ids in \[0, 5\).*min -1"),
        (np.zeros((2, 3, 4)), r"x: expected features of shape \(batch, time, 5\), got \(2, 3, 4\)"),
        (np.zeros((2, 3)), r"x: expected int tokens .* got shape \(2, 3\) and dtype float64"),
        (np.zeros((2, 3)), r"add a features axis"),
        (np.zeros(3, dtype=int), r"x: expected int tokens \(batch, time\).*got shape \(3,\)"),
        (np.zeros((2, 3, 5), dtype=int), r"x: expected .*got shape \(2, 3, 5\) and dtype int"),
        (np.zeros((2, 3), dtype=bool), r"x: expected int tokens.*dtype bool"),
        (np.zeros((2, 0), dtype=int), r"x: expected at least one sequence and one time step"),
        (np.zeros((0, 4), dtype=int), r"x: expected at least one sequence"),
        (np.zeros((1, 0, 5)), r"x: expected at least one sequence and one time step"),
        ([], r"x: expected int tokens"),
        ("abc", r"x: expected int tokens"),
        ([[0, 1], [2]], r"x: expected a rectangular array, got a ragged list"),
    ],
)
def test_bad_x(x, match):
    params = rnn.init_params(5, 4, 5)
    with pytest.raises(ValueError, match=match):
        rnn.forward(params, x)


def test_bad_h0_and_step_inputs():
    params = rnn.init_params(5, 4, 5)
    x = np.zeros((2, 3), dtype=int)
    with pytest.raises(ValueError, match=r"h0: expected shape \(batch, hidden\) = \(2, 4\), got \(3, 4\)"):
        rnn.forward(params, x, h0=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"h0: expected shape .* got \(4,\)"):
        rnn.forward(params, x, h0=np.zeros(4))
    with pytest.raises(TypeError, match="h0: expected a float array, got dtype int"):
        rnn.forward(params, x, h0=np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(batch, hidden\) = \(2, 4\)"):
        rnn.step(params, np.array([0, 1]), np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"x_t: expected int tokens \(batch,\) or float features"):
        rnn.step(params, np.zeros(2), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t: expected int tokens \(batch,\).*shape \(2, 1, 5\)"):
        rnn.step(params, np.zeros((2, 1, 5)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t: expected token ids in \[0, 5\)"):
        rnn.step(params, np.array([0, 9]), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t: expected .*float features \(batch, 5\), got shape \(2, 3\)"):
        rnn.step(params, np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x_t: expected int tokens \(batch,\).*dtype int"):
        rnn.step(params, np.zeros((2, 5), dtype=int), np.zeros((2, 4)))  # one-hot rows as ints
    with pytest.raises(ValueError, match=r"x_t: expected int tokens \(batch,\).*shape \(\)"):
        rnn.step(params, 3, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="h_prev: expected a rectangular array, got a ragged list"):
        rnn.step(params, np.array([0]), [[0.0, 0.0], [0.0]])
    with pytest.raises(ValueError, match=r"x: expected token ids in"):
        rnn.input_projection(params, np.array([[7]]))
