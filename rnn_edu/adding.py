"""The adding problem: a long-range memory test.

This is the variant of Le, Jaitly & Hinton (2015) and Arjovsky et al. (2016). The original of
Hochreiter & Schmidhuber (1997) draws the values from [-1, 1] and asks for 0.5 + (X1 + X2) / 4;
both need two values carried across the whole sequence.

Each sequence has T steps of two features ``[value, marker]``: the values are uniform on
[0, 1], and exactly two markers are 1, one in the first half and one in the second half. The
target, read after the last step, is the sum of the two marked values.

A model that ignores the inputs can do no better than predict the mean sum, 1; its mean squared
error is the variance of a sum of two independent U(0, 1), ``2 * 1/12 = 1/6 ~ 0.167``. Beating
that needs the marked values carried over up to T steps: the gradient must reach back that far.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import bptt, gru, losses, optim, rnn
from rnn_edu.rnn import RNNParams
from rnn_edu.train import blas_limit

#: MSE of always predicting the mean target 1: Var(U1 + U2) = 1/12 + 1/12.
BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, time: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem.

    n: how many sequences (>= 1); time: their length T (>= 2, so each half has a step).
    Returns ``(x, target)``: ``x: (n, time, 2)`` float64, ``x[..., 0]`` the values and
    ``x[..., 1]`` the markers; ``target: (n, 1)``, the sum of the two marked values.
    The same arguments always give the same data.
    """
    n = C.require_int("n", n, min=1)
    time = C.require_int("time", time, min=2)
    C.require_size("n", 2 * n * time)
    rng = np.random.default_rng(C.require_seed("seed", seed))
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
    target = C.require_array("target", target)
    if target.size == 0 or target.ndim not in (1, 2) or (target.ndim == 2 and target.shape[1] != 1):
        raise ValueError(f"target: expected a non-empty (n, 1) or (n,) array, got shape "
                         f"{target.shape}")
    return float(np.mean((target - target.mean()) ** 2))


@dataclass
class FitHistory:
    """loss: training MSE of every update; grad_norms: global gradient norm before clipping;
    val_mse: MSE on the held-out set after training (``None`` without one)."""

    loss: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    val_mse: float | None = None


def fit(
    params: RNNParams | gru.GRUParams,
    time: int,
    *,
    steps: int = 500,
    batch_size: int = 32,
    optimizer=None,
    clip_norm: float | None = 1.0,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    blas_threads: int | None = 1,
) -> FitHistory:
    """Train ``params`` (input 2, output 1) in place on fresh adding problems of length ``time``.

    params: a vanilla RNN's (:mod:`rnn_edu.rnn`) or a GRU's (:mod:`rnn_edu.gru`).

    Each update draws a new batch (seed ``seed + step``), so the model never sees a batch twice:
    one update is ``forward -> mse_last -> bptt.backward -> clip -> optimizer.step``.
    optimizer: an :mod:`rnn_edu.optim` optimizer (default ``Adam(lr=1e-2)``)
    clip_norm: clip the gradient's global norm to this (``None``: no clipping). If the gradient
    overflows, training stops there: the last recorded gradient norm is inf or NaN.
    val: ``(x, target)`` to measure the MSE on after training (skipped if training broke off).
    blas_threads: threads for NumPy's matrix products while training (``None``: leave as is),
    as in :func:`rnn_edu.train.train`.
    """
    if not isinstance(params, (RNNParams, gru.GRUParams)):
        C.require_instance("params", params, RNNParams, "RNNParams or GRUParams")
    params.require_finite()
    if params.input_size != 2 or params.output_size != 1:
        raise ValueError(
            "params: the adding problem needs input size 2 and output size 1, got "
            f"{params.input_size} and {params.output_size}"
        )
    time = C.require_int("time", time, min=2)
    steps = C.require_int("steps", steps, min=1, max=C.MAX_STEPS, why="more would take days")
    batch_size = C.require_int("batch_size", batch_size, min=1)
    C.require_size("batch_size", 2 * batch_size * time)
    clip_norm = C.require_real("clip_norm", clip_norm, above=0, optional=True)
    C.require_int("blas_threads", blas_threads, 1, C.MAX_THREADS, optional=True)
    C.require_seed("seed", seed)
    if val is not None:
        C.require_instance("val", val, tuple, "a pair (x, target) or None")
        if len(val) != 2:
            raise ValueError(f"val: expected a pair (x, target), got {len(val)} items")
    optimizer = optim.Adam(lr=1e-2) if optimizer is None else optim.require_optimizer(optimizer)
    history = FitHistory()
    with blas_limit(blas_threads):  # small matrices: one BLAS thread is fastest
        _loop(params, time, steps, batch_size, optimizer, clip_norm, seed, history)
    if val is not None and np.isfinite(history.grad_norms[-1]):
        history.val_mse = mse(params, *val)
    return history


def mse(params: RNNParams | gru.GRUParams, x: np.ndarray, target: np.ndarray) -> float:
    """The model's last-step MSE on ``x: (n, time, 2)`` against ``target: (n, 1)``."""
    return losses.mse_last(_passes(params)[0](params, x).y, target)[0]


def _passes(params):
    """``(forward, backward)`` of the model ``params`` belong to."""
    return (gru.forward, gru.backward) if isinstance(params, gru.GRUParams) else (rnn.forward, bptt.backward)


def _loop(params, time, steps, batch_size, optimizer, clip_norm, seed, history) -> None:
    forward, backward = _passes(params)
    for step in range(steps):
        x, target = adding_problem(batch_size, time, seed=seed + step)
        # An exploding run overflows on purpose in notebook 05: it is detected below, not warned.
        with np.errstate(over="ignore", invalid="ignore"):
            cache = forward(params, x)
            loss, dy = losses.mse_last(cache.y, target)
            grads, _ = backward(params, cache, dy)
            norm = optim._norm(grads.as_dict())  # inf or NaN when the gradient overflowed
        history.loss.append(loss)
        history.grad_norms.append(norm)
        if not np.isfinite(norm):
            break  # the gradient overflowed: no step can be taken from it
        if clip_norm is not None:
            grads, _ = optim.clip_global_norm(grads, clip_norm)
        optimizer.step(params, grads)


#: The most training a call of :func:`fit_keras` runs: epochs * n * time sequence steps.
MAX_FIT_STEPS = 10**8


def fit_keras(layer: str, time: int = 100, *, units: int = 32, seed: int = 0, n: int = 3000,
              epochs: int = 4, batch_size: int = 32, lr: float = 1e-2, clipnorm: float = 1.0,
              verbose: int = 0):
    """Train ``keras.layers.<layer>(units)`` + ``Dense(1)`` on ``n`` adding problems of length ``time``.

    layer: ``"SimpleRNN"``, ``"GRU"`` or ``"LSTM"``; the data are ``adding_problem(n, time,
    seed=seed)`` and the weights start from ``keras.utils.set_random_seed(seed)``. Adam with
    learning rate ``lr``, each gradient clipped to norm ``clipnorm``, MSE loss.
    Returns the trained ``keras.Sequential`` ``[Input((time, 2)), layer, Dense(1)]``.
    """
    C.require_choice("layer", layer, ("SimpleRNN", "GRU", "LSTM"))
    C.require_int("units", units, 1, rnn.MAX_HIDDEN)
    epochs, batch_size = C.require_int("epochs", epochs, 1), C.require_int("batch_size", batch_size, 1)
    lr, clipnorm = C.require_real("lr", lr, above=0), C.require_real("clipnorm", clipnorm, above=0)
    C.require_choice("verbose", verbose, (0, 1, 2))
    x, target = adding_problem(n, time, seed=seed)  # checks n, time and seed
    C.require_size("epochs", epochs * len(x) * time, MAX_FIT_STEPS, what="sequence steps")
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((time, 2)), getattr(keras.layers, layer)(units),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(lr, clipnorm=clipnorm), loss="mse")
    model.fit(x.astype(np.float32), target.astype(np.float32), batch_size=batch_size,
              epochs=epochs, verbose=verbose)
    return model


def keras_mse(model, x: np.ndarray, target: np.ndarray) -> float:
    """A Keras model's MSE on ``x: (n, time, 2)`` against ``target: (n, 1)``."""
    import keras

    C.require_instance("model", model, keras.Model, "a keras.Model")
    x = C.require_array("x", x, shape=("n", "time", 2), nonempty=True)
    target = C.require_array("target", target, shape=(len(x), 1))
    y = np.asarray(model.predict(x.astype(np.float32), batch_size=len(x), verbose=0), dtype=float)
    return float(np.mean((y - target) ** 2))
