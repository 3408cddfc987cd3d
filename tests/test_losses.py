import numpy as np
import pytest

from rnn_edu import losses
from rnn_edu.gradcheck import numerical_gradient


def numerical(f, y, eps=1e-6):
    return numerical_gradient(lambda: f(y), y, eps=eps)


def test_softmax_rows_sum_to_one_and_survive_huge_logits():
    z = np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]])
    p = losses.softmax(z)
    assert np.allclose(p.sum(axis=-1), 1.0)
    assert np.allclose(p[0], [0.5, 0.5, 0.0])
    assert np.allclose(p[1], 1 / 3)
    assert np.allclose(np.exp(losses.log_softmax(z)), p)


def test_cross_entropy_matches_a_hand_loop_and_its_gradient_is_numerical():
    rng = np.random.default_rng(0)
    y = rng.standard_normal((2, 3, 5))
    t = rng.integers(0, 5, (2, 3))
    loss, dy = losses.cross_entropy(y, t)
    ref = np.mean([
        -np.log(np.exp(y[b, s, t[b, s]]) / np.exp(y[b, s]).sum())
        for b in range(2) for s in range(3)
    ])
    assert loss == pytest.approx(ref, rel=1e-12)
    num = numerical(lambda v: losses.cross_entropy(v, t)[0], y)
    assert np.abs(num - dy).max() < 1e-8


@pytest.mark.parametrize("scale", [1.0, 100.0, 1e4])  # within +-60 the row max is not subtracted
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_the_same_with_and_without_the_max_shift(scale, dtype):
    rng = np.random.default_rng(1)
    y = (rng.standard_normal((3, 4, 6)) * scale).astype(dtype)
    t = rng.integers(0, 6, (3, 4))
    loss, dy = losses.cross_entropy(y, t)
    logp = losses.log_softmax(y.astype(np.float64))  # always shifted, in float64
    b, s = np.indices(t.shape)
    assert np.isfinite(loss) and loss == pytest.approx(-logp[b, s, t].mean(), rel=1e-5)
    expected = np.exp(logp)
    expected[b, s, t] -= 1
    assert dy.dtype == dtype and np.allclose(dy, expected / t.size, atol=1e-6)
    if scale == 1.0:  # and on a time-major view, as rnn.forward returns the logits
        view = np.ascontiguousarray(y.swapaxes(0, 1)).swapaxes(0, 1)
        assert np.array_equal(losses.cross_entropy(view, t)[1], dy)


def test_cross_entropy_of_uniform_logits_is_log_v():
    loss, _ = losses.cross_entropy(np.zeros((4, 7, 11)), np.zeros((4, 7), dtype=int))
    assert loss == pytest.approx(np.log(11))


def test_mse_last_uses_only_the_last_step():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((3, 4, 2))
    target = rng.standard_normal((3, 2))
    loss, dy = losses.mse_last(y, target)
    assert loss == pytest.approx(np.mean((y[:, -1] - target) ** 2))
    assert np.all(dy[:, :-1] == 0)
    num = numerical(lambda v: losses.mse_last(v, target)[0], y)
    assert np.abs(num - dy).max() < 1e-8
    loss1, _ = losses.mse_last(y[..., :1], target[:, 0])  # (batch,) target for one output
    assert loss1 == pytest.approx(np.mean((y[:, -1, 0] - target[:, 0]) ** 2))


def test_bad_inputs_raise_clear_errors():
    y = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match=r"logits: expected .*\(batch, time, V\)"):
        losses.cross_entropy(np.zeros((3, 4)), np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match=r"targets: expected an int array of shape \(2, 3\)"):
        losses.cross_entropy(y, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"logits: expected finite numbers"):
        losses.cross_entropy(np.full((2, 3, 4), np.nan), np.zeros((2, 3), dtype=int))
    for f in (losses.softmax, losses.log_softmax):
        with pytest.raises(ValueError, match=r"logits: expected finite numbers, got 1 inf"):
            f([np.inf, 1.0])
    with pytest.raises(ValueError, match=r"targets: expected ids in \[0, 4\)"):
        losses.cross_entropy(y, np.full((2, 3), 4))
    with pytest.raises(ValueError, match=r"target: expected numbers of shape"):
        losses.mse_last(y, np.zeros((2, 3)))
    with pytest.raises(TypeError, match=r"logits: expected a float array"):
        losses.softmax(np.array([1, 2, 3]))
