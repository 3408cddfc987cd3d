"""Exercises of notebook 06 (Keras SimpleRNN, forecasting done right): each checker says what is
wrong and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import forecast
from rnn_edu.exercises._feedback import (
    Feedback,
    WatchedModel,
    as_array,
    call_learner,
    exercise,
    hint,
    learner_array,
    passed,
)


def _pair(got):
    """A learner's ``(X, y)`` as float arrays ``(X (m, w), y (m,))``, or ``(None, feedback)``."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        what = "None: did you forget a `return`?" if got is None else type(got).__name__
        return None, hint(f"expected a pair (X, y), got {what}")
    X, failed = as_array(got[0], "X")
    if failed is None:
        y, failed = as_array(got[1], "y")
    if failed is not None:
        return None, failed
    if X.ndim == 3 and X.shape[2] == 1:  # (m, window, 1), ready for Keras: fine too
        X = X[..., 0]
    return (X, y.reshape(-1) if y.ndim == 2 and y.shape[1:] == (1,) else y), None


@exercise("1. windows without leakage")
def check_windows(fn) -> Feedback:
    """Exercise 1: ``fn(series, window, start, stop) -> (X, y)``, one-step windows for every
    target index t in ``[start, stop)`` that has a full window: ``X[i] = series[t - window : t]``,
    ``y[i] = series[t]``."""
    series = np.random.default_rng(6).uniform(10, 30, 40)  # distinct values: each names its index
    for window, start, stop in ((4, 0, 25), (3, 25, 33), (6, 33, 40)):
        X_ref, y_ref, t = forecast.windows(series, window, start, stop)
        got, failed = call_learner(fn, series.copy(), window, start, stop)
        if failed is None:
            got, failed = _pair(got)
        if failed is not None:
            return failed
        X, y = got
        case = f"for window={window}, start={start}, stop={stop}"
        if X.shape == (len(y_ref), window) and y.shape == y_ref.shape and np.allclose(X, X_ref) \
                and np.allclose(y, y_ref):
            continue
        if X.ndim == 1 and y.ndim >= 2 and y.shape[1] == window:
            msg = "X and y look swapped: return (X, y), the windows first."
        elif X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
            msg = (f"{case} expected X of shape (m, window) = {X_ref.shape} and y of shape (m,) = "
                   f"{y_ref.shape}, got {X.shape} and {y.shape}.")
        elif X.shape[1] != window:
            msg = f"{case} each window should hold {window} values, got {X.shape[1]}."
            if X.shape[1] == window + 1 and np.allclose(X[:, -1], y):
                msg += " The last one is the target itself: that leaks the answer into the input."
        elif X.shape == X_ref.shape and np.allclose(X, X_ref) and np.allclose(y, X_ref[:, -1]):
            msg = ("your targets are the last value of each window, the value already seen: the "
                   "target is the next one, series[t] after series[t - window : t].")
        elif np.allclose(X[:, -1], y):
            msg = ("each window ends with its own target (X[i, -1] == y[i]): the model would be "
                   "shown the answer. A window for target t is series[t - window : t], ending at t - 1.")
        elif len(y) == len(y_ref) and np.allclose(y, X.mean(axis=1)):
            msg = ("the targets are the windows' means: that is what the source article's "
                   "fit(data, data) teaches. The target is the next value.")
        elif len(y) != len(y_ref) and _indices(series, y) is not None:
            ts, first = _indices(series, y), max(start, window)
            msg = f"{case} expected {len(y_ref)} windows (targets {first}..{stop - 1}), got {len(y)}: "
            if ts.max() >= stop:
                msg += ("a target lies at or after stop, in the next split: targets run over "
                        "range(max(start, window), stop).")
            elif ts.min() < first:
                msg += ("some targets have no full window: series[t - window : t] with t < window "
                        "wraps around (negative indices count from the end of the array, the "
                        "future!) or comes out short. Start at t = max(start, window).")
            elif ts.min() > first:
                msg += f"the first target is {ts.min()}, expected {first}: " + (
                    "a window may reach back before start (the past is known at forecast time); "
                    "only the targets must lie in [start, stop)." if ts.min() == start + window
                    else "targets run over range(max(start, window), stop).")
            else:
                msg += ("the first or the last target is missing: targets run over "
                        "range(max(start, window), stop), stop excluded.")
        elif len(y) == len(y_ref) and np.allclose(y, y_ref):
            msg = ("the targets are right but the windows are not: X[i] = series[t - window : t], "
                   "the window values just before target t, oldest first.")
            if np.allclose(X, X_ref[:, ::-1]):
                msg = "each window is reversed: keep time order, oldest value first."
        else:
            msg = (f"{case} expected y = {np.round(y_ref[:4], 2).tolist()}..., got "
                   f"{np.round(y[:4], 2).tolist()}...: y[i] = series[t], X[i] = series[t - window : t].")
        return hint(msg)
    return passed("every window ends just before its target, and no target leaves "
                                "its split.")


def _indices(series: np.ndarray, values: np.ndarray):
    """The positions in ``series`` of ``values`` (all distinct), or None if one is not found."""
    index = {v: i for i, v in enumerate(series.tolist())}
    found = [index.get(v) for v in values.tolist()]
    return None if None in found or not found else np.array(found)


@exercise("2. the seasonal naive forecast")
def check_seasonal_naive(fn) -> Feedback:
    """Exercise 2: ``fn(series, targets, horizon) -> forecasts``, the seasonal naive forecast of
    ``series[targets]`` made ``horizon`` months earlier: the latest value of the same calendar month
    that was known at the origin ``t - horizon`` (monthly data, period 12)."""
    series = np.round(np.random.default_rng(7).uniform(18, 28, 120), 2)
    for horizon in (1, 5, 12, 13, 24):
        targets = np.arange(60, 120, 7)
        expected = forecast.at_horizon(forecast.seasonal_naive_table(series, horizon), horizon)[targets]
        got, failed = learner_array(fn, series.copy(), targets.copy(), horizon)
        if failed is not None:
            return failed
        got = got.reshape(-1) if got.size == len(targets) else got
        if got.shape != expected.shape:
            return hint(f"expected one forecast per target, shape {expected.shape}, "
                                      f"got {got.shape}.")
        if np.allclose(got, expected):
            continue
        one_more_year = 12 * (horizon // 12 + 1)
        near = {k: bool(targets.min() >= k and np.allclose(got, series[targets - k]))
                for k in {0, 11, 12, 13, horizon, 12 * horizon, one_more_year}}
        if near[0]:
            msg = "that is series[targets] itself, the value to be forecast: a forecast cannot see it."
        elif near[12] and horizon > 12:
            msg = (f"for horizon {horizon}, series[t - 12] lies after the origin t - {horizon}: it is "
                   "not known yet. Go back whole years until you reach the known past: "
                   "t - 12 * ceil(horizon / 12).")
        elif near[one_more_year] and horizon % 12 == 0:
            msg = (f"for horizon {horizon} you went back {horizon // 12 + 1} years, one too many: "
                   f"the origin t - {horizon} is itself the same calendar month, already known. "
                   "The number of years back is ceil(horizon / 12), not horizon // 12 + 1.")
        elif near[horizon] and horizon % 12:
            msg = ("that is the naive forecast, the last value seen (t - horizon); the seasonal naive "
                   "forecast uses the same calendar month, a whole number of years back.")
        elif near[11] or near[13]:
            msg = "off by one month: the same calendar month is exactly 12 months back."
        elif near[12 * horizon] and horizon > 1:
            msg = ("12 * horizon months back is further than needed: the latest known value of the "
                   "same month is 12 * ceil(horizon / 12) months back.")
        elif np.allclose(got, np.array([series[t % 12::12][: t // 12 + 1].mean() for t in targets])):
            msg = ("that is the mean of the same month over the years up to the target itself: it "
                   "averages in the value being forecast. Use only the latest known year.")
        elif np.allclose(got, np.array([series[t % 12::12].mean() for t in targets])):
            msg = ("that averages the same month over every year, the future ones too: a forecast "
                   "made at t - horizon may use only values up to t - horizon.")
        else:
            msg = (f"for horizon {horizon} expected {np.round(expected[:4], 2).tolist()}..., got "
                   f"{np.round(got[:4], 2).tolist()}....")
        return hint(msg)
    return passed("the same month of the latest year seen at the origin.")


@exercise("3. autoregression by least squares")
def check_fit_ar(fn) -> Feedback:
    """Exercise 3: ``fn(train, order) -> coef``, least-squares AR coefficients ``(order + 1,)`` =
    ``[c, a_p, ..., a_1]`` for ``z[t] ~ c + a_p z[t-p] + ... + a_1 z[t-1]`` over every t with a full
    window (oldest lag first, like a window, so that ``coef[0] + X @ coef[1:]`` forecasts)."""
    rng = np.random.default_rng(8)
    z = np.zeros(400)
    for t in range(3, 400):
        z[t] = 0.5 + 0.5 * z[t - 1] - 0.3 * z[t - 2] + 0.1 * z[t - 3] + 0.2 * rng.standard_normal()
    for order in (3, 2):
        expected = forecast.fit_ar(z, order, len(z))
        got, failed = call_learner(fn, z.copy(), order)
        if failed is None and isinstance(got, tuple) and len(got) == 4:
            failed = hint("that is all of np.linalg.lstsq's result (solution, residuals, rank, "
                                "singular values): return its first element.")
        if failed is None:
            got, failed = as_array(got)
        if failed is not None:
            return failed
        got = got.reshape(-1) if got.size in (order, order + 1) else got
        if got.shape == expected.shape and np.allclose(got, expected, atol=1e-8):
            continue
        X, y, _ = forecast.windows(z, order, 0, len(z))
        no_c = np.linalg.lstsq(X, y, rcond=None)[0]
        if got.shape == (order,) and np.allclose(got, no_c, atol=1e-6):
            msg = "the intercept c is missing: add a column of ones to the design matrix, coef[0] = c."
        elif got.shape == (order,):
            msg = f"expected order + 1 = {order + 1} numbers [c, a_p, ..., a_1], got {order}."
        elif got.shape != expected.shape:
            msg = f"expected {order + 1} coefficients [c, a_p, ..., a_1], got shape {got.shape}."
        elif np.allclose(got[1:], expected[1:][::-1], atol=1e-6) and np.isclose(got[0], expected[0]):
            msg = ("the lags are in reverse order: coef[1] multiplies the oldest value, z[t - p], so "
                   "that coef[1:] lines up with a window (oldest first).")
        elif np.allclose(got[:-1], expected[1:], atol=1e-6) and np.isclose(got[-1], expected[0]):
            msg = "the intercept is last: put c first, coef = [c, a_p, ..., a_1]."
        elif np.allclose(got, expected[::-1], atol=1e-6):
            msg = ("the whole order is reversed, [a_1, ..., a_p, c]: put c first, then the oldest "
                   "lag, coef = [c, a_p, ..., a_1].")
        elif np.allclose(got, forecast.fit_ar(z, order, len(z) - 1), atol=1e-6):
            msg = ("the fit leaves out the last target, z[-1]: fit every t with a full window, up to "
                   "and including the last value of train.")
        elif np.isclose(got[-1], 1.0, atol=1e-6) and np.allclose(got[:-1], 0.0, atol=1e-6):
            msg = ("a perfect fit, z[t] = 1 * z[t]: the target is inside its own inputs. Regress "
                   "z[t] on z[t - p], ..., z[t - 1] only.")
        else:
            Xs, ys, _ = forecast.windows(z, order, 0, len(z), horizon=2)
            shifted = np.linalg.lstsq(np.hstack([np.ones((len(ys), 1)), Xs]), ys, rcond=None)[0]
            if np.allclose(got, shifted, atol=1e-6):
                msg = "the inputs end at z[t - 2]: one step ahead, the newest input is z[t - 1]."
            else:
                msg = (f"for order {order} expected {np.round(expected, 4).tolist()}, got "
                       f"{np.round(got, 4).tolist()}. Hint: np.linalg.lstsq(A, y) with A = [1, window].")
        return hint(msg)
    return passed("the statistician's baseline, in two lines of least squares.")


@exercise("4. a Keras forecaster in NumPy")
def check_numpy_forecast(fn) -> Feedback:
    """Exercise 4: ``fn(model, X) -> forecasts``: a trained Keras ``SimpleRNN -> Dense(1)``
    forecaster's predictions for windows ``X: (m, window)``, computed in NumPy from its weights
    (``model.get_weights()`` = ``[W_xh, W_hh, b_h, W_hy, b_y]``), ``(m,)``."""
    import keras

    rng = np.random.default_rng(9)
    window, units, m = 6, 5, 7
    model = keras.Sequential([keras.Input((window, 1)), keras.layers.SimpleRNN(units),
                              keras.layers.Dense(1)])
    W_xh, W_hh, b_h = (rng.normal(0, 0.6, s) for s in ((1, units), (units, units), (units,)))
    W_hy, b_y = rng.normal(0, 0.6, (units, 1)), np.array([0.4])
    model.set_weights([W_xh, W_hh, b_h, W_hy, b_y])
    X = rng.normal(size=(m, window))
    expected = np.asarray(model(X[..., None]), dtype=float)[:, 0]

    def run(W_hh=W_hh, b_h=b_h, b_y=b_y, act=np.tanh, read=-1, X=X):
        h, hs = np.zeros((m, units)), []
        for t in range(window):
            h = act(X[:, t:t + 1] @ W_xh + h @ W_hh + b_h)
            hs.append(h)
        return (hs[read] @ W_hy + b_y)[:, 0]

    watched = WatchedModel(model)
    got, failed = learner_array(fn, watched, X.copy())
    if failed is not None:
        return failed
    if watched.ran:
        return hint("you ran the Keras model (model.predict or model(X)): the exercise is to "
                    "compute its forecasts yourself, in NumPy, from model.get_weights().")
    if got.size == m:
        got = got.reshape(-1)
    elif got.shape in ((m, window), (m, window, 1)):
        return hint(f"you returned a forecast for every time step, shape {got.shape}: "
                                  "the forecaster reads only the last state (return_sequences=False).")
    if got.shape != (m,):
        return hint(f"expected one forecast per window, shape ({m},), got {got.shape}.")
    if np.allclose(got, expected, atol=1e-5):
        return passed("Keras' SimpleRNN is rnn_edu's RNN: the same numbers from NumPy.")
    for wrong, msg in (
        (run(W_hh=W_hh.T), "W_hh is transposed: Keras' recurrent_kernel goes in as it is, h @ W_hh."),
        (run(b_h=0 * b_h), "the recurrent layer's bias b_h is missing (get_weights()[2])."),
        (run(b_y=0 * b_y), "the Dense layer's bias b_y is missing (get_weights()[4])."),
        (run(act=lambda a: a), "tanh is missing: h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)."),
        (run(read=0), "you read the first state: the forecast comes from the last one, h_T."),
        (run(read=-2), "the loop stops one step early: run every step, t = 0 .. window - 1, and "
         "forecast from the state after the last one."),
        (run(X=X[:, ::-1]), "the window is read backwards: step t reads X[:, t], the oldest value "
         "first, so the newest value is read last."),
        (run(W_hh=0 * W_hh), "the recurrence is missing: each step adds h_{t-1} @ W_hh."),
    ):
        if np.allclose(got, wrong, atol=1e-5):
            return hint(msg)
    return hint(f"expected {np.round(expected[:3], 4).tolist()}..., got "
                              f"{np.round(got[:3], 4).tolist()}.... Hint: loop over the window's "
                              "steps with h = tanh(x_t @ W_xh + h @ W_hh + b_h), then h @ W_hy + b_y.")

