"""Notebook 07's checkers: the reference answers pass (and agree with the package and Keras);
each plausible mistake gets its own hint; odd results get a hint, never a traceback."""


import numpy as np
import pytest

from rnn_edu import gru
from rnn_edu.exercises import nb07
from tests.exercise_helpers import assert_hint, no_return

sig = gru.sigmoid


def step(x, h, Wx, Wh, b, *, swap=False, order="zrh", reset="before", gate=sig, out="h",
         bias=True, transposed=()):
    """The learner's GRU step (reset_after=False), with switches for the plausible mistakes."""
    H = h.shape[1]
    b = b if bias else 0 * b
    Wh = np.hstack([Wh[:, k * H:(k + 1) * H].T if k in transposed else Wh[:, k * H:(k + 1) * H]
                    for k in range(3)])
    a, u = x @ Wx + b, h @ Wh[:, :2 * H]
    idx = {"z": 0, "r": 1} if order == "zrh" else {"z": 1, "r": 0}
    blk = lambda m, k: m[:, k * H:(k + 1) * H]
    z = gate(blk(a, idx["z"]) + blk(u, idx["z"]))
    r = gate(blk(a, idx["r"]) + blk(u, idx["r"]))
    R_h = Wh[:, 2 * H:]
    if reset == "before":
        n = np.tanh(blk(a, 2) + (r * h) @ R_h)
    elif reset == "after":
        n = np.tanh(blk(a, 2) + r * (h @ R_h))
    else:
        n = np.tanh(blk(a, 2) + h @ R_h)
    if out == "n":
        return n
    if out == "reset kept":
        return z * (r * h) + (1 - z) * n
    return (1 - z) * h + z * n if swap else z * h + (1 - z) * n


def test_strict_mode_turns_a_hint_into_an_error(monkeypatch):
    monkeypatch.setenv("RNN_EDU_STRICT", "1")
    assert nb07.check_gru_step(step).ok
    with pytest.raises(AssertionError, match="not yet"):
        nb07.check_gru_step(lambda *a: step(*a, swap=True))


def test_the_step_reference_is_the_package_and_keras_convention():
    assert nb07.check_gru_step(step).ok
    rng = np.random.default_rng(0)
    p = gru.init_params(2, 3, 1, reset_after=False, seed=0)
    p.b_xh[:] = rng.normal(size=9)
    x, h = rng.normal(size=(2, 2)), rng.normal(size=(2, 3))
    np.testing.assert_allclose(step(x, h, p.W_xh, p.W_hh, p.b_xh), gru.step(p, x, h)[0])
    keras = pytest.importorskip("keras")
    layer = keras.layers.GRU(3, reset_after=False, return_sequences=True)
    layer.build((None, None, 2))
    layer.set_weights([p.W_xh, p.W_hh, p.b_xh])
    got = np.asarray(layer(x[:, None].astype(np.float32), initial_state=h.astype(np.float32)))
    np.testing.assert_allclose(got[:, 0], step(x, h, p.W_xh, p.W_hh, p.b_xh), atol=1e-5)


@pytest.mark.parametrize("kwargs, expected", [
    ({"swap": True}, "z and 1 - z are swapped"),
    ({"order": "rzh"}, "order r, z, h"),
    ({"reset": "after"}, "that is reset_after=True"),
    ({"reset": "none"}, "reset gate is missing"),
    ({"gate": np.tanh}, "gates use tanh"),
    ({"out": "n"}, "candidate n_t, not the new state"),
    ({"out": "reset kept"}, "reset gate acts only inside the candidate"),
    ({"bias": False}, "the bias b is missing"),
    ({"gate": lambda a: 1 / (1 + np.exp(a))}, r"sign in the sigmoid: sigmoid\(a\) = 1 / \(1 \+ exp\(-a\)\)"),
    ({"transposed": (0, 1, 2)}, r"blocks of W_hh are transposed.*h_prev @ W_hh\[:, block\]"),
    ({"transposed": (2,)}, r"blocks of W_hh are transposed"),  # only R_h, the square one
])
def test_step_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb07.check_gru_step, lambda *a: step(*a, **kwargs), expected)


def test_step_generic_failures():
    assert_hint(nb07.check_gru_step, no_return, "forget a `return`")
    assert_hint(nb07.check_gru_step, lambda *a: 1 / 0, "raised ZeroDivisionError")
    assert_hint(nb07.check_gru_step, lambda *a: step(*a)[0], r"expected shape \(3, 4\)")
    assert_hint(nb07.check_gru_step, lambda *a: 1.1 * step(*a), "in the first row")
    assert_hint(nb07.check_gru_step, lambda *a: step(*a) + 0j, "complex")


def layout(W_xz, W_xr, W_xh, W_hz, W_hr, W_hh, b_z, b_r, b_h, *, mistake=None):
    blocks = {"kernel": [W_xz, W_xr, W_xh], "recurrent": [W_hz, W_hr, W_hh], "bias": [b_z, b_r, b_h]}
    if mistake == "rzh":
        blocks = {k: [v[1], v[0], v[2]] for k, v in blocks.items()}
    if mistake == "hzr":
        blocks = {k: [v[2], v[0], v[1]] for k, v in blocks.items()}
    kernel, recurrent = np.hstack(blocks["kernel"]), np.hstack(blocks["recurrent"])
    bias = np.concatenate(blocks["bias"])
    if mistake == "rows":
        kernel = np.vstack(blocks["kernel"])
    if mistake == "transposed":
        kernel = kernel.T
    if mistake == "blocks transposed":
        recurrent = np.hstack([b.T for b in blocks["recurrent"]])
    if mistake == "bias transposed":  # a (1, 3H) row: the right numbers, the wrong shape
        bias = bias[None]
    if mistake == "two biases":
        bias = np.stack([bias, np.zeros_like(bias)])
    return kernel, recurrent, bias


def test_the_layout_reference_makes_a_keras_gru_agree_with_d2l():
    assert nb07.check_to_keras_layout(layout).ok
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    W = {k: rng.normal(size=s) for k, s in (("W_xz", (3, 2)), ("W_xr", (3, 2)), ("W_xh", (3, 2)),
                                            ("W_hz", (2, 2)), ("W_hr", (2, 2)), ("W_hh", (2, 2)),
                                            ("b_z", 2), ("b_r", 2), ("b_h", 2))}
    layer = keras.layers.GRU(2, reset_after=False)
    layer.build((None, None, 3))
    layer.set_weights(layout(*W.values()))
    x = rng.normal(size=(1, 4, 3)).astype(np.float32)
    h = np.zeros(2)
    for t in range(4):  # D2L's equations (reset before the product), one step at a time
        z = sig(x[0, t] @ W["W_xz"] + h @ W["W_hz"] + W["b_z"])
        r = sig(x[0, t] @ W["W_xr"] + h @ W["W_hr"] + W["b_r"])
        n = np.tanh(x[0, t] @ W["W_xh"] + (r * h) @ W["W_hh"] + W["b_h"])
        h = z * h + (1 - z) * n
    assert np.abs(np.asarray(layer(x))[0] - h).max() < 1e-5


@pytest.mark.parametrize("mistake, expected", [
    ("rzh", "order r, z, h"),
    ("hzr", "candidate block comes last"),
    ("rows", "stacked as rows"),
    ("transposed", "kernel is transposed"),
    ("blocks transposed", "each block is transposed"),
    ("two biases", r"bias \(2, 3H\) is the reset_after=True layout"),
    ("bias transposed", r"^bias: expected shape \(6,\), got \(1, 6\)"),
])
def test_layout_mistakes_get_specific_hints(mistake, expected):
    assert_hint(nb07.check_to_keras_layout, lambda *a: layout(*a, mistake=mistake), expected)


def test_layout_arrays_in_the_wrong_order():
    swapped = lambda *a: (layout(*a)[0], layout(*a)[2], layout(*a)[1])
    assert_hint(nb07.check_to_keras_layout, swapped,
                r"right shapes in the wrong order.*\(kernel, recurrent_kernel, bias\)")


def test_layout_generic_failures():
    assert_hint(nb07.check_to_keras_layout, lambda *a: layout(*a)[:2], "return three arrays")
    assert_hint(nb07.check_to_keras_layout,
                lambda *a: dict(zip(("kernel", "recurrent_kernel", "bias"), layout(*a))), "not a dict")
    assert_hint(nb07.check_to_keras_layout, lambda *a: np.vstack(layout(*a)[:2]),
                "return three arrays")
    assert_hint(nb07.check_to_keras_layout, lambda *a: (None, None, None), "kernel is None")
    assert_hint(nb07.check_to_keras_layout, lambda *a: (*layout(*a)[:2], np.zeros(6)),
                "bias: expected the blocks b_z, b_r, b_h")


def backward(dh, h, z, r, n, u_h, W, *, direct=True, zsign=1, cand="1-z", tanh_slope=True,
             sig_slope=True, r_input="u_h", r_in_u=True, r_path=True, untransposed=False):
    dn = dh * ((1 - z) if cand == "1-z" else z)
    da_h = dn * (1 - n**2) if tanh_slope is True else dn * (1 - n) if tanh_slope == "1 - n" else dn
    da_z = dh * zsign * (h - n) * (z * (1 - z) if sig_slope else 1)
    da_r = da_h * (u_h if r_input == "u_h" else h) * (r * (1 - r) if sig_slope else 1) * r_path
    du_h = da_h * r if r_in_u else da_h
    H = h.shape[1]
    back = sum(d @ W[:, k * H:(k + 1) * H] for k, d in enumerate((da_z, da_r, du_h))) \
        if untransposed else np.concatenate([da_z, da_r, du_h], axis=1) @ W.T
    return (dh * z if direct else 0) + back


def test_the_backward_reference_is_gru_backward_for_one_step():
    assert nb07.check_gru_step_backward(backward).ok
    rng = np.random.default_rng(2)
    p = gru.init_params(2, 3, 1, seed=2)
    p.b_xh[:], p.b_hh[:] = rng.normal(size=9), rng.normal(size=9)
    x, h0, dh = rng.normal(size=(2, 1, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    cache = gru.forward(p, x, h0)
    _, dh0 = gru.backward(p, cache, np.zeros((2, 1, 1)), dh_last=dh)
    mine = backward(dh, h0, cache.z[:, 0], cache.r[:, 0], cache.n[:, 0], cache.u_h[:, 0], p.W_hh)
    np.testing.assert_allclose(mine, dh0, atol=1e-12)


@pytest.mark.parametrize("kwargs, expected", [
    ({"direct": False}, "direct path is missing"),
    ({"zsign": -1}, "dz has the wrong sign"),
    ({"cand": "z"}, "weight is 1 - z, not z"),
    ({"tanh_slope": False}, "tanh's slope 1 - n\\*\\*2 is missing"),
    ({"sig_slope": False}, "sigmoid slopes are missing"),
    ({"r_input": "h"}, "dr multiplies u_h"),
    ({"r_in_u": False}, "gradient is da_h \\* r"),
    ({"r_path": False}, "path through the reset gate is missing"),
    ({"untransposed": True}, r"each block goes back untransposed.*R_k\.T"),
    ({"tanh_slope": "1 - n"}, r"tanh's slope is 1 - n\*\*2, not 1 - n"),
])
def test_backward_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb07.check_gru_step_backward, lambda *a: backward(*a, **kwargs), expected)


def test_backward_generic_failures():
    assert_hint(nb07.check_gru_step_backward, no_return, "forget a `return`")
    assert_hint(nb07.check_gru_step_backward, lambda *a: "dh", "array of numbers")
    assert_hint(nb07.check_gru_step_backward, lambda *a: 2 * backward(*a), "sum the direct path")


def jacobian(h, z, r, n, u_h, W, *, diag=True, transpose=False, zpath=1, rpath=True, cand="1-z",
             tanh_slope=True, blocks_T=True, vector_z=False, columns=False):
    H = len(h)
    R_z, R_r, R_h = (W[:, k * H:(k + 1) * H].T if blocks_T else W[:, k * H:(k + 1) * H]
                     for k in range(3))
    dz = (z * (1 - z))[:, None] * R_z
    dr = (r * (1 - r))[:, None] * R_r
    dn = (1 - n**2 if tanh_slope else np.ones_like(n))[:, None] * (
        (u_h[:, None] * dr if rpath else 0) + r[:, None] * R_h)
    rows = (lambda v: v) if columns else (lambda v: v[:, None])  # columns: v * M scales columns
    J = (z if vector_z else np.diag(z) if diag else 0) + zpath * rows(h - n) * dz \
        + rows((1 - z) if cand == "1-z" else z) * dn
    return J.T if transpose else J


def test_the_jacobian_reference_is_gru_step_jacobians():
    assert nb07.check_gru_jacobian(jacobian).ok
    rng = np.random.default_rng(3)
    p = gru.init_params(2, 3, 1, seed=3)
    p.b_xh[:], p.b_hh[:] = rng.normal(size=9), rng.normal(size=9)
    cache = gru.forward(p, rng.normal(size=(1, 1, 2)), rng.normal(size=(1, 3)))
    mine = jacobian(cache.h0[0], cache.z[0, 0], cache.r[0, 0], cache.n[0, 0], cache.u_h[0, 0], p.W_hh)
    np.testing.assert_allclose(mine, gru.step_jacobians(p, cache)[0, 0], atol=1e-12)


@pytest.mark.parametrize("kwargs, expected", [
    ({"diag": False}, "diag\\(z\\) is missing"),
    ({"transpose": True}, "that is the transpose"),
    ({"zpath": 0}, "path through z is missing"),
    ({"zpath": -1}, "sign of the z path"),
    ({"rpath": False}, "path through the reset gate is missing"),
    ({"cand": "z"}, "candidate's weight is 1 - z"),
    ({"tanh_slope": False}, "tanh's slope is missing"),
    ({"blocks_T": False}, r"used untransposed.*W_hh\[:, :H\]\.T"),
    ({"vector_z": True}, r"z broadcasts over the rows.*np\.diag\(z\)"),
    ({"columns": True}, r"scales the columns.*\(h_prev - n\)\[:, None\] \* dz"),
])
def test_jacobian_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb07.check_gru_jacobian, lambda *a: jacobian(*a, **kwargs), expected)


def test_jacobian_generic_failures():
    assert_hint(nb07.check_gru_jacobian, lambda *a: np.eye(3), r"expected shape \(4, 4\)")
    assert_hint(nb07.check_gru_jacobian, no_return, "forget a `return`")
    assert_hint(nb07.check_gru_jacobian, lambda *a: 0.5 * jacobian(*a), "J = diag\\(z\\)")
