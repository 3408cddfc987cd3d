"""The NumPy GRU against Keras' GRU on the same weights, both ways, both variants."""

import numpy as np
import pytest

from rnn_edu import gru
from rnn_edu.gru import GRUParams

keras = pytest.importorskip("keras")
from rnn_edu import keras_bridge as kb  # noqa: E402

TOL = 1e-6  # float32 on both sides


def random_params(n_in, H, n_out, seed, reset_after, scale=0.5):
    """Every weight and bias random (not the zero biases of init), float32 like Keras."""
    p = gru.init_params(n_in, H, n_out, reset_after=reset_after, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for name, v in p.as_dict().items():
        if name.startswith("b"):
            v[:] = scale * rng.standard_normal(v.shape)
    return p.astype(np.float32)


def run_keras(model, x, h0):
    y, h_last = model([x, h0], training=False)
    return np.asarray(y), np.asarray(h_last)


CONFIGS = [  # (batch, time, input, hidden, output, tokens), drawn once with a fixed seed
    (b, t, i, h, o, tok)
    for b, t, i, h, o, tok in zip(*np.random.default_rng(12).integers(
        [1, 1, 1, 1, 1, 0], [5, 13, 7, 17, 5, 2], size=(8, 6)).T)
]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_numpy_to_keras_agrees(config, reset_after):
    batch, time, n_in, H, n_out, tokens = (int(c) for c in config)
    seed = sum(config)
    params = random_params(n_in, H, n_out, seed, reset_after)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_in, (batch, time)) if tokens else rng.uniform(-1, 1, (batch, time, n_in))
    h0 = rng.uniform(-1, 1, (batch, H)).astype(np.float32)
    model = kb.gru_model(params, tokens=bool(tokens))
    y, h_last = run_keras(model, x, h0)
    cache = gru.forward(params, x, h0)
    assert np.abs(y - cache.y).max() < TOL
    assert np.abs(h_last - cache.h_last).max() < TOL


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("tokens", [False, True])
def test_keras_to_numpy_agrees(reset_after, tokens):
    rng = np.random.default_rng(3)
    V, d, H, n_out, batch, time = 6, 5, 7, 3, 4, 9
    x_in = keras.Input((None,), dtype="int32") if tokens else keras.Input((None, d))
    h_in = keras.Input((H,))
    embedding = keras.layers.Embedding(V, d) if tokens else None
    layer = keras.layers.GRU(H, reset_after=reset_after, return_sequences=True)
    dense = keras.layers.Dense(n_out)
    model = keras.Model([x_in, h_in], dense(layer(embedding(x_in) if tokens else x_in, initial_state=h_in)))
    # Keras initialises biases to zero: give them values, so that a misplaced bias shows
    kernel, recurrent, bias = layer.get_weights()
    layer.set_weights([kernel, recurrent, rng.normal(0, 0.5, bias.shape)])
    params = kb.gru_from_keras(layer, dense, embedding)
    assert params.reset_after == reset_after and params.dtype == np.float32
    assert params.input_size == (V if tokens else d)
    x = rng.integers(0, V, (batch, time)) if tokens else rng.uniform(-1, 1, (batch, time, d))
    h0 = rng.uniform(-1, 1, (batch, H)).astype(np.float32)
    y = np.asarray(model([x, h0], training=False))
    assert np.abs(y - gru.forward(params, x, h0).y).max() < TOL
    # and back: the NumPy weights written into a fresh model give the same outputs again
    y2, _ = run_keras(kb.gru_model(params, tokens=tokens), x, h0)
    assert np.abs(y2 - y).max() < TOL


def test_without_dense_the_outputs_are_the_states():
    layer = keras.layers.GRU(4)
    layer.build((None, None, 2))
    params = kb.gru_from_keras(layer)
    x = np.random.default_rng(0).normal(size=(3, 5, 2))
    cache = gru.forward(params, x)
    np.testing.assert_array_equal(cache.y, cache.h)
    assert np.abs(np.asarray(layer(x.astype(np.float32))) - cache.h_last).max() < TOL


# --- each plausible wrong reading of Keras' GRU is caught ---


def wrong_forward(params, x, h0, mistake):
    """The NumPy GRU with one mistake, as a learner or another text might write it."""
    H = params.hidden_size
    if mistake == "z and 1 - z swapped":
        a = gru.input_projection(params, x)
        h, hs = h0, []
        for t in range(x.shape[1]):
            _, z, _, n, _ = gru.cell(params, a[:, t], h)
            h = (1 - z) * h + z * n
            hs.append(h)
        return np.stack(hs, axis=1) @ params.W_hy + params.b_y
    if mistake == "blocks read as r, z, h":
        order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
        swapped = {k: (v[..., order] if k in ("W_xh", "W_hh", "b_xh", "b_hh") else v)
                   for k, v in params.as_dict().items()}
        return gru.forward(GRUParams(**swapped), x, h0).y
    if mistake == "reset before the product":
        before = GRUParams(W_xh=params.W_xh, W_hh=params.W_hh, b_xh=params.b_xh + params.b_hh,
                           W_hy=params.W_hy, b_y=params.b_y)
        return gru.forward(before, x, h0).y
    raise ValueError(mistake)


@pytest.mark.parametrize("mistake", ["z and 1 - z swapped", "blocks read as r, z, h",
                                     "reset before the product"])
def test_each_wrong_variant_misses_by_far_more_than_the_tolerance(mistake):
    misses = []
    for seed in range(3):
        params = random_params(3, 8, 2, seed, reset_after=True, scale=1.0)
        rng = np.random.default_rng(seed)
        x = rng.uniform(-1, 1, (4, 10, 3)).astype(np.float32)
        h0 = rng.uniform(-1, 1, (4, 8)).astype(np.float32)
        y, _ = run_keras(kb.gru_model(params), x, h0)
        assert np.abs(y - gru.forward(params, x, h0).y).max() < TOL  # the right one agrees
        misses.append(np.abs(y - wrong_forward(params, x, h0, mistake)).max())
    assert min(misses) > 0.1, misses  # 1e5 times the tolerance (measured: 0.3 to 1.2)


# --- bad input ---


def test_bad_layers_are_named():
    p = gru.init_params(3, 4, 2)
    with pytest.raises(TypeError, match="layer: expected a keras.layers.GRU, got SimpleRNN"):
        kb.gru_to_keras(p, keras.layers.SimpleRNN(4))
    with pytest.raises(ValueError, match=r"layer: expected a GRU with 4 units \(params' hidden size\)"):
        kb.gru_to_keras(p, keras.layers.GRU(5))
    with pytest.raises(ValueError, match="layer: expected reset_after=True.*got reset_after=False"):
        kb.gru_to_keras(p, keras.layers.GRU(4, reset_after=False))
    with pytest.raises(ValueError, match="recurrent_activation='sigmoid'.*got activation='tanh', "
                                         "recurrent_activation='hard_sigmoid'"):
        kb.gru_to_keras(p, keras.layers.GRU(4, recurrent_activation="hard_sigmoid"))
    built = keras.layers.GRU(4)
    built.build((None, None, 5))
    with pytest.raises(ValueError, match=r"^layer: expected layer 'gru.*' to map 3 -> 4 .*got 5 -> 4"):
        kb.gru_to_keras(p, built)
    with pytest.raises(ValueError, match=r"^dense: expected layer 'dense.*' to map 4 -> 2 .*got 4 -> 3"):
        kb.gru_to_keras(p, keras.layers.GRU(4), dense=keras.layers.Dense(3))
    with pytest.raises(ValueError, match=r"^embedding: expected layer 'emb.*' to map 3 -> 3 .*got 3 -> 8"):
        kb.gru_to_keras(p, keras.layers.GRU(4), embedding=keras.layers.Embedding(3, 8))
    with pytest.raises(TypeError, match="params: expected GRUParams, got RNNParams"):
        from rnn_edu import rnn
        kb.gru_model(rnn.init_params(3, 4, 2))
    with pytest.raises(ValueError, match="layer: expected a built layer.*not built yet"):
        kb.gru_from_keras(keras.layers.GRU(4))
    with pytest.raises(ValueError, match=r"dense: expected a Dense layer taking 4 inputs.*got one taking 3"):
        dense = keras.layers.Dense(2)
        dense.build((None, 3))
        kb.gru_from_keras(built, dense)
