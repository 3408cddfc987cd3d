"""Forecasting a series, done right: chronological splits, training-only statistics, windows that
never see the future, and the baselines a statistician tries first (notebook 06).

A series ``z: (n,)`` is split by time, never shuffled: ``train = z[:train_end]``,
``val = z[train_end:val_end]``, ``test = z[val_end:]``. A forecast of ``z[t]`` made ``horizon``
steps ahead may use ``z[:t - horizon + 1]`` and nothing later; the *origin* ``o = t - horizon``
is the last value it has seen. Forecast tables are indexed by origin::

    F: (n, H)    F[o, h - 1] = the forecast of z[o + h] made at origin o (NaN where impossible)

and :func:`at_horizon` lines them up by target, ``f[t] = F[t - h, h - 1]``, so that the error
over any range of targets is one slice. Every forecaster here is a function of the past only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C


def chronological_split(n: int, val_fraction: float = 0.15, test_fraction: float = 0.15):
    """``(train_end, val_end)``: train ``[0, train_end)``, validation ``[train_end, val_end)``,
    test ``[val_end, n)``; the test part is the most recent, so it is the honest future."""
    n = C.require_int("n", n, 3)
    val_fraction = C.require_real("val_fraction", val_fraction, above=0, below=1)
    test_fraction = C.require_real("test_fraction", test_fraction, above=0, below=1)
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"val_fraction + test_fraction: expected < 1 (something left to train on), "
                         f"got {val_fraction} + {test_fraction}")
    val_end = n - max(1, round(n * test_fraction))
    train_end = val_end - max(1, round(n * val_fraction))
    if train_end < 1:
        raise ValueError(f"n: expected enough values to train on with these fractions, got {n}")
    return train_end, val_end


@dataclass(frozen=True)
class Standardizer:
    """``z = (x - mean) / std`` with the mean and standard deviation of the training part only."""

    mean: float
    std: float

    @classmethod
    def fit(cls, train) -> Standardizer:
        train = _series("train", train, 2)
        return cls(float(train.mean()), float(train.std()) or 1.0)

    def __post_init__(self) -> None:
        C.require_real("mean", self.mean)
        C.require_real("std", self.std, above=0)

    def transform(self, x) -> np.ndarray:
        """``(x - mean) / std``; NaN (a missing forecast, as in the tables below) stays NaN."""
        return (C.require_array("x", x, finite=False) - self.mean) / self.std

    def inverse(self, z) -> np.ndarray:
        """``z * std + mean``; NaN stays NaN."""
        return C.require_array("z", z, finite=False) * self.std + self.mean


def windows(series, window: int, start: int, stop: int, horizon: int = 1):
    """Input windows and targets for every target index ``t`` in ``[start, stop)``.

    Returns ``(X, y, t)``: ``X: (m, window)`` holds ``series[t - horizon - window + 1 : t - horizon
    + 1]`` (it ends ``horizon`` steps before its target), ``y: (m,)`` is ``series[t]`` and ``t: (m,)``
    the target indices. Targets too early to have a full window are skipped. Training windows use
    ``stop = train_end``; validation and test windows may *read* older values (the past is known
    at forecast time) but their targets stay in their own part.
    """
    z = _series("series", series, 2)
    window, horizon = C.require_int("window", window, 1), C.require_int("horizon", horizon, 1)
    start, stop = C.require_int("start", start, 0), C.require_int("stop", stop, 0)
    C.require_size("window", window * len(z))  # at most len(z) windows of this length
    if stop > len(z):  # each bound named on its own: callers such as fit_ar pass only stop
        raise ValueError(f"stop: expected at most len(series) = {len(z)}, got {stop}")
    if start > stop:
        raise ValueError(f"start: expected at most stop = {stop}, got {start}")
    t = np.arange(max(start, window + horizon - 1), stop)
    X = z[(t - horizon - window + 1)[:, None] + np.arange(window)]
    return X.reshape(len(t), window), z[t], t


def naive_table(series, horizon: int) -> np.ndarray:
    """The naive forecast, the last value seen, for every origin: ``(n, horizon)``."""
    z = _series("series", series, 1)
    C.require_size("horizon", len(z) * C.require_int("horizon", horizon, 1))
    return np.repeat(z[:, None], horizon, axis=1)


def seasonal_naive_table(series, horizon: int, period: int = 12) -> np.ndarray:
    """The seasonal naive forecast, the same month of the last year seen: ``(n, horizon)``.

    ``z[o + h]`` is forecast by ``z[o + h - period * ceil(h / period)]``, the latest value of the
    same season at or before the origin ``o``; NaN when the series does not reach back so far.
    """
    z = _series("series", series, 1)
    C.require_size("horizon", len(z) * C.require_int("horizon", horizon, 1))
    # a period beyond len(z) + horizon reaches before the series everywhere, like that bound does
    period = min(C.require_int("period", period, 1), len(z) + horizon)
    h = np.arange(1, horizon + 1)
    source = np.arange(len(z))[:, None] + h - period * -(-h // period)
    return np.where(source >= 0, z[np.clip(source, 0, None)], np.nan)


def fit_ar(series, order: int, stop: int) -> np.ndarray:
    """Least-squares autoregression ``z[t] ~ c + a_1 z[t-1] + ... + a_p z[t-p]`` on targets before
    ``stop``: returns ``coef: (order + 1,)`` = ``[c, a_p, ..., a_1]`` (oldest lag first, like a window)."""
    order, stop = C.require_int("order", order, 1), C.require_int("stop", stop, 0)
    targets = max(0, stop - order)  # what windows() returns, counted first: a huge order is
    if targets <= order + 1:  # named here, not as the size of the windows
        raise ValueError(f"order: expected more than {order + 1} targets before stop={stop} for "
                         f"order {order}, got {targets}")
    X, y, _ = windows(series, order, 0, stop)
    coef, *_ = np.linalg.lstsq(np.hstack([np.ones((len(y), 1)), X]), y, rcond=None)
    return coef


def ar_predict(coef: np.ndarray, X: np.ndarray) -> np.ndarray:
    """One-step AR forecasts from windows ``X: (m, window >= order)``, using their last ``order`` values."""
    coef = C.require_array("coef", coef, ndim=1, nonempty=True)
    order = len(coef) - 1
    X = C.require_array("X", X, ndim=2)
    if X.shape[1] < order:
        raise ValueError(f"X: expected windows (m, >= {order}), got shape {X.shape}")
    return coef[0] + X[:, X.shape[1] - order:] @ coef[1:]


def recursive_table(predict, series, window: int, horizon: int) -> np.ndarray:
    """Multi-step forecasts of a one-step model for every origin: ``(n, horizon)``.

    predict: maps windows ``(m, window)`` to one-step forecasts ``(m,)``. Step h feeds the
    forecasts of steps 1..h-1 back in place of values not yet seen. Rows ``o < window - 1``
    (no full window yet) are NaN.
    """
    C.require_callable("predict", predict)
    z = _series("series", series, 1)
    window, horizon = C.require_int("window", window, 1), C.require_int("horizon", horizon, 1)
    C.require_size("horizon", len(z) * horizon)
    table = np.full((len(z), horizon), np.nan)
    if len(z) < window:
        return table
    X, _, t = windows(np.append(z, 0.0), window, window, len(z) + 1)  # windows ending at each origin
    for h in range(horizon):
        step = C.require_array("predict", predict(X)).reshape(-1)  # its forecasts, finite
        if step.shape != (len(X),):
            raise ValueError(f"predict: expected {len(X)} forecasts for {len(X)} windows, "
                             f"got shape {step.shape}")
        table[t - 1, h] = step
        X = np.hstack([X[:, 1:], step[:, None]])
    return table


def at_horizon(table: np.ndarray, horizon: int) -> np.ndarray:
    """Line a forecast table up by target: ``f[t] = table[t - horizon, horizon - 1]``, ``(n,)``."""
    table = C.require_array("table", table, ndim=2, finite=False)  # NaN: no forecast there
    horizon = C.require_int("horizon", horizon, 1)
    if horizon > table.shape[1]:
        raise ValueError(f"horizon: expected <= {table.shape[1]} (the table's width), got {horizon}")
    f = np.full(len(table), np.nan)
    f[horizon:] = table[: len(table) - horizon, horizon - 1]
    return f


def mae(forecast, target) -> float:
    """Mean absolute error over the entries where the forecast exists (NaN means none)."""
    # NaN: no forecast there; an empty array has no entries to average (not a NaN result)
    forecast = C.require_array("forecast", forecast, finite=False, nonempty=True)
    target = C.require_array("target", target, shape=forecast.shape)
    if np.isinf(forecast).any():
        raise C.NonFiniteError("forecast: expected finite numbers or NaN (no forecast), got inf")
    ok = np.isfinite(forecast)
    return float(np.abs(forecast[ok] - target[ok]).mean()) if ok.any() else float("nan")


def fit_rnn(X_train, y_train, X_val, y_val, *, units: int = 32, seed: int = 0, epochs: int = 20,
            batch_size: int = 32, patience: int = 5, verbose: int = 0):
    """Train ``SimpleRNN(units) -> Dense(1)`` on windows ``(m, window)`` -> next values ``(m,)``.

    The recipe of notebook 06: seeded (``keras.utils.set_random_seed``), Adam, mean squared error,
    and early stopping on the validation windows that restores the best epoch's weights.
    Returns ``(model, history)``; the model maps ``(m, window, 1)`` to ``(m, 1)``.
    Training runs in float32; results are reproducible on one machine and thread count. Every
    argument is checked before Keras builds anything; a run whose loss overflows float32 (values
    far from standardized, e.g. 1e20) is refused after it, naming the data, not returned.
    """
    import keras

    X_train = C.require_array("X_train", X_train, ndim=2, nonempty=True)
    y_train = C.require_array("y_train", y_train, shape=(len(X_train),))
    X_val = C.require_array("X_val", X_val, shape=("m", X_train.shape[1]), nonempty=True)
    y_val = C.require_array("y_val", y_val, shape=(len(X_val),))
    C.require_int("units", units, 1, 4096)
    epochs, batch_size = C.require_int("epochs", epochs, 1), C.require_int("batch_size", batch_size, 1)
    C.require_int("patience", patience, 0)
    C.require_choice("verbose", verbose, (0, 1, 2))
    C.require_size("epochs", epochs * X_train.size, 10**8, what="sequence steps")
    keras.utils.set_random_seed(C.require_seed("seed", seed))
    window = X_train.shape[1]
    model = keras.Sequential([
        keras.Input((window, 1)),
        keras.layers.SimpleRNN(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    stop = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    history = model.fit(np.asarray(X_train)[..., None], np.asarray(y_train), epochs=epochs,
                        batch_size=batch_size, validation_data=(np.asarray(X_val)[..., None],
                                                                np.asarray(y_val)),
                        callbacks=[stop], verbose=verbose)
    for names, key in (("X_train, y_train", "loss"), ("X_val, y_val", "val_loss")):
        if not np.isfinite(history.history[key]).all():
            raise ValueError(f"{names}: expected values on a standardized scale (forecast.Standardizer), "
                             f"got a {key} of {history.history[key][-1]} (float32 overflow)")
    return model, history


def _series(name: str, value, min_len: int) -> np.ndarray:
    z = C.require_array(name, value, ndim=1)
    if len(z) < min_len:
        raise ValueError(f"{name}: expected a 1-D array of at least {min_len} values, got shape {z.shape}")
    return z
