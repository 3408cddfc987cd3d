"""Exercises of notebook 07 (the GRU): each checker says what is wrong and hints why.

Every checker runs the learner's function on small random cases and compares the result with the
right answer and with the results of plausible mistakes, each of which has its own hint.
"""

from __future__ import annotations

import numpy as np

from rnn_edu import gru
from rnn_edu.exercises._feedback import (
    Feedback,
    as_array,
    call_learner,
    describe,
    exercise,
    hint,
    learner_array,
    passed,
)

sigmoid = gru.sigmoid


def _verdict(got, expected, mistakes, fallback: str, label: str) -> Feedback | None:
    """``None`` when ``got`` matches ``expected``, else the hint of the first matching mistake.

    mistakes: ``[(array, hint), ...]``, the results of plausible wrong answers; label: what
    ``got`` is, for the hint on a wrong shape.
    """
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-10):
        return None
    for wrong, message in mistakes:
        if wrong.shape == got.shape and np.allclose(got, wrong, atol=1e-10):
            return hint(message)
    if got.shape != expected.shape:
        return hint(f"{label}: expected shape {expected.shape}, got {got.shape}.")
    return hint(fallback)


def _case(seed: int, batch: int = 3, n_in: int = 2, H: int = 4):
    """``(x_t, h_prev, W_xh, W_hh, b_xh, b_hh)`` with nonzero biases, so every term shows."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (batch, n_in)), rng.uniform(-1, 1, (batch, H)),
            rng.normal(0, 0.7, (n_in, 3 * H)), rng.normal(0, 0.7, (H, 3 * H)),
            rng.normal(0, 0.5, 3 * H), rng.normal(0, 0.5, 3 * H))


def _gru_step(x, h, Wx, Wh, b, *, gate=sigmoid, transposed=()):
    """``(h_t, z, r, n)`` of one ``reset_after=False`` step; a mistake may use another ``gate``
    function or some ``transposed`` blocks of W_hh (0: z, 1: r, 2: h)."""
    H = h.shape[1]
    a = x @ Wx + b
    R = [Wh[:, k * H:(k + 1) * H].T if k in transposed else Wh[:, k * H:(k + 1) * H]
         for k in range(3)]
    z, r = gate(a[:, :H] + h @ R[0]), gate(a[:, H:2 * H] + h @ R[1])
    n = np.tanh(a[:, 2 * H:] + (r * h) @ R[2])  # reset before the product
    return z * h + (1 - z) * n, z, r, n


def _step_variants(x, h, Wx, Wh, b):
    """The right GRU step with ``reset_after=False`` (one bias ``b``) and eleven mistakes."""
    H = h.shape[1]
    a = x @ Wx + b
    blk = lambda m, k: m[:, k * H:(k + 1) * H]
    R_h = Wh[:, 2 * H:]
    right, z, r, n = _gru_step(x, h, Wx, Wh, b)
    z2, r2 = r, z  # the blocks read as r, z, h
    n2 = np.tanh(blk(a, 2) + (r2 * h) @ R_h)
    transposed = ("the blocks of W_hh are transposed: with row vectors each block is used as it "
                  "is, h_prev @ W_hh[:, block] (a transpose is the column-vector habit).")
    mistakes = [
        ((1 - z) * h + z * n, "z and 1 - z are swapped: Keras keeps the old state with z, "
         "h_t = z * h_prev + (1 - z) * n (some texts write the mirror image; compare with Keras)."),
        (z2 * h + (1 - z2) * n2, "the gate blocks are read in the order r, z, h: Keras' columns "
         "are z first, then r, then the candidate h (W_xh[:, :H] is z)."),
        (z * h + (1 - z) * np.tanh(blk(a, 2) + r * (h @ R_h)), "that is reset_after=True "
         "(Keras' default): here the reset comes before the product, n = tanh(x K_h + b_h + "
         "(r * h_prev) @ R_h)."),
        (z * h + (1 - z) * np.tanh(blk(a, 2) + h @ R_h), "the reset gate is missing from the "
         "candidate: it scales h_prev before the product, (r * h_prev) @ R_h."),
        (_gru_step(x, h, Wx, Wh, b, gate=np.tanh)[0], "the gates use tanh: they are "
         "sigmoids, so that they lie in (0, 1) and act as fractions."),
        (_gru_step(x, h, Wx, Wh, 0 * b)[0], "the bias b is missing: a = x_t @ W_xh + b, and each "
         "block (z, r, h) adds its third of b."),
        (_gru_step(x, h, Wx, Wh, b, gate=lambda v: sigmoid(-v))[0], "the sign in the sigmoid: "
         "sigmoid(a) = 1 / (1 + exp(-a)); 1 / (1 + exp(a)) is 1 - sigmoid(a)."),
        (_gru_step(x, h, Wx, Wh, b, transposed=(0, 1, 2))[0], transposed),
        (_gru_step(x, h, Wx, Wh, b, transposed=(2,))[0], transposed),
        (n, "that is the candidate n_t, not the new state: mix it with the old state, "
         "h_t = z * h_prev + (1 - z) * n."),
        (z * (r * h) + (1 - z) * n, "the reset gate acts only inside the candidate: the state "
         "kept by z is h_prev itself, h_t = z * h_prev + (1 - z) * n."),
    ]
    return right, mistakes


@exercise("1. one GRU step, reset before the product")
def check_gru_step(fn) -> Feedback:
    """Exercise 1: ``fn(x_t, h_prev, W_xh, W_hh, b) -> h_t``, one GRU step with
    ``reset_after=False`` (Cho et al., D2L; Keras' ``GRU(reset_after=False)``).

    x_t ``(batch, input)``, h_prev ``(batch, H)``, W_xh ``(input, 3H)``, W_hh ``(H, 3H)``,
    b ``(3H,)``; blocks z, r, h; h_t ``(batch, H)``.
    """
    for seed in (0, 1):
        x, h, Wx, Wh, b, _ = _case(seed)
        expected, mistakes = _step_variants(x, h, Wx, Wh, b)
        p = gru.GRUParams(W_xh=Wx, W_hh=Wh, b_xh=b, W_hy=np.eye(h.shape[1]),
                          b_y=np.zeros(h.shape[1]))
        assert np.allclose(expected, gru.step(p, x, h)[0])  # the reference is the package's
        got, failed = learner_array(fn, *map(np.copy, (x, h, Wx, Wh, b)), label="h_t")
        if failed is not None:
            return failed
        bad = _verdict(got, expected, mistakes,
                       f"expected {np.round(expected[0], 3).tolist()} in the first row, got "
                       f"{np.round(got[0], 3).tolist()}. Hint: z = sigmoid(x W_z + b_z + h R_z); "
                       "n = tanh(x K_h + b_h + (r * h) R_h).", "h_t")
        if bad is not None:
            return bad
    return passed("the same numbers as gru.step with b_hh=None, which is Keras' "
                  "GRU(reset_after=False), on two batches.")


def _d2l_case(seed: int, n_in: int = 3, H: int = 2):
    """Separate matrices as Dive into Deep Learning writes them (row vectors, x @ W)."""
    rng = np.random.default_rng(seed)
    W = {k: rng.normal(size=(n_in, H)) for k in ("W_xz", "W_xr", "W_xh")}
    W |= {k: rng.normal(size=(H, H)) for k in ("W_hz", "W_hr", "W_hh")}
    W |= {k: rng.normal(size=H) for k in ("b_z", "b_r", "b_h")}
    return W


_PARTS = (("kernel", ("W_xz", "W_xr", "W_xh")), ("recurrent_kernel", ("W_hz", "W_hr", "W_hh")),
          ("bias", ("b_z", "b_r", "b_h")))


def _layout_mistakes(label: str, W: dict, keys) -> tuple[np.ndarray, list]:
    kz, kr, kh = keys
    cat = lambda *ks, axis=-1: np.concatenate([W[k] for k in ks], axis=axis)
    want = cat(kz, kr, kh)
    mistakes = [
        (cat(kr, kz, kh), f"{label}: the blocks are in the order r, z, h; Keras wants z, r, h "
         "(the update gate first)."),
        (cat(kh, kz, kr), f"{label}: the candidate block comes last, z, r, h."),
        (want.T, f"{label} is transposed: Keras wants shape {want.shape}, with row vectors."),
    ]
    if label == "bias":
        mistakes.append((np.stack([want, np.zeros_like(want)]), "bias (2, 3H) is the "
                         "reset_after=True layout (input and recurrent biases); "
                         "reset_after=False has one bias (3H,)."))
    else:
        mistakes.append((cat(kz, kr, kh, axis=0), f"{label}: the blocks are stacked as rows; "
                         f"put them side by side as columns, shape {want.shape}."))
        mistakes.append((np.concatenate([W[k].T for k in keys], axis=-1),
                         f"{label}: each block is transposed. D2L and Keras both multiply row "
                         "vectors from the left (h @ W), so use the blocks as they are."))
    return want, mistakes


@exercise("2. D2L weights into Keras")
def check_to_keras_layout(fn) -> Feedback:
    """Exercise 2: ``fn(W_xz, W_xr, W_xh, W_hz, W_hr, W_hh, b_z, b_r, b_h) -> (kernel,
    recurrent_kernel, bias)`` for ``keras.layers.GRU(H, reset_after=False)``: ``(I, 3H)``,
    ``(H, 3H)``, ``(3H,)``."""
    for seed in (0, 1):
        W = _d2l_case(seed)
        got, failed = call_learner(fn, *(W[k].copy() for k in W))
        if failed is not None:
            return failed
        if isinstance(got, dict):
            return hint("return a tuple (kernel, recurrent_kernel, bias), not a dict: "
                        "layer.set_weights takes a list in that order.")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return hint(f"return three arrays: (kernel, recurrent_kernel, bias); got "
                        f"{describe(got)}.")
        shapes = [getattr(v, "shape", None) for v in got]
        wanted = [_layout_mistakes(label, W, keys)[0].shape for label, keys in _PARTS]
        if shapes != wanted and sorted(map(str, shapes)) == sorted(map(str, wanted)):
            return hint(f"the three arrays have the right shapes in the wrong order ({shapes}): "
                        "return (kernel, recurrent_kernel, bias), the order layer.set_weights "
                        "takes.")
        for (label, keys), value in zip(_PARTS, got):
            arr, failed = as_array(value, label)
            if failed is not None:
                return failed
            want, mistakes = _layout_mistakes(label, W, keys)
            if label == "bias" and arr.shape == (2, want.size):
                return hint(mistakes[-1][1])  # any (2, 3H) bias, whatever its values
            bad = _verdict(arr, want, mistakes, f"{label}: expected the blocks {', '.join(keys)} "
                                                f"side by side, shape {want.shape}.", label)
            if bad is not None:
                return bad
    return passed("the columns z | r | h, as Keras stores them, for two sets of D2L weights.")


def _backward_variants(dh, h, z, r, n, u_h, W_hh):
    """The right one-step backward (reset_after=True) and ten plausible mistakes."""
    def assemble(da_z, da_r, du_h, keep, back=W_hh.T):
        return keep + np.concatenate([da_z, da_r, du_h], axis=1) @ back

    H = h.shape[1]
    untransposed = np.vstack([W_hh[:, k * H:(k + 1) * H] for k in range(3)])  # da_k @ R_k summed
    dn = dh * (1 - z)
    da_h = dn * (1 - n**2)
    da_h1 = dn * (1 - n)  # with tanh's slope taken as 1 - n
    da_z = dh * (h - n) * z * (1 - z)
    da_r = da_h * u_h * r * (1 - r)
    right = assemble(da_z, da_r, da_h * r, dh * z)
    mistakes = [
        (assemble(da_z, da_r, da_h * r, 0.0), "the direct path is missing: h_t = z * h_prev + ..., "
         "so dh_prev gets dh * z before anything else (the path that carries long memories)."),
        (assemble(dh * (n - h) * z * (1 - z), da_r, da_h * r, dh * z), "dz has the wrong sign: "
         "dh_t/dz = h_prev - n (h_t = n + z (h_prev - n))."),
        (assemble(da_z, dh * z * (1 - n**2) * u_h * r * (1 - r), dh * z * (1 - n**2) * r, dh * z),
         "the candidate's weight is 1 - z, not z: dn = dh * (1 - z)."),
        (assemble(da_z, dn * u_h * r * (1 - r), dn * r, dh * z), "tanh's slope 1 - n**2 is missing "
         "from the candidate's gradient."),
        (assemble(dh * (h - n), da_h * u_h, da_h * r, dh * z), "the sigmoid slopes are missing: "
         "dz/da_z = z * (1 - z), dr/da_r = r * (1 - r)."),
        (assemble(da_z, da_h * h * r * (1 - r), da_h * r, dh * z), "dr multiplies u_h = h_prev R_h "
         "+ b'_h (what r scales in reset_after=True), not h_prev."),
        (assemble(da_z, da_r, da_h, dh * z), "the candidate's recurrent part is r * u_h, so its "
         "gradient is da_h * r, not da_h."),
        (assemble(da_z, 0 * da_r, da_h * r, dh * z), "the path through the reset gate is "
         "missing: n depends on r, which depends on h_prev, da_r = da_h * u_h * r * (1 - r)."),
        (assemble(da_z, da_r, da_h * r, dh * z, back=untransposed), "each block goes back "
         "untransposed: the step computes h_prev @ R_k, so going back multiplies by R_k.T, "
         "i.e. [da_z | da_r | da_h * r] @ W_hh.T."),
        (assemble(da_z, da_h1 * u_h * r * (1 - r), da_h1 * r, dh * z), "tanh's slope is "
         "1 - n**2, not 1 - n: n is already tanh(...)."),
    ]
    return right, mistakes


def _cell_values(seed: int, batch: int):
    """A step's inputs and cached values: ``(h_prev, z, r, n, u_h, W_hh)``, reset_after=True."""
    x, h, Wx, Wh, bx, bh = _case(seed, batch=batch)
    H = h.shape[1]
    p = gru.GRUParams(W_xh=Wx, W_hh=Wh, b_xh=bx, b_hh=bh, W_hy=np.eye(H), b_y=np.zeros(H))
    _, z, r, n, u_h = gru.cell(p, x @ Wx + bx, h)
    return h, z, r, n, u_h, Wh


@exercise("3. one step backward")
def check_gru_step_backward(fn) -> Feedback:
    """Exercise 3: ``fn(dh, h_prev, z, r, n, u_h, W_hh) -> dh_prev``, dL/dh_{t-1} for one step
    (reset_after=True); every vector ``(batch, H)``, W_hh ``(H, 3H)``."""
    for seed in (0, 1):
        h, z, r, n, u_h, Wh = _cell_values(seed, batch=3)
        dh = np.random.default_rng(seed + 10).normal(size=h.shape)
        expected, mistakes = _backward_variants(dh, h, z, r, n, u_h, Wh)
        got, failed = learner_array(fn, *map(np.copy, (dh, h, z, r, n, u_h, Wh)), label="dh_prev")
        if failed is not None:
            return failed
        bad = _verdict(got, expected, mistakes,
                       "not yet: sum the direct path dh * z and [da_z | da_r | da_h * r] @ W_hh.T.",
                       "dh_prev")
        if bad is not None:
            return bad
    return passed("what gru.backward does at each step, on two batches.")


def _jacobian_variants(h, z, r, n, u_h, W_hh):
    """The right Jacobian dh_t/dh_{t-1} (reset_after=True) and ten plausible mistakes."""
    H = h.shape[0]
    blocks = [W_hh[:, k * H:(k + 1) * H] for k in range(3)]

    def derivatives(R_z, R_r, R_h):
        """dz, dr, dn (each ``(H, H)``) for the recurrent blocks as the step uses them, h_prev @ R."""
        dz = (z * (1 - z))[:, None] * R_z
        dr = (r * (1 - r))[:, None] * R_r
        return dz, dr, (1 - n**2)[:, None] * (u_h[:, None] * dr + r[:, None] * R_h)

    R_h = blocks[2].T
    dz, dr, dn = derivatives(*(b.T for b in blocks))
    right = np.diag(z) + (h - n)[:, None] * dz + (1 - z)[:, None] * dn
    dz_u, _, dn_u = derivatives(*blocks)  # the blocks untransposed
    mistakes = [
        (right - np.diag(z), "diag(z) is missing: h_t = z * h_prev + ... depends on h_prev "
         "directly, and that identity-like path is what lets the gradient survive many steps."),
        (right.T, "that is the transpose: row i of J is unit i of h_t, J[i, j] = "
         "dh_t[i]/dh_prev[j]."),
        (right - (h - n)[:, None] * dz, "the path through z is missing: z depends on h_prev too, "
         "(h_prev - n) * dz."),
        (right - 2 * (h - n)[:, None] * dz, "the sign of the z path: dh_t/dz = h_prev - n."),
        (right - (1 - z)[:, None] * (1 - n**2)[:, None] * (u_h[:, None] * dr),
         "the path through the reset gate is missing: n depends on r, which depends on h_prev."),
        (np.diag(z) + (h - n)[:, None] * dz + z[:, None] * dn, "the candidate's weight is 1 - z: "
         "its path is (1 - z) * dn."),
        (np.diag(z) + (h - n)[:, None] * dz + (1 - z)[:, None] * (u_h[:, None] * dr
                                                                  + r[:, None] * R_h),
         "tanh's slope is missing from the candidate's path: dn = diag(1 - n**2) (...)."),
        (np.diag(z) + (h - n)[:, None] * dz_u + (1 - z)[:, None] * dn_u, "the blocks of W_hh "
         "are used untransposed: in h_prev @ W_hh[:, :H], unit i of z reads column i of the "
         "block, so dz = diag(z * (1 - z)) @ W_hh[:, :H].T (and likewise for r and h)."),
        (right - np.diag(z) + z, "z broadcasts over the rows (z[j] is added to all of column j): "
         "the direct path is np.diag(z), z[i] on the diagonal only."),
        (np.diag(z) + (h - n) * dz + (1 - z) * dn, "(h_prev - n) * dz scales the columns "
         "(broadcasting runs along the last axis): unit i's factor scales row i, "
         "(h_prev - n)[:, None] * dz, and likewise (1 - z)[:, None] * dn."),
    ]
    return right, mistakes


@exercise("4. the GRU's Jacobian")
def check_gru_jacobian(fn) -> Feedback:
    """Exercise 4: ``fn(h_prev, z, r, n, u_h, W_hh) -> J`` ``(H, H)``, dh_t/dh_{t-1} of one
    sequence (vectors ``(H,)``, W_hh ``(H, 3H)``), reset_after=True."""
    for seed in (0, 1):
        h, z, r, n, u_h, Wh = _cell_values(seed, batch=1)
        vectors = [v[0] for v in (h, z, r, n, u_h)]
        expected, mistakes = _jacobian_variants(*vectors, Wh)
        got, failed = learner_array(fn, *map(np.copy, (*vectors, Wh)), label="J")
        if failed is not None:
            return failed
        bad = _verdict(got, expected, mistakes,
                       "not yet: J = diag(z) + diag(h_prev - n) dz + diag(1 - z) dn, with "
                       "dn = diag(1 - n**2) (diag(u_h) dr + diag(r) R_h.T). Compare with "
                       "gru.step_jacobians on a one-step cache.", "J")
        if bad is not None:
            return bad
    return passed("the same as gru.step_jacobians, on two random steps.")
