"""Exercises of notebook 05 (vanishing and exploding gradients): each checker says what is wrong
and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu.exercises._feedback import Feedback, checked, hint, passed


def _cases(seed: int = 0):
    rng = np.random.default_rng(seed)
    for hidden in (3, 5):
        W_hh = rng.standard_normal((hidden, hidden))
        h_t = np.tanh(rng.standard_normal(hidden))
        yield W_hh, h_t


def _call(name: str, fn, *args):
    """``(result, None)``, or ``(None, feedback)`` when the learner's function raised."""
    try:
        return fn(*args), None
    except Exception as exc:  # the learner's code failing is feedback, not a crash
        return None, hint(name, f"your function raised {type(exc).__name__}: {exc}")


def check_tanh_jacobian(fn, strict: bool = False) -> Feedback:
    """Exercise 1: ``fn(W_hh, h_t) -> J``, the Jacobian dh_t/dh_{t-1} of one tanh step.

    W_hh: ``(hidden, hidden)``; h_t: ``(hidden,)`` the state after the step; J: ``(hidden, hidden)``
    with ``J[i, j] = d h_t[i] / d h_{t-1}[j]`` (row-vector convention ``h_t = tanh(... + h_{t-1}
    @ W_hh)``).
    """
    name = "1. one step's Jacobian"
    for W_hh, h_t in _cases():
        slope = 1.0 - h_t**2
        expected = slope[:, None] * W_hh.T
        got, failed = _call(name, fn, W_hh.copy(), h_t.copy())
        if failed is not None:
            return checked(failed, strict)
        got = np.asarray(got, dtype=float)
        if got.shape != expected.shape:
            return checked(hint(name, f"expected a (hidden, hidden) = {expected.shape} matrix, "
                                      f"got shape {got.shape}."), strict)
        if np.allclose(got, expected):
            continue
        if np.allclose(got, slope[:, None] * W_hh) or np.allclose(got, expected.T):
            msg = ("W_hh is transposed: with row vectors, h_t = tanh(h_{t-1} @ W_hh + ...), unit "
                   "i of h_t reads column i of W_hh, so row i of the Jacobian is "
                   "(1 - h_t[i]**2) * W_hh[:, i], i.e. J = diag(1 - h_t**2) @ W_hh.T "
                   "(diag(...) @ W_hh is the column-vector convention's formula).")
        elif np.allclose(got, W_hh.T) or np.allclose(got, W_hh):
            msg = ("the slope of tanh is missing: h_t = tanh(a_t), so each row i is multiplied "
                   "by tanh'(a_t[i]) = 1 - h_t[i]**2.")
        elif np.allclose(got, (1.0 - np.tanh(h_t) ** 2)[:, None] * W_hh.T):
            msg = ("h_t is already tanh(a_t): the slope is 1 - h_t**2, not 1 - tanh(h_t)**2.")
        elif np.allclose(got, (1.0 - h_t)[:, None] * W_hh.T) or np.allclose(
                got, (h_t**2)[:, None] * W_hh.T):
            msg = "check the slope: tanh'(a) = 1 - tanh(a)**2 = 1 - h_t**2."
        else:
            msg = (f"for hidden = {len(h_t)} expected {np.round(expected, 3).tolist()}, got "
                   f"{np.round(got, 3).tolist()}. Hint: J = diag(1 - h_t**2) @ W_hh.T.")
        return checked(hint(name, msg), strict)
    return checked(passed(name, "the chain rule through one step: slope times W_hh.T."), strict)


def check_gradient_bound(fn, strict: bool = False) -> Feedback:
    """Exercise 2: ``fn(W_hh, lag, gamma) -> float``, the bound (sigma_max(W_hh) * gamma) ** lag
    on ``||dh_T/dh_t||`` for ``lag = T - t``."""
    name = "2. the bound"
    W_cases = [np.array([[0.5, 2.0], [0.0, 0.5]]), np.array([[8.0, 8.0], [-8.0, -8.0]]),
               np.diag([0.9, 0.3, 0.2])]
    for W_hh in W_cases:
        for lag, gamma in ((1, 1.0), (3, 1.0), (5, 0.25), (0, 1.0)):
            sigma = np.linalg.norm(W_hh, 2)
            expected = (sigma * gamma) ** lag
            got, failed = _call(name, fn, W_hh.copy(), lag, gamma)
            if failed is not None:
                return checked(failed, strict)
            try:
                got = float(got)
            except (TypeError, ValueError):
                return checked(hint(name, f"expected a number, got {type(got).__name__}."), strict)
            if np.isclose(got, expected, rtol=1e-9):
                continue
            rho = np.abs(np.linalg.eigvals(W_hh)).max()
            frobenius = np.linalg.norm(W_hh)
            if np.isclose(got, (rho * gamma) ** lag, rtol=1e-6):
                msg = ("that is the spectral radius (largest |eigenvalue|): it does not bound "
                       "the norm of a product, e.g. [[8, 8], [-8, -8]] has every eigenvalue 0. "
                       "Use the largest singular value, np.linalg.norm(W_hh, 2).")
            elif np.isclose(got, (frobenius * gamma) ** lag, rtol=1e-6):
                msg = ("that is the Frobenius norm: a valid but looser bound. The spectral norm "
                       "np.linalg.norm(W_hh, 2) (largest singular value) is the tight one.")
            elif np.isclose(got, sigma**lag, rtol=1e-6):
                msg = "gamma is missing: every step multiplies by at most sigma_max * gamma."
            elif np.isclose(got, sigma * gamma * lag, rtol=1e-6):
                msg = "the factors multiply over the lag steps: raise to the power lag."
            else:
                msg = (f"for W_hh={W_hh.tolist()}, lag={lag}, gamma={gamma} expected "
                       f"{expected:.6g}, got {got:.6g}.")
            return checked(hint(name, msg), strict)
    return checked(passed(name, "the spectral norm, not the spectral radius, bounds products."),
                   strict)


def check_clip_global_norm(fn, strict: bool = False) -> Feedback:
    """Exercise 3: ``fn(grads, max_norm) -> dict``: scale every gradient in ``grads`` (a dict of
    arrays) by the same factor so that their global norm is at most ``max_norm``."""
    name = "3. clipping by global norm"
    rng = np.random.default_rng(5)
    cases = [({"W_hh": rng.standard_normal((3, 3)) * 10, "b_h": rng.standard_normal(3)}, 1.0),
             ({"W_hh": rng.standard_normal((2, 2)) * 0.01, "b_h": np.zeros(2)}, 1.0),
             ({"a": np.array([3.0, 4.0]), "b": np.array([0.0, 12.0])}, 6.5)]
    for grads, max_norm in cases:
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        scale = min(1.0, max_norm / norm)
        expected = {k: g * scale for k, g in grads.items()}
        got, failed = _call(name, fn, {k: g.copy() for k, g in grads.items()}, max_norm)
        if failed is not None:
            return checked(failed, strict)
        if not isinstance(got, dict) or set(got) != set(grads):
            return checked(hint(name, f"expected a dict with the keys {sorted(grads)}, got "
                                      f"{type(got).__name__}"
                                      + (f" with keys {sorted(got)}" if isinstance(got, dict)
                                         else "") + "."), strict)
        got = {k: np.asarray(v, dtype=float) for k, v in got.items()}
        if any(got[k].shape != g.shape for k, g in grads.items()):
            return checked(hint(name, "each clipped gradient must keep its shape."), strict)
        if all(np.allclose(got[k], expected[k]) for k in grads):
            continue
        per_array = {k: g * min(1.0, max_norm / max(np.linalg.norm(g), 1e-300))
                     for k, g in grads.items()}
        if scale == 1.0:
            msg = (f"the global norm {norm:.3g} is already under max_norm = {max_norm}: leave the "
                   "gradients unchanged (clipping only ever shrinks).")
        elif all(np.allclose(got[k], per_array[k]) for k in grads):
            msg = ("each array was clipped by its own norm: that changes the direction of the "
                   "whole gradient. Compute one norm over all arrays together, "
                   "sqrt(sum of every squared entry), and scale them all by max_norm / norm.")
        elif all(np.allclose(got[k], np.clip(g, -max_norm, max_norm)) for k, g in grads.items()):
            msg = ("that is element-wise clipping: it changes the direction. Scale every array "
                   "by the same factor max_norm / (global norm).")
        else:
            got_norm = np.sqrt(sum(np.sum(g**2) for g in got.values()))
            msg = (f"the result has global norm {got_norm:.4g}; expected {norm * scale:.4g} "
                   f"(the input's global norm {norm:.4g} scaled down to max_norm = {max_norm}).")
        return checked(hint(name, msg), strict)
    return checked(passed(name, "one factor for all arrays keeps the gradient's direction."),
                   strict)
