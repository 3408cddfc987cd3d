"""How long the explorers take to update: the vanishing-gradient explorer (notebook 05, compute +
redraw) and the forecast explorer (notebook 06, redraw only: its models are trained before it).

    .venv/bin/python benchmarks/bench_explorer.py [--updates 60] [--only vanishing|forecast]

Each update moves one control (as a learner would) and runs the explorer's full update: the
forward pass, the Jacobian sweep, drawing the figure and rendering it to PNG. The table gives
the median and 90th percentile (wall clock) over the updates, for each activation at the longest
sequence (the slowest case), the median CPU time of this process (less sensitive to other jobs
on a shared machine; the load average is printed), and the median wall time split into compute
(RNN states and Jacobian norms) and redraw (figure + PNG). Target: median under 100 ms.

The forecast explorer gets the notebook's four forecast tables (an RNN's table is stood in for by a
second AR table: the explorer only looks tables up, so their content does not change the time);
each update moves the first month or the horizon at random, at the longest window (240 months,
the most points to draw). Target: median under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from bench_explorers import forecast_explorer as build_forecast_explorer  # shared builder

from rnn_edu.widgets.vanishing import VanishingExplorer


def measure(explorer: VanishingExplorer, activation: str, updates: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    max_time = explorer.controls["time"].max
    explorer.set(activation=activation, time=max_time, sigma_max=1.0, input_scale=1.0)
    total, cpu, compute = [], [], []
    for i in range(updates):
        # Alternate the sliders a learner moves, keeping T at its maximum (the slowest case).
        change = ({"sigma_max": round(float(rng.uniform(0, 3)), 2)} if i % 2 == 0
                  else {"input_scale": round(float(rng.uniform(0, 10)), 1)})
        start, start_cpu = time.perf_counter(), time.process_time()
        explorer.set(**change)
        total.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        explorer.compute(**explorer.values)
        compute.append(time.perf_counter() - start)
    return {k: 1e3 * np.array(v) for k, v in
            (("total", total), ("cpu", cpu), ("compute", compute))}


def forecast_explorer(updates: int, load: float) -> None:
    explorer = build_forecast_explorer(length=240)
    months = len(explorer.controls["start"].options)
    explorer.update()  # warm up fonts and caches
    rng = np.random.default_rng(0)
    total, cpu = [], []
    for i in range(updates):
        change = ({"start": int(rng.integers(0, months))} if i % 2 == 0
                  else {"horizon": int(rng.integers(1, 13))})
        start, start_cpu = time.perf_counter(), time.process_time()
        explorer.set(**change)
        total.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    total, cpu = 1e3 * np.array(total), 1e3 * np.array(cpu)
    print(f"forecast explorer: 4 tables of {months} x 12, window 240 months; {updates} updates; "
          f"load average {load:.2f}")
    print(f"{'':<11}{'median ms':>10}{'p90 ms':>9}{'CPU ms':>9}")
    median = np.median(total)
    print(f"{'redraw':<11}{median:>10.1f}{np.percentile(total, 90):>9.1f}{np.median(cpu):>9.1f}")
    print(f"median {median:.1f} ms: {'meets' if median < 150 else 'MISSES'} the 150 ms target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=60, help="updates per activation")
    parser.add_argument("--only", choices=("vanishing", "forecast"), help="one explorer only")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if args.only != "vanishing":
        forecast_explorer(args.updates, load)
    if args.only == "forecast":
        return
    explorer = VanishingExplorer()
    explorer.update()  # warm up fonts and caches
    print(f"vanishing-gradient explorer: hidden {explorer.W0['gaussian'].shape[0]}, "
          f"{explorer.x.shape[0]} sequences, T = {explorer.controls['time'].max}; "
          f"{args.updates} updates each; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load:.2f}")
    print(f"{'activation':<11}{'median ms':>10}{'p90 ms':>9}{'CPU ms':>9}{'compute ms':>12}"
          f"{'redraw ms':>11}")
    medians = []
    for activation in ("tanh", "relu", "linear"):
        t = measure(explorer, activation, args.updates)
        median, compute = np.median(t["total"]), np.median(t["compute"])
        medians.append(median)
        print(f"{activation:<11}{median:>10.1f}{np.percentile(t['total'], 90):>9.1f}"
              f"{np.median(t['cpu']):>9.1f}{compute:>12.1f}{median - compute:>11.1f}")
    worst = max(medians)
    print(f"worst median {worst:.1f} ms: {'meets' if worst < 100 else 'MISSES'} the 100 ms target")


if __name__ == "__main__":
    main()
