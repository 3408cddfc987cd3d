import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_edu import bptt, gradcheck, losses, rnn
from rnn_edu.rnn import RNNParams


def problem(batch, time, hidden, vocab, seed):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(vocab, hidden, vocab, seed=seed)
    params.b_h[:] = 0.1 * rng.standard_normal(hidden)
    params.b_y[:] = 0.1 * rng.standard_normal(vocab)
    x = rng.integers(0, vocab, (batch, time))
    targets = rng.integers(0, vocab, (batch, time))
    return params, x, targets


@settings(max_examples=12, deadline=None)
@given(
    batch=st.integers(1, 3), time=st.integers(1, 10), hidden=st.integers(1, 6),
    vocab=st.integers(2, 6), seed=st.integers(0, 1000),
)
def test_bptt_passes_on_random_configurations(batch, time, hidden, vocab, seed):
    params, x, targets = problem(batch, time, hidden, vocab, seed)
    # 1e-5, not 1e-6: a tiny true gradient (2.5e-6 for W_xh at batch=1, time=9, hidden=6,
    # vocab=6, seed=200) has a relative error of 1.5e-6 from rounding alone (module docstring);
    # a missing term gives 1e-2 or more.
    report = gradcheck.check_rnn(params, x, targets, tol=1e-5)
    assert report.ok, str(report)


def test_bptt_passes_with_features_and_the_last_step_mse():
    rng = np.random.default_rng(3)
    params = rnn.init_params(2, 6, 1, seed=3)
    x = rng.standard_normal((4, 9, 2))
    target = rng.standard_normal(4)
    report = gradcheck.check_rnn(params, x, target, loss=losses.mse_last, tol=1e-6)
    assert report.ok, str(report)


def test_the_course_configuration_is_below_1e_7():
    params, x, targets = problem(2, 25, 8, 6, seed=0)
    report = gradcheck.check_rnn(params, x, targets)
    assert report.tol == 1e-7 and report.ok, str(report)
    assert [p.name for p in report.params] == ["W_xh", "W_hh", "b_h", "W_hy", "b_y"]
    assert all(p.checked == p.total for p in report.params)


def broken_no_recurrence(params, cache, dy):
    """Forgets that h_t also reaches the loss through h_{t+1}."""
    grads, dh0 = bptt.backward(params, cache, dy, truncate=1)
    return grads, dh0


def broken_no_tanh_slope(params, cache, dy):
    """Backpropagates through tanh as if it were the identity."""
    fake = rnn.Cache(x=cache.x, h0=cache.h0, h=np.zeros_like(cache.h), y=cache.y)
    grads, dh0 = bptt.backward(params, fake, dy)
    # The products with h must still use the real states: only the slope is wrong.
    good, _ = bptt.backward(params, cache, dy)
    return RNNParams(W_xh=grads.W_xh, W_hh=grads.W_hh, b_h=grads.b_h, W_hy=good.W_hy,
                     b_y=good.b_y), dh0


def broken_last_step_only_for_w_hh(params, cache, dy):
    """Keeps only the last step's term of the sum over time for W_hh."""
    grads, dh0 = bptt.backward(params, cache, dy)
    h_prev = cache.h[:, -2]
    da_last = (dy[:, -1] @ params.W_hy.T) * (1 - cache.h[:, -1] ** 2)
    return RNNParams(W_xh=grads.W_xh, W_hh=h_prev.T @ da_last, b_h=grads.b_h,
                     W_hy=grads.W_hy, b_y=grads.b_y), dh0


@pytest.mark.parametrize(
    "broken,bad_params",
    [
        (broken_no_recurrence, {"W_xh", "W_hh", "b_h"}),
        (broken_no_tanh_slope, {"W_xh", "W_hh", "b_h"}),
        (broken_last_step_only_for_w_hh, {"W_hh"}),
    ],
)
def test_broken_backward_passes_are_caught(broken, bad_params):
    params, x, targets = problem(2, 8, 5, 4, seed=1)
    report = gradcheck.check_rnn(params, x, targets, backward=broken)
    assert not report.ok
    failing = {p.name for p in report.params if p.max_error > 1e-3}
    assert failing == bad_params, str(report)
    assert "FAIL" in str(report)


def test_sampled_entries_and_params_are_restored():
    params, x, targets = problem(2, 6, 5, 4, seed=2)
    before = params.copy()
    report = gradcheck.check_rnn(params, x, targets, samples=3, seed=1)
    assert report.ok
    assert [p.checked for p in report.params] == [3, 3, 3, 3, 3]
    assert [p.total for p in report.params] == [20, 25, 5, 20, 4]
    for name in rnn.PARAM_NAMES:
        assert np.array_equal(getattr(params, name), getattr(before, name))


def test_numerical_gradient_of_a_cubic_and_restored_after_an_error():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = gradcheck.numerical_gradient(lambda: float((w**3).sum()), w)
    assert np.allclose(g, 3 * w**2, rtol=1e-8)
    assert np.allclose(gradcheck.numerical_gradient(lambda: float((w**3).sum()), w,
                                                    entries=[3, 0]), [27.0, 3.0])

    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        gradcheck.numerical_gradient(failing, w)
    assert w.tolist() == [[1.0, -2.0], [0.5, 3.0]]  # the nudged entry was put back


def test_relative_error_formula():
    assert gradcheck.relative_error(1.0, 1.0) == 0
    assert gradcheck.relative_error(1.0, 3.0) == pytest.approx(0.5)
    assert gradcheck.relative_error(0.0, 0.0) == 0  # the floor avoids 0 / 0
    assert gradcheck.relative_error(1e-9, 0.0) == pytest.approx(0.1)


def test_bad_inputs_raise_clear_errors():
    params, x, targets = problem(1, 3, 2, 3, seed=0)
    with pytest.raises(ValueError, match=r"eps: expected a finite number > 0"):
        gradcheck.check(lambda p: 0.0, params, params, eps=0.0)
    with pytest.raises(ValueError, match=r"tol: expected a finite number > 0, got 0"):
        gradcheck.check(lambda p: 0.0, params, params, tol=0)
    with pytest.raises(ValueError, match=r"samples: expected an int >= 1"):
        gradcheck.check(lambda p: 0.0, params, params, samples=0)
    with pytest.raises(TypeError, match=r"params, grads: expected two RNNParams or two GRUParams"):
        gradcheck.check(lambda p: 0.0, params, params.as_dict())
    with pytest.raises(ValueError, match=r"order: expected one of \(2, 4\), got int 3"):
        gradcheck.check(lambda p: 0.0, params, params, order=3)
    with pytest.raises(TypeError, match=r"w: expected a float array"):
        gradcheck.numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(ValueError, match=r"loss_fn: expected a function returning a finite loss"):
        gradcheck.check(lambda p: float("nan"), params, params)
    with pytest.raises(KeyError, match=r"no parameter 'W'"):
        gradcheck.check_rnn(params, x, targets)["W"]


def test_the_fourth_order_difference_is_exact_for_quartics():
    w = np.array([0.3, -1.2])
    f = lambda: float(np.sum(w**4 - 2 * w**3))
    exact = 4 * w**3 - 6 * w**2
    # the error of the fourth-order difference is O(eps^4) times the fifth derivative: 0 here
    assert np.abs(gradcheck.numerical_gradient(f, w, eps=0.1, order=4) - exact).max() < 1e-12
    assert np.abs(gradcheck.numerical_gradient(f, w, eps=0.1, order=2) - exact).max() > 1e-3
