"""Exercises of notebook 05 (vanishing and exploding gradients): each checker says what is wrong
and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import jacobians
from rnn_edu.exercises._feedback import (
    Feedback,
    call_learner,
    exercise,
    hint,
    learner_array,
    names_used,
    passed,
)


@exercise("1. one step's Jacobian")
def check_tanh_jacobian(fn) -> Feedback:
    """Exercise 1: ``fn(W_hh, h_t) -> J``, the Jacobian dh_t/dh_{t-1} of one tanh step.

    W_hh: ``(hidden, hidden)``; h_t: ``(hidden,)`` the state after the step; J: ``(hidden, hidden)``
    with ``J[i, j] = d h_t[i] / d h_{t-1}[j]`` (row-vector convention ``h_t = tanh(... + h_{t-1}
    @ W_hh)``).
    """
    rng = np.random.default_rng(0)
    for hidden in (3, 5):
        W_hh = rng.standard_normal((hidden, hidden))
        h_t = np.tanh(rng.standard_normal(hidden))
        slope = 1.0 - h_t**2
        expected = slope[:, None] * W_hh.T
        got, failed = learner_array(fn, W_hh.copy(), h_t.copy())
        if failed is not None:
            return failed
        if got.shape != expected.shape:
            return hint(f"expected a (hidden, hidden) = {expected.shape} matrix, "
                                      f"got shape {got.shape}.")
        if np.allclose(got, expected):
            continue
        if np.allclose(got, slope[:, None] * W_hh) or np.allclose(got, expected.T):
            msg = ("W_hh is transposed: with row vectors, h_t = tanh(h_{t-1} @ W_hh + ...), unit "
                   "i of h_t reads column i of W_hh, so row i of the Jacobian is "
                   "(1 - h_t[i]**2) * W_hh[:, i], i.e. J = diag(1 - h_t**2) @ W_hh.T "
                   "(diag(...) @ W_hh is the column-vector convention's formula).")
        elif np.allclose(got, W_hh.T * slope[None, :]):
            msg = ("the slopes scale the columns: W_hh.T @ diag(1 - h_t**2). Row i of J belongs to "
                   "unit i of h_t, so unit i's slope multiplies row i: diag(1 - h_t**2) @ W_hh.T.")
        elif np.allclose(got, W_hh.T) or np.allclose(got, W_hh):
            msg = ("the slope of tanh is missing: h_t = tanh(a_t), so each row i is multiplied "
                   "by tanh'(a_t[i]) = 1 - h_t[i]**2.")
        elif np.allclose(got, (1.0 - np.tanh(h_t) ** 2)[:, None] * W_hh.T):
            msg = "h_t is already tanh(a_t): the slope is 1 - h_t**2, not 1 - tanh(h_t)**2."
        elif any(np.allclose(got, wrong[:, None] * W_hh.T) for wrong in (1 - h_t, h_t**2, -slope)):
            msg = "check the slope: tanh'(a) = 1 - tanh(a)**2 = 1 - h_t**2."
        else:
            msg = (f"for hidden = {hidden} expected {np.round(expected, 3).tolist()}, got "
                   f"{np.round(got, 3).tolist()}. Hint: J = diag(1 - h_t**2) @ W_hh.T.")
        return hint(msg)
    return passed("verified for hidden sizes 3 and 5: the chain rule through one step, slope "
                  "times W_hh.T.")


@exercise("2. the bound")
def check_gradient_bound(fn) -> Feedback:
    """Exercise 2: ``fn(W_hh, lag, gamma) -> float``, the bound (sigma_max(W_hh) * gamma) ** lag
    on ``||dh_T/dh_t||`` for ``lag = T - t``."""
    W_cases = [np.array([[0.5, 2.0], [0.0, 0.5]]), np.array([[8.0, 8.0], [-8.0, -8.0]]),
               np.diag([0.9, 0.3, 0.2])]
    for W_hh in W_cases:
        singular = np.linalg.svd(W_hh, compute_uv=False)
        sigma, rho = singular[0], np.abs(np.linalg.eigvals(W_hh)).max()
        # lag 3 first: at lag 1, sigma**2 is also (sigma * gamma) ** (lag + 1)
        for lag, gamma in ((3, 1.0), (1, 1.0), (5, 0.25), (0, 1.0)):
            expected = (sigma * gamma) ** lag
            got, failed = call_learner(fn, W_hh.copy(), lag, gamma)
            if failed is not None:
                return failed
            try:
                got = float(got)
            except (TypeError, ValueError):
                return hint(f"expected one number, got {type(got).__name__}.")
            if np.isclose(got, expected, rtol=1e-9):
                continue
            if np.isclose(got, (rho * gamma) ** lag, rtol=1e-6):
                msg = ("that is the spectral radius (largest |eigenvalue|): it does not bound "
                       "the norm of a product, e.g. [[8, 8], [-8, -8]] has every eigenvalue 0. "
                       "Use the largest singular value, np.linalg.norm(W_hh, 2).")
            elif np.isclose(got, (singular[-1] * gamma) ** lag, rtol=1e-6):
                msg = ("that is the smallest singular value (np.linalg.svd lists them largest "
                       "first): the bound needs the largest, np.linalg.norm(W_hh, 2).")
            elif np.isclose(got, (np.linalg.norm(W_hh) * gamma) ** lag, rtol=1e-6):
                msg = ("that is the Frobenius norm: a valid but looser bound. The spectral norm "
                       "np.linalg.norm(W_hh, 2) (largest singular value) is the tight one.")
            elif np.isclose(got, (sigma**2 * gamma) ** lag, rtol=1e-6):
                msg = ("that is sigma_max**2, the largest eigenvalue of W_hh.T @ W_hh: take its "
                       "square root, or use np.linalg.norm(W_hh, 2).")
            elif np.isclose(got, sigma**lag, rtol=1e-6):
                msg = "gamma is missing: every step multiplies by at most sigma_max * gamma."
            elif np.isclose(got, sigma**lag * gamma, rtol=1e-6):
                msg = ("gamma is raised to the power lag too: each of the lag steps multiplies by "
                       "sigma_max * gamma, (sigma_max * gamma) ** lag.")
            elif np.isclose(got, sigma * gamma**lag, rtol=1e-6):
                msg = ("sigma_max is raised to the power lag too: each of the lag steps multiplies "
                       "by sigma_max * gamma, (sigma_max * gamma) ** lag.")
            elif np.isclose(got, sigma * gamma * lag, rtol=1e-6):
                msg = "the factors multiply over the lag steps: raise to the power lag."
            elif any(np.isclose(got, (sigma * gamma) ** k, rtol=1e-6) for k in (lag - 1, lag + 1)):
                msg = ("off by one in the exponent: dh_T/dh_t is a product of T - t = lag "
                       "Jacobians, J_T ... J_{t+1}, so the power is exactly lag (lag 0: 1).")
            else:
                msg = (f"for W_hh={W_hh.tolist()}, lag={lag}, gamma={gamma} expected "
                       f"{expected:.6g}, got {got:.6g}.")
            return hint(msg)
    return passed("verified on 3 matrices (one nilpotent) and lags 0 to 5: the spectral norm, "
                  "not the spectral radius, bounds products.")


def _sweep_variants(W_hh: np.ndarray, h: np.ndarray) -> dict[str, np.ndarray]:
    """Norms from plausible wrong sweeps over ``h: (time, hidden)``, each ``(time + 1,)``."""
    time, hidden = h.shape
    slope = 1.0 - h**2
    shifted = np.vstack([np.ones(hidden), slope[:-1]])  # step t uses the slope of h_{t-1}
    variants = {}
    for label, W, s, left in (("left", W_hh.T, slope, True), ("transposed", W_hh, slope, False),
                              ("no slope", W_hh.T, np.ones_like(slope), False),
                              ("shifted", W_hh.T, shifted, False),
                              ("tanh of h", W_hh.T, 1.0 - np.tanh(h) ** 2, False),
                              # W_hh.T * slope[None, :]: the transposes of "left" with W_hh, same norms
                              ("columns", W_hh, slope, True),
                              ("frobenius", W_hh.T, slope, False)):
        P, norms = np.eye(hidden), [1.0]
        for t in range(time, 0, -1):
            J = s[t - 1][:, None] * W
            P = J @ P if left else P @ J
            norms.append(np.linalg.norm(P) if label == "frobenius" else np.linalg.norm(P, 2))
        variants[label] = np.array(norms[::-1])
    return variants


@exercise("3. one backward sweep")
def check_gradient_norms(fn) -> Feedback:
    """Exercise 3: ``fn(W_hh, h) -> norms``, ``||dh_T/dh_t||_2`` for t = 0..T in one sweep.

    W_hh: ``(hidden, hidden)``; h: ``(time, hidden)``, the tanh states h_1..h_T of one sequence
    (``h[t - 1]`` is h_t); norms: ``(time + 1,)`` with ``norms[t]`` for t = 0..T (``norms[T]`` = 1).
    """
    used = _package_sweep(fn)
    if used:
        return hint(f"your function calls jacobians.{used}: write the sweep yourself, with "
                    "NumPy only (the exercise is to see how one sweep gets every lag).")
    rng = np.random.default_rng(3)
    for time, hidden in ((6, 3), (9, 4), (12, 3)):
        W_hh = jacobians.with_spectral_norm(rng.standard_normal((hidden, hidden)), 1.3)
        h = jacobians.hidden_states(W_hh, rng.standard_normal((1, time, hidden)))[0]
        expected = jacobians.jacobian_norms(W_hh, h[None])[0]
        _Counted.products = 0
        got, failed = learner_array(fn, W_hh.copy().view(_Counted), h.copy().view(_Counted))
        products = _Counted.products
        if failed is not None:
            return failed
        if got.shape != expected.shape:
            msg = (f"expected one norm per t = 0..T, shape (time + 1,) = {expected.shape}, got "
                   f"shape {got.shape}.")
            if got.shape == (time,):
                msg += " Include t = T: dh_T/dh_T is the identity, norm 1."
            return hint(msg)
        if np.allclose(got, expected, rtol=1e-8):
            if products > 3 * time:
                return hint(f"right norms, but with {products} matrix products for T = {time}: "
                            "that is a fresh product for every t (about T**2 / 2). One backward "
                            "sweep reuses the last product: P = P @ J_t, T products in all.")
            continue
        wrong = _sweep_variants(W_hh, h)
        if np.allclose(got, expected[::-1], rtol=1e-8):
            msg = ("the norms are in the order of the sweep (lag 0 first): entry t must hold "
                   "||dh_T/dh_t||, so norms[T] = 1 and norms[0] is the longest lag. Reverse them.")
        elif np.allclose(got, wrong["left"], rtol=1e-8):
            msg = ("the Jacobians are multiplied in the wrong order: dh_T/dh_t = J_T @ ... @ "
                   "J_{t+1}, so going back one step puts the new J_t on the right, P = P @ J_t.")
        elif np.allclose(got, wrong["transposed"], rtol=1e-8):
            msg = "W_hh is transposed: with row vectors J_t = diag(1 - h_t**2) @ W_hh.T."
        elif np.allclose(got, wrong["no slope"], rtol=1e-8):
            msg = "the slopes are missing: each J_t carries diag(1 - h_t**2)."
        elif np.allclose(got, wrong["tanh of h"], rtol=1e-8):
            msg = "h_t is already tanh(a_t): the slope is 1 - h_t**2, not 1 - tanh(h_t)**2."
        elif np.allclose(got, wrong["columns"], rtol=1e-8):
            msg = ("the slopes scale the columns of W_hh.T: unit i's slope multiplies row i, "
                   "J_t = (1 - h_t**2)[:, None] * W_hh.T, i.e. diag(1 - h_t**2) @ W_hh.T.")
        elif np.allclose(got, wrong["shifted"], rtol=1e-8):
            msg = ("off by one in time: J_t uses the slope at step t, 1 - h_t**2, and h_t is "
                   "h[t - 1] (the array starts at h_1).")
        elif np.allclose(got, wrong["frobenius"], rtol=1e-8):
            msg = ("that is the Frobenius norm of each product; the spectral norm is "
                   "np.linalg.norm(P, 2).")
        else:
            msg = (f"for T = {time} expected {np.round(expected, 4).tolist()}, got "
                   f"{np.round(got, 4).tolist()}. Hint: start from P = I (t = T) and go back one "
                   "step at a time, P = P @ J_t.")
        return hint(msg)
    return passed("verified against jacobians.jacobian_norms for T = 6, 9 and 12, with at most "
                  "3T matrix products: one sweep, every lag.")


MAX_SIZE = 50  # the largest matrix check_non_normal takes (100 powers of it)

#: The matrix of section 3 (b), which exercise 4 excludes.
SHEAR = np.array([[0.99, 0.0], [1.0, 0.99]])


@exercise("4. growth below spectral radius 1")
def check_non_normal(fn) -> Feedback:
    """Exercise 4: ``fn() -> W``, a square matrix with spectral radius below 1 whose powers still
    grow: ``||W^k||_2 > 10`` and ``> ||W||_2`` for some 2 <= k <= 100; not :data:`SHEAR` or its
    transpose."""
    got, failed = learner_array(fn)
    if failed is not None:
        return failed
    if got.ndim != 2 or got.shape[0] != got.shape[1] or got.size == 0:
        return hint(f"expected a square (n, n) matrix, got shape {got.shape}.")
    if not np.all(np.isfinite(got)):
        return hint("the matrix has inf or NaN entries.")
    if got.shape[0] > MAX_SIZE:
        return hint(f"a {got.shape[0]} x {got.shape[0]} matrix is more than the point needs: use at "
                    f"most {MAX_SIZE} x {MAX_SIZE} (2 x 2 is enough).")
    if got.shape == SHEAR.shape and (np.allclose(got, SHEAR) or np.allclose(got, SHEAR.T)):
        return hint("that is the matrix of section 3 (or its transpose): build your own, e.g. "
                    "other eigenvalues or another off-diagonal entry.")
    rho = jacobians.spectral_radius(got)
    if rho >= 1:
        return hint(f"its spectral radius is {rho:.3g}: the point is growth with every "
                    "|eigenvalue| below 1.")
    norms, P = [], np.eye(len(got))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(100):  # ||W^k|| for k = 1..100, one product each
            P = P @ got
            norms.append(np.linalg.norm(P, 2) if np.all(np.isfinite(P)) else np.inf)
    norms = np.array(norms)
    peak = int(np.argmax(norms[1:])) + 1  # index k - 1 of the largest power with k >= 2
    if norms[peak] > 10 and norms[peak] > norms[0]:
        return passed(f"spectral radius {rho:.2f}, yet ||W^{peak + 1}|| = {norms[peak]:.3g} > "
                      f"||W|| = {norms[0]:.3g}: the powers grow before the eigenvalues win.")
    if norms[0] > 10:
        return hint(f"||W|| = {norms[0]:.3g} is large at k = 1, but the powers never grow past it "
                    f"(||W^2|| = {norms[1]:.3g}): e.g. a nilpotent matrix such as [[0, 20], [0, 0]] "
                    "has W^2 = 0. Growth needs eigenvalues near 1, so that the off-diagonal part "
                    "keeps adding up over many steps.")
    if np.allclose(got @ got.T, got.T @ got):
        msg = (f"your matrix is normal (W W^T = W^T W, e.g. symmetric or diagonal): then "
               f"||W^k|| = rho^k = {rho:.3g}^k, which only shrinks. Make it non-normal, e.g. "
               "triangular with a large entry off the diagonal.")
    else:
        msg = (f"||W^k|| peaks at {norms[peak]:.3g} (k = {peak + 1}): make the off-diagonal part "
               "larger, or the eigenvalues closer to 1 so they shrink the powers more slowly.")
    return hint(msg)


def _package_sweep(fn) -> str:
    """The name of a jacobians function that already computes the norms, if ``fn`` uses one."""
    names = names_used(fn)
    return next((n for n in ("jacobian_norms", "log10_jacobian_norms") if n in names), "")


class _Counted(np.ndarray):
    """An array that counts the matrix products it takes part in (to see a learner's loop)."""

    products = 0
    _PRODUCTS = {np.dot, np.inner, np.vdot, np.tensordot, np.einsum, np.linalg.multi_dot}

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            _Counted.products += 1
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        return _counted(getattr(ufunc, method)(*map(_plain, inputs), **kwargs))

    def __array_function__(self, func, types, args, kwargs):
        if func in self._PRODUCTS:
            _Counted.products += 1
        elif func is np.linalg.matrix_power:
            _Counted.products += max(abs(int(args[1])) - 1, 1)
        return _counted(func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()}))


def _plain(value):
    if isinstance(value, _Counted):
        return value.view(np.ndarray)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _counted(value):
    if type(value) is np.ndarray:
        return value.view(_Counted)
    if isinstance(value, tuple):
        return tuple(_counted(v) for v in value)
    return value
