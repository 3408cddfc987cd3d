"""NumPy = Keras: rnn_edu's RNN and Keras' SimpleRNN on the same weights, both directions."""

import keras
import numpy as np
import pytest

from rnn_edu import keras_bridge as kb
from rnn_edu import rnn

# (input, hidden, output, batch, time) drawn at random once, then fixed.
_rng = np.random.default_rng(2026)
SHAPES = [tuple(int(v) for v in _rng.integers(1, [7, 17, 5, 6, 12], endpoint=True)) for _ in range(6)]


def random_params(n_in, n_h, n_out, dtype, seed):
    """Random weights, biases included (init_params starts them at zero)."""
    rng = np.random.default_rng(seed)
    p = rnn.init_params(n_in, n_h, n_out, seed=seed, dtype=dtype)
    p.W_hh[:] = rng.standard_normal((n_h, n_h)) / np.sqrt(n_h)
    p.b_h[:] = rng.standard_normal(n_h)
    p.b_y[:] = rng.standard_normal(n_out)
    return p


TOL = {np.float32: 1e-6, np.float64: 1e-12}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tokens", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_equals_keras_with_random_initial_states(shape, tokens, dtype):
    n_in, n_h, n_out, batch, time = shape
    p = random_params(n_in, n_h, n_out, dtype, seed=sum(shape))
    rng = np.random.default_rng(len(SHAPES))
    x = (rng.integers(0, n_in, (batch, time)) if tokens
         else rng.standard_normal((batch, time, n_in)).astype(dtype))
    h0 = rng.uniform(-1, 1, (batch, n_h)).astype(dtype)
    y, h = kb.build_model(p, tokens=tokens)([x, h0])
    cache = rnn.forward(p, x, h0)
    assert np.asarray(y).dtype == dtype
    assert np.abs(np.asarray(y) - cache.y).max() < TOL[dtype]
    assert np.abs(np.asarray(h) - cache.h).max() < TOL[dtype]


@pytest.mark.parametrize("shape", SHAPES[:3])
def test_keras_to_numpy_round_trip_and_prediction(shape):
    """Keras' own random weights, read back into rnn_edu: the same predictions."""
    n_in, n_h, n_out, batch, time = shape
    model = keras.Sequential([keras.Input((None, n_in)),
                              keras.layers.SimpleRNN(n_h, return_sequences=True),
                              keras.layers.Dense(n_out)])
    model.layers[0].cell.bias.assign(np.linspace(-1, 1, n_h))  # nonzero, to test the bias
    params = kb.from_keras(model)
    x = np.random.default_rng(1).standard_normal((batch, time, n_in)).astype(np.float32)
    assert np.abs(np.asarray(model(x)) - rnn.forward(params, x).y).max() < 1e-6
    K, R, b = model.layers[0].get_weights()
    np.testing.assert_array_equal(params.W_xh, K)  # untransposed
    np.testing.assert_array_equal(params.W_hh, R)
    # and back: a fresh model with the same architecture gets the same weights
    twin = keras.models.clone_model(model)
    kb.to_keras(params, twin)
    for a, b_ in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b_)


def test_embedding_model_reads_as_W_xh_equal_E_times_kernel():
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(7, 3),
                              keras.layers.SimpleRNN(4, return_sequences=True), keras.layers.Dense(2)])
    params = kb.from_keras(model)
    E = model.layers[0].get_weights()[0]
    np.testing.assert_allclose(params.W_xh, E.astype(float) @ model.layers[1].get_weights()[0])
    ids = np.random.default_rng(0).integers(0, 7, (3, 9))
    assert np.abs(np.asarray(model(ids)) - rnn.forward(params, ids).y).max() < 1e-6


def test_last_state_model_is_the_last_step():
    """A forecaster (return_sequences=False) is rnn_edu's forward read at the last step."""
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.SimpleRNN(6), keras.layers.Dense(1)])
    x = np.random.default_rng(3).standard_normal((4, 5, 1)).astype(np.float32)
    y = rnn.forward(kb.from_keras(model), x).y[:, -1]
    assert np.abs(np.asarray(model(x)) - y).max() < 1e-6


def test_layers_unbuilt_are_built_by_set():
    p = random_params(2, 3, 1, np.float32, 0)
    layer, dense = keras.layers.SimpleRNN(3), keras.layers.Dense(1)
    kb.set_simple_rnn(layer, p.W_xh, p.W_hh, p.b_h)
    kb.set_dense(dense, p.W_hy, p.b_y)
    np.testing.assert_array_equal(kb.get_simple_rnn(layer)[1], p.W_hh)
    np.testing.assert_array_equal(kb.get_dense(dense)[0], p.W_hy)


def test_wrong_kind_of_layer_is_named():
    p = random_params(2, 3, 1, np.float32, 0)
    with pytest.raises(TypeError, match="^layer: expected a keras.layers.SimpleRNN, got GRU .*gru_x"):
        kb.set_simple_rnn(keras.layers.GRU(3, name="gru_x"), p.W_xh, p.W_hh, p.b_h)
    with pytest.raises(TypeError, match=r"^layer: expected a keras.layers.SimpleRNN, got array of shape"):
        kb.get_simple_rnn(np.zeros(3))
    with pytest.raises(TypeError, match="^layer: expected a keras.layers.Dense, got SimpleRNN"):
        kb.set_dense(keras.layers.SimpleRNN(3), p.W_hy, p.b_y)
    with pytest.raises(TypeError, match="^model: expected a Keras model, got RNNParams"):
        kb.from_keras(p)
    lstm = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"^model: expected layers \[Embedding,\] SimpleRNN, Dense, got "
                                         r"\['LSTM', 'Dense'\]"):
        kb.from_keras(lstm)
    two = keras.Sequential([keras.Input((4, 2)), keras.layers.SimpleRNN(3), keras.layers.Dense(2),
                            keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"got \['SimpleRNN', 'Dense', 'Dense'\]"):
        kb.from_keras(two)


def test_mismatched_shapes_are_named():
    p = random_params(2, 3, 1, np.float32, 0)
    layer = keras.layers.SimpleRNN(4)
    with pytest.raises(ValueError, match=r"^W_xh: expected .* of shape \(in, units\) = \(in, 4\), "
                                         r"got shape \(2, 3\)"):
        kb.set_simple_rnn(layer, p.W_xh, p.W_hh, p.b_h)
    assert not layer.built  # refused before anything was built or copied
    built = keras.layers.SimpleRNN(3, name="built_for_5")
    built.build((None, None, 5))
    with pytest.raises(ValueError, match=r"^W_xh: expected 5 rows \(layer 'built_for_5' was built for 5 "
                                         r"inputs\), got 2"):
        kb.set_simple_rnn(built, p.W_xh, p.W_hh, p.b_h)
    fresh = keras.layers.SimpleRNN(3)
    with pytest.raises(ValueError, match=r"^W_hh: expected .* = \(3, 3\), got shape \(3, 4\)"):
        kb.set_simple_rnn(fresh, p.W_xh, np.zeros((3, 4)), p.b_h)
    with pytest.raises(ValueError, match=r"^b_y: expected .* \(units,\) = \(1,\), got shape \(2,\)"):
        kb.set_dense(keras.layers.Dense(1), p.W_hy, np.zeros(2))
    with pytest.raises(TypeError, match="^b_h: expected an array of real numbers"):
        kb.set_simple_rnn(fresh, p.W_xh, p.W_hh, "zeros")
    model = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(5, name="five"),
                              keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"^model: expected layer 'five' to map 2 -> 3 \(params' sizes\), "
                                         r"got 2 -> 5"):
        kb.to_keras(p, model)
    emb = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(2, 4, name="e"),
                            keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"^model: expected layer 'e' to map 2 -> 3 .*got 2 -> 4"):
        kb.to_keras(p, emb)


def test_other_activations_and_missing_bias_are_refused():
    relu = keras.layers.SimpleRNN(3, activation="relu")
    relu.build((None, None, 2))
    with pytest.raises(ValueError, match="^layer: expected activation='tanh', use_bias=True "
                                         "\\(rnn_edu's equations\\), got activation='relu'"):
        kb.get_simple_rnn(relu)
    dense = keras.layers.Dense(1, activation="sigmoid")
    dense.build((None, 3))
    with pytest.raises(ValueError, match="^layer: expected activation='linear'.*got activation='sigmoid'"):
        kb.get_dense(dense)
    no_bias = keras.layers.SimpleRNN(3, use_bias=False)
    no_bias.build((None, None, 2))
    with pytest.raises(ValueError, match="got activation='tanh', use_bias=False"):
        kb.get_simple_rnn(no_bias)
    with pytest.raises(ValueError, match="^layer: expected a built layer.*not built yet"):
        kb.get_simple_rnn(keras.layers.SimpleRNN(3))
    sigmoid_model = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(3),
                                      keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="^model: expected activation='linear'"):
        kb.from_keras(sigmoid_model)


def test_one_layer_check_serves_both_halves():
    """SimpleRNN and GRU layers are refused in the same words: one check in keras_bridge."""
    with pytest.raises(TypeError, match="^layer: expected a keras.layers.SimpleRNN, got GRU"):
        kb.get_simple_rnn(keras.layers.GRU(3))
    with pytest.raises(TypeError, match="^layer: expected a keras.layers.GRU, got SimpleRNN"):
        kb.gru_from_keras(keras.layers.SimpleRNN(3))
    for get in (kb.get_simple_rnn, kb.gru_from_keras):
        layer = (keras.layers.SimpleRNN if get is kb.get_simple_rnn else keras.layers.GRU)(3)
        with pytest.raises(ValueError, match="^layer: expected a built layer"):
            get(layer)


def test_params_and_models_are_checked_before_any_copy():
    p = random_params(2, 3, 1, np.float64, 0)
    bad = p.copy()
    bad.W_hh[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^params.W_hh: expected finite numbers"):
        kb.build_model(bad)
    with pytest.raises(TypeError, match="^params: expected RNNParams, got str"):
        kb.to_keras("params", kb.build_model(p))
    with pytest.raises(TypeError, match="^tokens: expected True or False, got int 1"):
        kb.build_model(p, tokens=1)
    unbuilt = keras.Sequential([keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="^model: expected a built layer"):
        kb.from_keras(unbuilt)
    with pytest.raises(ValueError, match="^dtype: expected np.float32 or np.float64"):
        kb.from_keras(kb.build_model(p), dtype=int)
    diverged = kb.build_model(p)
    diverged.layers[-1].kernel.assign(np.full((3, 1), np.inf))
    with pytest.raises(ValueError, match=r"^model.W_hy: expected finite numbers"):
        kb.from_keras(diverged)
