"""Weights between ``rnn_edu`` and Keras, both ways: Keras' ``SimpleRNN`` is the RNN of notebook 03.

Keras 3 keeps a ``SimpleRNN``'s weights as ``kernel (in, u)``, ``recurrent_kernel (u, u)`` and
``bias (u,)`` and computes, with row vectors like ``rnn_edu``::

    h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)     # = W_xh, W_hh, b_h
    y_t = h_t @ Dense.kernel + Dense.bias                              # = W_hy, b_y

so the parameters go in untransposed: ``[W_xh, W_hh, b_h]`` and ``[W_hy, b_y]``. Token inputs go
through an ``Embedding`` whose table ``E: (vocab, e)`` is looked up before the kernel: row ``E[token]
@ kernel`` is what ``W_xh[token]`` is in ``rnn_edu``, so ``W_xh = E @ kernel`` one way, and
``E = W_xh`` with ``kernel = I`` the other way.

Each ``get_*`` / ``set_*`` pair handles one kind of layer; :func:`check_layer` is what they share
(the kind of layer, built or not, and the shapes of its weights), so other cells (the GRU) sit
beside them. :func:`to_keras`, :func:`from_keras` and :func:`build_model` handle whole models.

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

# --- SimpleRNN, Dense, Embedding --------------------------------------------------------------


def check_layer(layer, kind, shapes: dict[str, tuple[int, ...]] | None = None, what: str = "layer") -> None:
    """Raise unless ``layer`` is a built Keras layer of class ``kind`` whose weights have ``shapes``.

    shapes: weight name -> expected shape, in the order of ``layer.weights`` (e.g. ``{"kernel":
    (3, 5), "recurrent_kernel": (5, 5), "bias": (5,)}``); ``None`` checks only the kind.
    """
    if not isinstance(layer, kind):
        name = getattr(layer, "name", None)
        raise TypeError(f"{what}: expected a Keras {kind.__name__}, got a {type(layer).__name__}"
                        + (f" named {name!r}" if isinstance(name, str) else ""))
    if shapes is None:
        return
    if not layer.built:
        raise ValueError(f"layer {layer.name!r}: not built yet (call it on an input or give the "
                         "model a keras.Input) so its weights do not exist")
    got = {w.path.rsplit("/", 1)[-1]: tuple(w.shape) for w in layer.weights}
    if got != shapes:
        raise ValueError(f"layer {layer.name!r}: expected weights {_fmt(shapes)}, got {_fmt(got)}")


def get_simple_rnn(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W_xh (in, u), W_hh (u, u), b_h (u,))`` of a built tanh ``SimpleRNN`` with a bias."""
    _check_simple_rnn(layer)
    return tuple(layer.get_weights())


def set_simple_rnn(layer, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray) -> None:
    """Put ``W_xh (in, u)``, ``W_hh (u, u)``, ``b_h (u,)`` into a ``SimpleRNN`` of ``u`` units.

    An unbuilt layer is built for ``in`` input features first.
    """
    check_layer(layer, keras.layers.SimpleRNN)
    n_in, units = np.shape(W_xh)
    if not layer.built:
        layer.build((None, None, n_in))
    _check_simple_rnn(layer, n_in, units)
    _set(layer, W_xh=W_xh, W_hh=W_hh, b_h=b_h)


def get_dense(layer) -> tuple[np.ndarray, np.ndarray]:
    """``(W_hy (u, out), b_y (out,))`` of a built linear ``Dense`` layer with a bias."""
    _check_dense(layer)
    return tuple(layer.get_weights())


def set_dense(layer, W_hy: np.ndarray, b_y: np.ndarray) -> None:
    """Put ``W_hy (u, out)`` and ``b_y (out,)`` into a linear ``Dense`` layer (built if needed)."""
    check_layer(layer, keras.layers.Dense)
    units, n_out = np.shape(W_hy)
    if not layer.built:
        layer.build((None, units))
    _check_dense(layer, units, n_out)
    _set(layer, W_hy=W_hy, b_y=b_y)


def get_embedding(layer) -> np.ndarray:
    """The table ``E (vocab, e)`` of a built ``Embedding``: row ``E[token]`` is the token's vector."""
    check_layer(layer, keras.layers.Embedding)
    check_layer(layer, keras.layers.Embedding, {"embeddings": (layer.input_dim, layer.output_dim)})
    return layer.get_weights()[0]


def set_embedding(layer, E: np.ndarray) -> None:
    """Put the table ``E (vocab, e)`` into an ``Embedding(vocab, e)`` (built if needed)."""
    check_layer(layer, keras.layers.Embedding)
    if not layer.built:
        layer.build((None, None))
    check_layer(layer, keras.layers.Embedding, {"embeddings": np.shape(E)})
    _set(layer, E=E)


def layers_of(model):
    """``(embedding or None, simple_rnn, dense)``: the layers of a model that ``rnn_edu`` can mirror.

    The model must hold exactly one ``SimpleRNN`` and one ``Dense`` after it, and at most one
    ``Embedding`` before it, and nothing else with weights.
    """
    check_layer(model, keras.Model, what="model")
    kinds = (keras.layers.Embedding, keras.layers.SimpleRNN, keras.layers.Dense)
    weighted = [layer for layer in model.layers if layer.weights or isinstance(layer, kinds)]
    names = [type(layer).__name__ for layer in weighted]
    if names not in (["SimpleRNN", "Dense"], ["Embedding", "SimpleRNN", "Dense"]):
        raise ValueError(f"model: expected layers [Embedding,] SimpleRNN, Dense, got {names}")
    return (None, *weighted) if len(weighted) == 2 else tuple(weighted)


def from_keras(model, dtype=np.float64) -> RNNParams:
    """The ``RNNParams`` of a Keras ``[Embedding ->] SimpleRNN -> Dense`` model.

    With an Embedding, ``W_xh = E @ kernel`` (tokens in ``[0, vocab)``). Computed in ``dtype``.
    """
    embedding, simple_rnn, dense = layers_of(model)
    W_xh, W_hh, b_h = (w.astype(dtype) for w in get_simple_rnn(simple_rnn))
    if embedding is not None:
        W_xh = get_embedding(embedding).astype(dtype) @ W_xh
    W_hy, b_y = (w.astype(dtype) for w in get_dense(dense))
    return RNNParams(W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hy=W_hy, b_y=b_y)


def to_keras(params: RNNParams, model) -> None:
    """Copy ``params`` into a Keras ``[Embedding ->] SimpleRNN -> Dense`` model, in place.

    With an Embedding, it gets ``E = W_xh`` and the SimpleRNN's kernel is the identity, so the
    Embedding must map to ``hidden`` dimensions.
    """
    embedding, simple_rnn, dense = layers_of(model)
    if embedding is None:
        set_simple_rnn(simple_rnn, params.W_xh, params.W_hh, params.b_h)
    else:
        set_embedding(embedding, params.W_xh)
        set_simple_rnn(simple_rnn, np.eye(params.hidden_size, dtype=params.dtype), params.W_hh,
                       params.b_h)
    set_dense(dense, params.W_hy, params.b_y)


def build_model(params: RNNParams, *, tokens: bool = False) -> keras.Model:
    """A Keras model that computes :func:`rnn_edu.rnn.forward` with ``params``.

    Inputs ``[x, h0]``: ``x`` is ``(batch, time, input)`` floats, or ``(batch, time)`` token ids
    with ``tokens=True`` (through an Embedding); ``h0`` is ``(batch, hidden)``. Outputs ``[y, h]``:
    ``(batch, time, output)`` and ``(batch, time, hidden)``, like ``cache.y`` and ``cache.h``.
    The layers compute in ``params.dtype`` (float32 or float64).
    """
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


def _check_simple_rnn(layer, n_in: int | None = None, units: int | None = None) -> None:
    check_layer(layer, keras.layers.SimpleRNN)
    n_in, units = _sizes(layer, n_in, units)
    check_layer(layer, keras.layers.SimpleRNN,
                {"kernel": (n_in, units), "recurrent_kernel": (units, units), "bias": (units,)})
    _check_activation(layer, "tanh", "rnn_edu's RNN uses tanh")


def _check_dense(layer, units: int | None = None, n_out: int | None = None) -> None:
    check_layer(layer, keras.layers.Dense)
    units, n_out = _sizes(layer, units, n_out)
    check_layer(layer, keras.layers.Dense, {"kernel": (units, n_out), "bias": (n_out,)})
    _check_activation(layer, "linear", "y_t = h_t @ W_hy + b_y has no activation")


def _sizes(layer, n_in: int | None, units: int | None) -> tuple[int, int]:
    """``(inputs, units)`` of a layer: ``n_in`` if given, else its built input size; ``units``
    must match ``layer.units`` (a layer's width is fixed when it is made)."""
    if units is not None and units != layer.units:
        raise ValueError(f"layer {layer.name!r}: has {layer.units} units, the weights have {units}")
    if n_in is None:
        if not layer.built:
            raise ValueError(f"layer {layer.name!r}: not built yet (call it on an input or give the "
                             "model a keras.Input) so its weights do not exist")
        n_in = layer.weights[0].shape[0]
    return n_in, layer.units


def _check_activation(layer, expected: str, why: str) -> None:
    name = getattr(layer.activation, "__name__", str(layer.activation))
    if name != expected:
        raise ValueError(f"layer {layer.name!r}: expected activation {expected!r} ({why}), got {name!r}")


def _set(layer, **weights) -> None:
    """``layer.set_weights`` after checking each array's shape against the layer's weight."""
    arrays = []
    for (name, value), weight in zip(weights.items(), layer.weights):
        array = np.asarray(value)
        if array.shape != tuple(weight.shape):
            raise ValueError(f"{name}: expected shape {tuple(weight.shape)} for {layer.name!r}, "
                             f"got {array.shape}")
        arrays.append(array.astype(weight.dtype))
    layer.set_weights(arrays)


def _fmt(shapes: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in shapes.items()) or "none"


# --- GRU ------------------------------------------------------------------------------------


def gru_to_keras(params: GRUParams, layer, dense=None, embedding=None) -> None:
    """Copy ``params`` into a Keras ``GRU`` layer (and its ``Dense`` and ``Embedding``, if given).

    layer: ``keras.layers.GRU(hidden, reset_after=params.reset_after)``, built or not
    dense: ``keras.layers.Dense(output)`` for ``W_hy``, ``b_y`` (``None``: not copied)
    embedding: ``keras.layers.Embedding(input, input)`` for token inputs: set to the identity
    """
    import keras

    C.require_instance("params", params, GRUParams).require_finite()
    _check_gru_layer(layer, params.hidden_size, params.reset_after)
    if not layer.built:
        layer.build((None, None, params.input_size))
    n_in = layer.get_weights()[0].shape[0]
    if n_in != params.input_size:
        raise ValueError(f"layer: expected a GRU taking {params.input_size} inputs (params.W_xh), "
                         f"got one whose kernel takes {n_in}")
    bias = np.stack([params.b_xh, params.b_hh]) if params.reset_after else params.b_xh
    layer.set_weights([params.W_xh, params.W_hh, bias])
    if dense is not None:
        _check_layer("dense", dense, keras.layers.Dense)
        if dense.units != params.output_size:
            raise ValueError(f"dense: expected {params.output_size} units (output size), got {dense.units}")
        _check_linear(dense)
        if not dense.built:
            dense.build((None, params.hidden_size))
        dense.set_weights([params.W_hy, params.b_y])
    if embedding is not None:
        _check_layer("embedding", embedding, keras.layers.Embedding)
        V = params.input_size
        if (embedding.input_dim, embedding.output_dim) != (V, V):
            raise ValueError(
                f"embedding: expected Embedding({V}, {V}) (one-hot rows for {V} token ids), got "
                f"Embedding({embedding.input_dim}, {embedding.output_dim})"
            )
        if not embedding.built:
            embedding.build((None, None))
        embedding.set_weights([np.eye(V, dtype=np.float32)])


def gru_from_keras(layer, dense=None, embedding=None) -> GRUParams:
    """A :class:`~rnn_edu.gru.GRUParams` holding a built Keras ``GRU`` layer's weights (float32).

    dense: its output ``Dense`` layer (``None``: ``W_hy = I``, ``b_y = 0``, so ``y_t = h_t``)
    embedding: the ``Embedding`` in front of it, for token inputs: ``W_xh = E @ kernel``
    """
    import keras

    _check_gru_layer(layer)
    _check_built("layer", layer)
    kernel, recurrent, bias = layer.get_weights()
    H = layer.units
    if embedding is not None:
        _check_layer("embedding", embedding, keras.layers.Embedding)
        _check_built("embedding", embedding)
        (E,) = embedding.get_weights()
        if E.shape[1] != kernel.shape[0]:
            raise ValueError(f"embedding: expected output_dim {kernel.shape[0]} (the GRU's input "
                             f"size), got {E.shape[1]}")
        kernel = E @ kernel
    if dense is None:
        W_hy, b_y = np.eye(H, dtype=kernel.dtype), np.zeros(H, kernel.dtype)
    else:
        _check_layer("dense", dense, keras.layers.Dense)
        _check_built("dense", dense)
        _check_linear(dense)
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
    import keras

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


def _check_gru_layer(layer, hidden: int | None = None, reset_after: bool | None = None) -> None:
    import keras

    _check_layer("layer", layer, keras.layers.GRU)
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
    cell = layer.cell
    names = (keras.activations.serialize(cell.activation),
             keras.activations.serialize(cell.recurrent_activation))
    if names != ("tanh", "sigmoid") or not cell.use_bias:
        raise ValueError(
            f"layer: expected activation='tanh', recurrent_activation='sigmoid' and use_bias=True "
            f"(the equations of rnn_edu.gru), got {names[0]!r}, {names[1]!r}, use_bias={cell.use_bias}"
        )


def _check_built(name: str, layer) -> None:
    if not layer.built:
        raise ValueError(f"{name}: expected a built layer (call it on an input or build it first), "
                         "got one not built yet")


def _check_linear(dense) -> None:
    import keras

    act = keras.activations.serialize(dense.activation)
    if act != "linear" or not dense.use_bias:
        raise ValueError(f"dense: expected activation=None and use_bias=True (y = h @ W_hy + b_y), "
                         f"got activation={act!r}, use_bias={dense.use_bias}")


def _check_layer(name: str, layer, kind) -> None:
    C.require_instance(name, layer, kind, f"a keras.layers.{kind.__name__}")
