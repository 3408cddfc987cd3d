"""Losses and their gradients with respect to the RNN's outputs.

Each loss returns ``(loss, dy)``: the number to minimize and its gradient with respect to the
outputs ``y`` it was given, with the same shape as ``y``. The backward pass
(:func:`rnn_edu.bptt.backward`) takes that ``dy``, so any loss works with it.

Softmax cross-entropy for next-character prediction, averaged over every position::

    p_t = softmax(y_t)                 L = -(1/N) sum_{b,t} log p_t[target_t]
    dL/dy_t = (p_t - onehot(target_t)) / N                  N = batch * time

The mean squared error of the last output, for regression on a whole sequence (the adding
problem of notebook 05)::

    L = mean((y_T - target)^2)         dL/dy_T = 2 (y_T - target) / size,  dL/dy_t = 0 for t < T
"""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis: ``(..., V) -> (..., V)``, each row sums to 1.

    Subtracting the row maximum first changes nothing mathematically and keeps ``exp`` from
    overflowing for large logits. ``logits`` must be finite (``NonFiniteError`` otherwise).
    """
    logits = _check_logits(logits)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log(softmax(logits))`` over the last axis, computed without taking log of 0."""
    logits = _check_logits(logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy in nats, and its gradient.

    logits: ``(batch, time, V)`` float, the RNN outputs ``y``
    targets: ``(batch, time)`` int ids in ``[0, V)``, the characters to predict
    Returns ``(loss, dlogits)`` with ``dlogits: (batch, time, V)``. Divide ``loss`` by ``ln 2``
    for bits per character.
    """
    logits = C.require_array("logits", logits, kind="float", shape=("batch", "time", "V"),
                             nonempty=True)
    batch, time, V = logits.shape
    targets = C.require_array("targets", targets, kind="int", shape=(batch, time))
    targets = C.require_ids("targets", targets, V)  # V = logits.shape[2]
    return _cross_entropy(logits, targets)


def _cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`cross_entropy` on checked arguments, for loops that checked them once.

    One ``exp`` gives both results: ``log p[target] = s[target] - log(sum(exp(s)))`` and
    ``p = exp(s) / sum(exp(s))``, where ``s`` is the logits less a constant per row (which
    changes nothing). The constant is the row maximum, which keeps ``exp`` from overflowing,
    unless every logit is within +-60 (``exp(60)`` is about 1e26, far from overflow in float32
    or from vanishing): then it is 0, and the shift, a third of the time here, is skipped.
    """
    n, V = targets.size, logits.shape[-1]
    safe = logits.min() > -60 and logits.max() < 60
    s = logits if safe else logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(s)
    total = p @ np.ones(V, p.dtype)  # the row sums, (batch, time): BLAS, 8x NumPy's .sum(-1)
    b, t = np.indices(targets.shape)
    loss = float(np.sum(np.log(total) - s[b, t, targets], dtype=np.float64)) / n
    p /= (n * total)[..., None]  # the softmax, divided by n for the mean
    p[b, t, targets] -= 1.0 / n  # (p - onehot(target)) / n
    return loss, p


def mse_last(y: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of the last time step's output, and its gradient.

    y: ``(batch, time, output)`` float, the RNN outputs
    target: ``(batch, output)`` float, or ``(batch,)`` when ``output == 1``
    Returns ``(loss, dy)`` with ``dy: (batch, time, output)``, zero except at the last step.
    """
    y = C.require_array("y", y, kind="float", shape=("batch", "time", "output"), nonempty=True)
    batch, _, n_out = y.shape
    target = C.require_array("target", target, ndim=(1, 2) if n_out == 1 else 2)
    if target.shape == (batch,) and n_out == 1:
        target = target[:, None]
    if target.shape != (batch, n_out):
        raise ValueError(
            f"target: expected numbers of shape (batch, output) = ({batch}, {n_out})"
            + (f" or ({batch},)" if n_out == 1 else "")
            + f", got shape {target.shape}"
        )
    diff = y[:, -1] - target
    dy = np.zeros_like(y)
    dy[:, -1] = 2.0 * diff / diff.size
    return float(np.mean(diff**2)), dy


def _check_logits(logits) -> np.ndarray:
    logits = C.require_array("logits", logits, kind="float")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits: expected a float array of shape (..., V) with V >= 1, "
                         f"got shape {logits.shape}")
    return logits
