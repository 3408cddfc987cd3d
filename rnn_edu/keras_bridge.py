"""Weights between the course's NumPy models and Keras layers, both ways.

Keras is imported inside the functions, so ``rnn_edu`` works without TensorFlow.

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

import numpy as np

from rnn_edu import _checks as C
from rnn_edu.gru import GRUParams

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
        _check_dense(dense)
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
        _check_dense(dense)
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


def _check_dense(dense) -> None:
    import keras

    act = keras.activations.serialize(dense.activation)
    if act != "linear" or not dense.use_bias:
        raise ValueError(f"dense: expected activation=None and use_bias=True (y = h @ W_hy + b_y), "
                         f"got activation={act!r}, use_bias={dense.use_bias}")


def _check_layer(name: str, layer, kind) -> None:
    C.require_instance(name, layer, kind, f"a keras.layers.{kind.__name__}")
