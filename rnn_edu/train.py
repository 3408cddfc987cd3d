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
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from rnn_edu import bptt, losses, optim
from rnn_edu.data import _describe, batch_windows
from rnn_edu.rnn import RNNParams, forward, init_params


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
    params = init_params(vocab_size, hidden_size, vocab_size, seed=seed, dtype=dtype)
    params.W_xh *= np.asarray(np.sqrt(vocab_size), dtype=params.dtype)
    return params


def _check_ids(name: str, ids, vocab_size: int, min_len: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name}: expected a 1-D array of int ids, got {_describe(ids)}")
    if len(ids) < min_len:
        raise ValueError(f"{name}: expected at least {min_len} ids, got {len(ids)}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(
            f"{name}: expected ids in [0, {vocab_size}) (the model's vocabulary), "
            f"got min {ids.min()} and max {ids.max()}"
        )
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
    if not isinstance(streams, (int, np.integer)) or isinstance(streams, bool) or streams < 1:
        raise ValueError(f"streams: expected an int >= 1, got {streams!r}")
    _check_threads(blas_threads)
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
    if not isinstance(params, RNNParams):
        raise TypeError(f"params: expected RNNParams, got {type(params).__name__}")
    if params.input_size != params.output_size:
        raise ValueError(
            f"params: a character model needs input size == output size, got "
            f"{params.input_size} and {params.output_size}"
        )
    for name, value in (("steps", steps), ("batch_size", batch_size), ("seq_len", seq_len),
                        ("eval_every", eval_every)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    for name, value in (("clip_norm", clip_norm), ("clip_value", clip_value)):
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"{name}: expected a number > 0 or None, got {value!r}")
    train_ids = _check_ids("train_ids", train_ids, params.input_size,
                           min_len=batch_size * (2 * seq_len) + 1)
    if val_ids is not None:
        val_ids = _check_ids("val_ids", val_ids, params.input_size, min_len=2)
    if lr_end is not None and not (isinstance(lr_end, float) and lr_end > 0):
        raise ValueError(f"lr_end: expected a float > 0 or None, got {lr_end!r}")
    _check_threads(blas_threads)
    optimizer = optim.Adam(lr=3e-3) if optimizer is None else optimizer
    if isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer: expected an optimizer object such as optim.Adam(lr=3e-3), got "
            + (f"the class {optimizer.__name__} (call it)" if isinstance(optimizer, type)
               else type(optimizer).__name__)
        )
    rng = np.random.default_rng(seed)
    history = History()
    lr_start = optimizer.lr

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
            x, y = chunk
            cache = forward(params, x, h)
            loss, dy = losses.cross_entropy(cache.y, y)
            grads, _ = bptt.backward(params, cache, dy)
            history.grad_norms.append(optim.global_norm(grads))
            if clip_value is not None:
                grads = optim.clip_elementwise(grads, clip_value)
            if clip_norm is not None:
                grads, _ = optim.clip_global_norm(grads, clip_norm)
            if lr_end is not None:
                optimizer.lr = lr_start * (lr_end / lr_start) ** (step / max(steps - 1, 1))
            optimizer.step(params, grads)
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


def _check_threads(blas_threads) -> None:
    if blas_threads is not None and (
        not isinstance(blas_threads, (int, np.integer)) or isinstance(blas_threads, bool)
        or blas_threads < 1
    ):
        raise ValueError(f"blas_threads: expected an int >= 1 or None, got {blas_threads!r}")


@contextmanager
def blas_limit(threads: int | None):
    """Limit the BLAS thread pool to ``threads`` inside a ``with`` block (``None``: no change)."""
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it, NumPy keeps its own thread count
        limiter = nullcontext()
    else:
        limiter = threadpool_limits(limits=threads, user_api="blas")
    with limiter:
        yield
