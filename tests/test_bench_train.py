"""The benchmark's per-character loop is the course's RNN: same loss, same gradient step.

benchmarks/bench_train.py times it against rnn_edu; a ratio means something only if both train
the same model. Speed itself is never asserted here (benchmarks/README.md).
"""

import importlib.util
from pathlib import Path

import numpy as np

from rnn_edu import bptt, losses, optim, rnn

_spec = importlib.util.spec_from_file_location(
    "bench_train", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_train.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _as_rnn_edu(W_xh, W_hh, W_hy, b_h, b_y) -> rnn.RNNParams:
    """The loop's column-vector weights as rnn_edu's row-vector ones (transposes)."""
    return rnn.RNNParams(W_xh=W_xh.T.copy(), W_hh=W_hh.T.copy(), b_h=b_h[:, 0].copy(),
                         W_hy=W_hy.T.copy(), b_y=b_y[:, 0].copy())


def test_loop_first_update_is_rnn_edu_loss_and_adagrad_step():
    V, seq = 7, bench.SEQ
    ids = np.random.default_rng(1).integers(0, V, 3 * seq + 1)
    before = _as_rnn_edu(*bench.loop_train(ids, V, 0)[0])  # 0 updates: the initial weights
    after, loss, _ = bench.loop_train(ids, V, 1)
    x, y = ids[None, :seq], ids[None, 1 : seq + 1]
    cache = rnn.forward(before, x)
    mean_loss, dy = losses.cross_entropy(cache.y, y)
    assert np.isclose(loss[0], mean_loss * seq, rtol=1e-12)  # the loop sums over the sequence
    grads, _ = bptt.backward(before, cache, dy * seq)
    grads = optim.clip_elementwise(grads, bench.CLIP)
    for name, w in before.as_dict().items():  # Adagrad's first step: w - lr g / sqrt(g^2 + 1e-8)
        g = getattr(grads, name)
        expected = w - bench.LR * g / np.sqrt(g * g + 1e-8)
        assert np.allclose(getattr(_as_rnn_edu(*after), name), expected, rtol=1e-10, atol=1e-12), name

