"""How long notebook 08's unit explorer takes to update, at notebook 08's size (GRU(256) over the
course vocabulary) and its longest text (:data:`rnn_edu.widgets.units.MAX_CHARS` characters).

    .venv/bin/python benchmarks/bench_unit_explorer.py [--updates 20]

Rows: moving the unit slider, moving the guesses slider (both redraw the HTML and the picture
from cached states), and a new text (the GRU's forward pass over it, then the redraw). The
weights are random: the time does not depend on training. Median and 90th percentile of wall
clock, median CPU time of this process, and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from bench_explorers import corpus, unit_explorer  # the builder shared with bench_explorers.py

from rnn_edu.widgets.units import MAX_CHARS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20, help="updates per row")
    args = parser.parse_args()
    text, vocab = corpus()
    start = time.perf_counter()
    explorer = unit_explorer(text_chars=MAX_CHARS)
    built = time.perf_counter() - start
    rng = np.random.default_rng(0)
    rows = {
        "unit slider": lambda i: {"unit": int(rng.integers(0, 256))},
        "guesses slider": lambda i: {"position": int(rng.integers(0, MAX_CHARS))},
        "new text": lambda i: {"text": text[(i + 1) * MAX_CHARS:(i + 2) * MAX_CHARS]},
    }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"unit explorer: GRU(256), V = {vocab.size}, {MAX_CHARS} characters; built (search "
          f"over 5,000 characters) in {built:.2f} s; {args.updates} updates per row; "
          f"{os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"{'':<16}{'median ms':>10}{'p90 ms':>9}{'CPU ms':>9}")
    for name, change in rows.items():
        wall, cpu = [], []
        for i in range(args.updates):
            values = change(i)
            t0, c0 = time.perf_counter(), time.process_time()
            explorer.set(**values)
            wall.append(1e3 * (time.perf_counter() - t0))
            cpu.append(1e3 * (time.process_time() - c0))
        print(f"{name:<16}{np.median(wall):>10.0f}{np.percentile(wall, 90):>9.0f}"
              f"{np.median(cpu):>9.0f}")


if __name__ == "__main__":
    main()
