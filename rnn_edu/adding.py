"""The adding problem (Hochreiter & Schmidhuber, 1997): a long-range memory test.

Each sequence has T steps of two features ``[value, marker]``: the values are uniform on
[0, 1], and exactly two markers are 1, one in the first half and one in the second half. The
target, read after the last step, is the sum of the two marked values.

A model that ignores the inputs can do no better than predict the mean sum, 1; its mean squared
error is the variance of a sum of two independent U(0, 1), ``2 * 1/12 = 1/6 ~ 0.167``. Beating
that needs the marked values carried over up to T steps: the gradient must reach back that far.
"""

from __future__ import annotations

import numpy as np

from rnn_edu.data import _describe

#: MSE of always predicting the mean target 1: Var(U1 + U2) = 1/12 + 1/12.
BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, time: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem.

    n: how many sequences (>= 1); time: their length T (>= 2, so each half has a step).
    Returns ``(x, target)``: ``x: (n, time, 2)`` float64, ``x[..., 0]`` the values and
    ``x[..., 1]`` the markers; ``target: (n, 1)``, the sum of the two marked values.
    The same arguments always give the same data.
    """
    for name, value, low in (("n", n, 1), ("time", time, 2)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name}: expected an int >= {low}, got {_describe(value)}")
    rng = np.random.default_rng(seed)
    half = time // 2
    values = rng.uniform(0.0, 1.0, size=(n, time))
    first = rng.integers(0, half, size=n)  # one marker in steps 0..half-1
    second = rng.integers(half, time, size=n)  # the other in steps half..T-1
    markers = np.zeros((n, time))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), target[:, None]


def baseline_mse(target: np.ndarray) -> float:
    """MSE of predicting the mean target for everyone (about :data:`BASELINE_MSE`).

    target: ``(n, 1)`` or ``(n,)``.
    """
    target = np.asarray(target, dtype=float)
    if target.size == 0 or target.ndim not in (1, 2) or (target.ndim == 2 and target.shape[1] != 1):
        raise ValueError(f"target: expected a non-empty (n, 1) or (n,) array, got {_describe(target)}")
    return float(np.mean((target - target.mean()) ** 2))
