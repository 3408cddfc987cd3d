"""The gated recurrent unit (GRU), batched over the batch, forward and backward through time.

Row vectors, one row per sequence, in Keras' layout: the three gates' weights sit side by side
in column blocks in the order z, r, h (so ``W_xh`` is Keras' ``kernel`` and ``W_hh`` its
``recurrent_kernel``)::

    x_t: (batch, input)      W_xh: (input, 3 hidden)      b_xh: (3 hidden,)   input bias
    h_t: (batch, hidden)     W_hh: (hidden, 3 hidden)     b_hh: (3 hidden,)   recurrent bias
    y_t: (batch, output)     W_hy: (hidden, output)       b_y:  (output,)

Write ``[a_z | a_r | a_h] = x_t @ W_xh + b_xh`` (the input part) and ``[u_z | u_r | u_h] =
h_{t-1} @ W_hh + b_hh`` (the recurrent part). Keras' default, ``reset_after=True``::

    z_t = sigmoid(a_z + u_z)                   update gate: how much of h_{t-1} to keep
    r_t = sigmoid(a_r + u_r)                   reset gate: how much of h_{t-1} the candidate sees
    n_t = tanh(a_h + r_t * u_h)                the candidate state (h tilde)
    h_t = z_t * h_{t-1} + (1 - z_t) * n_t
    y_t = h_t @ W_hy + b_y

``reset_after=False`` (Cho et al. 2014; Dive into Deep Learning) resets *before* the product and
has one bias: ``n_t = tanh(a_h + (r_t * h_{t-1}) @ W_hh[:, 2H:])``. The two are different
functions of the same weights (the reset cannot be moved through a matrix product), so weights
from one do not work in the other. Here the variant is told by the recurrent bias:
``b_hh`` present means ``reset_after=True`` (Keras' bias ``(2, 3H)``), ``b_hh=None`` means
``reset_after=False`` (Keras' bias ``(3H,)``).

Inputs are integer tokens ``(batch, time)`` (``x_t @ W_xh`` is row ``W_xh[token]``, as in
:mod:`rnn_edu.rnn`) or float features ``(batch, time, input)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import jacobians, rnn
from rnn_edu.bptt import _check_backward_args
from rnn_edu.data import one_hot
from rnn_edu.rnn import (
    _check_h,
    _check_init,
    _check_x,
    _check_x_t,
    _expect,
    _shape2,
    _Weights,
    random_orthogonal,
)

PARAM_NAMES = ("W_xh", "W_hh", "b_xh", "b_hh", "W_hy", "b_y")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-a))`` elementwise, without overflow warnings for large ``|a|``.

    a: a finite float array (its dtype is kept; inf and NaN raise ``NonFiniteError``).
    """
    return _sigmoid(C.require_array("a", a, kind="float"))


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, written through tanh


@dataclass(kw_only=True)
class GRUParams(_Weights):
    """The parameters of a GRU with an output layer (shapes in the module docstring).

    ``b_hh=None`` gives the ``reset_after=False`` variant.
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_xh: np.ndarray
    b_hh: np.ndarray | None = None
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        for name in ("W_xh", "W_hh", "b_xh", "W_hy", "b_y"):  # b_hh alone may be None
            C.require_instance(name, getattr(self, name), np.ndarray, "a NumPy array")
        self._check_arrays()
        n_in, n3 = _shape2("W_xh", self.W_xh)
        if n3 % 3:
            raise ValueError(f"W_xh: expected shape (input, 3 * hidden), got {self.W_xh.shape}")
        n_h = n3 // 3
        _expect("W_hh", self.W_hh, (n_h, 3 * n_h))
        _expect("b_xh", self.b_xh, (3 * n_h,))
        if self.b_hh is not None:
            _expect("b_hh", self.b_hh, (3 * n_h,))
        n_out = _shape2("W_hy", self.W_hy)[1]
        _expect("W_hy", self.W_hy, (n_h, n_out))
        _expect("b_y", self.b_y, (n_out,))

    @property
    def reset_after(self) -> bool:
        return self.b_hh is not None

    def as_dict(self) -> dict[str, np.ndarray]:
        """The parameters by name in the order of ``PARAM_NAMES`` (no ``b_hh`` when it is None)."""
        return {n: getattr(self, n) for n in PARAM_NAMES if getattr(self, n) is not None}


def init_params(
    input_size: int, hidden_size: int, output_size: int, *, reset_after: bool = True,
    seed: int = 0, dtype=np.float64,
) -> GRUParams:
    """Random initial parameters, as Keras initialises a GRU.

    ``W_xh``: Glorot uniform; each of the three blocks of ``W_hh``: a random orthogonal matrix
    (Keras' ``orthogonal``); ``W_hy``: N(0, 1/hidden); biases zero.
    """
    dtype = _check_init(input_size, hidden_size, output_size, dtype, blocks=3)
    C.require_bool("reset_after", reset_after)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    H = hidden_size
    limit = np.sqrt(6.0 / (input_size + 3 * H))
    params = GRUParams(
        W_xh=rng.uniform(-limit, limit, (input_size, 3 * H)),
        W_hh=np.concatenate([random_orthogonal(rng, H) for _ in range(3)], axis=1),
        b_xh=np.zeros(3 * H),
        b_hh=np.zeros(3 * H) if reset_after else None,
        W_hy=rng.standard_normal((H, output_size)) / np.sqrt(H),
        b_y=np.zeros(output_size),
    )
    return params.astype(dtype)


@dataclass
class Cache(rnn.Cache):
    """What the forward pass computed, and what the backward pass needs.

    x: the inputs as given; h0: ``(batch, hidden)``; h, z, r, n: ``(batch, time, hidden)``, the
    states, gates and candidates (``z[:, t]`` is z_t); u_h: ``(batch, time, hidden)``, the
    recurrent part ``h_{t-1} @ W_hh[:, 2H:] + b_hh[2H:]`` that the reset gate scales
    (``reset_after=True``; for ``False`` it is ``(r_t * h_{t-1}) @ W_hh[:, 2H:]``);
    y: ``(batch, time, output)``.
    """

    z: np.ndarray
    r: np.ndarray
    n: np.ndarray
    u_h: np.ndarray

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("z", "r", "n", "u_h"):
            C.require_array(name, getattr(self, name), kind="float", shape=self.h.shape,
                            labels="(batch, time, hidden)", finite=False)


def input_projection(params: GRUParams, x: np.ndarray) -> np.ndarray:
    """``x_t @ W_xh + b_xh`` for every t at once: ``(batch, time, 3 hidden)``, blocks z, r, h."""
    x = _check_x(_check_params(params), x)
    return _project(params, x)


def _project(params: GRUParams, x: np.ndarray) -> np.ndarray:
    return (params.W_xh[x] if x.ndim == 2 else x @ params.W_xh) + params.b_xh


def cell(params: GRUParams, a_t: np.ndarray, h_prev: np.ndarray):
    """One step from the input part ``a_t: (batch, 3 hidden)`` and ``h_prev: (batch, hidden)``:
    returns ``(h_t, z_t, r_t, n_t, u_h)``, each ``(batch, hidden)``."""
    a_t = C.require_array("a_t", a_t, kind="float", shape=("batch", 3 * _check_params(params).hidden_size),
                          labels="(batch, 3 hidden)")
    return _cell(params, a_t, _check_h(params, h_prev, a_t.shape[0], name="h_prev"))


def _cell(params: GRUParams, a_t: np.ndarray, h_prev: np.ndarray):
    """:func:`cell` without the checks (the tests run it on complex numbers, for exact
    complex-step derivatives)."""
    H = params.hidden_size
    if params.reset_after:
        u = h_prev @ params.W_hh + params.b_hh
        z = _sigmoid(a_t[:, :H] + u[:, :H])
        r = _sigmoid(a_t[:, H:2 * H] + u[:, H:2 * H])
        u_h = u[:, 2 * H:]
        n = np.tanh(a_t[:, 2 * H:] + r * u_h)  # reset after the product
    else:
        u = h_prev @ params.W_hh[:, :2 * H]
        z = _sigmoid(a_t[:, :H] + u[:, :H])
        r = _sigmoid(a_t[:, H:2 * H] + u[:, H:])
        u_h = (r * h_prev) @ params.W_hh[:, 2 * H:]  # reset before the product
        n = np.tanh(a_t[:, 2 * H:] + u_h)
    return z * h_prev + (1.0 - z) * n, z, r, n, u_h


def step(params: GRUParams, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One time step: returns ``(h_t, y_t)``.

    x_t: tokens ``(batch,)`` int, or features ``(batch, input)`` float; h_prev: ``(batch, hidden)``.
    """
    x_t = _check_x_t(_check_params(params), x_t)
    return _step(params, x_t, _check_h(params, h_prev, x_t.shape[0], name="h_prev"))


def _step(params: GRUParams, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`step` on checked arguments (``x_t`` with a time axis of 1), as ``rnn._step``."""
    h_t = _cell(params, _project(params, x_t)[:, 0], h_prev)[0]
    return h_t, h_t @ params.W_hy + params.b_y


def forward(params: GRUParams, x: np.ndarray, h0: np.ndarray | None = None) -> Cache:
    """Run the GRU over a batch of sequences.

    x: tokens ``(batch, time)`` or features ``(batch, time, input)``; h0: ``(batch, hidden)``,
    zeros when ``None``. Returns a :class:`Cache` (``h: (batch, time, hidden)``,
    ``y: (batch, time, output)``) in ``params.dtype``.
    """
    x = _check_x(_check_params(params), x)
    batch, time = x.shape[:2]
    h0 = np.zeros((batch, params.hidden_size), params.dtype) if h0 is None else h0
    h0 = _check_h(params, h0, batch, name="h0")
    a = _project(params, x)
    h, z, r, n, u_h = (np.empty((batch, time, params.hidden_size), params.dtype) for _ in range(5))
    h_prev = h0
    for t in range(time):
        h_prev, z[:, t], r[:, t], n[:, t], u_h[:, t] = _cell(params, a[:, t], h_prev)
        h[:, t] = h_prev
    return Cache(x=x, h0=h0, h=h, z=z, r=r, n=n, u_h=u_h, y=h @ params.W_hy + params.b_y)


def backward(
    params: GRUParams,
    cache: Cache,
    dy: np.ndarray,
    dh_last: np.ndarray | None = None,
    truncate: int | None = None,
) -> tuple[GRUParams, np.ndarray]:
    """Backpropagation through time: gradients for the parameters and the initial state.

    dy: ``(batch, time, output)``, dL/dy; dh_last: ``(batch, hidden)``, dL/dh_T from beyond the
    sequence (``None``: zero); truncate: cut the gradient every ``truncate`` steps (``None``: full).
    Returns ``(grads, dh0)``, grads shaped like ``params``. From the last step back, with
    ``dh = dL/dh_t`` (through y_t and through h_{t+1})::

        dn = dh * (1 - z)              da_h = dn * (1 - n**2)              (candidate)
        dz = dh * (h_{t-1} - n)        da_z = dz * z * (1 - z)             (update gate)
        reset_after=True:   du_h = da_h * r        dr = da_h * u_h
        reset_after=False:  du_h = da_h            dr = (da_h @ W_hh[:, 2H:].T) * h_{t-1}
        da_r = dr * r * (1 - r)                                            (reset gate)
        dh_{t-1} = dh * z + [da_z | da_r | du_h] @ W_hh.T     (False: the h block's term is
                                                               (da_h @ W_hh[:, 2H:].T) * r)

    and every weight's gradient is a sum over time of (its input).T @ (the gradient at its output).
    """
    _check_cache(_check_params(params), cache)
    batch, time, H = cache.h.shape
    dy, dh_next = _check_backward_args(params, cache, dy, dh_last, truncate)

    h_prev_all = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)
    R_h = params.W_hh[:, 2 * H:]
    dh_out = dy @ params.W_hy.T  # dL/dh_t through y_t, all steps at once
    da = np.empty((batch, time, 3 * H), params.dtype)  # at the input side: [da_z | da_r | da_h]
    du = np.empty_like(da)  # at the recurrent side: [da_z | da_r | du_h]
    for t in reversed(range(time)):
        h_prev, z, r, n, u_h = h_prev_all[:, t], cache.z[:, t], cache.r[:, t], cache.n[:, t], cache.u_h[:, t]
        dh = dh_out[:, t] + dh_next
        da_h = dh * (1.0 - z) * (1.0 - n**2)
        da_z = dh * (h_prev - n) * z * (1.0 - z)
        if params.reset_after:
            du_h = da_h * r
            da_r = da_h * u_h * r * (1.0 - r)
            du[:, t] = np.concatenate([da_z, da_r, du_h], axis=1)
            dh_prev = dh * z + du[:, t] @ params.W_hh.T
        else:
            ds = da_h @ R_h.T  # dL/d(r * h_prev)
            da_r = ds * h_prev * r * (1.0 - r)
            du[:, t] = np.concatenate([da_z, da_r, da_h], axis=1)
            dh_prev = dh * z + ds * r + du[:, t, :2 * H] @ params.W_hh[:, :2 * H].T
        da[:, t] = np.concatenate([da_z, da_r, da_h], axis=1)
        cut = truncate is not None and t % truncate == 0 and t > 0
        dh_next = np.zeros_like(dh_prev) if cut else dh_prev  # the cut: nothing flows to h_{t-1}
    dh0 = dh_next

    # Sums over time and batch as single products over all batch * time rows.
    rows = lambda a: a.reshape(batch * time, -1)
    x2 = (one_hot(cache.x.reshape(-1), params.input_size, dtype=params.dtype) if cache.tokens
          else rows(cache.x))
    if params.reset_after:
        dW_hh = rows(h_prev_all).T @ rows(du)
    else:  # the h block's input is r * h_prev, not h_prev
        dW_hh = np.concatenate([rows(h_prev_all).T @ rows(du[..., :2 * H]),
                                rows(cache.r * h_prev_all).T @ rows(du[..., 2 * H:])], axis=1)
    grads = GRUParams(
        W_xh=x2.T @ rows(da),
        W_hh=dW_hh,
        b_xh=rows(da).sum(axis=0),
        b_hh=rows(du).sum(axis=0) if params.reset_after else None,
        W_hy=rows(cache.h).T @ rows(dy),
        b_y=dy.sum(axis=(0, 1)),
    )
    return grads, dh0


def step_jacobians(params: GRUParams, cache: Cache) -> np.ndarray:
    """Every step's Jacobian ``J_t = dh_t/dh_{t-1}``: ``(batch, time, hidden, hidden)``.

    ``J_t[b, i, j] = d h_t[b, i] / d h_{t-1}[b, j]``; index ``t - 1`` holds step t. From
    ``h_t = z * h_{t-1} + (1 - z) * n``::

        J_t = diag(z) + diag(h_{t-1} - n) dz + diag(1 - z) dn         (the diag(z) path first)
        dz = diag(z (1 - z)) R_z.T        dr = diag(r (1 - r)) R_r.T
        reset_after=True:   dn = diag(1 - n**2) (diag(u_h) dr + diag(r) R_h.T)
        reset_after=False:  dn = diag(1 - n**2) R_h.T (diag(h_{t-1}) dr + diag(r))

    with ``R_z, R_r, R_h`` the three blocks of ``W_hh``. A gate z near 1 makes J_t near the
    identity whatever the rest: the gradient (and the state) passes unchanged.
    """
    _check_cache(_check_params(params), cache)
    C.require_size("cache", cache.h.size * params.hidden_size)  # (batch, time, H, H) Jacobians
    H = params.hidden_size
    R_z, R_r, R_h = (params.W_hh[:, k * H:(k + 1) * H].T for k in range(3))  # each (H, H), transposed
    h_prev = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)[..., None]  # (b, T, H, 1)
    z, r, n, u_h = (a[..., None] for a in (cache.z, cache.r, cache.n, cache.u_h))
    dz = z * (1 - z) * R_z
    dr = r * (1 - r) * R_r
    if params.reset_after:
        dn = (1 - n**2) * (u_h * dr + r * R_h)
    else:
        dn = (1 - n**2) * (R_h @ (h_prev * dr + np.eye(H) * r[..., 0][..., None, :]))
    return np.eye(H) * z + (h_prev - n) * dz + (1 - z) * dn


def log10_jacobian_norms(params: GRUParams, cache: Cache) -> np.ndarray:
    """``log10 ||dh_T/dh_t||_2`` for t = 0..T: ``(batch, time + 1)``, as
    :func:`rnn_edu.jacobians.log10_jacobian_norms` for the vanilla RNN."""
    J = step_jacobians(params, cache)
    return jacobians.log10_product_norms(lambda P, t: P @ J[:, t - 1], *cache.h.shape)


def _check_params(params) -> GRUParams:
    return C.require_instance("params", params, GRUParams).require_finite()


def _check_cache(params: GRUParams, cache) -> Cache:
    """The cache of a forward pass with ``params``: its sizes agree, and it is finite."""
    C.require_instance("cache", cache, Cache, "the Cache from gru.forward")
    if cache.h.shape[2] != params.hidden_size:
        raise ValueError(f"cache: expected hidden size {params.hidden_size} (params'), got "
                         f"{cache.h.shape[2]}: pass the params the forward pass used")
    for name in ("h0", "h", "z", "r", "n", "u_h"):
        C.require_finite(f"cache.{name}", getattr(cache, name))
    return cache
