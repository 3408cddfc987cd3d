import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_edu import jacobians, rnn


def naive_norms(W_hh, h, activation):
    """Reference: for each t, multiply the T - t Jacobians from scratch and take the 2-norm."""
    d = jacobians.slopes(h, activation)
    batch, time, hidden = h.shape
    out = np.empty((batch, time + 1))
    for b in range(batch):
        for t in range(time + 1):
            P = np.eye(hidden)
            for s in range(time, t, -1):
                P = P @ (np.diag(d[b, s - 1]) @ W_hh.T)
            out[b, t] = np.linalg.norm(P, 2)
    return out


def numerical_jacobian(W_hh, u, activation, t, eps=1e-6):
    """dh_T/dh_t by central differences: perturb h_t, rerun the remaining steps."""
    hidden = W_hh.shape[0]
    h = jacobians.hidden_states(W_hh, u, activation=activation)
    start = h[:, t - 1] if t > 0 else np.zeros((1, hidden))
    J = np.empty((hidden, hidden))
    for j in range(hidden):
        e = np.zeros((1, hidden))
        e[0, j] = eps
        plus = jacobians.hidden_states(W_hh, u[:, t:], start + e, activation)[0, -1]
        minus = jacobians.hidden_states(W_hh, u[:, t:], start - e, activation)[0, -1]
        J[:, j] = (plus - minus) / (2 * eps)
    return J


@pytest.mark.parametrize("activation", jacobians.ACTIVATIONS)
def test_sweep_equals_separate_products(activation):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 5))
    h = jacobians.hidden_states(W, rng.standard_normal((3, 12, 5)), activation=activation)
    got = jacobians.jacobian_norms(W, h, activation)
    np.testing.assert_allclose(got, naive_norms(W, h, activation), rtol=1e-10, atol=1e-300)
    assert np.all(got[:, -1] == 1.0)


@pytest.mark.parametrize("activation", ["tanh", "linear"])
def test_one_jacobian_product_matches_finite_differences(activation):
    rng = np.random.default_rng(2)
    W = 0.5 * rng.standard_normal((4, 4))
    u = rng.standard_normal((1, 6, 4))
    h = jacobians.hidden_states(W, u, activation=activation)
    d = jacobians.slopes(h, activation)
    t = 2
    P = np.eye(4)
    for s in range(6, t, -1):
        P = P @ jacobians.jacobian(W, d[0, s - 1])
    np.testing.assert_allclose(P, numerical_jacobian(W, u, activation, t), rtol=1e-6, atol=1e-8)
    norms = jacobians.jacobian_norms(W, h, activation)
    assert norms[0, t] == pytest.approx(np.linalg.norm(P, 2), rel=1e-12)


def test_tanh_states_match_the_rnn_forward_pass():
    rng = np.random.default_rng(3)
    params = rnn.init_params(3, 6, 2, seed=4)
    x = rng.standard_normal((2, 9, 3))
    cache = rnn.forward(params, x)
    h = jacobians.hidden_states(params.W_hh, x @ params.W_xh + params.b_h)
    np.testing.assert_allclose(h, cache.h, rtol=0, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hidden=st.integers(1, 6),
    time=st.integers(1, 25),
    sigma=st.one_of(st.just(0.0), st.floats(1e-6, 4.0)),  # subnormal scales lose the precision compared
    scale=st.floats(0.0, 5.0),
    activation=st.sampled_from(jacobians.ACTIVATIONS),
)
def test_norms_never_exceed_the_bound(seed, hidden, time, sigma, scale, activation):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((hidden, hidden))
    if np.linalg.norm(W, 2) > 0:
        W = jacobians.with_spectral_norm(W, sigma)
    h = jacobians.hidden_states(W, scale * rng.standard_normal((2, time, hidden)),
                                activation=activation)
    log_norms = jacobians.log10_jacobian_norms(W, h, activation)
    log_bound = jacobians.log10_bound(jacobians.spectral_norm(W), jacobians.GAMMA[activation],
                                      time)
    assert not np.any(np.isnan(log_norms))
    assert np.all(log_norms <= log_bound + 1e-9)


def test_linear_orthogonal_attains_the_bound():
    q, _ = np.linalg.qr(np.random.default_rng(5).standard_normal((8, 8)))
    W = 1.3 * q
    h = jacobians.hidden_states(W, np.ones((1, 20, 8)), activation="linear")
    np.testing.assert_allclose(jacobians.jacobian_norms(W, h, "linear")[0],
                               jacobians.bound(1.3, 1.0, 20), rtol=1e-10)


def test_nilpotent_matrix_vanishes_linearly_but_grows_along_a_tanh_trajectory():
    W = np.array([[8.0, 8.0], [-8.0, -8.0]])
    assert jacobians.spectral_radius(W) < 1e-6
    assert np.allclose(W @ W, 0)
    # Linear RNN: the product is a power of W.T, zero after two steps.
    h_lin = jacobians.hidden_states(W, np.ones((1, 10, 2)), activation="linear")
    assert np.all(np.isneginf(jacobians.log10_jacobian_norms(W, h_lin, "linear")[0, :-2]))
    # tanh RNN held at the fixed point h* = tanh(a*) by the constant input u = a* - h* @ W.
    a_star = np.array([0.5, 4.0])
    h_star = np.tanh(a_star)
    u = a_star - h_star @ W
    params = rnn.RNNParams(W_xh=np.eye(2), W_hh=W, b_h=np.zeros(2), W_hy=np.zeros((2, 1)),
                           b_y=np.zeros(1))
    h_next, _ = rnn.step(params, u[None], h_star[None])
    np.testing.assert_allclose(h_next[0], h_star, atol=1e-12)
    time = 30
    log_norms = jacobians.log10_jacobian_norms(W, np.tile(h_star, (1, time, 1)))[0, ::-1]
    assert np.all(np.diff(log_norms) > 0.7)  # grows by more than 5x per step
    assert log_norms[-1] > 20
    rate = 8 * ((1 - h_star[0] ** 2) - (1 - h_star[1] ** 2))  # the Jacobian's nonzero eigenvalue
    assert np.diff(log_norms)[-1] == pytest.approx(np.log10(rate), abs=1e-9)


def test_non_normal_matrix_with_radius_below_one_grows_for_many_steps():
    W = np.array([[0.99, 0.0], [1.0, 0.99]])
    assert jacobians.spectral_radius(W) < 1 < jacobians.spectral_norm(W)
    h = jacobians.hidden_states(W, np.zeros((1, 300, 2)), activation="linear")
    norms = jacobians.jacobian_norms(W, h, "linear")[0, ::-1]
    # W^k = 0.99^k I + k 0.99^(k-1) N: the norm rises until k is about 1 / ln(1 / 0.99) = 99.5.
    peak = int(np.argmax(norms))
    assert abs(peak - 1 / np.log(1 / 0.99)) < 1.5
    assert np.all(np.diff(norms[: peak + 1]) > 0) and norms[peak] > 30 and norms[-1] < norms[peak]
    np.testing.assert_allclose(norms[:5], [np.linalg.norm(np.linalg.matrix_power(W, k), 2)
                                           for k in range(5)], rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_rescaling_huge_states_keeps_the_jacobian_norms(activation, monkeypatch):
    rng = np.random.default_rng(7)
    # A positive shift gives a growing mode; with ReLU some units still switch off.
    W = jacobians.with_spectral_norm(rng.standard_normal((5, 5)) + 0.5, 3.0)
    u = rng.standard_normal((2, 400, 5))
    monkeypatch.setattr(jacobians, "STATE_CAP", 1e300)  # no rescaling below 1e300
    h = jacobians.hidden_states(W, u, activation=activation)
    assert 1e60 < np.abs(h).max() < 1e300
    assert activation == "linear" or np.any(h[:, -50:] <= 0)  # ReLU: a pattern of on and off
    exact = jacobians.log10_jacobian_norms(W, h, activation)
    monkeypatch.setattr(jacobians, "STATE_CAP", 1e60)  # rescaled to about 1e10, still >> inputs
    h = jacobians.hidden_states(W, u, activation=activation)
    assert np.abs(h).max() <= 1e60 * 10 * np.linalg.norm(W, 2)
    np.testing.assert_allclose(jacobians.log10_jacobian_norms(W, h, activation), exact, atol=1e-9)


def test_extreme_relu_and_linear_stay_finite():
    rng = np.random.default_rng(6)
    W = jacobians.with_spectral_norm(rng.standard_normal((6, 6)), 50.0)
    for activation in ("relu", "linear"):
        h = jacobians.hidden_states(W, rng.standard_normal((2, 400, 6)), activation=activation)
        assert np.all(np.isfinite(h))
        log_norms = jacobians.log10_jacobian_norms(W, h, activation)
        assert not np.any(np.isnan(log_norms))
        assert np.all(log_norms <= jacobians.log10_bound(50.0, 1.0, 400) + 1e-9)
    # Saturated tanh: far below 1e-308, still a finite logarithm
    W = jacobians.with_spectral_norm(W, 3.0)
    h = jacobians.hidden_states(W, 2 * rng.standard_normal((1, 1500, 6)))
    log_norms = jacobians.log10_jacobian_norms(W, h)
    assert log_norms[0, 0] < -308 and np.isfinite(log_norms[0, 0])


def test_relu_all_off_gives_exact_zero():
    W = np.eye(3)
    h = jacobians.hidden_states(W, -np.ones((1, 5, 3)), activation="relu")
    log_norms = jacobians.log10_jacobian_norms(W, h, "relu")
    assert np.all(np.isneginf(log_norms[0, :-1])) and log_norms[0, -1] == 0
    assert np.all(jacobians.jacobian_norms(W, h, "relu")[0, :-1] == 0)


def test_bound_values():
    np.testing.assert_allclose(jacobians.bound(2.0, 0.5, 3), [1.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(jacobians.bound(3.0, 1.0, 2), [9.0, 3.0, 1.0])
    np.testing.assert_array_equal(jacobians.bound(0.0, 1.0, 2), [0.0, 0.0, 1.0])
    assert jacobians.log10_bound(10.0, 1.0, 500)[0] == pytest.approx(500)


def test_spectral_helpers():
    W = np.array([[0.0, 2.0], [0.0, 0.0]])
    assert jacobians.spectral_norm(W) == pytest.approx(2.0)
    assert jacobians.spectral_radius(W) == pytest.approx(0.0)
    assert jacobians.spectral_norm(jacobians.with_spectral_norm(W, 0.7)) == pytest.approx(0.7)


def test_slopes():
    h = np.array([[[0.5, -0.2, 0.0]]])
    np.testing.assert_allclose(jacobians.slopes(h, "tanh"), 1 - h**2)
    np.testing.assert_array_equal(jacobians.slopes(np.maximum(h, 0), "relu"), [[[1.0, 0.0, 0.0]]])
    for activation, impossible in (("tanh", 1.5), ("relu", -0.2)):
        with pytest.raises(ValueError, match=f"h: expected {activation} states"):
            jacobians.slopes(np.array([0.0, impossible]), activation)
    np.testing.assert_array_equal(jacobians.slopes(h, "linear"), np.ones_like(h))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: jacobians.log10_jacobian_norms(np.ones((2, 3)), np.ones((1, 2, 2))),
         r"W_hh: expected a square"),
        (lambda: jacobians.log10_jacobian_norms(np.eye(2), np.ones((2, 2))),
         r"h: expected a non-empty float array of shape \(batch, time, 2\)"),
        (lambda: jacobians.log10_jacobian_norms(np.eye(2), np.full((1, 2, 2), np.nan)),
         r"h: expected finite"),
        (lambda: jacobians.log10_jacobian_norms(np.eye(2), np.ones((1, 2, 2)), "sigmoid"),
         r"activation: expected one of .*'sigmoid'"),
        (lambda: jacobians.hidden_states(np.eye(2), np.ones((1, 3, 4))),
         r"u: expected .*\(batch, time, 2\)"),
        (lambda: jacobians.hidden_states(np.eye(2), np.ones((1, 3, 2)), np.ones(2)),
         r"h0: expected an array of real numbers of shape \(1, 2\)"),
        (lambda: jacobians.log10_bound(-1.0, 1.0, 3), r"sigma_max: expected a finite number"),
        (lambda: jacobians.log10_bound(1.0, 1.0, -1), r"time: expected an int in \[0, "),
        (lambda: jacobians.with_spectral_norm(np.zeros((2, 2)), 1.0), r"W: the zero matrix"),
        (lambda: jacobians.spectral_norm(np.ones(3)), r"W: expected a square"),
        (lambda: jacobians.jacobian(np.eye(3), np.ones(2)), r"slope_t: expected shape"),
        (lambda: jacobians.hidden_states(np.eye(2), np.full((1, 3, 2), np.inf)),
         r"u: expected finite numbers, got 6 inf or NaN of 6"),
        (lambda: jacobians.spectral_norm(np.eye(3000)), r"W: expected a square .* n <= 2048"),
        (lambda: jacobians.log10_jacobian_norms(np.eye(100), np.zeros((100, 100, 100))),
         r"h: the result would hold 101,000,000 products' entries"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_complex_matrices_are_refused_not_cut_to_their_real_part():
    with pytest.raises(TypeError, match=r"W: expected an array of real numbers, got array .*complex"):
        jacobians.spectral_norm(np.array([[3j, 0], [0, 1]]))
    with pytest.raises(TypeError, match=r"W: expected an array of real numbers"):
        jacobians.spectral_radius([[1 + 1j]])


def test_tiny_weights_give_exact_logarithms_not_zero():
    W = 1e-200 * np.eye(3)
    h = jacobians.hidden_states(W, np.ones((1, 5, 3)), activation="linear")
    np.testing.assert_allclose(jacobians.log10_jacobian_norms(W, h, "linear")[0],
                               [-1000, -800, -600, -400, -200, 0])
