
import numpy as np
import pytest

from rnn_edu import jacobians
from rnn_edu.exercises import nb05
from tests.exercise_helpers import assert_hint, no_return


def reference_jacobian(W_hh, h_t):
    return (1 - h_t**2)[:, None] * W_hh.T


def reference_bound(W_hh, lag, gamma):
    return (np.linalg.norm(W_hh, 2) * gamma) ** lag


def reference_norms(W_hh, h):
    """The sweep written out with explicit Jacobians (np.diag), independent of the package."""
    P, norms = np.eye(len(W_hh)), [1.0]
    for t in range(len(h), 0, -1):
        P = P @ (np.diag(1 - h[t - 1] ** 2) @ W_hh.T)
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms[::-1])


def reference_non_normal():
    return np.array([[0.9, 5.0], [0.0, 0.9]])


def test_reference_answers_pass_and_agree_with_the_package():
    assert nb05.check_tanh_jacobian(reference_jacobian).ok
    assert nb05.check_gradient_bound(reference_bound).ok
    assert nb05.check_gradient_norms(reference_norms).ok
    assert nb05.check_non_normal(reference_non_normal).ok
    h_t = np.array([0.2, -0.5, 0.9])
    W = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(reference_jacobian(W, h_t), jacobians.jacobian(W, 1 - h_t**2))


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda W, h: (1 - h**2)[:, None] * W, "W_hh is transposed"),
        (lambda W, h: ((1 - h**2)[:, None] * W.T).T, "W_hh is transposed"),
        (lambda W, h: W.T @ np.diag(1 - h**2), "slopes scale the columns"),
        (lambda W, h: W.T, "slope of tanh is missing"),
        (lambda W, h: (1 - np.tanh(h) ** 2)[:, None] * W.T, "already tanh"),
        (lambda W, h: (1 - h)[:, None] * W.T, r"1 - h_t\*\*2"),
        (lambda W, h: (h**2 - 1)[:, None] * W.T, r"check the slope"),
        (lambda W, h: np.zeros(3), r"expected a \(hidden, hidden\)"),
        (no_return, "did you forget a `return`"),
        (lambda W, h: "J", "expected a NumPy array of numbers, got str"),
        (lambda W, h: 1 / 0, "raised ZeroDivisionError"),
        (lambda W, h: 2 * reference_jacobian(W, h), r"expected \[\["),
    ],
)
def test_jacobian_mistakes_get_specific_hints(fn, expected):
    assert_hint(nb05.check_tanh_jacobian, fn, expected)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda W, lag, g: (np.abs(np.linalg.eigvals(W)).max() * g) ** lag, "spectral radius"),
        (lambda W, lag, g: (np.linalg.svd(W)[1][-1] * g) ** lag, "smallest singular value"),
        (lambda W, lag, g: (np.linalg.norm(W) * g) ** lag, "Frobenius"),
        (lambda W, lag, g: np.linalg.norm(W, 2) ** lag, "gamma is missing"),
        (lambda W, lag, g: np.linalg.norm(W, 2) * g * lag, "power lag"),
        (lambda W, lag, g: (np.linalg.norm(W, 2) * g) ** (lag + 1), "off by one"),
        (lambda W, lag, g: (np.linalg.eigvalsh(W.T @ W).max() * g) ** lag, r"sigma_max\*\*2.*square root"),
        (lambda W, lag, g: np.linalg.norm(W, 2) ** lag * g, "gamma is raised to the power lag"),
        (lambda W, lag, g: np.linalg.norm(W, 2) * g**lag, "sigma_max is raised to the power lag"),
        (lambda W, lag, g: "big", "expected one number, got str"),
        (lambda W, lag, g: np.ones(lag + 1), "expected one number, got ndarray"),
    ],
)
def test_bound_mistakes_get_specific_hints(fn, expected):
    assert_hint(nb05.check_gradient_bound, fn, expected)


def sweep(W_hh, h, *, left=False, transpose=True, slope=True, reverse=True, ord=2, shift=0,
          tanh_of_h=False, columns=False):
    """A configurable (mostly wrong) version of the sweep, for the checker's hints."""
    W = W_hh.T if transpose else W_hh
    d = 1 - h**2 if slope else np.ones_like(h)
    if tanh_of_h:
        d = 1 - np.tanh(h) ** 2
    if shift:
        d = np.vstack([np.ones(h.shape[1]), d[:-1]])
    P, norms = np.eye(len(W_hh)), [1.0]
    for t in range(len(h), 0, -1):
        J = W @ np.diag(d[t - 1]) if columns else np.diag(d[t - 1]) @ W
        P = J @ P if left else P @ J
        norms.append(np.linalg.norm(P, ord))
    return np.array(norms[::-1] if reverse else norms)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"reverse": False}, "order of the sweep"),
        ({"left": True}, "wrong order"),
        ({"transpose": False}, "W_hh is transposed"),
        ({"slope": False}, "slopes are missing"),
        ({"shift": 1}, "off by one in time"),
        ({"ord": "fro"}, "Frobenius"),
        ({"tanh_of_h": True}, r"not 1 - tanh\(h_t\)\*\*2"),
        ({"columns": True}, "slopes scale the columns"),
    ],
)
def test_sweep_mistakes_get_specific_hints(kwargs, expected):
    assert_hint(nb05.check_gradient_norms, lambda W, h: sweep(W, h, **kwargs), expected)


def test_sweep_missing_t_equals_T_and_other_errors():
    assert_hint(nb05.check_gradient_norms, lambda W, h: sweep(W, h)[:-1], r"Include t = T")
    assert_hint(nb05.check_gradient_norms, lambda W, h: 1.01 * sweep(W, h), r"expected \[")
    assert_hint(nb05.check_gradient_norms, lambda W, h: np.full(len(h) + 1, np.nan),
                "NaN or inf")
    assert_hint(nb05.check_gradient_norms, no_return, "forget a `return`")


@pytest.mark.parametrize(
    "W, expected",
    [
        (np.diag([0.99, 0.5]), "normal"),
        (np.array([[0.9, 1.0], [1.0, 0.9]]), "spectral radius is 1.9"),
        (np.array([[0.5, 1.0], [0.0, 0.5]]), r"peaks at 1\.\d+"),
        (np.ones(3), r"square \(n, n\)"),
        (np.array([[np.nan, 0.0], [0.0, 0.5]]), "NaN or inf"),
        ([[0.5, "a"], [0.0, 0.5]], "array of numbers"),
    ],
)
def test_non_normal_mistakes_get_specific_hints(W, expected):
    assert_hint(nb05.check_non_normal, lambda: W, expected)


def fresh_product_per_t(W_hh, h):
    """Right numbers, the slow way: a new product of T - t Jacobians for every t."""
    norms = []
    for t in range(len(h) + 1):
        P = np.eye(len(W_hh))
        for s in range(len(h), t, -1):
            P = P @ (np.diag(1 - h[s - 1] ** 2) @ W_hh.T)
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms)


def test_sweep_must_be_one_sweep_written_by_hand():
    assert_hint(nb05.check_gradient_norms, fresh_product_per_t, "a fresh product for every t")
    assert_hint(nb05.check_gradient_norms, lambda W, h: jacobians.jacobian_norms(W, h[None])[0],
                r"calls jacobians\.jacobian_norms")

    def via_log10(W, h):
        return 10 ** jacobians.log10_jacobian_norms(W, h[None])[0]

    assert_hint(nb05.check_gradient_norms, via_log10, "log10_jacobian_norms")

    def with_dot(W, h):  # np.dot and np.diag products count the same as @
        P, norms = np.eye(len(W)), [1.0]
        for t in range(len(h), 0, -1):
            P = np.dot(P, np.dot(np.diag(1 - h[t - 1] ** 2), W.T))
            norms.append(np.linalg.norm(P, 2))
        return np.array(norms[::-1])

    assert nb05.check_gradient_norms(with_dot).ok


@pytest.mark.parametrize(
    "W, expected",
    [
        (nb05.SHEAR, "the matrix of section 3"),
        (nb05.SHEAR.T, "the matrix of section 3"),
        (np.array([[0.0, 20.0], [0.0, 0.0]]), "never grow past it"),
        (np.array([[8.0, 8.0], [-8.0, -8.0]]), "never grow past it"),
        (np.array([[0.1, 30.0], [0.0, 0.1]]), "never grow past it"),
    ],
)
def test_non_normal_rejects_what_the_exercise_excludes(W, expected):
    assert_hint(nb05.check_non_normal, lambda: W, expected)
