"""Optimizers (SGD, Adagrad, Adam) and gradient clipping.

An optimizer updates the parameters in place from their gradients::

    SGD:      v = momentum * v - lr * g                 w += v
    Adagrad:  G += g**2                                 w -= lr * g / (sqrt(G) + eps)
    Adam:     m = b1 m + (1 - b1) g,  s = b2 s + (1 - b2) g**2
              w -= lr * m_hat / (sqrt(s_hat) + eps)     (m_hat, s_hat: bias-corrected m and s)

Parameters and gradients are :class:`~rnn_edu.rnn.RNNParams` or any object with the same
``as_dict()`` (name -> array), or plain dicts of arrays. Each optimizer keeps its state per name.

Clipping guards against exploding gradients (notebook 05 explains where they come from):

- by global norm: if ``||g|| > max_norm`` over all parameters together, scale every gradient by
  ``max_norm / ||g||``: the direction is kept, only the step is shortened;
- element-wise: clip every entry to ``[-value, value]``: simpler, but it changes the direction.

Neither can repair a gradient that already holds inf or NaN (there is no direction left to keep),
so both raise :class:`~rnn_edu._checks.NonFiniteError` (a ``ValueError`` and a
``FloatingPointError``) naming the parameter, like :func:`global_norm` and the optimizers' ``step``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnn_edu import _checks as C


def _arrays(obj, name: str) -> dict[str, np.ndarray]:
    """The float arrays of ``obj`` (RNNParams or a dict) by name; not yet checked for inf/NaN."""
    if isinstance(obj, dict):
        arrays = obj
    elif callable(getattr(obj, "as_dict", None)) and not isinstance(obj, type):
        arrays = obj.as_dict()
    else:
        raise TypeError(f"{name}: expected RNNParams or a dict of arrays, got {C.describe(obj)}")
    for key, a in arrays.items():
        if not isinstance(a, np.ndarray):
            raise TypeError(f"{name}[{key!r}]: expected a NumPy array, got {C.describe(a)}")
        C.require_array(f"{name}.{key}", a, kind="float", finite=False)
    return arrays


def _like(template, arrays: dict[str, np.ndarray]):
    """Rebuild ``arrays`` as the same kind of object as ``template``."""
    return dict(arrays) if isinstance(template, dict) else type(template)(**arrays)


def require_optimizer(optimizer):
    """``optimizer`` if it is an optimizer object (has ``lr`` and ``step``), not its class."""
    if isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)) or not (
            C.is_real(getattr(optimizer, "lr", None))):
        raise TypeError(
            "optimizer: expected an optimizer object such as optim.Adam(lr=3e-3), got "
            + (f"the class {optimizer.__name__} (call it)" if isinstance(optimizer, type)
               else C.describe(optimizer))
        )
    return optimizer


def _check_finite(arrays: dict[str, np.ndarray]) -> None:
    for name, g in arrays.items():
        bad = int(np.size(g) - np.count_nonzero(np.isfinite(g)))
        if bad:
            raise C.NonFiniteError(
                f"grads.{name}: contains inf or NaN ({bad} of {np.size(g)} entries): the gradient "
                "overflowed, and no clipping can repair that; lower the learning rate, or clip "
                "from the first update on"
            )


def global_norm(grads) -> float:
    """``sqrt(sum of squares)`` over every entry of every gradient (which must be finite)."""
    arrays = _arrays(grads, "grads")
    _check_finite(arrays)
    return _norm(arrays)


def _norm(arrays: dict[str, np.ndarray], fast: bool = False) -> float:
    """The global norm, inf or NaN when an entry is: how a training loop sees an overflow.

    ``fast``: sums of squares as BLAS dot products in the arrays' dtype (a tenth of the time,
    for the loops), redone in float64 if that overflows.
    """
    if fast:
        norm = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in arrays.values()))
        if math.isfinite(norm):
            return norm
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in arrays.values())))


def clip_global_norm(grads, max_norm: float):
    """Scale all gradients together so that their global norm is at most ``max_norm``.

    Returns ``(clipped, norm)``: new gradients of the same kind, and the norm before clipping.
    All-zero gradients (norm 0) come back unchanged.
    """
    max_norm = C.require_real("max_norm", max_norm, above=0)
    arrays = _arrays(grads, "grads")
    _check_finite(arrays)
    norm = _norm(arrays)
    scale = max_norm / norm if norm > max_norm else 1.0
    return _like(grads, {k: g * np.asarray(scale, g.dtype) for k, g in arrays.items()}), norm


def _clip_in_place(grads: dict[str, np.ndarray], value: float | None, max_norm: float | None,
                   norm: float) -> None:
    """Element-wise clipping to ``value``, then by global norm (``norm``, measured before),
    on checked finite gradients that may be overwritten: what the training loops do."""
    if value is not None:
        for g in grads.values():
            np.clip(g, -value, value, out=g)
        if max_norm is not None:
            norm = _norm(grads)
    if max_norm is not None and norm > max_norm:
        for g in grads.values():
            g *= np.asarray(max_norm / norm, g.dtype)


def clip_elementwise(grads, value: float):
    """Clip every gradient entry to ``[-value, value]``; returns new gradients of the same kind."""
    value = C.require_real("value", value, above=0)
    arrays = _arrays(grads, "grads")
    _check_finite(arrays)
    return _like(grads, {k: np.clip(g, -value, value) for k, g in arrays.items()})


@dataclass
class _Optimizer:
    lr: float
    state: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        C.require_real("lr", self.lr, above=0)
        C.require_instance("state", self.state, dict)

    def step(self, params, grads) -> None:
        """Update ``params`` in place from ``grads`` (same names and shapes, all finite)."""
        p, g = _arrays(params, "params"), _arrays(grads, "grads")
        for name, w in p.items():
            C.require_finite(f"params.{name}", w)
        if set(p) != set(g):
            raise ValueError(f"grads: expected the names {sorted(p)}, got {sorted(g)}")
        for name, w in p.items():
            if np.shape(g[name]) != w.shape:
                raise ValueError(f"grads.{name}: expected shape {w.shape}, got {np.shape(g[name])}")
        _check_finite(g)
        self._apply(p, g)

    def _apply(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """:meth:`step` on checked dicts of arrays, for loops that checked them once."""
        self._begin()
        for name, w in params.items():
            self._update(name, w, grads[name])

    def _begin(self) -> None:
        pass

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


@dataclass
class SGD(_Optimizer):
    """Stochastic gradient descent, with optional momentum."""

    lr: float = 0.1
    momentum: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        C.require_real("momentum", self.momentum, min=0, below=1)

    def _update(self, name, w, g):
        if self.momentum == 0.0:
            w -= self.lr * g
            return
        v = self.state.setdefault(name, np.zeros_like(w))
        v *= self.momentum
        v -= self.lr * g
        w += v


@dataclass
class Adagrad(_Optimizer):
    """Per-entry step sizes that shrink with the sum of that entry's squared gradients.

    eps > 0 keeps an entry whose gradients have all been 0 from dividing 0 by 0.
    """

    lr: float = 0.1
    eps: float = 1e-8

    def __post_init__(self) -> None:
        super().__post_init__()
        C.require_real("eps", self.eps, above=0)

    def _update(self, name, w, g):
        G = self.state.setdefault(name, np.zeros_like(w))
        G += g * g
        w -= self.lr * g / (np.sqrt(G) + self.eps)


@dataclass
class Adam(_Optimizer):
    """Momentum plus per-entry scaling by a running mean of squared gradients (Kingma & Ba)."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        C.require_real("beta1", self.beta1, min=0, below=1)
        C.require_real("beta2", self.beta2, min=0, below=1)
        C.require_real("eps", self.eps, above=0)  # > 0: a zero gradient would give 0 / 0
        C.require_int("t", self.t, min=0)

    def _begin(self) -> None:
        self.t += 1

    def _update(self, name, w, g):
        m = self.state.setdefault(("m", name), np.zeros_like(w))
        s = self.state.setdefault(("s", name), np.zeros_like(w))
        m *= self.beta1
        m += (1 - self.beta1) * g
        s *= self.beta2
        s += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        s_hat = s / (1 - self.beta2**self.t)
        w -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)
