"""Training throughput of the NumPy character RNN, against a per-character loop and Keras.

    make setup-test   # once
    TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/bench_train.py

The model everywhere: one-hot characters (V = 103, the course corpus) -> 100 tanh units ->
V logits, softmax cross-entropy, truncated BPTT over 25 characters, Adagrad (lr 0.1),
element-wise gradient clipping at 5: the classic minimal character RNN.

Rows:
- ``loop``: that model written the straightforward way, one sequence and one character at a
  time (batch 1, column vectors, float64), as in the well-known 112-line ``min-char-rnn.py``;
  written below so that it runs here in the same process.
- ``rnn_edu``: ``rnn_edu.train.train`` (forward, ``bptt.backward``, clipping, Adagrad),
  vectorized over the batch.
- ``keras``: ``keras.layers.SimpleRNN(100)`` + ``Dense(V)`` on one-hot inputs, same optimizer and
  clipping, ``model.fit`` over batches of 64 sequences (timed after a warm-up epoch).

Then the fraction of the machine's matrix-multiply rate that rnn_edu's training reaches: the
time of the same matrix products (same shapes, dtype and threads) run back to back, divided by
the time of a whole training update. Prints tables; asserts nothing (speed is not a test).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from rnn_edu import data, optim, rnn, train

HIDDEN, SEQ, LR, CLIP = 100, 25, 0.1, 5.0
LOOP = "loop: batch 1, per character, float64"


def corpus_ids():
    text = data.load_corpus()
    vocab = data.Vocab.from_text(text)
    return vocab.encode(data.train_val_split(text)[0]), vocab.size


def loop_chars_per_second(ids: np.ndarray, V: int, updates: int) -> float:
    """The minimal character RNN: batch 1, one character at a time, column vectors, float64."""
    rng = np.random.default_rng(0)
    Wxh = rng.standard_normal((HIDDEN, V)) * 0.01
    Whh = rng.standard_normal((HIDDEN, HIDDEN)) * 0.01
    Why = rng.standard_normal((V, HIDDEN)) * 0.01
    bh, by = np.zeros((HIDDEN, 1)), np.zeros((V, 1))
    mem = [np.zeros_like(p) for p in (Wxh, Whh, Why, bh, by)]
    hprev = np.zeros((HIDDEN, 1))
    p = 0
    start = time.perf_counter()
    for _ in range(updates):
        if p + SEQ + 1 >= len(ids):
            p, hprev = 0, np.zeros((HIDDEN, 1))
        inputs, targets = ids[p : p + SEQ], ids[p + 1 : p + SEQ + 1]
        xs, hs, ps = {}, {-1: hprev}, {}
        for t in range(SEQ):
            xs[t] = np.zeros((V, 1))
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            ys = Why @ hs[t] + by
            ps[t] = np.exp(ys - ys.max()) / np.sum(np.exp(ys - ys.max()))
        dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
        dbh, dby, dhnext = np.zeros_like(bh), np.zeros_like(by), np.zeros_like(hprev)
        for t in reversed(range(SEQ)):
            dy = ps[t].copy()
            dy[targets[t]] -= 1
            dWhy += dy @ hs[t].T
            dby += dy
            dh = Why.T @ dy + dhnext
            dhraw = (1 - hs[t] * hs[t]) * dh
            dbh += dhraw
            dWxh += dhraw @ xs[t].T
            dWhh += dhraw @ hs[t - 1].T
            dhnext = Whh.T @ dhraw
        for param, dparam, m in zip((Wxh, Whh, Why, bh, by), (dWxh, dWhh, dWhy, dbh, dby), mem,
                                    strict=True):
            np.clip(dparam, -CLIP, CLIP, out=dparam)
            m += dparam * dparam
            param += -LR * dparam / np.sqrt(m + 1e-8)
        hprev = hs[SEQ - 1]
        p += SEQ
    return updates * SEQ / (time.perf_counter() - start)


def rnn_edu_chars_per_second(ids, V, batch, dtype, updates, threads) -> float:
    params = rnn.init_params(V, HIDDEN, V, seed=0, dtype=dtype)
    train.train(params, ids, optimizer=optim.Adagrad(lr=LR), steps=5, batch_size=batch,
                seq_len=SEQ, clip_norm=None, clip_value=CLIP, progress=False,
                blas_threads=threads)  # warm-up
    hist = train.train(params, ids, optimizer=optim.Adagrad(lr=LR), steps=updates,
                       batch_size=batch, seq_len=SEQ, clip_norm=None, clip_value=CLIP,
                       progress=False, blas_threads=threads)
    return hist.chars_per_second


def keras_chars_per_second(ids, V, batch, updates) -> tuple[float, str]:
    import keras

    n = min(updates, (len(ids) - 1) // (SEQ * batch)) * batch  # sequences: at most one pass
    windows = ids[: n * SEQ + 1]
    x = np.eye(V, dtype=np.float32)[windows[:-1].reshape(n, SEQ)]
    y = windows[1:].reshape(n, SEQ)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((SEQ, V)),
        keras.layers.SimpleRNN(HIDDEN, return_sequences=True),
        keras.layers.Dense(V),
    ])
    model.compile(optimizer=keras.optimizers.Adagrad(learning_rate=LR, clipvalue=CLIP),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[: 10 * batch], y[: 10 * batch], batch_size=batch, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return n * SEQ / (time.perf_counter() - start), f"keras {keras.__version__}"


def matmul_fraction(V, batch, dtype, updates, threads) -> tuple[float, float, float]:
    """Time of the training update's matrix products alone, over the time of the update."""
    rng = np.random.default_rng(0)
    B, H, T = batch, HIDDEN, SEQ
    h = rng.standard_normal((B, H)).astype(dtype)
    W_hh = rng.standard_normal((H, H)).astype(dtype)
    hs = rng.standard_normal((B * T, H)).astype(dtype)
    W_hy = rng.standard_normal((H, V)).astype(dtype)
    dys = rng.standard_normal((B * T, V)).astype(dtype)
    x1 = rng.standard_normal((B * T, V)).astype(dtype)

    def products():
        for _ in range(T):  # forward recurrence
            h @ W_hh
        hs @ W_hy  # outputs
        dys @ W_hy.T  # dL/dh through the outputs
        for _ in range(T):  # backward recurrence
            h @ W_hh.T
        x1.T @ hs  # dW_xh (one-hot rows)
        hs.T @ hs  # dW_hh
        hs.T @ dys  # dW_hy

    flops = 2 * (2 * T * B * H * H + 3 * B * T * H * V + V * B * T * H + B * T * H * H)
    with train.blas_limit(threads):
        products()
        start = time.perf_counter()
        for _ in range(updates):
            products()
        t_mm = (time.perf_counter() - start) / updates
        big = rng.standard_normal((1024, 1024)).astype(dtype)
        big @ big
        start = time.perf_counter()
        for _ in range(5):
            big @ big
        peak = 5 * 2 * 1024**3 / (time.perf_counter() - start)
    return t_mm, flops, peak


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown BLAS"
    infos = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return ", ".join(f"{i['internal_api']} {i['version']} ({i.get('architecture')}, "
                     f"{i['num_threads']} threads)" for i in infos) or "unknown BLAS"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--updates", type=int, default=300, help="updates timed per row")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each row keeps its best")
    ap.add_argument("--no-keras", action="store_true", help="skip the Keras row")
    args = ap.parse_args()
    ids, V = corpus_ids()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"numpy {np.__version__}; {blas_description()}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"model: V={V}, hidden {HIDDEN}, sequence {SEQ}, Adagrad lr {LR}, element-wise clip "
          f"{CLIP}; {args.updates} updates per row, best of {args.rounds} rounds\n")

    # Every row is measured in each round and keeps its best round: on a shared machine, other
    # work only ever slows a run down, and rounds interleave the rows so all see the same load.
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        loop = loop_chars_per_second(ids, V, max(args.updates // 2, 100))
        best[LOOP] = max(best.get(LOOP, 0.0), loop)
        for batch, dtype, threads in ((1, np.float64, 1), (64, np.float64, 1),
                                      (64, np.float32, 1), (64, np.float32, None),
                                      (256, np.float32, 1)):
            cps = rnn_edu_chars_per_second(ids, V, batch, dtype, args.updates, threads)
            label = (f"rnn_edu: batch {batch}, {np.dtype(dtype).name}, "
                     f"{'1 BLAS thread' if threads else 'default BLAS threads'}")
            best[label] = max(best.get(label, 0.0), cps)
        if not args.no_keras:
            cps, version = keras_chars_per_second(ids, V, 64, args.updates)
            label = f"{version} SimpleRNN: batch 64, float32, model.fit"
            best[label] = max(best.get(label, 0.0), cps)
    rows = list(best.items())
    loop = best[LOOP]

    print(f"{'implementation':58s} {'chars/s':>12s} {'vs loop':>8s}")
    for label, cps in rows:
        print(f"{label:58s} {cps:12,.0f} {cps / loop:7.1f}x")

    print("\nmatrix-multiply rate, rnn_edu batch 64 float32, 1 BLAS thread:")
    runs = [matmul_fraction(V, 64, np.float32, args.updates, 1) for _ in range(args.rounds)]
    t_mm, flops, peak = min(r[0] for r in runs), runs[0][1], max(r[2] for r in runs)
    t_step = 64 * SEQ / dict(rows)["rnn_edu: batch 64, float32, 1 BLAS thread"]
    print(f"  matrix products of one update: {flops / 1e6:.1f} MFLOP; alone they take "
          f"{t_mm * 1e3:.2f} ms ({flops / t_mm / 1e9:.1f} GFLOP/s)")
    print(f"  a whole update takes {t_step * 1e3:.2f} ms ({flops / t_step / 1e9:.1f} GFLOP/s): "
          f"{t_mm / t_step:.0%} of the matrix-multiply rate for the same shapes")
    print(f"  for scale: a 1024 x 1024 float32 product runs at {peak / 1e9:.1f} GFLOP/s "
          f"on 1 thread; the update reaches {flops / t_step / peak:.0%} of that")


if __name__ == "__main__":
    main()
