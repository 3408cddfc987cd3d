"""How far back a gradient reaches: the norms of dh_T/dh_t and their bound.

With row vectors, ``a_t = x_t @ W_xh + h_{t-1} @ W_hh + b_h`` and ``h_t = f(a_t)``. One step's
Jacobian, ``J_t[i, j] = d h_t[i] / d h_{t-1}[j]``, is::

    J_t = diag(f'(a_t)) @ W_hh.T                                  (hidden, hidden)

and by the chain rule the state ``T - t`` steps back reaches h_T through their product::

    dh_T/dh_t = J_T @ J_{T-1} @ ... @ J_{t+1}

The spectral norm (largest singular value) of a product is at most the product of the norms,
and ``||diag(f')|| <= gamma``, the largest slope of f (1 for tanh, ReLU and linear), so::

    ||dh_T/dh_t|| <= (sigma_max(W_hh) * gamma) ** (T - t)

The products for every t come from one backward sweep, ``P_{t-1} = P_t @ J_t`` starting from
``P_T = I``: T matrix products, not T separate chains. Each ``P_t`` is divided by its size as the
sweep goes and the sizes are summed as logarithms, so norms like 1e-500 or 1e+500 (ReLU or
linear units with a large ``sigma_max``, tanh units deep in saturation) come out as finite
``log10`` values instead of 0 or inf.

Shapes: ``h: (batch, time, hidden)`` with ``h[:, t - 1]`` = h_t for t = 1..T (the ``h`` of
:func:`rnn_edu.rnn.forward`'s cache); results ``(batch, time + 1)`` indexed by t = 0..T.
Arguments are real (complex matrices are refused, not silently cut to their real part) and
finite; results may be 0, inf (plain norms) or -inf (log10 of an exact 0), as each function says.
"""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C

#: Largest square matrix the functions take (its SVD and eigenvalues take seconds beyond).
MAX_SIZE = 2048

ACTIVATIONS = ("tanh", "relu", "linear")

#: gamma: the largest slope |f'(a)| of each activation (tanh'(0) = 1; ReLU and linear: 1).
GAMMA = {"tanh": 1.0, "relu": 1.0, "linear": 1.0}

#: States of ReLU/linear units larger than this are scaled down (see :func:`hidden_states`).
STATE_CAP = 1e100


def activate(a: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """``f(a)`` elementwise for ``activation`` in :data:`ACTIVATIONS`."""
    _check_activation(activation)
    a = C.require_array("a", a)
    if activation == "tanh":
        return np.tanh(a)
    if activation == "relu":
        return np.maximum(a, 0.0)
    return np.array(a, dtype=float, copy=True)


def slopes(h: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """``f'(a_t)`` computed from the states ``h_t = f(a_t)``, same shape as ``h``.

    tanh: ``1 - h**2``; ReLU: 1 where the unit is on (``h > 0``), else 0; linear: 1.
    States no activation can reach (tanh outside [-1, 1], ReLU below 0) are refused: their
    slopes would be silently wrong.
    """
    _check_activation(activation)
    h = C.require_array("h", h)
    if (activation == "tanh" and np.abs(h).max(initial=0) > 1) or (
            activation == "relu" and h.min(initial=0) < 0):
        bound = "in [-1, 1]" if activation == "tanh" else ">= 0"
        raise ValueError(f"h: expected {activation} states {bound}, got values from {h.min():.3g} "
                         f"to {h.max():.3g}")
    if activation == "tanh":
        return 1.0 - h**2
    if activation == "relu":
        return (h > 0).astype(float)
    return np.ones_like(h)


def hidden_states(
    W_hh: np.ndarray, u: np.ndarray, h0: np.ndarray | None = None, activation: str = "tanh"
) -> np.ndarray:
    """Run the recurrence ``h_t = f(u_t + h_{t-1} @ W_hh)`` with any activation.

    W_hh: ``(hidden, hidden)``
    u: ``(batch, time, hidden)``, the input part of every step, ``x_t @ W_xh + b_h``
    h0: ``(batch, hidden)``, zeros when ``None``
    Returns ``h: (batch, time, hidden)``. With tanh this is :func:`rnn_edu.rnn.forward`'s ``h``.

    ReLU and linear states can grow like ``sigma_max ** t`` and overflow. A state whose largest
    entry exceeds :data:`STATE_CAP` is multiplied by 1e-50: both activations are positively
    homogeneous (``f(c a) = c f(a)`` for c > 0) and next to 1e50 the input is negligible, so this
    keeps which units are on (all that their Jacobians depend on) while the numbers stay finite.
    """
    W_hh = _check_square(W_hh)
    _check_activation(activation)
    u = C.require_array("u", u, shape=("batch", "time", W_hh.shape[0]), nonempty=True)
    batch, time, hidden = u.shape
    h_prev = np.zeros((batch, hidden)) if h0 is None else C.require_array(
        "h0", h0, shape=(batch, hidden))
    h = np.empty_like(u)
    for t in range(time):
        h_t = activate(u[:, t] + h_prev @ W_hh, activation)
        if activation != "tanh":
            big = np.abs(h_t).max(axis=1, keepdims=True)
            h_t = np.where(big > STATE_CAP, h_t * 1e-50, h_t)
        h_prev = h[:, t] = h_t
    return h


def jacobian(W_hh: np.ndarray, slope_t: np.ndarray) -> np.ndarray:
    """One step's Jacobian ``dh_t/dh_{t-1} = diag(f'(a_t)) @ W_hh.T``.

    slope_t: ``(hidden,)`` or ``(batch, hidden)``; returns ``(hidden, hidden)`` or
    ``(batch, hidden, hidden)``.
    """
    W_hh = _check_square(W_hh)
    slope_t = C.require_array("slope_t", slope_t)
    if slope_t.shape[-1:] != (W_hh.shape[0],) or slope_t.ndim > 2:
        raise ValueError(
            f"slope_t: expected shape (hidden,) or (batch, hidden) with hidden = {W_hh.shape[0]}, "
            f"got shape {slope_t.shape}"
        )
    C.require_size("slope_t", slope_t.size * W_hh.shape[0])
    return slope_t[..., :, None] * W_hh.T


def log10_jacobian_norms(W_hh: np.ndarray, h: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """``log10 ||dh_T/dh_t||_2`` for t = 0..T, from one backward sweep.

    W_hh: ``(hidden, hidden)``; h: ``(batch, time, hidden)`` the states h_1..h_T.
    Returns ``(batch, time + 1)``; column T is 0 (the identity) and ``-inf`` means exactly 0
    (e.g. every ReLU unit off at some step).
    Memory: the products are kept and their norms taken at the end in one batched call (faster
    than one call per step), ``batch * (time + 1) * hidden**2`` floats: 80 MB for batch 100,
    time 100, hidden 32. Split larger batches (more than ``_checks.MAX_ENTRIES`` are refused).
    """
    W_hh = _check_square(W_hh)
    h = C.require_array("h", h, kind="float", shape=("batch", "time", W_hh.shape[0]),
                        nonempty=True).astype(float, copy=False)
    _check_activation(activation)
    d = slopes(h, activation)
    batch, time, hidden = h.shape
    C.require_size("h", batch * (time + 1) * hidden**2, what="products' entries (split the batch)")
    # P_{t-1} = P_t @ diag(d_t) @ W_hh.T, with h_t = h[:, t - 1]
    return log10_product_norms(lambda P, t: (P * d[:, t - 1, None, :]) @ W_hh.T, *h.shape)


def log10_product_norms(times_jacobian, batch: int, time: int, hidden: int) -> np.ndarray:
    """``log10 ||J_T @ ... @ J_{t+1}||_2`` for t = 0..T from one backward sweep, any recurrence.

    times_jacobian: ``(P, t) -> P @ J_t``, with ``P: (batch, hidden, hidden)`` and ``J_t`` the
    Jacobian dh_t/dh_{t-1} of step t = 1..T (the vanilla RNN above, the GRU in :mod:`rnn_edu.gru`).
    Returns ``(batch, time + 1)``, as :func:`log10_jacobian_norms`. An exception raised by
    ``times_jacobian`` itself propagates unchanged.
    """
    C.require_callable("times_jacobian", times_jacobian)
    batch, time = C.require_int("batch", batch, min=1), C.require_int("time", time, min=0)
    hidden = C.require_int("hidden", hidden, min=1)
    C.require_size("time", batch * (time + 1) * hidden**2)  # every product is kept
    P = np.broadcast_to(np.eye(hidden), (batch, hidden, hidden)).copy()
    products = np.empty((batch, time + 1, hidden, hidden))  # P_t divided by 10**log_scale[:, t]
    log_scale = np.zeros((batch, time + 1))
    products[:, time] = P
    for t in range(time, 0, -1):
        P = C.require_array("times_jacobian", times_jacobian(P, t), kind="float",
                            shape=(batch, hidden, hidden), finite=False)
        size = np.abs(P).max(axis=(1, 2))  # largest entry: cheap, and no squares to underflow
        safe = np.where(size > 0, size, 1.0)
        P /= safe[:, None, None]
        with np.errstate(divide="ignore"):
            log_scale[:, t - 1] = log_scale[:, t] + np.where(size > 0, np.log10(safe), -np.inf)
        products[:, t - 1] = P
    # sigma_max(P) = sqrt(largest eigenvalue of P @ P.T): exact, and twice as fast as an SVD.
    gram = products @ np.swapaxes(products, -1, -2)
    sigma = np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[..., -1], 0.0))
    with np.errstate(divide="ignore"):
        return np.where(np.isneginf(log_scale), -np.inf, log_scale + np.log10(sigma))


def jacobian_norms(W_hh: np.ndarray, h: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """``||dh_T/dh_t||_2`` for t = 0..T: ``(batch, time + 1)``.

    Plain numbers, so they underflow to 0 below about 1e-308 and overflow to inf above 1e308;
    :func:`log10_jacobian_norms` has no such limit.
    """
    with np.errstate(over="ignore"):
        return 10.0 ** log10_jacobian_norms(W_hh, h, activation)


def log10_bound(sigma_max: float, gamma: float, time: int) -> np.ndarray:
    """``log10 (sigma_max * gamma) ** (T - t)`` for t = 0..T: ``(time + 1,)``.

    A zero ``sigma_max * gamma`` gives ``-inf`` (the bound 0) for every t < T.
    """
    sigma_max = C.require_real("sigma_max", sigma_max, min=0)
    gamma = C.require_real("gamma", gamma, min=0)
    time = C.require_int("time", time, min=0, max=C.MAX_ENTRIES, why="one entry per step")
    lag = np.arange(time, -1, -1, dtype=float)  # T - t for t = 0..T
    if sigma_max == 0 or gamma == 0:
        return np.where(lag == 0, 0.0, -np.inf)
    return lag * (np.log10(sigma_max) + np.log10(gamma))  # a sum of logs: no overflow


def bound(sigma_max: float, gamma: float, time: int) -> np.ndarray:
    """``(sigma_max * gamma) ** (T - t)`` for t = 0..T: ``(time + 1,)``; inf where it overflows."""
    with np.errstate(over="ignore"):
        return 10.0 ** log10_bound(sigma_max, gamma, time)


def spectral_norm(W: np.ndarray) -> float:
    """sigma_max(W), the largest singular value: the most W can stretch a vector."""
    return float(np.linalg.norm(_check_square(W, "W"), 2))


def spectral_radius(W: np.ndarray) -> float:
    """max |eigenvalue| of W: how fast ``W ** k`` shrinks or grows in the long run."""
    return float(np.abs(np.linalg.eigvals(_check_square(W, "W"))).max())


def with_spectral_norm(W: np.ndarray, sigma_max: float) -> np.ndarray:
    """``W`` scaled so that its largest singular value is ``sigma_max``."""
    W = _check_square(W, "W")
    sigma_max = C.require_real("sigma_max", sigma_max, min=0)
    norm = spectral_norm(W)
    if norm == 0:
        raise ValueError("W: the zero matrix cannot be scaled to a nonzero norm")
    return W * (sigma_max / norm)


def _check_activation(activation) -> None:
    C.require_choice("activation", activation, ACTIVATIONS)


def _check_square(W, name: str = "W_hh") -> np.ndarray:
    W = C.require_array(name, W)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or not 1 <= W.shape[0] <= MAX_SIZE:
        raise ValueError(f"{name}: expected a square (n, n) matrix with 1 <= n <= {MAX_SIZE}, "
                         f"got shape {W.shape}")
    return W
