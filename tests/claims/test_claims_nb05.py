"""Notebook 05's training claims, re-run for several initializations (``make claims``)."""

import numpy as np
import pytest

from rnn_edu import adding, bptt, jacobians, losses, optim, rnn
from tests.claims.conftest import SEEDS

pytestmark = pytest.mark.claims
T_EXP = 50  # section 5


def rnn_at(sigma, seed):
    p = rnn.init_params(2, 32, 1, seed=seed)
    p.W_hh *= sigma / jacobians.spectral_norm(p.W_hh)
    return p


def gradient_at_init(sigma, seed):
    x, target = adding.adding_problem(32, T_EXP, seed=0)
    p = rnn_at(sigma, seed)
    cache = rnn.forward(p, x)
    return bptt.backward(p, cache, losses.mse_last(cache.y, target)[1])[0]


def test_section5_gradient_explodes_through_time_at_init(claim):
    big = {s: gradient_at_init(3.0, s) for s in SEEDS}
    # log10 margins: how many decades above the notebook's thresholds
    claim(
        "nb05 s5 sigma 3: global gradient norm > 1e4",
        {s: np.log10(optim.global_norm(g) / 1e4) for s, g in big.items()},
    )
    claim(
        "nb05 s5 sigma 3: ||dL/dW_hh|| > 1e5 ||dL/dW_hy||",
        {s: np.log10(np.linalg.norm(g.W_hh) / (1e5 * np.linalg.norm(g.W_hy))) for s, g in big.items()},
    )
    claim(
        "nb05 s5 sigma 0.9 and 1.5: global gradient norm < 100",
        {
            s: np.log10(100 / max(optim.global_norm(gradient_at_init(sig, s)) for sig in (0.9, 1.5)))
            for s in SEEDS
        },
    )


def _one_step(seed, clip):
    p = rnn_at(3.0, seed)
    before = {n: w.copy() for n, w in p.as_dict().items()}
    size = np.sqrt(sum(np.sum(w**2) for w in before.values()))
    adding.fit(p, T_EXP, steps=1, optimizer=optim.SGD(lr=0.01, momentum=0.9), clip_norm=clip)
    step = np.sqrt(sum(np.sum((w - before[n]) ** 2) for n, w in p.as_dict().items()))
    h = rnn.forward(p, adding.adding_problem(32, T_EXP, seed=0)[0]).h
    log_lag_T = jacobians.log10_jacobian_norms(p.W_hh, h)[:, 0]
    slopes = jacobians.slopes(h)
    return (step / size, jacobians.spectral_norm(p.W_hh), slopes.mean(), np.median(log_lag_T),
            np.mean(slopes == 0), np.sum(np.isneginf(log_lag_T)))


def test_section5_one_step_kills_without_clipping(claim):
    dead = {s: _one_step(s, None) for s in SEEDS}
    alive = {s: _one_step(s, 1.0) for s in SEEDS}
    claim(
        "nb05 s5 one unclipped step: step > 10 x ||weights|| (log10 margin)",
        {s: np.log10(d[0] / 10) for s, d in dead.items()},
    )
    claim(
        "nb05 s5 one unclipped step: sigma_max > 100 (log10 margin)",
        {s: np.log10(d[1] / 100) for s, d in dead.items()},
    )
    claim("nb05 s5 one unclipped step: mean slope < 0.01", {s: 0.01 - d[2] for s, d in dead.items()})
    claim("nb05 s5 one unclipped step: slopes exactly 0 > 95%", {s: d[4] - 0.95 for s, d in dead.items()})
    claim(
        "nb05 s5 one unclipped step: ||dh_T/dh_0|| exactly 0 for all 32 sequences (count - 31.5)",
        {s: d[5] - 31.5 for s, d in dead.items()},
    )
    claim(
        "nb05 s5 one clipped step: |sigma_max - 3| < 0.05",
        {s: 0.05 - abs(a[1] - 3) for s, a in alive.items()},
    )
    claim("nb05 s5 one clipped step: mean slope > 0.2", {s: a[2] - 0.2 for s, a in alive.items()})
    claim("nb05 s5 one clipped step: log10 ||dh_T/dh_0|| > 4", {s: a[3] - 4 for s, a in alive.items()})


def test_section5_clipping_keeps_the_run_alive_but_not_learning(claim):
    val = adding.adding_problem(500, T_EXP, seed=10**6)
    baseline = adding.baseline_mse(val[1])
    out = {}
    for s in SEEDS:
        for clip in (None, 1.0):
            p = rnn_at(3.0, s)
            history = adding.fit(
                p, T_EXP, steps=300, optimizer=optim.SGD(lr=0.01, momentum=0.9), clip_norm=clip, val=val
            )
            slope = jacobians.slopes(rnn.forward(p, val[0][:100]).h).mean()
            out[s, clip] = history, slope, rnn.forward(p, val[0]).y[:, -1, 0].std()
    claim("nb05 s5 300 unclipped updates: mean slope < 0.01", {s: 0.01 - out[s, None][1] for s in SEEDS})
    claim(
        "nb05 s5 300 unclipped updates: |val MSE - baseline| < 0.05",
        {s: 0.05 - abs(out[s, None][0].val_mse - baseline) for s in SEEDS},
    )
    claim("nb05 s5 300 clipped updates: mean slope > 0.2", {s: out[s, 1.0][1] - 0.2 for s in SEEDS})
    claim(
        "nb05 s5 300 clipped updates: median gradient norm > 1e4 (log10 margin)",
        {s: np.log10(np.median(out[s, 1.0][0].grad_norms) / 1e4) for s in SEEDS},
    )
    claim(
        "nb05 s5 300 clipped updates: every gradient norm > 1e4 (log10 margin)",
        {s: np.log10(min(out[s, 1.0][0].grad_norms) / 1e4) for s in SEEDS},
    )
    claim(
        "nb05 s5 300 clipped updates: predictions' std > targets' std",
        {s: out[s, 1.0][2] - val[1].std() for s in SEEDS},
    )
    claim(
        "nb05 s5 300 clipped updates: val MSE > 5 x baseline (log10 margin)",
        {s: np.log10(out[s, 1.0][0].val_mse / (5 * baseline)) for s in SEEDS},
    )


def early_share(p, x, target):
    """||dL/dW_hh from the first 50 steps|| / ||dL/dW_hh||, computed as section 6 does (T = 100)."""
    cache = rnn.forward(p, x)
    dy = losses.mse_last(cache.y, target)[1]
    late = rnn.forward(p, x[:, 50:], h0=cache.h[:, 49])
    dh50 = bptt.backward(p, late, dy[:, 50:])[1]
    early = rnn.forward(p, x[:, :50])
    grads_early = bptt.backward(p, early, np.zeros_like(early.y), dh_last=dh50)[0]
    return np.linalg.norm(grads_early.W_hh) / np.linalg.norm(bptt.backward(p, cache, dy)[0].W_hh)


def test_section6_adding_problem(claim):
    learned, failed, trained = {}, {}, {}
    for s in SEEDS:
        for T_len, steps in ((10, 600), (100, 800)):
            p = rnn.init_params(2, 32, 1, seed=s)
            val = adding.adding_problem(1000, T_len, seed=10**6)
            history = adding.fit(p, T_len, steps=steps, optimizer=optim.Adam(lr=1e-2), clip_norm=1.0, val=val)
            if T_len == 10:
                learned[s] = 0.05 - history.val_mse
            else:
                failed[s] = history.val_mse - 0.9 * adding.baseline_mse(val[1])
                cache = rnn.forward(p, val[0][:100])
                median_lag = np.median(jacobians.log10_jacobian_norms(p.W_hh, cache.h)[:, ::-1], axis=0)
                trained[s] = (
                    median_lag,
                    jacobians.spectral_norm(p.W_hh),
                    jacobians.slopes(cache.h).mean(),
                    cache.y[:, -1, 0].std(),
                    early_share(p, val[0][:100], val[1][:100]),
                )
    claim("nb05 s6 T = 10: val MSE < 0.05", learned)
    claim("nb05 s6 T = 100: val MSE > 0.9 x baseline", failed)
    claim(
        "nb05 s6 trained T = 100: median log10 ||dh_T/dh_t|| < -3 from lag 50",
        {s: -3 - t[0][50:].max() for s, t in trained.items()},
    )
    claim("nb05 s6 trained T = 100: sigma_max > 1", {s: t[1] - 1 for s, t in trained.items()})
    claim("nb05 s6 trained T = 100: mean slope < 0.7", {s: 0.7 - t[2] for s, t in trained.items()})
    claim("nb05 s6 trained T = 100: prediction std < 0.1", {s: 0.1 - t[3] for s, t in trained.items()})
    claim(
        "nb05 s6 trained T = 100: share of ||dL/dW_hh|| from the first 50 steps < 1e-5 (log10 margin)",
        {s: np.log10(1e-5 / t[4]) for s, t in trained.items()},
    )
