import numpy as np
import pytest

from rnn_edu import bptt, losses, optim, rnn
from rnn_edu.adding import BASELINE_MSE, adding_problem, baseline_mse, fit


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
     ({"n": True, "time": 10}, r"n: expected an int"),
     ({"n": 5, "time": 10, "seed": -1}, r"seed: expected an int >= 0, got -1"),
     ({"n": 10**6, "time": 10**6}, r"n: the result would hold .* more than the limit")],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        adding_problem(**kwargs)


def test_baseline_rejects_bad_target():
    with pytest.raises(ValueError, match=r"target: expected a non-empty \(n, 1\)"):
        baseline_mse(np.ones((3, 2)))


def test_fit_one_step_is_forward_loss_backward_update():
    params = rnn.init_params(2, 4, 1, seed=1)
    manual = params.copy()
    fit(params, 6, steps=1, batch_size=5, optimizer=optim.SGD(lr=0.1), clip_norm=None, seed=7)
    x, target = adding_problem(5, 6, seed=7)
    cache = rnn.forward(manual, x)
    _, dy = losses.mse_last(cache.y, target)
    grads, _ = bptt.backward(manual, cache, dy)
    for name, w in manual.as_dict().items():
        np.testing.assert_allclose(getattr(params, name), w - 0.1 * getattr(grads, name))


def test_fit_learns_short_sequences():
    params = rnn.init_params(2, 16, 1, seed=0)
    val = adding_problem(500, 5, seed=99)
    history = fit(params, 5, steps=300, optimizer=optim.Adam(lr=1e-2), val=val)
    assert history.val_mse < 0.25 * baseline_mse(val[1])
    assert len(history.loss) == len(history.grad_norms) == 300


def test_fit_stops_when_the_gradient_overflows_and_clipping_prevents_it():
    runs = {}
    for clip in (None, 1.0):
        params = rnn.init_params(2, 8, 1, seed=0)
        params.W_hh *= 3.0
        runs[clip] = fit(params, 10, steps=200, optimizer=optim.SGD(lr=1.0), clip_norm=clip,
                         val=adding_problem(50, 10, seed=1))
    assert not np.isfinite(runs[None].grad_norms[-1]) and runs[None].val_mse is None
    assert len(runs[1.0].loss) == 200 and np.all(np.isfinite(runs[1.0].grad_norms))


def test_fit_checks_its_arguments():
    with pytest.raises(ValueError, match="input size 2 and output size 1, got 3 and 1"):
        fit(rnn.init_params(3, 4, 1), 5)
    with pytest.raises(ValueError, match=r"steps: expected an int in \[1, 1000000\]"):
        fit(rnn.init_params(2, 4, 1), 5, steps=0)
    with pytest.raises(ValueError, match="clip_norm: expected a finite number > 0 or None"):
        fit(rnn.init_params(2, 4, 1), 5, clip_norm=-1)
    with pytest.raises(TypeError, match="clip_norm: expected a finite number > 0 or None, got bool"):
        fit(rnn.init_params(2, 4, 1), 5, clip_norm=True)
    with pytest.raises(ValueError, match="blas_threads: expected an int in \\[1, 1024\\] or None"):
        fit(rnn.init_params(2, 4, 1), 5, blas_threads=0)
    with pytest.raises(TypeError, match="optimizer: expected an optimizer object"):
        fit(rnn.init_params(2, 4, 1), 5, optimizer="adam")


def test_fit_trains_a_gru_too():
    from rnn_edu import adding, gru

    params = gru.init_params(2, 8, 1, seed=0)
    before = params.copy()
    val = adding_problem(200, 10, seed=99)
    history = fit(params, 10, steps=60, val=val)
    assert not np.array_equal(before.W_hh, params.W_hh)
    assert history.val_mse == adding.mse(params, *val)
    assert history.val_mse < adding.mse(before, *val)
