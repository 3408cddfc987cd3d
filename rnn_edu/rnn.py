"""The vanilla RNN forward pass, batched and vectorized over the batch.

The equations, with row vectors (one row per sequence in the batch), as Keras writes them::

    h_t = tanh(x_t @ W_xh + h_{t-1} @ W_hh + b_h)
    y_t = h_t @ W_hy + b_y

The source articles write the same thing with column vectors, ``h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)``:
the matrices here are the transposes of those. Shapes:

    x_t: (batch, input)      W_xh: (input, hidden)    b_h: (hidden,)
    h_t: (batch, hidden)     W_hh: (hidden, hidden)
    y_t: (batch, output)     W_hy: (hidden, output)   b_y: (output,)

Inputs are either integer tokens ``(batch, time)`` (then ``x_t`` is the one-hot vector of the
token, and ``x_t @ W_xh`` is just row ``W_xh[token]``) or real features ``(batch, time, input)``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from rnn_edu import _checks as C

PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
MAX_HIDDEN = 4096  # init_params' largest hidden size (its QR takes seconds beyond)


class _Weights:
    """What the RNN's and the GRU's parameter classes share: checks, sizes, copies.

    The same classes hold gradients, which may overflow to inf: so construction checks only
    types and dtypes (and each subclass its shapes), and the functions that compute *with*
    parameters refuse inf and NaN (:meth:`require_finite`).
    """

    def _check_arrays(self) -> None:
        arrays = self.as_dict()
        for name, value in arrays.items():
            C.require_instance(name, value, np.ndarray, "a NumPy array")
            C.require_array(name, value, kind="float", finite=False)
        first, dtype = next(iter(arrays)), next(iter(arrays.values())).dtype
        odd = next((n for n, a in arrays.items() if a.dtype != dtype), None)
        if odd is not None:
            count = {5: "five", 6: "six"}.get(len(arrays), str(len(arrays)))
            raise TypeError(f"{odd}: expected one dtype for all {count}, {dtype} like {first}, got "
                            f"{arrays[odd].dtype}")

    @property
    def input_size(self) -> int:
        return self.W_xh.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[0]

    @property
    def output_size(self) -> int:
        return self.W_hy.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W_hh.dtype

    def require_finite(self, name: str = "params"):
        """``self`` if every entry is finite; else ``NonFiniteError`` naming ``name.W_..``."""
        C.require_text("name", name, min_len=1)
        for key, value in self.as_dict().items():
            C.require_finite(f"{name}.{key}", value)
        return self

    def copy(self):
        return type(self)(**{k: v.copy() for k, v in self.as_dict().items()})

    def astype(self, dtype):
        """A copy in ``dtype``: ``np.float32`` or ``np.float64``."""
        dtype = C.require_float_dtype("dtype", dtype)
        return type(self)(**{k: v.astype(dtype) for k, v in self.as_dict().items()})


@dataclass
class RNNParams(_Weights):
    """The five parameters of a vanilla RNN (shapes in the module docstring)."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    b_h: np.ndarray
    W_hy: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        self._check_arrays()
        n_in, n_h = _shape2("W_xh", self.W_xh)
        _expect("W_hh", self.W_hh, (n_h, n_h))
        _expect("b_h", self.b_h, (n_h,))
        n_out = _shape2("W_hy", self.W_hy)[1]
        _expect("W_hy", self.W_hy, (n_h, n_out))
        _expect("b_y", self.b_y, (n_out,))

    def as_dict(self) -> dict[str, np.ndarray]:
        """The parameters by name, in the order of ``PARAM_NAMES``."""
        return {name: getattr(self, name) for name in PARAM_NAMES}


def init_params(
    input_size: int, hidden_size: int, output_size: int, *, seed: int = 0, dtype=np.float64
) -> RNNParams:
    """Random initial parameters.

    Input and output weights are drawn from N(0, 1/fan_in) (so each pre-activation has about
    unit variance whatever the width); ``W_hh`` is a random orthogonal matrix scaled by 0.9 so
    that, at the start, the hidden state neither explodes nor dies out over time (its largest
    singular value is 0.9; notebook 05 explains why the singular value is what matters).
    Biases start at zero. Sizes whose weights would exceed ``_checks.MAX_ENTRIES`` are refused.
    """
    dtype = _check_init(input_size, hidden_size, output_size, dtype)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    q = random_orthogonal(rng, hidden_size)
    return RNNParams(
        W_xh=(rng.standard_normal((input_size, hidden_size)) / np.sqrt(input_size)).astype(dtype),
        W_hh=(0.9 * q).astype(dtype),
        b_h=np.zeros(hidden_size, dtype=dtype),
        W_hy=(rng.standard_normal((hidden_size, output_size)) / np.sqrt(hidden_size)).astype(dtype),
        b_y=np.zeros(output_size, dtype=dtype),
    )


def random_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random ``(n, n)`` orthogonal matrix, uniformly distributed (the Q of a QR, signs fixed)."""
    C.require_instance("rng", rng, np.random.Generator, "a np.random.Generator")
    C.require_int("n", n, 1, MAX_HIDDEN, why="a QR of n x n")
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _check_init(input_size, hidden_size, output_size, dtype, blocks: int = 1) -> np.dtype:
    """The sizes and dtype of an ``init_params``; ``blocks`` gates share each matrix (GRU: 3)."""
    n_in = C.require_int("input_size", input_size, min=1)
    n_h = C.require_int("hidden_size", hidden_size, min=1)
    n_out = C.require_int("output_size", output_size, min=1)
    C.require_int("hidden_size", n_h, max=MAX_HIDDEN, why="W_hh is a QR of hidden x hidden")
    C.require_size("hidden_size", n_h * (blocks * (n_in + n_h) + n_out), what="weights")
    return C.require_float_dtype("dtype", dtype)


@dataclass
class Cache:
    """Everything the forward pass computed, and what the backward pass needs.

    x:  the inputs as given: tokens ``(batch, time)`` int, or features ``(batch, time, input)``
    h0: ``(batch, hidden)`` the initial state
    h:  ``(batch, time, hidden)`` every hidden state, ``h[:, t - 1]`` is h_t for t = 1..T (h_0 is ``h0``)
    y:  ``(batch, time, output)`` every output (logits), ``y[:, t - 1]`` is y_t
    """

    x: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        _require_arrays(self)
        batch, time, hidden = C.require_array("h", self.h, kind="float", ndim=3, nonempty=True,
                                              finite=False).shape
        C.require_array("h0", self.h0, kind="float", shape=(batch, hidden), finite=False)
        C.require_array("y", self.y, kind="float", shape=(batch, time, "output"), finite=False)
        if self.x.shape[:2] != (batch, time) or not (
                (self.x.ndim == 2 and C.is_int_array(self.x))
                or (self.x.ndim == 3 and np.issubdtype(self.x.dtype, np.floating))):
            raise ValueError(f"x: expected int tokens ({batch}, {time}) or float features "
                             f"({batch}, {time}, input), got {C.describe(self.x)}")

    @property
    def tokens(self) -> bool:
        return self.x.ndim == 2

    @property
    def h_last(self) -> np.ndarray:
        """``(batch, hidden)`` the final state, to carry into the next chunk."""
        return self.h[:, -1]


def input_projection(params: RNNParams, x: np.ndarray) -> np.ndarray:
    """``x_t @ W_xh`` for every t at once: ``(batch, time, hidden)``.

    x: tokens ``(batch, time)`` int, or features ``(batch, time, input)`` float.
    For tokens this is a row lookup, the same as multiplying by a one-hot vector.
    """
    return _project(params, _check_x(_check_params(params), x))


def _project(params: RNNParams, x: np.ndarray) -> np.ndarray:
    """A new array (callers may add to it in place)."""
    return params.W_xh[x] if x.ndim == 2 else _dense(x, params.W_xh)


def step(params: RNNParams, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One time step: returns ``(h_t, y_t)``.

    x_t: tokens ``(batch,)`` int with ids in ``[0, input)``, or features ``(batch, input)`` float
    h_prev: ``(batch, hidden)`` float
    h_t: ``(batch, hidden)``; y_t: ``(batch, output)``, both in ``params.dtype``
    Raises ``ValueError``/``TypeError`` naming the argument, the expected and the received shape.
    """
    _check_params(params)
    x_t = _check_x_t(params, x_t)
    return _step(params, x_t, _check_h(params, h_prev, x_t.shape[0], name="h_prev"))


def _step(params: RNNParams, x_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`step` on checked arguments (``x_t`` with a time axis of 1), for loops that
    checked them once."""
    h_t = np.tanh(_project(params, x_t)[:, 0] + h_prev @ params.W_hh + params.b_h)
    return h_t, h_t @ params.W_hy + params.b_y


def forward(params: RNNParams, x: np.ndarray, h0: np.ndarray | None = None) -> Cache:
    """Run the RNN over a batch of sequences.

    x: tokens ``(batch, time)`` with ids in ``[0, input)``, or features ``(batch, time, input)``
    h0: ``(batch, hidden)``, zeros when ``None``
    Returns a :class:`Cache` with ``h: (batch, time, hidden)`` and ``y: (batch, time, output)``,
    computed in ``params.dtype`` (float inputs are cast to it). One loop over time; every step
    handles the whole batch with one matrix product. Inputs, ``h0`` and ``params`` must be
    finite (``NonFiniteError`` names the one that is not).
    """
    x = _check_x(_check_params(params), x)
    batch = x.shape[0]
    h0 = np.zeros((batch, params.hidden_size), params.dtype) if h0 is None else h0
    return _forward(params, x, _check_h(params, h0, batch, name="h0"))


def _forward(params: RNNParams, x: np.ndarray, h0: np.ndarray) -> Cache:
    """:func:`forward` on checked arguments (``h0`` given), for loops that checked them once.

    The loop runs time-major, ``(time, batch, hidden)``, so that each step's rows are contiguous
    for BLAS (a sixth faster); the cache gets ``(batch, time, ...)`` views of those arrays.
    """
    # The input part of every step at once, time-major. For tokens it is row x_t of W_xh + b_h:
    # the bias added to the table's V rows, not to every step's (the same sums, a third the time).
    x_tm = x.swapaxes(0, 1)
    if x.ndim == 2:
        a = (params.W_xh + params.b_h)[x_tm]
    else:
        a = _project(params, x_tm)
        a += params.b_h
    h = np.empty_like(a)
    h_prev = h0
    for t in range(len(a)):  # h_t = tanh(a_t + h_{t-1} @ W_hh), computed in h[t]
        h_prev = np.matmul(h_prev, params.W_hh, out=h[t])
        h_prev += a[t]
        np.tanh(h_prev, out=h_prev)
    y = _dense(h, params.W_hy)
    y += params.b_y
    return Cache(x=x, h0=h0, h=h.swapaxes(0, 1), y=y.swapaxes(0, 1))


def _dense(a: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``a @ W`` for ``a: (..., n)`` and ``W: (n, m)``, as one matrix product: ``(..., m)``.

    NumPy's ``@`` with a 3-D ``a`` runs one small product per batch row; flattening the
    leading axes first gives BLAS a single large one (a third faster for a chunk of text).
    """
    return (a.reshape(-1, a.shape[-1]) @ W).reshape(a.shape[:-1] + (W.shape[1],))


def _require_arrays(obj, floats: bool = False) -> None:
    """Every field of the dataclass ``obj`` is a NumPy array (of floats, if ``floats``)."""
    for f in fields(obj):
        value = C.require_instance(f.name, getattr(obj, f.name), np.ndarray, "a NumPy array")
        if floats:
            C.require_array(f.name, value, kind="float", finite=False)


def _check_params(params) -> RNNParams:
    return C.require_instance("params", params, RNNParams).require_finite()


def _asarray(a, name: str) -> np.ndarray:
    try:
        return np.asarray(a)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name}: expected a rectangular array, got a ragged {type(a).__name__}") from None


def _check_x(params, x, name: str = "x") -> np.ndarray:
    x = _asarray(x, name)
    n_in = params.input_size
    if x.ndim == 2 and np.issubdtype(x.dtype, np.integer):
        if x.size and (x.min() < 0 or x.max() >= n_in):
            raise ValueError(
                f"{name}: expected token ids in [0, {n_in}) (input size), "
                f"got min {x.min()} and max {x.max()}"
            )
    elif x.ndim == 3 and np.issubdtype(x.dtype, np.floating):
        if x.shape[2] != n_in:
            raise ValueError(
                f"{name}: expected features of shape (batch, time, {n_in}), got {x.shape}"
            )
        x = C.require_finite(name, x.astype(params.dtype, copy=False))
    else:
        raise ValueError(
            f"{name}: expected int tokens (batch, time) or float features (batch, time, {n_in}), "
            f"got shape {x.shape} and dtype {x.dtype}"
            + (" (a 2-D float array: add a features axis, x[..., None])" if x.ndim == 2 else "")
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one sequence and one time step, got {x.shape}")
    return x


def _check_x_t(params, x_t) -> np.ndarray:
    """One step's input as a one-step sequence: tokens ``(batch, 1)`` or features ``(batch, 1, input)``."""
    x_t = _asarray(x_t, "x_t")
    tokens = x_t.ndim == 1 and np.issubdtype(x_t.dtype, np.integer)
    features = x_t.ndim == 2 and np.issubdtype(x_t.dtype, np.floating)
    if not (tokens or features) or (features and x_t.shape[1] != params.input_size):
        raise ValueError(
            f"x_t: expected int tokens (batch,) or float features (batch, {params.input_size}), "
            f"got shape {x_t.shape} and dtype {x_t.dtype}"
        )
    return _check_x(params, x_t[:, None], name="x_t")  # one time step: token range, dtype


def _check_h(params, h, batch: int, name: str) -> np.ndarray:
    h = _asarray(h, name)
    if h.shape != (batch, params.hidden_size):
        raise ValueError(
            f"{name}: expected shape (batch, hidden) = ({batch}, {params.hidden_size}), got {h.shape}"
        )
    if not np.issubdtype(h.dtype, np.floating):
        raise TypeError(f"{name}: expected a float array, got dtype {h.dtype}")
    return C.require_finite(name, h.astype(params.dtype, copy=False))


def _shape2(name: str, a: np.ndarray) -> tuple[int, int]:
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array, got shape {a.shape}")
    return a.shape


def _expect(name: str, a: np.ndarray, shape: tuple[int, ...]) -> None:
    if a.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {a.shape}")
