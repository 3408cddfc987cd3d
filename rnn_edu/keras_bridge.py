"""Weights between ``rnn_edu`` and Keras, both ways: Keras' ``SimpleRNN`` is the RNN of notebook 03.

Keras 3 keeps a ``SimpleRNN``'s weights as ``kernel (in, u)``, ``recurrent_kernel (u, u)`` and
``bias (u,)`` and computes, with row vectors like ``rnn_edu``::

    h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)     # = W_xh, W_hh, b_h
    y_t = h_t @ Dense.kernel + Dense.bias                              # = W_hy, b_y

so the parameters go in untransposed: ``[W_xh, W_hh, b_h]`` and ``[W_hy, b_y]``. Token inputs go
through an ``Embedding`` whose table ``E: (vocab, e)`` is looked up before the kernel: row ``E[token]
@ kernel`` is what ``W_xh[token]`` is in ``rnn_edu``, so ``W_xh = E @ kernel`` one way, and
``E = W_xh`` with ``kernel = I`` the other way.

Each ``get_*`` / ``set_*`` pair handles one kind of layer; :func:`to_keras`, :func:`from_keras` and
:func:`build_model` handle whole models. One check serves every layer, SimpleRNN and GRU alike:
its kind, built or not, and the settings the equations need (``tanh``, a bias); each array is
checked against the layer's size before anything is copied, and errors name the argument.

GRU (Keras 3, measured on 3.15): ``kernel (input, 3u)``, ``recurrent_kernel (u, 3u)``, column
blocks z, r, h, and ``bias (2, 3u)`` = [input bias; recurrent bias] when ``reset_after=True``
(the default), ``bias (3u,)`` when ``reset_after=False``. These are :class:`~rnn_edu.gru.GRUParams`'
``W_xh``, ``W_hh`` and ``b_xh`` / ``b_hh`` as they are, untransposed (both use row vectors). The
output layer ``y = h @ W_hy + b_y`` is a ``Dense`` layer with ``kernel = W_hy``, ``bias = b_y``.

Tokens: the NumPy GRU reads ``x_t @ W_xh`` as the row ``W_xh[token]``. In Keras that is an
``Embedding`` in front of the GRU: an embedding ``E (V, d)`` followed by a kernel ``K (d, 3u)``
gives the row ``(E @ K)[token]``, so reading from Keras folds ``W_xh = E @ K``, and writing to
Keras uses the identity embedding (``d = V``, one-hot vectors) with ``K = W_xh``.
"""

from __future__ import annotations

import keras
import numpy as np

from rnn_edu import _checks as C
from rnn_edu.gru import GRUParams
from rnn_edu.rnn import RNNParams

# The settings each layer needs to compute rnn_edu's equations.
_TANH_RNN = {"activation": "tanh", "use_bias": True}
_LINEAR = {"activation": "linear", "use_bias": True}
_GRU = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True}

# --- SimpleRNN, Dense, Embedding --------------------------------------------------------------


def get_simple_rnn(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W_xh (in, u), W_hh (u, u), b_h (u,))`` of a built tanh ``SimpleRNN`` with a bias."""
    _check_layer("layer", layer, keras.layers.SimpleRNN, built=True, **_TANH_RNN)
    return tuple(layer.get_weights())


def set_simple_rnn(layer, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray) -> None:
    """Put ``W_xh (in, u)``, ``W_hh (u, u)``, ``b_h (u,)`` into a ``SimpleRNN`` of ``u`` units.

    An unbuilt layer is built for ``in`` input features first.
    """
    _check_layer("layer", layer, keras.layers.SimpleRNN, **_TANH_RNN)
    u = layer.units
    W_xh = C.require_array("W_xh", W_xh, shape=("in", u), nonempty=True, labels="(in, units)")
    W_hh = C.require_array("W_hh", W_hh, shape=(u, u), labels="(units, units)")
    b_h = C.require_array("b_h", b_h, shape=(u,), labels="(units,)")
    _copy(layer, (None, None, len(W_xh)), W_xh=W_xh, W_hh=W_hh, b_h=b_h)


def get_dense(layer) -> tuple[np.ndarray, np.ndarray]:
    """``(W_hy (u, out), b_y (out,))`` of a built linear ``Dense`` layer with a bias."""
    _check_layer("layer", layer, keras.layers.Dense, built=True, **_LINEAR)
    return tuple(layer.get_weights())


def set_dense(layer, W_hy: np.ndarray, b_y: np.ndarray) -> None:
    """Put ``W_hy (u, out)`` and ``b_y (out,)`` into a linear ``Dense(out)`` (built if needed)."""
    _check_layer("layer", layer, keras.layers.Dense, **_LINEAR)
    out = layer.units
    W_hy = C.require_array("W_hy", W_hy, shape=("u", out), nonempty=True, labels="(u, units)")
    b_y = C.require_array("b_y", b_y, shape=(out,), labels="(units,)")
    _copy(layer, (None, len(W_hy)), W_hy=W_hy, b_y=b_y)


def get_embedding(layer) -> np.ndarray:
    """The table ``E (vocab, e)`` of a built ``Embedding``: row ``E[token]`` is the token's vector."""
    _check_layer("layer", layer, keras.layers.Embedding, built=True)
    return layer.get_weights()[0]


def set_embedding(layer, E: np.ndarray) -> None:
    """Put the table ``E (vocab, e)`` into an ``Embedding(vocab, e)`` (built if needed)."""
    _check_layer("layer", layer, keras.layers.Embedding)
    E = C.require_array("E", E, shape=(layer.input_dim, layer.output_dim),
                        labels="(input_dim, output_dim)")
    _copy(layer, (None, None), E=E)


def layers_of(model):
    """``(embedding or None, simple_rnn, dense)``: the layers of a model that ``rnn_edu`` can mirror.

    The model must hold exactly one tanh ``SimpleRNN`` and one linear ``Dense`` after it (both
    with a bias), at most one ``Embedding`` before it, and nothing else with weights.
    """
    C.require_instance("model", model, keras.Model, "a Keras model")
    kinds = (keras.layers.Embedding, keras.layers.SimpleRNN, keras.layers.Dense)
    weighted = [layer for layer in model.layers if layer.weights or isinstance(layer, kinds)]
    names = [type(layer).__name__ for layer in weighted]
    if names not in (["SimpleRNN", "Dense"], ["Embedding", "SimpleRNN", "Dense"]):
        raise ValueError(f"model: expected layers [Embedding,] SimpleRNN, Dense, got {names}")
    _check_layer("model", weighted[-2], keras.layers.SimpleRNN, **_TANH_RNN)
    _check_layer("model", weighted[-1], keras.layers.Dense, **_LINEAR)
    return (None, *weighted) if len(weighted) == 2 else tuple(weighted)


def from_keras(model, dtype=np.float64) -> RNNParams:
    """The ``RNNParams`` of a built Keras ``[Embedding ->] SimpleRNN -> Dense`` model.

    With an Embedding, ``W_xh = E @ kernel`` (tokens in ``[0, vocab)``). Computed in ``dtype``
    (``np.float32`` or ``np.float64``).
    """
    layers = [layer for layer in layers_of(model) if layer is not None]
    dtype = C.require_float_dtype("dtype", dtype)
    for layer in layers:
        _check_layer("model", layer, keras.layers.Layer, built=True)
    *embedding, simple_rnn, dense = layers
    W_xh, W_hh, b_h = (w.astype(dtype) for w in get_simple_rnn(simple_rnn))
    if embedding:
        W_xh = get_embedding(embedding[0]).astype(dtype) @ W_xh
    W_hy, b_y = (w.astype(dtype) for w in get_dense(dense))
    params = RNNParams(W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hy=W_hy, b_y=b_y)
    return params.require_finite("model")  # a diverged training run: say so here, not later


def to_keras(params: RNNParams, model) -> None:
    """Copy ``params`` into a Keras ``[Embedding ->] SimpleRNN -> Dense`` model, in place.

    With an Embedding, it gets ``E = W_xh`` and the SimpleRNN's kernel is the identity, so the
    Embedding must be ``Embedding(input, hidden)``. Unbuilt layers are built for ``params``' sizes.
    """
    C.require_instance("params", params, RNNParams).require_finite()
    embedding, simple_rnn, dense = layers_of(model)
    n_in, n_h = params.input_size, params.hidden_size
    if embedding is not None:
        _check_sizes("model", embedding, n_in, n_h)
    _check_sizes("model", simple_rnn, n_in if embedding is None else n_h, n_h)
    _check_sizes("model", dense, n_h, params.output_size)
    if embedding is None:
        set_simple_rnn(simple_rnn, params.W_xh, params.W_hh, params.b_h)
    else:
        set_embedding(embedding, params.W_xh)
        set_simple_rnn(simple_rnn, np.eye(n_h, dtype=params.dtype), params.W_hh, params.b_h)
    set_dense(dense, params.W_hy, params.b_y)


def build_model(params: RNNParams, *, tokens: bool = False) -> keras.Model:
    """A Keras model that computes :func:`rnn_edu.rnn.forward` with ``params``.

    Inputs ``[x, h0]``: ``x`` is ``(batch, time, input)`` floats, or ``(batch, time)`` token ids
    with ``tokens=True`` (through an Embedding); ``h0`` is ``(batch, hidden)``. Outputs ``[y, h]``:
    ``(batch, time, output)`` and ``(batch, time, hidden)``, like ``cache.y`` and ``cache.h``.
    The layers compute in ``params.dtype`` (float32 or float64).
    """
    C.require_instance("params", params, RNNParams).require_finite()
    C.require_bool("tokens", tokens)
    dtype = str(params.dtype)
    n_in, n_h = params.input_size, params.hidden_size
    x = keras.Input((None,) if tokens else (None, n_in), dtype="int64" if tokens else dtype)
    h0 = keras.Input((n_h,), dtype=dtype)
    inputs = keras.layers.Embedding(n_in, n_h, dtype=dtype)(x) if tokens else x
    h = keras.layers.SimpleRNN(n_h, return_sequences=True, dtype=dtype)(inputs, initial_state=h0)
    y = keras.layers.Dense(params.output_size, dtype=dtype)(h)
    model = keras.Model([x, h0], [y, h])
    to_keras(params, model)
    return model


# --- what both halves share -------------------------------------------------------------------


def _check_sizes(name: str, layer, n_in: int, n_out: int) -> None:
    """Raise unless ``layer`` maps ``n_in`` inputs to ``n_out`` (units; an Embedding's
    ``(input_dim, output_dim)``), as ``params`` need; an unbuilt layer takes any input size."""
    if isinstance(layer, keras.layers.Embedding):
        got = (layer.input_dim, layer.output_dim)
    else:
        got = (layer.weights[0].shape[0] if layer.built else n_in, layer.units)
    if got != (n_in, n_out):
        raise ValueError(f"{name}: expected layer {layer.name!r} to map {n_in} -> {n_out} (params' "
                         f"sizes), got {got[0]} -> {got[1]}")


def _copy(layer, input_shape: tuple, **arrays: np.ndarray) -> None:
    """Build ``layer`` for ``input_shape`` if needed, then copy ``arrays`` (checked against the
    layer's units already) into its weights, in their dtype. The first array's rows must match
    the input size the layer was built for."""
    if not layer.built:
        layer.build(input_shape)
    (name, first), n_in = next(iter(arrays.items())), layer.weights[0].shape[0]
    if len(first) != n_in:
        raise ValueError(f"{name}: expected {n_in} rows (layer {layer.name!r} was built for {n_in} "
                         f"inputs), got {len(first)}")
    layer.set_weights([a.astype(w.dtype) for a, w in zip(arrays.values(), layer.weights)])


def _check_layer(name: str, layer, kind, *, built: bool = False, **settings) -> None:
    """Raise unless ``layer`` is a Keras ``kind`` (built, if asked) whose ``settings`` (e.g.
    ``activation="tanh", use_bias=True``) are those of rnn_edu's equations."""
    C.require_instance(name, layer, kind, f"a keras.layers.{kind.__name__}")
    if built and not layer.built:
        raise ValueError(f"{name}: expected a built layer (call it on an input or build it first), "
                         f"got {layer.name!r} not built yet")
    got = {key: getattr(layer, key) for key in settings}
    got = {key: getattr(v, "__name__", v) if callable(v) else v for key, v in got.items()}
    if got != settings:
        raise ValueError(f"{name}: expected {_kw(settings)} (rnn_edu's equations), got {_kw(got)} "
                         f"in {layer.name!r}")


def _kw(settings: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in settings.items())


# --- GRU ------------------------------------------------------------------------------------


def gru_to_keras(params: GRUParams, layer, dense=None, embedding=None) -> None:
    """Copy ``params`` into a Keras ``GRU`` layer (and its ``Dense`` and ``Embedding``, if given).

    layer: ``keras.layers.GRU(hidden, reset_after=params.reset_after)``, built or not
    dense: ``keras.layers.Dense(output)`` for ``W_hy``, ``b_y`` (``None``: not copied)
    embedding: ``keras.layers.Embedding(input, input)`` for token inputs: set to the identity
    """
    C.require_instance("params", params, GRUParams).require_finite()
    _check_gru_layer(layer, params.hidden_size, params.reset_after)
    V, H = params.input_size, params.hidden_size
    _check_sizes("layer", layer, V, H)
    if dense is not None:
        _check_layer("dense", dense, keras.layers.Dense, **_LINEAR)
        _check_sizes("dense", dense, H, params.output_size)
    if embedding is not None:  # one-hot rows for V token ids
        _check_layer("embedding", embedding, keras.layers.Embedding)
        _check_sizes("embedding", embedding, V, V)
    # every layer checked: now copy
    bias = np.stack([params.b_xh, params.b_hh]) if params.reset_after else params.b_xh
    _copy(layer, (None, None, V), W_xh=params.W_xh, W_hh=params.W_hh, bias=bias)
    if dense is not None:
        _copy(dense, (None, H), W_hy=params.W_hy, b_y=params.b_y)
    if embedding is not None:
        _copy(embedding, (None, None), E=np.eye(V))


def gru_from_keras(layer, dense=None, embedding=None) -> GRUParams:
    """A :class:`~rnn_edu.gru.GRUParams` holding a built Keras ``GRU`` layer's weights (float32).

    dense: its output ``Dense`` layer (``None``: ``W_hy = I``, ``b_y = 0``, so ``y_t = h_t``)
    embedding: the ``Embedding`` in front of it, for token inputs: ``W_xh = E @ kernel``
    """
    _check_gru_layer(layer, built=True)
    kernel, recurrent, bias = layer.get_weights()
    H = layer.units
    if embedding is not None:
        _check_layer("embedding", embedding, keras.layers.Embedding, built=True)
        (E,) = embedding.get_weights()
        if E.shape[1] != kernel.shape[0]:
            raise ValueError(f"embedding: expected output_dim {kernel.shape[0]} (the GRU's input "
                             f"size), got {E.shape[1]}")
        kernel = E @ kernel
    if dense is None:
        W_hy, b_y = np.eye(H, dtype=kernel.dtype), np.zeros(H, kernel.dtype)
    else:
        _check_layer("dense", dense, keras.layers.Dense, built=True, **_LINEAR)
        W_hy, b_y = dense.get_weights()
        if W_hy.shape[0] != H:
            raise ValueError(f"dense: expected a Dense layer taking {H} inputs (the GRU's units), "
                             f"got one taking {W_hy.shape[0]}")
    b_xh, b_hh = (bias[0], bias[1]) if layer.reset_after else (bias, None)
    params = GRUParams(W_xh=kernel, W_hh=recurrent, b_xh=b_xh, b_hh=b_hh, W_hy=W_hy, b_y=b_y)
    return params.require_finite("layer")  # a diverged training run: say so here, not later


def gru_model(params: GRUParams, *, tokens: bool = False):
    """A Keras model computing what :func:`rnn_edu.gru.forward` computes, with ``params``' weights.

    Inputs ``[x, h0]``: ``x (batch, time, input)`` float (or ``(batch, time)`` int ids with
    ``tokens=True``), ``h0 (batch, hidden)``. Outputs ``[y, h_T]``: ``y (batch, time, output)``,
    ``h_T (batch, hidden)``. Weights in float32, Keras' default.
    """
    C.require_instance("params", params, GRUParams).require_finite()
    C.require_bool("tokens", tokens)
    x = keras.Input((None,), dtype="int32") if tokens else keras.Input((None, params.input_size))
    h0 = keras.Input((params.hidden_size,))
    embedding = keras.layers.Embedding(params.input_size, params.input_size) if tokens else None
    layer = keras.layers.GRU(params.hidden_size, reset_after=params.reset_after,
                             return_sequences=True, return_state=True)
    dense = keras.layers.Dense(params.output_size)
    h, h_last = layer(embedding(x) if tokens else x, initial_state=h0)
    model = keras.Model([x, h0], [dense(h), h_last])
    gru_to_keras(params, layer, dense, embedding)
    return model


def _check_gru_layer(layer, hidden: int | None = None, reset_after: bool | None = None, *,
                     built: bool = False) -> None:
    _check_layer("layer", layer, keras.layers.GRU, built=built, **_GRU)
    if hidden is not None and layer.units != hidden:
        raise ValueError(
            f"layer: expected a GRU with {hidden} units (params' hidden size), got {layer.units}"
        )
    if reset_after is not None and layer.reset_after != reset_after:
        raise ValueError(
            f"layer: expected reset_after={reset_after} like params (b_hh is "
            f"{'set' if reset_after else 'None'}), got reset_after={layer.reset_after}: the two "
            "variants are different functions"
        )
