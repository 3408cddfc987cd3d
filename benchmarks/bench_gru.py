"""Training throughput of the NumPy GRU against Keras' GRU of the same size, side by side.

    make setup-test   # once
    TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/bench_gru.py

The task of notebook 07: the adding problem at T = 100 (2 features), a GRU of 32 units
(``reset_after=True``) and a linear read-out of the last state, MSE, Adam (lr 1e-2), gradient
clipping by global norm at 1, batches of 32 fresh sequences. Rows, in sequences per second:

- ``rnn_edu``: ``rnn_edu.adding.fit`` (``gru.forward``, ``gru.backward``, clipping, Adam),
  float64 and float32, one BLAS thread;
- ``keras``: ``keras.layers.GRU(32)`` + ``Dense(1)``, ``model.fit`` over the same number of
  sequences (timed after a warm-up epoch).

Prints a table; asserts nothing (speed is not a test).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from rnn_edu import adding, gru, optim

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _machine, when imported from elsewhere
import _machine  # noqa: E402

T, HIDDEN, BATCH, LR, CLIP = 100, 32, 32, 1e-2, 1.0


def rnn_edu_sequences_per_second(dtype, updates: int) -> float:
    params = gru.init_params(2, HIDDEN, 1, seed=0, dtype=dtype)
    adding.fit(params, T, steps=3, batch_size=BATCH, optimizer=optim.Adam(lr=LR), clip_norm=CLIP)
    start = time.perf_counter()
    adding.fit(params, T, steps=updates, batch_size=BATCH, optimizer=optim.Adam(lr=LR),
               clip_norm=CLIP, seed=1000)
    return updates * BATCH / (time.perf_counter() - start)


def keras_sequences_per_second(updates: int) -> tuple[float, str]:
    import keras

    x, y = adding.adding_problem(updates * BATCH, T, seed=1000)
    x, y = x.astype(np.float32), y.astype(np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((T, 2)), keras.layers.GRU(HIDDEN), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(LR, global_clipnorm=CLIP), loss="mse")
    model.fit(x[: 10 * BATCH], y[: 10 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return len(x) / (time.perf_counter() - start), f"keras {keras.__version__}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--updates", type=int, default=100, help="updates timed per row")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each row keeps its best")
    args = ap.parse_args()
    print(_machine.describe())
    print(f"task: adding problem T = {T}, GRU({HIDDEN}) + Dense(1), batch {BATCH}, Adam lr {LR}, "
          f"clip {CLIP}; {args.updates} updates per row, best of {args.rounds} rounds\n")
    best: dict[str, float] = {}
    for _ in range(args.rounds):  # interleaved rounds: every row sees the same load
        for dtype in (np.float64, np.float32):
            label = f"rnn_edu GRU: {np.dtype(dtype).name}, 1 BLAS thread, adding.fit"
            best[label] = max(best.get(label, 0.0), rnn_edu_sequences_per_second(dtype, args.updates))
        sps, version = keras_sequences_per_second(args.updates)
        label = f"{version} GRU: float32, model.fit"
        best[label] = max(best.get(label, 0.0), sps)
    keras_sps = best[label]
    print(f"{'implementation':48s} {'sequences/s':>12s} {'updates/s':>10s} {'vs Keras':>9s}")
    for name, sps in best.items():
        print(f"{name:48s} {sps:12,.0f} {sps / BATCH:10.1f} {sps / keras_sps:8.2f}x")


if __name__ == "__main__":
    main()
