import numpy as np
import pytest

from rnn_edu import optim, rnn


def grads_like(params, seed=0):
    rng = np.random.default_rng(seed)
    return rnn.RNNParams(**{k: rng.standard_normal(v.shape) for k, v in params.as_dict().items()})


def test_sgd_step_is_w_minus_lr_g_and_momentum_accumulates():
    p = {"w": np.array([1.0, 2.0])}
    optim.SGD(lr=0.5).step(p, {"w": np.array([2.0, -4.0])})
    assert np.allclose(p["w"], [0.0, 4.0])
    p = {"w": np.array([0.0])}
    opt = optim.SGD(lr=1.0, momentum=0.5)
    for _ in range(3):
        opt.step(p, {"w": np.array([1.0])})
    assert np.allclose(p["w"], [-(1 + 1.5 + 1.75)])


def test_adagrad_matches_its_formula():
    p = {"w": np.array([1.0, 1.0])}
    opt = optim.Adagrad(lr=0.1, eps=1e-300)  # eps must be > 0; this one is negligible
    opt.step(p, {"w": np.array([3.0, -1.0])})
    assert np.allclose(p["w"], [0.9, 1.1])  # first step: lr * sign(g)
    opt.step(p, {"w": np.array([4.0, -1.0])})
    assert np.allclose(p["w"], [0.9 - 0.1 * 4 / 5, 1.1 + 0.1 / np.sqrt(2)])


def test_adam_matches_a_hand_computation():
    p = {"w": np.array([0.0])}
    opt = optim.Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-300)
    gs = [1.0, -2.0, 0.5]
    m = s = 0.0
    w = 0.0
    for t, g in enumerate(gs, start=1):
        opt.step(p, {"w": np.array([g])})
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        w -= 0.1 * (m / (1 - 0.9**t)) / np.sqrt(s / (1 - 0.999**t))
        assert p["w"][0] == pytest.approx(w)


@pytest.mark.parametrize("opt", [optim.SGD(lr=0.1), optim.Adagrad(lr=0.5), optim.Adam(lr=0.1)])
def test_optimizers_minimize_a_quadratic(opt):
    p = {"w": np.array([3.0, -2.0])}
    for _ in range(300):
        opt.step(p, {"w": 2 * p["w"]})
    assert np.abs(p["w"]).max() < 0.05


def test_clip_global_norm_keeps_direction_and_caps_the_norm():
    params = rnn.init_params(4, 3, 4)
    g = grads_like(params)
    norm = optim.global_norm(g)
    assert norm == pytest.approx(np.sqrt(sum((v**2).sum() for v in g.as_dict().values())))
    clipped, before = optim.clip_global_norm(g, norm / 2)
    assert before == pytest.approx(norm)
    assert isinstance(clipped, rnn.RNNParams)
    assert optim.global_norm(clipped) == pytest.approx(norm / 2)
    assert np.allclose(clipped.W_hh, g.W_hh / 2)
    same, _ = optim.clip_global_norm(g, norm * 2)  # under the threshold: unchanged
    assert np.array_equal(same.W_hh, g.W_hh)


def test_clip_elementwise():
    clipped = optim.clip_elementwise({"w": np.array([-7.0, 0.5, 9.0])}, 5)
    assert np.array_equal(clipped["w"], [-5.0, 0.5, 5.0])


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"lr: expected a finite number > 0"):
        optim.Adam(lr=-1.0)
    with pytest.raises(ValueError, match=r"momentum: expected a finite number in \[0, 1\)"):
        optim.SGD(momentum=1.0)
    for opt in (optim.Adagrad, optim.Adam):
        with pytest.raises(ValueError, match=r"eps: expected a finite number > 0, got 0"):
            opt(eps=0)
    with pytest.raises(ValueError, match=r"max_norm: expected a finite number > 0"):
        optim.clip_global_norm({"w": np.ones(2)}, 0)
    with pytest.raises(ValueError, match=r"grads.w: expected shape \(2,\)"):
        optim.SGD().step({"w": np.ones(2)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match=r"grads: expected the names"):
        optim.SGD().step({"w": np.ones(2)}, {"v": np.ones(2)})
    with pytest.raises(FloatingPointError, match=r"grads.w: contains inf or NaN"):
        optim.SGD().step({"w": np.ones(2)}, {"w": np.array([1.0, np.nan])})
    with pytest.raises(TypeError, match=r"grads: expected RNNParams or a dict"):
        optim.global_norm([np.ones(2)])


def test_clipping_handles_zero_and_refuses_inf_or_nan():
    zero = {"w": np.zeros(3), "b": np.zeros(2)}
    clipped, norm = optim.clip_global_norm(zero, 1.0)
    assert norm == 0.0 and all(np.array_equal(clipped[k], zero[k]) for k in zero)
    assert np.isfinite(optim.clip_elementwise(zero, 1.0)["w"]).all()
    for bad in (np.inf, -np.inf, np.nan):
        g = {"w": np.array([1.0, bad, 2.0])}
        with pytest.raises(FloatingPointError, match=r"grads.w: contains inf or NaN \(1 of 3"):
            optim.clip_global_norm(g, 1.0)
        with pytest.raises(FloatingPointError, match=r"grads.w: contains inf or NaN"):
            optim.clip_elementwise(g, 1.0)
    # numpy scalars are numbers too; bools, infinities and strings are not thresholds
    assert optim.clip_global_norm({"w": np.ones(4)}, np.float32(1.0))[1] == 2.0
    assert optim.clip_elementwise({"w": np.ones(2)}, np.int64(1))["w"].tolist() == [1.0, 1.0]
    for value in (True, np.inf, "5", 0.0, -1):
        with pytest.raises((TypeError, ValueError), match=r"value: expected a finite number > 0, got"):
            optim.clip_elementwise({"w": np.ones(2)}, value)
