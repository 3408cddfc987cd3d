import numpy as np
import pytest

from rnn_edu.adding import BASELINE_MSE, adding_problem, baseline_mse


@pytest.mark.parametrize("time", [2, 3, 10, 101])
def test_two_markers_one_in_each_half_and_target_is_their_sum(time):
    x, target = adding_problem(500, time, seed=1)
    assert x.shape == (500, time, 2) and target.shape == (500, 1)
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = time // 2
    assert np.all(markers[:, :half].sum(axis=1) == 1)
    assert np.all(markers[:, half:].sum(axis=1) == 1)
    for b in range(len(x)):  # the sum written as a plain loop
        total = sum(values[b, t] for t in range(time) if markers[b, t] == 1)
        assert target[b, 0] == pytest.approx(total, abs=1e-15)


def test_seeded():
    a, ta = adding_problem(20, 30, seed=3)
    b, tb = adding_problem(20, 30, seed=3)
    c, _ = adding_problem(20, 30, seed=4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ta, tb)
    assert not np.array_equal(a, c)


def test_markers_cover_both_halves():
    x, _ = adding_problem(4000, 20, seed=0)
    positions = np.flatnonzero(x[..., 1].sum(axis=0))
    np.testing.assert_array_equal(positions, np.arange(20))


def test_baseline_mse_is_one_sixth():
    assert pytest.approx(1 / 6) == BASELINE_MSE
    _, target = adding_problem(100_000, 50, seed=2)
    assert baseline_mse(target) == pytest.approx(BASELINE_MSE, abs=0.003)
    assert target.mean() == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(baseline_mse(np.array([0.0, 2.0])), 1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n": 0, "time": 10}, r"n: expected an int >= 1"),
     ({"n": 5, "time": 1}, r"time: expected an int >= 2"),
     ({"n": 5, "time": 10.0}, r"time: expected an int >= 2, got float"),
     ({"n": True, "time": 10}, r"n: expected an int")],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        adding_problem(**kwargs)


def test_baseline_rejects_bad_target():
    with pytest.raises(ValueError, match=r"target: expected a non-empty \(n, 1\)"):
        baseline_mse(np.ones((3, 2)))
