
import keras
import numpy as np
import pytest

from rnn_edu.exercises import nb06
from tests.exercise_helpers import assert_hint, no_return


def ref_windows(series, window, start, stop):
    t = np.arange(max(start, window), stop)
    return np.array([series[i - window:i] for i in t]).reshape(len(t), window), series[t]


def ref_seasonal(series, targets, horizon):
    return series[targets - 12 * int(np.ceil(horizon / 12))]


def ref_ar(train, order):
    X, y = ref_windows(train, order, 0, len(train))
    A = np.hstack([np.ones((len(y), 1)), X])
    return np.linalg.lstsq(A, y, rcond=None)[0]


def ref_numpy_forecast(model, X):
    W_xh, W_hh, b_h, W_hy, b_y = model.get_weights()
    h = np.zeros((len(X), W_hh.shape[0]))
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t:t + 1] @ W_xh + h @ W_hh + b_h)
    return (h @ W_hy + b_y)[:, 0]


def test_reference_answers_pass():
    assert nb06.check_windows(ref_windows).ok
    assert nb06.check_seasonal_naive(ref_seasonal).ok
    assert nb06.check_fit_ar(ref_ar).ok
    assert nb06.check_numpy_forecast(ref_numpy_forecast).ok
    # Keras-shaped answers are fine too: X (m, window, 1), y (m, 1)
    keras_shaped = lambda s, w, a, b: (ref_windows(s, w, a, b)[0][..., None],
                                       ref_windows(s, w, a, b)[1][:, None])
    assert nb06.check_windows(keras_shaped).ok


def test_strict_mode_turns_a_hint_into_an_error(monkeypatch):
    monkeypatch.setenv("RNN_EDU_STRICT", "1")
    assert nb06.check_seasonal_naive(ref_seasonal).ok
    with pytest.raises(AssertionError, match="not yet"):
        nb06.check_seasonal_naive(lambda s, t, h: s[t])


def windows_from(series, window, targets, end=0):
    """Windows series[t - window - end : t - end] for the given targets (some of them wrong)."""
    return (np.array([series[t - window - end:t - end] if t - window - end >= 0 else
                      np.r_[series[t - window - end:], series[:t - end]] for t in targets]),
            series[targets])


@pytest.mark.parametrize("fn, expected", [
    (lambda s, w, a, b: (np.array([s[t - w + 1:t + 1] for t in range(max(a, w), b)]),
                         s[max(a, w):b]), "ends with its own target"),
    (lambda s, w, a, b: (ref_windows(s, w, a, b)[0], ref_windows(s, w, a, b)[0][:, -1]),
     "the last value of each window"),
    (lambda s, w, a, b: (ref_windows(s, w, a, b)[0], ref_windows(s, w, a, b)[0].mean(axis=1)),
     r"windows' means.*fit\(data, data\)"),
    (lambda s, w, a, b: windows_from(s, w, np.arange(a, b)), "wraps around.*the future"),
    (lambda s, w, a, b: windows_from(s, w, np.arange(max(a, w), b + 1)) if b < len(s) else
     ref_windows(s, w, a, b), "at or after stop, in the next split"),
    (lambda s, w, a, b: windows_from(s, w, np.arange(max(a, w), b - 1)), "last target is missing"),
    (lambda s, w, a, b: windows_from(s, w, np.arange(a + w, b)),  # windows cut from inside the split
     r"first target is 28, expected 25.*reach back before start"),
    (lambda s, w, a, b: windows_from(s, w, np.arange(max(a, w) + 1, b)),
     r"first target is 5, expected 4: targets run over range"),
    (lambda s, w, a, b: (ref_windows(s, w, a, b)[0][:, ::-1], ref_windows(s, w, a, b)[1]), "reversed"),
    (lambda s, w, a, b: (ref_windows(s, w + 1, a, b)[0], ref_windows(s, w + 1, a, b)[1]),
     "each window should hold"),
    (lambda s, w, a, b: ref_windows(s, w, a, b)[::-1], "swapped"),
    (lambda s, w, a, b: ref_windows(s, w, a, b)[0], "expected a pair"),
    (no_return, "forget a `return`"),
    (lambda s, w, a, b: ("X", "y"), "array of numbers"),
    (lambda s, w, a, b: s[0:w] / 0 + {}[1], "raised"),
])
def test_window_mistakes_get_specific_hints(fn, expected):
    assert_hint(nb06.check_windows, fn, expected)


@pytest.mark.parametrize("fn, expected", [
    (lambda s, t, h: s[t], "the value to be forecast"),
    (lambda s, t, h: s[t - 12], "not known yet"),
    (lambda s, t, h: s[t - h], "the naive forecast"),
    (lambda s, t, h: s[t - 11], "off by one month"),
    (lambda s, t, h: s[t - 13], "off by one month"),
    (lambda s, t, h: s[t - 12 * h] if h > 1 else s[t - 12], r"12 \* horizon months back"),
    (lambda s, t, h: s[t - 12 * (h // 12 + 1)], r"back 2 years, one too many.*ceil\(horizon / 12\)"),
    (lambda s, t, h: np.array([s[i % 12::12][: i // 12 + 1].mean() for i in t]), "averages in the value"),
    (lambda s, t, h: np.array([s[i % 12::12].mean() for i in t]), "the future ones too"),
    (lambda s, t, h: s[t - 12][:-1], "one forecast per target"),
    (no_return, "forget a `return`"),
    (lambda s, t, h: s[t - 12 * int(np.ceil(h / 12))] + 0.5, r"expected \["),
])
def test_seasonal_mistakes_get_specific_hints(fn, expected):
    assert_hint(nb06.check_seasonal_naive, fn, expected)


def lstsq_fit(train, order, *, intercept=True, reverse=False, c_last=False, include_target=False,
              gap=1, whole=False):
    X, y = ref_windows(train, order + gap - 1, 0, len(train))
    X = X[:, :order]
    if include_target:
        X = np.hstack([X[:, 1:], y[:, None]])
    A = np.hstack([np.ones((len(y), 1)), X]) if intercept else X
    result = np.linalg.lstsq(A, y, rcond=None)
    if whole:
        return result
    coef = result[0]
    if reverse:
        coef = np.r_[coef[0], coef[1:][::-1]]
    if c_last:
        coef = np.r_[coef[1:], coef[0]]
    return coef


@pytest.mark.parametrize("kwargs, expected", [
    ({"intercept": False}, "intercept c is missing"),
    ({"reverse": True}, "reverse order"),
    ({"c_last": True}, "intercept is last"),
    ({"include_target": True}, "inside its own inputs"),
    ({"gap": 2}, r"end at z\[t - 2\]"),
    ({"whole": True}, "all of np.linalg.lstsq's result"),
])
def test_ar_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb06.check_fit_ar, lambda z, p: lstsq_fit(z, p, **kwargs), expected)


def test_ar_reversed_and_short_fits():
    assert_hint(nb06.check_fit_ar, lambda z, p: ref_ar(z, p)[::-1], r"whole order is reversed")
    assert_hint(nb06.check_fit_ar, lambda z, p: ref_ar(z[:-1], p), r"leaves out the last target")


def test_ar_odd_answers():
    assert_hint(nb06.check_fit_ar, lambda z, p: np.zeros(p + 3), r"expected \d coefficients")
    assert_hint(nb06.check_fit_ar, lambda z, p: np.zeros(p), r"expected order \+ 1")
    assert_hint(nb06.check_fit_ar, no_return, "forget a `return`")
    assert_hint(nb06.check_fit_ar, lambda z, p: 1.1 * ref_ar(z, p), r"expected \[")


def rnn_numpy(model, X, *, transpose=False, b_h=True, b_y=True, act=np.tanh, first=False,
              recur=True, every=False, short=False, backwards=False):
    W_xh, W_hh, bh, W_hy, by = model.get_weights()
    W_hh = W_hh.T if transpose else W_hh
    X = X[:, ::-1] if backwards else X
    h, hs = np.zeros((len(X), W_hh.shape[0])), []
    for t in range(X.shape[1] - short):
        h = act(X[:, t:t + 1] @ W_xh + (h @ W_hh if recur else 0) + (bh if b_h else 0))
        hs.append(h)
    if every:
        return np.stack([(s @ W_hy + by)[:, 0] for s in hs], axis=1)
    return ((hs[0] if first else hs[-1]) @ W_hy + (by if b_y else 0))[:, 0]


@pytest.mark.parametrize("kwargs, expected", [
    ({"transpose": True}, "W_hh is transposed"),
    ({"b_h": False}, "bias b_h is missing"),
    ({"b_y": False}, "bias b_y is missing"),
    ({"act": lambda a: a}, "tanh is missing"),
    ({"first": True}, "first state"),
    ({"recur": False}, "recurrence is missing"),
    ({"every": True}, "every time step"),
    ({"short": True}, "stops one step early"),
    ({"backwards": True}, "read backwards"),
])
def test_numpy_forecast_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb06.check_numpy_forecast, lambda m, X: rnn_numpy(m, X, **kwargs), expected)


def test_numpy_forecast_odd_answers():
    assert_hint(nb06.check_numpy_forecast, no_return, "forget a `return`")
    assert_hint(nb06.check_numpy_forecast, lambda m, X: np.zeros(3), r"shape \(7,\)")
    assert_hint(nb06.check_numpy_forecast, lambda m, X: m.predict_nothing(X), "raised AttributeError")
    assert_hint(nb06.check_numpy_forecast, lambda m, X: 2 + ref_numpy_forecast(m, X), r"expected \[")
    assert isinstance(keras.layers.SimpleRNN(1), keras.layers.Layer)  # the checker builds a real model
    # the expected forecasts print as short float64 numbers, not float32's 1.0206999778747559
    assert_hint(nb06.check_numpy_forecast, lambda m, X: 2 + ref_numpy_forecast(m, X),
                r"expected \[-?\d+\.\d{1,4}, -?\d+\.\d{1,4}, -?\d+\.\d{1,4}\]")


@pytest.mark.parametrize("fn", [
    lambda m, X: m.predict(X[..., None], verbose=0)[:, 0],
    lambda m, X: np.asarray(m(X[..., None]))[:, 0],
])
def test_numpy_forecast_must_not_run_the_keras_model(fn):
    assert_hint(nb06.check_numpy_forecast, fn, r"you ran the Keras model.*model\.get_weights\(\)")
