import re

import numpy as np
import pytest

from rnn_edu import jacobians, optim
from rnn_edu.exercises import nb05


def reference_jacobian(W_hh, h_t):
    return (1 - h_t**2)[:, None] * W_hh.T


def reference_bound(W_hh, lag, gamma):
    return (np.linalg.norm(W_hh, 2) * gamma) ** lag


def reference_clip(grads, max_norm):
    return optim.clip_global_norm(grads, max_norm)[0]


def test_reference_answers_pass_and_agree_with_the_package():
    assert nb05.check_tanh_jacobian(reference_jacobian, strict=True).ok
    assert nb05.check_gradient_bound(reference_bound, strict=True).ok
    assert nb05.check_clip_global_norm(reference_clip, strict=True).ok
    h_t = np.array([0.2, -0.5, 0.9])
    W = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(reference_jacobian(W, h_t), jacobians.jacobian(W, 1 - h_t**2))


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda W, h: (1 - h**2)[:, None] * W, "W_hh is transposed"),
        (lambda W, h: ((1 - h**2)[:, None] * W.T).T, "W_hh is transposed"),
        (lambda W, h: W.T, "slope of tanh is missing"),
        (lambda W, h: (1 - np.tanh(h) ** 2)[:, None] * W.T, "already tanh"),
        (lambda W, h: (1 - h)[:, None] * W.T, "1 - h_t\\*\\*2"),
        (lambda W, h: np.zeros(3), "expected a \\(hidden, hidden\\)"),
        (lambda W, h: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_jacobian_mistakes_get_specific_hints(fn, expected):
    fb = nb05.check_tanh_jacobian(fn)
    assert not fb.ok


    assert re.search(expected, fb.message), fb.message
    with pytest.raises(AssertionError, match="not yet"):
        nb05.check_tanh_jacobian(fn, strict=True)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda W, lag, g: (np.abs(np.linalg.eigvals(W)).max() * g) ** lag, "spectral radius"),
        (lambda W, lag, g: (np.linalg.norm(W) * g) ** lag, "Frobenius"),
        (lambda W, lag, g: np.linalg.norm(W, 2) ** lag, "gamma is missing"),
        (lambda W, lag, g: np.linalg.norm(W, 2) * g * lag, "power lag"),
        (lambda W, lag, g: "big", "expected a number"),
    ],
)
def test_bound_mistakes_get_specific_hints(fn, expected):
    fb = nb05.check_gradient_bound(fn)
    assert not fb.ok and expected in fb.message, fb.message


def per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) if np.linalg.norm(g) else g
            for k, g in grads.items()}


@pytest.mark.parametrize(
    "fn, expected",
    [
        (per_array, "its own norm"),
        (lambda grads, m: {k: np.clip(g, -m, m) for k, g in grads.items()}, "element-wise"),
        (lambda grads, m: {k: g * m / np.sqrt(sum(np.sum(v**2) for v in grads.values()))
                           for k, g in grads.items()}, "leave the gradients unchanged"),
        (lambda grads, m: list(grads.values()), "expected a dict"),
        (lambda grads, m: {k: g * 0.5 for k, g in grads.items()}, "global norm"),
    ],
)
def test_clip_mistakes_get_specific_hints(fn, expected):
    fb = nb05.check_clip_global_norm(fn)
    assert not fb.ok and expected in fb.message, fb.message
