"""Numerical gradient checks: compare a backward pass with centered differences.

For one parameter entry ``w`` the numerical derivative is the centered difference::

    n = (L(w + eps) - L(w - eps)) / (2 eps)          error O(eps^2), not O(eps) as one-sided

and the analytic value ``a`` passes when the relative error is small::

    |a - n| / max(1e-8, |a| + |n|)

(the 1e-8 floor keeps entries whose gradient is exactly zero from dividing by zero). A missing
term in the backward pass gives errors of order 1e-2 to 1. A correct one gives what the numerical
side allows: the centered difference is off by about ``eps**2 * |L'''| / 6``, and rounding adds
about ``1e-16 * |L| / eps``; in float64 with ``eps`` near 1e-5 both are near 1e-11 in absolute
terms. So most entries agree to 1e-9 or better, and the worst are those whose true gradient is
tiny (an absolute 1e-11 is a relative 1e-5 of a gradient of 1e-6): keep the checked problem small.

The GRU's gates make many gradients that small. For it, ``order=4`` uses the fourth-order
difference ``(8 (L(w+e) - L(w-e)) - (L(w+2e) - L(w-2e))) / (12 e)``, off by ``O(e^4)``: it allows
``e = 1e-3``, where rounding is a hundred times smaller than at 1e-5.
Every entry, or a random sample of entries, of every parameter is checked over the whole
sequence: the loss is the loss of the full forward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import bptt, gru, losses, rnn
from rnn_edu.rnn import RNNParams

#: Most loss evaluations one check makes (two per entry): the loss is a whole forward pass.
MAX_ENTRIES = 100_000


def relative_error(a, n) -> np.ndarray:
    """Entry-wise ``|a - n| / max(1e-8, |a| + |n|)``; ``a`` and ``n`` finite, broadcastable."""
    a, n = C.require_array("a", a), C.require_array("n", n)
    try:
        np.broadcast_shapes(a.shape, n.shape)
    except ValueError:
        raise ValueError(f"n: expected a shape that broadcasts with a's {a.shape}, "
                         f"got {n.shape}") from None
    return np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))


@dataclass(frozen=True)
class ParamCheck:
    """The result for one parameter: how many entries were checked and the worst of them.

    ``worst_index``, ``analytic`` and ``numerical`` say where the largest error is: look there
    when a check fails."""

    name: str
    checked: int
    total: int
    max_error: float
    worst_index: tuple[int, ...]
    analytic: float  # the analytic gradient at the worst entry
    numerical: float  # the numerical gradient at the worst entry

    def __post_init__(self) -> None:
        C.require_text("name", self.name, min_len=1)
        C.require_int("total", self.total, min=1)
        C.require_int("checked", self.checked, 1, self.total)
        for field in ("max_error", "analytic", "numerical"):
            C.require_real(field, getattr(self, field))
        if not (isinstance(self.worst_index, tuple) and all(map(C.is_int, self.worst_index))):
            raise TypeError(f"worst_index: expected a tuple of ints, got "
                            f"{C.describe(self.worst_index)}")


@dataclass(frozen=True)
class Report:
    """One :class:`ParamCheck` per parameter; ``ok`` when every error is below ``tol``."""

    params: tuple[ParamCheck, ...]
    tol: float

    def __post_init__(self) -> None:
        if not (isinstance(self.params, tuple) and self.params
                and all(isinstance(p, ParamCheck) for p in self.params)):
            raise TypeError(f"params: expected a non-empty tuple of ParamCheck, got "
                            f"{C.describe(self.params)}")
        C.require_real("tol", self.tol, above=0)

    @property
    def max_error(self) -> float:
        return max(p.max_error for p in self.params)

    @property
    def ok(self) -> bool:
        return self.max_error < self.tol

    def __getitem__(self, name: str) -> ParamCheck:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"name: no parameter {name!r}; expected one of {[p.name for p in self.params]}")

    def __str__(self) -> str:
        # A passing error is truncation and rounding noise, which differs from CPU to CPU, so it
        # is printed as the bound it meets; a failing one (a bug's size) to two digits. Where the
        # worst entry was is kept in ``worst_index``, not printed: among near-equal errors,
        # rounding picks it.
        lines = [f"{'param':<6} {'checked':>13}  {'max rel. error':>14}  result"]
        for p in self.params:
            error = f"< {self.tol:.0e}" if p.max_error < self.tol else f"{p.max_error:.1e}"
            verdict = "ok" if p.max_error < self.tol else "FAIL"
            lines.append(f"{p.name:<6} {p.checked:>6}/{p.total:<6}  {error:>14}  {verdict}")
        lines.append(f"every error below the tolerance {self.tol:.0e}: PASS" if self.ok else
                     f"max relative error {self.max_error:.1e} (tolerance {self.tol:.0e}): FAIL")
        return "\n".join(lines)

    __repr__ = __str__


#: Centered-difference stencils: order -> (steps in units of eps, weights, divisor in units of eps).
STENCILS = {2: ((1, -1), (1, -1), 2), 4: ((1, -1, 2, -2), (8, -8, -1, 1), 12)}


def numerical_gradient(f: Callable[[], float], w: np.ndarray, *, eps: float = 1e-5,
                       entries=None, order: int = 2) -> np.ndarray:
    """Centered differences ``(f() - f()) / (2 eps)`` of ``f`` with respect to entries of ``w``.

    f: no arguments, returns the loss computed from the current ``w`` (and anything else)
    w: float array (an int array could not hold the nudges), nudged in place one entry at a
    time and always restored
    entries: flat indices into ``w`` to differentiate (``None``: every entry), at most
    :data:`MAX_ENTRIES`
    order: 2 (the centered difference) or 4 (the fourth-order one, see the module docstring)
    Returns ``w.shape`` for every entry, else ``(len(entries),)``. ``f`` must return a finite
    number (``ValueError`` naming ``f`` otherwise).
    """
    C.require_callable("f", f)
    C.require_instance("w", w, np.ndarray, "a float NumPy array (nudged in place)")
    C.require_array("w", w, kind="float")
    eps = C.require_real("eps", eps, above=0)
    steps, weights, divisor = STENCILS[C.require_choice("order", order, tuple(STENCILS))]
    if entries is None:
        flat = np.arange(w.size)
    else:
        flat = C.require_array("entries", entries, kind="int", ndim=1)
        if flat.size and (flat.min() < 0 or flat.max() >= w.size):
            raise ValueError(f"entries: expected flat indices in [0, {w.size}), got min "
                             f"{flat.min()} and max {flat.max()}")
    C.require_size("entries", len(flat), MAX_ENTRIES // (len(steps) // 2), what="entries to nudge")
    out = np.empty(len(flat))
    for j, i in enumerate(flat):
        idx = np.unravel_index(i, w.shape)
        old = w[idx]
        values = []
        try:
            for k in steps:
                w[idx] = old + k * eps
                values.append(f())
        finally:
            w[idx] = old
        out[j] = sum(c * _loss_value(v) for c, v in zip(weights, values)) / (divisor * eps)
    return out.reshape(w.shape) if entries is None else out


def _loss_value(value) -> float:
    if not C.is_real(value) and not (isinstance(value, np.ndarray) and value.size == 1
                                     and C.is_real(value.reshape(-1)[0])):
        raise TypeError(f"f: expected a function returning one number, it returned "
                        f"{C.describe(value)}")
    value = float(np.reshape(value, ()))
    if not np.isfinite(value):
        raise C.NonFiniteError(f"f: expected a function returning a finite loss, it returned "
                               f"{value}")
    return value


def check(
    loss_fn: Callable,
    params: RNNParams | gru.GRUParams,
    grads: RNNParams | gru.GRUParams,
    *,
    eps: float = 1e-5,
    samples: int | None = None,
    seed: int = 0,
    tol: float = 1e-7,
    order: int = 2,
) -> Report:
    """Compare ``grads`` with centered differences of ``loss_fn`` around ``params``.

    loss_fn: ``params -> float``, the loss of the whole forward pass
    params: :class:`~rnn_edu.rnn.RNNParams` or :class:`~rnn_edu.gru.GRUParams`
    grads: the analytic gradients, same kind and shapes as ``params``
    samples: check this many random entries per parameter (``None``: every entry)
    Entries are perturbed in place and restored, so ``params`` is unchanged afterwards. Check in
    float64: float32 rounding (about 1e-7 relative) swamps the differences at any useful ``eps``.
    """
    C.require_callable("loss_fn", loss_fn)
    kinds = (RNNParams, gru.GRUParams)
    if not isinstance(params, kinds) or type(grads) is not type(params):
        raise TypeError(
            f"params, grads: expected two RNNParams or two GRUParams, got {type(params).__name__}, "
            f"{type(grads).__name__}"
        )
    params.require_finite()
    grads.require_finite("grads")
    if grads.as_dict().keys() != params.as_dict().keys():
        raise ValueError(f"grads: expected the names {list(params.as_dict())}, got {list(grads.as_dict())}")
    C.require_real("eps", eps, above=0)
    tol = C.require_real("tol", tol, above=0)
    samples = C.require_int("samples", samples, min=1, optional=True)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    results = []
    for name, w in params.as_dict().items():
        g = getattr(grads, name)
        if g.shape != w.shape:
            raise ValueError(f"grads.{name}: expected shape {w.shape}, got {g.shape}")
        if samples is None or samples >= w.size:
            flat = np.arange(w.size)
        else:
            flat = rng.choice(w.size, size=samples, replace=False)
        try:
            numerical = numerical_gradient(lambda: loss_fn(params), w, eps=eps, entries=flat,
                                           order=order)
        except (TypeError, ValueError) as exc:
            if not str(exc).startswith("f:"):
                raise
            raise type(exc)("loss_fn:" + str(exc)[2:]) from None  # the caller's argument
        analytic = g.reshape(-1)[flat]
        err = relative_error(analytic, numerical)
        worst = int(np.argmax(err))
        results.append(ParamCheck(
            name=name, checked=len(flat), total=w.size, max_error=float(err[worst]),
            worst_index=tuple(int(k) for k in np.unravel_index(flat[worst], w.shape)),
            analytic=float(analytic[worst]), numerical=float(numerical[worst]),
        ))
    return Report(tuple(results), tol)


def check_rnn(
    params: RNNParams,
    x: np.ndarray,
    targets: np.ndarray,
    *,
    h0: np.ndarray | None = None,
    loss: Callable = losses.cross_entropy,
    forward: Callable = rnn.forward,
    backward: Callable = bptt.backward,
    eps: float = 1e-5,
    samples: int | None = None,
    seed: int = 0,
    tol: float = 1e-7,
    order: int = 2,
) -> Report:
    """Gradient-check a backward pass of the RNN on one batch of whole sequences.

    x: tokens ``(batch, time)`` or features ``(batch, time, input)``; targets: what ``loss``
    takes (int ids ``(batch, time)`` for :func:`~rnn_edu.losses.cross_entropy`)
    loss: ``(y, targets) -> (loss, dy)``
    forward: ``(params, x, h0) -> cache``, :func:`rnn_edu.rnn.forward` or :func:`rnn_edu.gru.forward`
    backward: ``(params, cache, dy) -> (grads, dh0)``, :func:`rnn_edu.bptt.backward` or yours
    """
    C.require_callable("loss", loss)
    C.require_callable("backward", backward)
    cache = forward(params, x, h0)
    _, dy = loss(cache.y, targets)
    grads, _ = backward(params, cache, dy)
    return check(lambda p: loss(forward(p, x, h0).y, targets)[0], params, grads,
                 eps=eps, samples=samples, seed=seed, tol=tol, order=order)


def check_gru(params: gru.GRUParams, x: np.ndarray, targets: np.ndarray, *,
              backward: Callable = gru.backward, eps: float = 1e-3, order: int = 4,
              **kwargs) -> Report:
    """:func:`check_rnn` for the GRU: :func:`rnn_edu.gru.forward` and a GRU backward pass, by
    default with the fourth-order difference (its gates make many gradients small)."""
    return check_rnn(params, x, targets, forward=gru.forward, backward=backward, eps=eps,
                     order=order, **kwargs)
