"""Memory and update time of the Markov explorer (notebook 01) over a full sweep of its sliders.

    .venv/bin/python benchmarks/bench_markov_explorer.py [--orders 9] [--ks 17]

Builds the explorer as notebook 01 does (the whole training text, the validation text for the
held-out readout), then moves the order and the smoothing sliders through every position (9
orders x 17 values of k: every (order, k) a learner can reach) and prints the process's peak
resident memory (``resource.getrusage``) before and after the sweep, and the median and slowest
update. Run it in a fresh process: the peak is the process's own.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from bench_explorers import markov_explorer  # the builder shared with bench_explorers.py


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=9, help="orders 0..N-1 (slider: 0..8)")
    parser.add_argument("--ks", type=int, default=17, help="positions of the k slider (17)")
    args = parser.parse_args()
    explorer = markov_explorer(order=3)
    train, val = explorer.train_text, explorer.val_text
    start = peak_mib()
    times = []
    for order in range(args.orders):
        for k in np.logspace(-3, 1, args.ks):
            t0 = time.perf_counter()
            explorer.set(order=order, k=float(k))
            times.append(time.perf_counter() - t0)
    times = 1e3 * np.array(times)
    print(f"Markov explorer, {len(train):,} training and {len(val):,} held-out characters; "
          f"{len(times)} updates (orders 0..{args.orders - 1} x {args.ks} values of k)")
    print(f"peak resident memory: {start:.0f} MiB after building, {peak_mib():.0f} MiB after "
          f"the sweep")
    print(f"update: median {np.median(times):.0f} ms, slowest {times.max():.0f} ms "
          "(the slowest are the first visit of a higher order: its counts are made then)")


if __name__ == "__main__":
    main()
