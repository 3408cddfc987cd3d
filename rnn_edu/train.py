"""Training a character RNN with truncated BPTT, and measuring it in bits per character.

One update::

    x, y  = next chunk of every stream            (batch, seq_len) ids; y is x shifted by one
    cache = forward(params, x, h)                  h carried over from the previous chunk
    loss, dy = cross_entropy(cache.y, y)
    grads, _ = backward(params, cache, dy)         the gradient stops at the chunk's start
    clip, then optimizer.step(params, grads)
    h = cache.h_last

Carrying ``h`` lets the model use context longer than ``seq_len`` in the forward pass, while the
backward pass costs only ``seq_len`` steps: truncated BPTT.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from tqdm.auto import tqdm

from rnn_edu import _checks as C
from rnn_edu import bptt, losses, optim
from rnn_edu.data import batch_windows
from rnn_edu.rnn import RNNParams, _forward, forward, init_params


@dataclass
class History:
    """What happened during training.

    loss: training loss (nats per character) of every update, in order
    val_steps, val_bpc: the update numbers at which validation bits/char was measured, and it
    grad_norms: the global gradient norm of every update, before clipping
    """

    loss: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_bpc: list[float] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0


def init_char_params(vocab_size: int, hidden_size: int, *, seed: int = 0,
                     dtype=np.float32) -> RNNParams:
    """Initial parameters for a character model: :func:`rnn_edu.rnn.init_params` with
    ``W_xh: (vocab_size, hidden_size)`` drawn from N(0, 1) instead of N(0, 1/vocab_size).

    Why: a one-hot input has a single nonzero entry, so ``x_t @ W_xh`` is one row of ``W_xh``
    and its variance is that of one entry, not the sum over ``vocab_size`` inputs that the
    1/fan_in rule assumes. With N(0, 1/V) every character would start as a faint signal
    (std 0.1 for V = 100) next to the recurrent input; unit variance makes it heard from the
    first update, and training gets to a given loss in fewer steps.
    """
    C.require_int("vocab_size", vocab_size, min=1)
    params = init_params(vocab_size, hidden_size, vocab_size, seed=seed, dtype=dtype)
    params.W_xh *= np.asarray(np.sqrt(vocab_size), dtype=params.dtype)
    return params


def _check_ids(name: str, ids, vocab_size: int, min_len: int) -> np.ndarray:
    """1-D int ids of the model's vocabulary, at least ``min_len`` of them."""
    ids = C.require_ids(name, ids, vocab_size, ndim=1)
    if len(ids) < min_len:
        raise ValueError(f"{name}: expected at least {min_len} ids, got {len(ids)}")
    return ids


def log2_probs(params: RNNParams, ids, streams: int = 16,
               blas_threads: int | None = 1) -> np.ndarray:
    """log2 of the probability the model gives each next character of ``ids`` (1-D int array).

    The text is cut into ``streams`` contiguous pieces of ``n = (len(ids) - 1) // streams``
    characters, run side by side as one batch (each from a zero state); every character after
    the first of its piece is predicted from all the characters before it in the piece.
    Returns ``(streams * n,)``: entry ``i`` is for ``ids[i + 1]`` (the last few ids, which do not
    fill a piece, are left out). ``blas_threads`` as in :func:`train`: the products are small.
    """
    C.require_instance("params", params, RNNParams)
    streams = C.require_int("streams", streams, min=1)
    C.require_int("blas_threads", blas_threads, 1, C.MAX_THREADS, optional=True)
    ids = _check_ids("ids", ids, params.input_size, min_len=2)
    streams = min(streams, len(ids) - 1)
    n = (len(ids) - 1) // streams
    x = ids[: streams * n].reshape(streams, n)
    y = ids[1 : streams * n + 1].reshape(streams, n)
    with blas_limit(blas_threads):
        logp = losses.log_softmax(forward(params, x).y)
    b, t = np.indices(y.shape)
    return logp[b, t, y].reshape(-1) / math.log(2)


def bits_per_char(params: RNNParams, ids, streams: int = 16,
                  blas_threads: int | None = 1) -> float:
    """Held-out bits per character of ``ids`` (1-D int array): ``-mean(log2_probs(...))``.

    Same units as :func:`rnn_edu.markov.bits_per_char`.
    """
    return float(-log2_probs(params, ids, streams, blas_threads).mean())


def train(
    params: RNNParams,
    train_ids,
    val_ids=None,
    *,
    optimizer=None,
    steps: int = 1000,
    batch_size: int = 32,
    seq_len: int = 25,
    clip_norm: float | None = 5.0,
    clip_value: float | None = None,
    eval_every: int = 200,
    lr_end: float | None = None,
    seed: int = 0,
    blas_threads: int | None = 1,
    progress: bool = True,
    callback: Callable[[int, float], None] | None = None,
) -> History:
    """Train ``params`` in place on a 1-D id stream with truncated BPTT; return a :class:`History`.

    train_ids, val_ids: 1-D int arrays (``vocab.encode(text)``); ``val_ids=None`` skips validation
    optimizer: an :mod:`rnn_edu.optim` optimizer (default ``Adam(lr=3e-3)``)
    steps: number of updates, each on ``batch_size * seq_len`` characters
    clip_norm / clip_value: clip by global norm / element-wise (``None`` to skip)
    eval_every: measure validation bits/char every this many updates, and at the end
    lr_end: decay the optimizer's learning rate geometrically from ``optimizer.lr`` to ``lr_end``
    over the run (``None``: constant); small late steps settle into a better minimum
    seed: each pass over the data starts the streams at a random offset drawn from ``seed``, so
    a run is reproducible and successive passes see different chunk boundaries
    blas_threads: threads for NumPy's matrix products during training (``None``: leave as is).
    The products here are small (batch x hidden), and starting threads costs more than they
    save; on a shared machine extra threads also wait on each other. One thread is usually
    fastest. Needs ``threadpoolctl`` (otherwise ignored); the setting is restored afterwards.
    callback: called as ``callback(step, loss)`` after every update (e.g. to draw a live plot)
    """
    C.require_instance("params", params, RNNParams).require_finite()
    if params.input_size != params.output_size:
        raise ValueError(
            f"params: a character model needs input size == output size, got "
            f"{params.input_size} and {params.output_size}"
        )
    steps = C.require_int("steps", steps, min=1, max=C.MAX_STEPS, why="more would take days")
    batch_size, seq_len, eval_every = (C.require_int(name, value, min=1) for name, value in (
        ("batch_size", batch_size), ("seq_len", seq_len), ("eval_every", eval_every)))
    clip_norm = C.require_real("clip_norm", clip_norm, above=0, optional=True)
    clip_value = C.require_real("clip_value", clip_value, above=0, optional=True)
    lr_end = C.require_real("lr_end", lr_end, above=0, optional=True)
    C.require_int("blas_threads", blas_threads, 1, C.MAX_THREADS, optional=True)
    C.require_bool("progress", progress)
    if callback is not None:
        C.require_callable("callback", callback, "a function callback(step, loss) or None")
    train_ids = _check_ids("train_ids", train_ids, params.input_size,
                           min_len=batch_size * (2 * seq_len) + 1)
    if val_ids is not None:
        val_ids = _check_ids("val_ids", val_ids, params.input_size, min_len=2)
    optimizer = optim.Adam(lr=3e-3) if optimizer is None else optim.require_optimizer(optimizer)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    history = History()
    lr_start = optimizer.lr
    zero_state = np.zeros((batch_size, params.hidden_size), params.dtype)

    def chunks():
        while True:  # one pass over the data per loop; the state starts at zero each pass
            offset = int(rng.integers(seq_len))
            yield None
            yield from batch_windows(train_ids[offset:], batch_size, seq_len)

    start = time.perf_counter()
    bar = tqdm(total=steps, disable=not progress, unit="step", mininterval=0.5)
    h, step = None, 0
    with blas_limit(blas_threads):
        for chunk in chunks():
            if chunk is None:
                h = None
                continue
            # The arguments were checked above, and every chunk is a slice of train_ids: the
            # update calls the unchecked inner functions (the checks would cost a fifth of it).
            x, y = chunk
            cache = _forward(params, x, zero_state if h is None else h)
            loss, dy = losses._cross_entropy(cache.y, y)
            grads = bptt._backward(params, cache, dy, zero_state)[0].as_dict()
            norm = optim._norm(grads, fast=True)
            if not math.isfinite(norm):
                optim._check_finite(grads)  # raises, naming the parameter that overflowed
            history.grad_norms.append(norm)
            optim._clip_in_place(grads, clip_value, clip_norm, norm)
            if lr_end is not None:
                optimizer.lr = lr_start * (lr_end / lr_start) ** (step / max(steps - 1, 1))
            if isinstance(optimizer, optim._Optimizer):
                optimizer._apply(params.as_dict(), grads)
            else:
                optimizer.step(params, RNNParams(**grads))
            h = cache.h_last
            step += 1
            history.loss.append(loss)
            history.chars += x.size
            if callback is not None:
                callback(step, loss)
            if val_ids is not None and (step % eval_every == 0 or step == steps):
                history.val_steps.append(step)
                history.val_bpc.append(bits_per_char(params, val_ids, blas_threads=blas_threads))
            if step % 10 == 0 or step == steps:
                shown = {"loss": f"{np.mean(history.loss[-10:]):.3f}"}
                if history.val_bpc:
                    shown["val_bpc"] = f"{history.val_bpc[-1]:.3f}"
                bar.set_postfix(shown, refresh=False)
                bar.update(step - bar.n)
            if step == steps:
                break
    bar.close()
    history.seconds = time.perf_counter() - start
    return history


@contextmanager
def blas_limit(threads: int | None):
    """Limit the BLAS thread pool to ``threads`` inside a ``with`` block (``None``: no change).

    Training and the explorers' updates use it: their products are small, and on a machine whose
    cores are busy, BLAS threads wait on each other (a product took 10x longer on two threads).
    """
    threads = C.require_int("threads", threads, 1, C.MAX_THREADS, optional=True)
    controller = None if threads is None else _threadpools()
    if controller is None:  # nothing to change, or no threadpoolctl: NumPy keeps its own count
        yield
        return
    with controller.limit(limits=threads, user_api="blas"):
        yield


@cache
def _threadpools():
    """threadpoolctl's view of the loaded BLAS, found once (a search takes milliseconds)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()
