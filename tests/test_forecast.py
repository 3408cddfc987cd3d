"""Windows that never see the future, training-only statistics, and the baselines of notebook 06."""

import numpy as np
import pytest

from rnn_edu import forecast as fc


def test_split_is_chronological_and_complete():
    train_end, val_end = fc.chronological_split(732)
    assert (train_end, val_end) == (512, 622)  # 70 / 15 / 15 %
    assert fc.chronological_split(10, 0.2, 0.3) == (5, 7)
    assert fc.chronological_split(3, 0.1, 0.1) == (1, 2)  # every part keeps at least one value


@pytest.mark.parametrize("args, message", [
    ((2,), "n: expected an int >= 3, got 2"),
    ((10.0,), "n: expected an int >= 3"),
    ((10, 0.0), r"val_fraction: expected a finite number in \(0, 1\), got 0.0"),
    ((10, 0.2, 1.5), r"test_fraction: expected a finite number in \(0, 1\), got 1.5"),
    ((10, 0.5, 0.5), "val_fraction \\+ test_fraction: expected < 1"),
    ((10, True), "val_fraction: expected a finite number"),
    ((10, np.float32(0.2), np.float64(0.1)), None),
])
def test_split_names_bad_arguments(args, message):
    if message is None:  # NumPy scalars are numbers too
        assert fc.chronological_split(*args) == (7, 9)
        return
    with pytest.raises((TypeError, ValueError), match=message):
        fc.chronological_split(*args)


def test_standardizer_uses_training_statistics_only():
    z = np.r_[np.arange(10.0), 1000.0 * np.ones(5)]
    s = fc.Standardizer.fit(z[:10])
    assert s.mean == 4.5 and s.std == pytest.approx(np.arange(10.0).std())
    np.testing.assert_allclose(s.transform(z[:10]).mean(), 0, atol=1e-12)
    assert s.transform(z)[-1] > 100  # the future is scaled with the past's statistics
    np.testing.assert_allclose(s.inverse(s.transform(z)), z)
    assert fc.Standardizer.fit([3.0, 3.0]).std == 1.0  # a constant series does not divide by 0


@pytest.mark.parametrize("window, horizon", [(1, 1), (3, 1), (4, 2), (24, 12)])
def test_windows_end_horizon_steps_before_their_targets(window, horizon):
    z = np.arange(100.0)  # value = index, so every entry says where it came from
    X, y, t = fc.windows(z, window, 30, 60, horizon)
    assert X.shape == (len(t), window) and y.shape == t.shape
    np.testing.assert_array_equal(y, t)
    np.testing.assert_array_equal(X[:, -1], t - horizon)  # the newest input: the origin
    np.testing.assert_array_equal(X[:, 0], t - horizon - window + 1)
    assert t[0] == max(30, window + horizon - 1) and t[-1] == 59  # targets stay in [start, stop)


def test_no_training_window_reaches_past_the_split():
    z = np.arange(50.0)
    X, y, t = fc.windows(z, 5, 0, 35)
    assert X.max() < 35 and y.max() < 35  # neither inputs nor targets from validation or test
    assert t[0] == 5  # the first full window
    Xv, yv, tv = fc.windows(z, 5, 35, 42)
    assert yv.min() == 35 and Xv.min() == 30  # validation inputs may read the (known) past


def test_windows_name_bad_arguments():
    z = np.arange(20.0)
    with pytest.raises(ValueError, match="window: expected an int >= 1, got 0"):
        fc.windows(z, 0, 0, 10)
    with pytest.raises(ValueError, match="horizon: expected an int >= 1"):
        fc.windows(z, 2, 0, 10, horizon=0)
    with pytest.raises(ValueError, match=r"stop: expected at most len\(series\) = 20, got 30"):
        fc.windows(z, 2, 5, 30)
    with pytest.raises(ValueError, match=r"start: expected at most stop = 10, got 15"):
        fc.windows(z, 2, 15, 10)
    with pytest.raises(ValueError, match=r"^stop: expected at most len\(series\) = 20, got 21"):
        fc.fit_ar(z, 2, 21)  # named as fit_ar's own argument
    with pytest.raises(ValueError, match=r"series: expected an array of real numbers with 1 axis.*\(4, 5\)"):
        fc.windows(z.reshape(4, 5), 2, 0, 4)
    with pytest.raises(TypeError, match="series: expected an array of real numbers.*got str"):
        fc.windows("abc", 2, 0, 2)
    X, y, t = fc.windows(z, 30, 0, 20)  # a window longer than the series: no windows, no error
    assert X.shape == (0, 30) and len(y) == len(t) == 0


def test_naive_and_seasonal_naive_tables():
    z = np.arange(40.0)
    naive = fc.at_horizon(fc.naive_table(z, 3), 3)
    np.testing.assert_array_equal(naive[3:], z[:-3])  # the last value seen, 3 steps back
    assert np.isnan(naive[:3]).all()
    table = fc.seasonal_naive_table(z, 14, period=12)
    for h in (1, 5, 12):
        np.testing.assert_array_equal(fc.at_horizon(table, h)[24:], z[12:-12])  # same month last year
    np.testing.assert_array_equal(fc.at_horizon(table, 13)[30:], z[6:-24] + 0)  # two years back
    assert np.isnan(fc.at_horizon(table, 1)[:12]).all()


def test_seasonal_naive_never_reads_past_the_origin():
    z = np.arange(60.0)
    table = fc.seasonal_naive_table(z, 24)
    origins = np.arange(60)[:, None]
    assert np.all(np.isnan(table) | (table <= origins))


def test_ar_recovers_a_known_process_and_its_recursion():
    rng = np.random.default_rng(0)
    z = np.zeros(3000)
    for t in range(2, 3000):
        z[t] = 0.3 + 0.6 * z[t - 1] - 0.2 * z[t - 2] + 0.01 * rng.standard_normal()
    coef = fc.fit_ar(z, 2, 2000)
    np.testing.assert_allclose(coef, [0.3, -0.2, 0.6], atol=0.02)  # [c, a_2, a_1]
    X, y, _ = fc.windows(z, 5, 2000, 3000)
    assert np.abs(fc.ar_predict(coef, X) - y).mean() < 0.01
    table = fc.recursive_table(lambda W: fc.ar_predict(coef, W), z, 5, 3)
    o = 2500  # step 2 feeds step 1's forecast back in
    f1 = coef[0] + coef[1] * z[o - 1] + coef[2] * z[o]
    assert table[o, 0] == pytest.approx(f1)
    assert table[o, 1] == pytest.approx(coef[0] + coef[1] * z[o] + coef[2] * f1)
    assert np.isnan(table[:4]).all() and np.isfinite(table[4:]).all()


def test_recursive_table_uses_only_the_past():
    z = np.arange(30.0)
    seen = []
    table = fc.recursive_table(lambda W: (seen.append(W.copy()), W[:, -1] + 1)[1], z, 4, 3)
    for h, W in enumerate(seen):  # origin o = 3 + row; the inputs are z[..o] then forecasts
        origins = 3 + np.arange(len(W))
        assert np.all(W[:, -1 - h] == origins)
    np.testing.assert_array_equal(fc.at_horizon(table, 2)[5:], z[5:])  # "+1" per step is exact here
    with pytest.raises(ValueError, match="predict: expected 27 forecasts for 27 windows"):
        fc.recursive_table(lambda W: W, z, 4, 1)


def test_at_horizon_and_mae_checks():
    with pytest.raises(ValueError, match=r"horizon: expected <= 3 \(the table's width\), got 4"):
        fc.at_horizon(np.zeros((5, 3)), 4)
    with pytest.raises(ValueError, match=r"table: expected an array of real numbers with 2 axes"):
        fc.at_horizon(np.zeros(5), 1)
    assert fc.mae(np.array([np.nan, 1.0, 3.0]), np.array([5.0, 2.0, 2.0])) == 1.0
    assert np.isnan(fc.mae(np.array([np.nan]), np.array([1.0])))
    with pytest.raises(ValueError, match=r"target: expected .* of shape \(2,\), got shape \(3,\)"):
        fc.mae(np.zeros(2), np.zeros(3))


def test_fit_ar_needs_enough_targets():
    with pytest.raises(ValueError, match="order: expected more than 6 targets before stop=8.*got 3"):
        fc.fit_ar(np.arange(20.0), 5, 8)


def test_fit_rnn_is_seeded_and_maps_windows_to_next_values():
    z = np.sin(np.arange(200) / 4.0)
    X, y, _ = fc.windows(z, 8, 0, 150)
    Xv, yv, _ = fc.windows(z, 8, 150, 200)
    runs = [fc.fit_rnn(X, y, Xv, yv, units=4, seed=3, epochs=2) for _ in range(2)]
    (model, history), (twin, _) = runs
    assert model.output_shape == (None, 1) and len(history.history["val_loss"]) == 2
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)  # the same seed, the same weights
