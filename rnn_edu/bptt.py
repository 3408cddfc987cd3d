"""Backpropagation through time for the vanilla RNN of :mod:`rnn_edu.rnn`.

Forward (row vectors, one row per sequence)::

    a_t = x_t @ W_xh + h_{t-1} @ W_hh + b_h        h_t = tanh(a_t)        y_t = h_t @ W_hy + b_y

Backward, given ``dy_t = dL/dy_t`` from any loss (see :mod:`rnn_edu.losses`). The state h_t
reaches the loss twice: through its own output y_t and through the next state h_{t+1}. So, from
the last step back to the first::

    dh_t     = dy_t @ W_hy.T + dh_next          (dh_next = dL/dh_t through h_{t+1}; 0 after the end)
    da_t     = dh_t * (1 - h_t**2)              (tanh'(a) = 1 - tanh(a)^2)
    dh_next  = da_t @ W_hh.T                    (the recurrence: dL/dh_{t-1} through h_t)

and because every step uses the same weights, their gradients are sums over time::

    dW_hy = sum_t h_t.T @ dy_t          db_y = sum_t sum_batch dy_t
    dW_hh = sum_t h_{t-1}.T @ da_t      db_h = sum_t sum_batch da_t
    dW_xh = sum_t x_t.T @ da_t          (for tokens x_t is one-hot: da_t lands in row W_xh[x_t])

Only the recurrence for ``dh`` must run step by step; every sum over time is one matrix product
over all steps at once.

Truncated BPTT keeps the forward pass whole (the state is carried across chunks of ``truncate``
steps) but cuts the backward recurrence at chunk boundaries: no gradient flows from a chunk into
the one before it. With ``truncate >= time`` it is full BPTT.
"""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C
from rnn_edu.rnn import Cache, RNNParams, _dense


def backward(
    params: RNNParams,
    cache: Cache,
    dy: np.ndarray,
    dh_last: np.ndarray | None = None,
    truncate: int | None = None,
) -> tuple[RNNParams, np.ndarray]:
    """Gradients of a loss with respect to the parameters and the initial state.

    params: the parameters used in the forward pass
    cache: what :func:`rnn_edu.rnn.forward` returned (``h: (batch, time, hidden)``)
    dy: ``(batch, time, output)``, dL/dy from the loss
    dh_last: ``(batch, hidden)``, dL/dh_T arriving from beyond the sequence (``None``: zero)
    truncate: cut the gradient every ``truncate`` steps (``None``: full BPTT)
    Returns ``(grads, dh0)``: an :class:`RNNParams` of gradients (same shapes as ``params``) and
    ``dh0: (batch, hidden)``, dL/dh_0. Every argument must be finite (``NonFiniteError``).
    """
    C.require_instance("params", params, RNNParams).require_finite()
    _require_rnn_cache(cache)
    dy, dh_next = _check_backward_args(params, cache, dy, dh_last, truncate)
    return _backward(params, cache, dy, dh_next, truncate)


def _backward(params: RNNParams, cache: Cache, dy: np.ndarray, dh_next: np.ndarray,
              truncate: int | None = None) -> tuple[RNNParams, np.ndarray]:
    """:func:`backward` on checked arguments (``dh_next`` given), for loops that checked them once."""
    hidden = cache.h.shape[2]
    # Time-major (time, batch, ...), as rnn.forward computed them: every step's rows contiguous.
    h, dy = cache.h.swapaxes(0, 1), dy.swapaxes(0, 1)
    da, dh0 = _recurrence(params, h, dy, dh_next, truncate)[1:]

    # Sums over time (and batch) as single products over all time * batch rows.
    h_prev = np.concatenate([cache.h0[None], h[:-1]])  # h_{t-1} of every step
    da2 = da.reshape(-1, hidden)
    if cache.tokens:  # x_t.T @ da_t with a one-hot x_t adds da_t to row W_xh[x_t]
        dW_xh = _sum_rows_by_id(cache.x.T.reshape(-1), da2, params.input_size)
    else:
        dW_xh = cache.x.swapaxes(0, 1).reshape(-1, params.input_size).T @ da2
    dy2 = dy.reshape(-1, params.output_size)
    ones = np.ones(len(da2), da2.dtype)  # sums over rows as products with ones: BLAS, 4x .sum(0)
    grads = RNNParams(
        W_xh=dW_xh,
        W_hh=h_prev.reshape(-1, hidden).T @ da2,
        b_h=ones @ da2,
        W_hy=h.reshape(-1, hidden).T @ dy2,
        b_y=ones @ dy2,
    )
    return grads, dh0


def _sum_rows_by_id(ids: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """``out[i] = sum of rows[k] where ids[k] == i``: ``(n, width)``, zero for unseen ids.

    ids: ``(N,)`` ints in ``[0, n)``; rows: ``(N, width)``. The same as
    ``one_hot(ids, n).T @ rows``, without building the one-hot matrix or multiplying by its
    zeros: sort the rows by id, then add up each run of equal ids (about twice as fast).
    """
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])  # where each run of an id begins
    out = np.zeros((n, rows.shape[1]), rows.dtype)
    out[ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def state_gradients(
    params: RNNParams,
    cache: Cache,
    dy: np.ndarray,
    dh_last: np.ndarray | None = None,
    truncate: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(dh, da)``: dL/dh_t and dL/da_t at every step, each ``(batch, time, hidden)``.

    The backward recurrence of :func:`backward` (same arguments), kept step by step: how far
    back the gradient reaches, e.g. ``np.linalg.norm(dh, axis=2)`` over t. With ``truncate``,
    ``dh`` holds what the truncated pass uses (nothing from beyond each chunk).
    """
    C.require_instance("params", params, RNNParams).require_finite()
    _require_rnn_cache(cache)
    dy, dh_next = _check_backward_args(params, cache, dy, dh_last, truncate)
    dh, da, _ = _recurrence(params, cache.h.swapaxes(0, 1), dy.swapaxes(0, 1), dh_next, truncate)
    return dh.swapaxes(0, 1), da.swapaxes(0, 1)


def _require_rnn_cache(cache) -> None:
    if type(cache) is not Cache:  # a GRU's cache (a subclass) needs gru.backward
        C.require_instance("cache", cache, Cache, "the Cache from rnn.forward")
        kind = type(cache)
        raise TypeError(f"cache: expected the Cache from rnn.forward, got {kind.__module__}.{kind.__name__}")


def _recurrence(params, h, dy, dh_next, truncate):
    """The step-by-step part of BPTT, time-major: ``h: (time, batch, hidden)`` and ``dy: (time,
    batch, output)`` give ``(dh, da, dh0)``, from the last step back to the first."""
    dh = _dense(dy, params.W_hy.T)  # dL/dh_t through y_t, all steps at once
    slope = h * h
    np.subtract(1.0, slope, out=slope)  # tanh'(a_t) = 1 - h_t**2, all steps at once
    da = np.empty_like(dh)
    for t in reversed(range(len(h))):
        dh[t] += dh_next  # now all of dL/dh_t
        np.multiply(dh[t], slope[t], out=da[t])
        if truncate is not None and t % truncate == 0 and t > 0:
            dh_next = np.zeros_like(dh_next)  # the cut: h_{t-1} gets nothing from this chunk
        else:
            dh_next = da[t] @ params.W_hh.T
    return dh, da, dh_next


def _check_backward_args(params, cache, dy, dh_last, truncate):
    """The checks every backward pass makes (the cache must come from a forward pass with
    ``params``: the sizes must agree); returns ``(dy, dh_next)`` in ``params.dtype``."""
    batch, time, hidden = cache.h.shape
    n_in = cache.x.max() + 1 if cache.tokens else cache.x.shape[2]
    if (params.hidden_size != hidden or cache.y.shape[2] != params.output_size
            or n_in > params.input_size or (not cache.tokens and n_in != params.input_size)):
        raise ValueError(
            f"cache: hidden size {hidden}, output size {cache.y.shape[2]} and "
            + (f"token ids up to {n_in - 1}" if cache.tokens else f"input size {n_in}")
            + f" do not match params (input {params.input_size}, hidden {params.hidden_size}, "
            f"output {params.output_size}): pass the params the forward pass used"
        )
    dy = C.require_array("dy", dy, kind="float", shape=cache.y.shape,
                         labels="(batch, time, output)").astype(params.dtype, copy=False)
    dh_next = (np.zeros((batch, hidden), params.dtype) if dh_last is None else C.require_array(
        "dh_last", dh_last, kind="float", shape=(batch, hidden), labels="(batch, hidden)"))
    C.require_int("truncate", truncate, min=1, optional=True)
    return dy, dh_next
