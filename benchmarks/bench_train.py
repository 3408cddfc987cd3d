"""Training throughput of the NumPy character RNN, against the classic per-character loop and Keras.

    make setup-test   # once
    TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/bench_train.py
    .venv/bin/python benchmarks/bench_train.py --published min-char-rnn.py   # the check below

The model everywhere: one-hot characters (V = 103, the course corpus) -> 100 tanh units ->
V logits, softmax cross-entropy, truncated BPTT over 25 characters, Adagrad (lr 0.1),
element-wise gradient clipping at 5: the classic minimal character RNN.

Rows:
- ``loop``: Karpathy's ``min-char-rnn.py`` computation, written here (:func:`loop_train`): one
  sequence and one character at a time, column vectors, float64, the same floating-point
  operations in the same order. ``--published PATH`` checks that against the published program
  itself (ported to Python 3, which the user supplies; it is not part of this project): both run
  in this process from the same seed, and the check prints whether their loss lines and final
  weights are identical, and both speeds.
- ``rnn_edu``: ``rnn_edu.train.train`` (forward, ``bptt.backward``, clipping, Adagrad),
  vectorized over the batch.
- ``keras``: ``keras.layers.SimpleRNN(100)`` + ``Dense(V)`` on one-hot inputs, same optimizer and
  clipping, ``model.fit`` over batches of 64 sequences (timed after a warm-up epoch).

Then the fraction of the machine's matrix-multiply rate that rnn_edu's training reaches: the
time of the update's own matrix products (same shapes, dtype and threads) run back to back,
divided by the time of a whole training update. Prints tables; asserts nothing (speed is not a
test).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rnn_edu import data, optim, rnn, train

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _machine, when imported from elsewhere
import _machine  # noqa: E402

HIDDEN, SEQ, LR, CLIP = 100, 25, 0.1, 5.0
LOOP = "loop: batch 1, per character, float64"


def corpus_ids():
    text = data.load_corpus()
    vocab = data.Vocab.from_text(text)
    return vocab.encode(data.train_val_split(text)[0]), vocab.size


def loop_train(ids, V: int, updates: int, seed: int = 0):
    """The classic minimal character RNN, trained for ``updates`` updates.

    One sequence of SEQ characters per update, one character at a time, column vectors,
    float64: ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``, ``p_t = softmax(W_hy h_t + b_y)``
    without the max shift, the loss summed over the sequence, gradients clipped to [-5, 5]
    entry by entry, Adagrad ``w -= lr g / sqrt(G + 1e-8)``; the state carried from one
    sequence to the next and reset at the start of each pass. The same floating-point
    operations in the same order as ``min-char-rnn.py`` (README: how that was checked).
    ids: the text as a list or 1-D array of ints in [0, V).
    Returns ``(params, losses, seconds)``: ``[W_xh, W_hh, W_hy, b_h, b_y]`` after training,
    every update's loss (nats summed over the sequence) and the wall time.
    """
    rng = np.random.RandomState(seed)  # the legacy stream: what np.random.randn draws
    W_xh = rng.randn(HIDDEN, V) * 0.01
    W_hh = rng.randn(HIDDEN, HIDDEN) * 0.01
    W_hy = rng.randn(V, HIDDEN) * 0.01
    b_h, b_y = np.zeros((HIDDEN, 1)), np.zeros((V, 1))
    params = [W_xh, W_hh, W_hy, b_h, b_y]
    G = [np.zeros_like(w) for w in params]  # Adagrad's running sums of squared gradients
    ids = [int(i) for i in ids]
    losses, pos, h = [], 0, None
    start = time.perf_counter()
    for _ in range(updates):
        if h is None or pos + SEQ + 1 >= len(ids):
            pos, h = 0, np.zeros((HIDDEN, 1))
        chunk = ids[pos : pos + SEQ + 1]
        xs, hs, ps, loss = [], [h], [], 0.0
        for t in range(SEQ):
            x = np.zeros((V, 1))
            x[chunk[t]] = 1
            hs.append(np.tanh(np.dot(W_xh, x) + np.dot(W_hh, hs[t]) + b_h))
            e = np.exp(np.dot(W_hy, hs[t + 1]) + b_y)
            ps.append(e / np.sum(e))
            loss -= np.log(ps[t][chunk[t + 1], 0])
            xs.append(x)
        grads = [np.zeros_like(w) for w in params]
        dW_xh, dW_hh, dW_hy, db_h, db_y = grads
        dh_next = np.zeros((HIDDEN, 1))
        for t in reversed(range(SEQ)):  # hs[t + 1] is h_t, hs[t] is h_{t-1}
            dy = ps[t].copy()
            dy[chunk[t + 1]] -= 1
            dW_hy += np.dot(dy, hs[t + 1].T)
            db_y += dy
            dh = np.dot(W_hy.T, dy) + dh_next
            da = (1 - hs[t + 1] * hs[t + 1]) * dh
            db_h += da
            dW_xh += np.dot(da, xs[t].T)
            dW_hh += np.dot(da, hs[t].T)
            dh_next = np.dot(W_hh.T, da)
        for w, g, s in zip(params, grads, G, strict=True):
            np.clip(g, -CLIP, CLIP, out=g)
            s += g * g
            w += -LR * g / np.sqrt(s + 1e-8)
        h = hs[SEQ]
        pos += SEQ
        losses.append(loss)
    return params, losses, time.perf_counter() - start


def loop_chars_per_second(ids, V: int, updates: int) -> float:
    return updates * SEQ / loop_train(ids, V, updates)[2]


class _Stop(Exception):
    pass


def run_published(path: str, text: str, updates: int, seed: int = 0):
    """Run the published ``min-char-rnn.py`` (a Python 3 port, at ``path``; not part of this
    project) on ``text`` in this process, until it prints its loss at update ``updates``.

    It trains forever and reads ``input.txt``: it runs in a temporary folder holding ``text``
    as ``input.txt``, with ``print`` replaced by one that records the time of each loss line
    and stops the program at ``updates``. It draws its weights from ``np.random`` (seeded here
    with ``seed``), as :func:`loop_train` does. Returns ``(namespace, loss_lines, seconds)``:
    the program's variables (weights, ``char_to_ix``) after ``updates`` updates, its printed
    loss lines, and the time of updates 100 to ``updates`` (including its own sampling).
    """
    lines, marks = [], {}

    def record(*args, **kwargs):
        line = " ".join(map(str, args))
        if line.startswith("iter "):
            n = int(line.split()[1].rstrip(","))
            marks[n] = time.perf_counter()
            lines.append(line)
            if n >= updates:
                raise _Stop

    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    namespace = {"__name__": "__main__", "print": record}
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "input.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        os.chdir(tmp)
        np.random.seed(seed)  # noqa: NPY002 (the program draws from the legacy global stream)
        try:
            exec(code, namespace)  # a program the user gave, run once for the check
        except _Stop:
            pass
        finally:
            os.chdir(cwd)
    return namespace, lines, marks[updates] - marks[100]


def check_published(path: str, updates: int, rounds: int) -> None:
    """The loop row against the published program: the same losses and weights, and speed."""
    text = data.train_val_split(data.load_corpus())[0]
    print(f"published program: {path}; {updates} updates, {rounds} rounds")
    chars = list(set(text))  # its character order: a set's, the same throughout this process
    index = {c: i for i, c in enumerate(chars)}
    ids, V = [index[c] for c in text], len(chars)
    for r in range(rounds):  # the two alternate which runs first
        if r % 2:
            params, losses, loop_seconds = loop_train(ids, V, updates)
        ns, lines, seconds = run_published(path, text, updates)
        if not r % 2:
            params, losses, loop_seconds = loop_train(ids, V, updates)
        assert ns["chars"] == chars
        smooth, ours = -np.log(1.0 / V) * SEQ, []
        for n, loss in enumerate(losses[: updates]):  # its printed, smoothed loss
            smooth = smooth * 0.999 + loss * 0.001
            if n % 100 == 0:
                ours.append(f"iter {n}, loss: {smooth:f}")
        same_weights = all(np.array_equal(w, ns[k]) for w, k in
                           zip(params, ("Wxh", "Whh", "Why", "bh", "by"), strict=True))
        start = time.perf_counter()
        for _ in range(updates // 100 - 1):  # its sampling inside the timed stretch
            ns["sample"](np.zeros((HIDDEN, 1)), 0, 200)
        sampling = time.perf_counter() - start
        n_chars = (updates - 100) * SEQ
        print(f"  loss lines identical: {lines[:-1] == ours[: len(lines) - 1]} "
              f"({len(lines) - 1} lines, last {lines[-2]!r}); weights after {updates} updates "
              f"bitwise equal: {same_weights}")
        print(f"  published {n_chars / seconds:,.0f} chars/s ({n_chars / (seconds - sampling):,.0f} "
              f"without its sampling); loop row {updates * SEQ / loop_seconds:,.0f} chars/s")


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

    def products():  # those of rnn.forward and bptt.backward (dW_xh is a sum of rows, not one)
        for _ in range(T):  # forward recurrence
            h @ W_hh
        hs @ W_hy  # outputs
        dys @ W_hy.T  # dL/dh through the outputs
        for _ in range(T):  # backward recurrence
            h @ W_hh.T
        hs.T @ hs  # dW_hh
        hs.T @ dys  # dW_hy

    flops = 2 * (2 * T * B * H * H + 3 * B * T * H * V + B * T * H * H)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--updates", type=int, default=300, help="updates timed per row")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each row keeps its best")
    ap.add_argument("--no-keras", action="store_true", help="skip the Keras row")
    ap.add_argument("--published", metavar="PATH",
                    help="instead, check the loop row against min-char-rnn.py ported to Python 3")
    args = ap.parse_args()
    if args.published:
        check_published(args.published, max(args.updates, 200) // 100 * 100, args.rounds)
        return
    ids, V = corpus_ids()
    print(_machine.describe())
    print(f"model: V={V}, hidden {HIDDEN}, sequence {SEQ}, Adagrad lr {LR}, element-wise clip "
          f"{CLIP}; {args.updates} updates per row, best of {args.rounds} rounds\n")

    # Every row is measured in each round and keeps its best round: on a shared machine, other
    # work only ever slows a run down, and rounds interleave the rows so all see the same load.
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        loop = loop_chars_per_second(ids, V, args.updates)
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
