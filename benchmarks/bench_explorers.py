"""How long every explorer of the course takes to update when a learner moves one of its controls.

    .venv/bin/python benchmarks/bench_explorers.py [--updates 20] [--only units gates ...]
        [--by-control]

Each explorer is built as its notebook builds it, as cheaply as that allows: random, untrained
weights of the notebook's sizes where the time does not depend on training (a Markov chain is
counted on the notebook's text: its time is the counting), at the notebook's biggest realistic
setting (the longest sequence or window its sliders reach, the longest text it colours). Then
its controls are moved ``--updates`` times, each control in turn, to typical values a learner
picks, through the public API only: ``explorer.controls[name].value = value``, which is what
moving the widget does (the explorer's observers redraw it). A value that would not change the
control (after the slider's clamping) is skipped, so every move is one real update.

Per explorer: the seconds to build it, the median and 90th percentile wall time of an update, the
median CPU time of this process over the update (``time.process_time``: less sensitive than the
wall time to other jobs on a shared machine), and the control whose median is slowest. Target:
median wall time under 150 ms. ``--by-control`` adds one row per control. The machine's facts
and load average are printed first (and the load average again at the end).

The builders (``EXPLORERS``) are shared by the older, explorer-specific benchmarks.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _machine, when imported from elsewhere

import _machine  # noqa: E402

TARGET_MS = 150.0


@dataclass
class Case:
    """One explorer: its notebook, how to build it, and the values a learner moves it to."""

    notebook: str
    build: Callable[[], object]  # -> an Explorer
    moves: dict[str, list]  # control name -> typical values, visited in turn
    setting: str  # what the explorer was built with, for the table's caption


# --- shared inputs, loaded once -----------------------------------------------------------------

@cache
def corpus():
    """``(text, vocab)``: the course corpus and its vocabulary (notebooks 01, 03, 04, 08)."""
    from rnn_edu import data

    text = data.load_corpus()
    return text, data.Vocab.from_text(text)


def _text_of(vocab, text: str) -> str:
    return "".join(c for c in text if c in vocab)


# --- one builder per explorer, as its notebook makes it -----------------------------------------

def markov_explorer(order: int = 4):
    """Notebook 01: the whole training text, held-out readout, at its best order (4)."""
    from rnn_edu import data
    from rnn_edu.widgets.markov_explorer import MarkovExplorer

    text, vocab = corpus()
    train, val = data.train_val_split(text, val_fraction=0.1)
    return MarkovExplorer(train, vocab, val=val, order=order)


def hidden_state_explorer():
    """Notebook 02: a one-unit RNN over the bracket alphabet (random weights)."""
    from rnn_edu import rnn
    from rnn_edu.data import Vocab
    from rnn_edu.widgets.hidden_state import HiddenStateExplorer

    vocab = Vocab.from_text("()[]abcd")
    params = rnn.init_params(vocab.size, 1, vocab.size, seed=0)
    return HiddenStateExplorer(params, vocab, "(abab)[ba](b)", t=3, order=3, w_hh=2.0)


def stepper_explorer():
    """Notebook 03: an 8-unit RNN over the course vocabulary."""
    from rnn_edu import rnn
    from rnn_edu.widgets.stepper import StepperExplorer

    _, vocab = corpus()
    return StepperExplorer(rnn.init_params(vocab.size, 8, vocab.size, seed=1), vocab,
                           "for x in range(10):", t=5)


def bptt_explorer():
    """Notebook 04: the 64-unit RNN on a batch of 4 x 200 training characters."""
    from rnn_edu import data, train
    from rnn_edu.widgets.truncation import BPTTExplorer

    text, vocab = corpus()
    train_text, _ = data.train_val_split(text)
    p_big = train.init_char_params(vocab.size, 64, seed=1, dtype=np.float64)
    ids = np.stack([vocab.encode(train_text[s: s + 201]) for s in 40_000 + 201 * np.arange(4)])
    return BPTTExplorer(p_big, ids[:, :-1], ids[:, 1:], truncate=25, clipping="element-wise",
                        threshold=1e-2)


def temperature_explorer_rnn():
    """Notebook 04: the 256-unit character RNN (float32, untrained), 200 characters sampled."""
    from rnn_edu import train
    from rnn_edu.widgets.temperature import TemperatureExplorer

    _, vocab = corpus()
    params = train.init_char_params(vocab.size, 256, seed=0, dtype=np.float32)
    return TemperatureExplorer(params, vocab, prompt="The ", temperature=0.7)


def vanishing_explorer():
    """Notebook 05, at the longest sequence (T = 200)."""
    from rnn_edu.widgets.vanishing import VanishingExplorer

    return VanishingExplorer(sigma_max=1.2, time=200, activation="tanh", input_scale=1.0)


def forecast_explorer(length: int = 240):
    """Notebook 06: four forecast tables of every month x 12 horizons (the RNN's stood in for by
    a second AR table: the explorer only looks tables up), from the validation end."""
    from rnn_edu import data, forecast
    from rnn_edu.widgets.forecast import ForecastExplorer

    months, sst = data.load_elnino()
    splits = forecast.chronological_split(len(sst))
    coef = forecast.fit_ar(sst, 24, splits[0])
    ar = forecast.recursive_table(lambda W: forecast.ar_predict(coef, W), sst, 24, 12)
    tables = {"RNN stand-in": ar.copy(), "AR(24)": ar, "naive": forecast.naive_table(sst, 12),
              "seasonal naive": forecast.seasonal_naive_table(sst, 12)}
    return ForecastExplorer(months, sst, tables, splits, start=int(splits[1]), horizon=1,
                            length=length)


def gate_explorer():
    """Notebook 07: GRU(32) on the adding problem (random weights), T = 100."""
    from rnn_edu import gru
    from rnn_edu.widgets.gates import GateExplorer

    return GateExplorer(gru.init_params(2, 32, 1, seed=0), time=100, first=10, second=70)


def temperature_explorer_gru():
    """Notebook 08: GRU(256) over the course vocabulary (random weights), 300 characters."""
    from rnn_edu import gru
    from rnn_edu.widgets.temperature import TemperatureExplorer

    _, vocab = corpus()
    params = gru.init_params(vocab.size, 256, vocab.size, seed=0)
    return TemperatureExplorer(params, vocab, prompt="The ", temperature=0.5, sample_length=300)


def unit_explorer(text_chars: int = 600):
    """Notebook 08: GRU(256) (random weights), the best units searched over 5,000 characters,
    ``text_chars`` of them shown."""
    from rnn_edu import gru
    from rnn_edu.widgets.units import UnitExplorer

    text, vocab = corpus()
    search = _text_of(vocab, text)[:5000]
    params = gru.init_params(vocab.size, 256, vocab.size, seed=0)
    return UnitExplorer(params, vocab, search[:text_chars], search_text=search,
                        feature='inside "quotes"', unit=0)


def _unit_texts() -> list[str]:
    text, vocab = corpus()
    plain = _text_of(vocab, text)
    return [plain[10_000:11_000], plain[20_000:20_600], plain[30_000:31_000]]  # up to MAX_CHARS


# The same moves for both temperature explorers (notebooks 04 and 08).
TEMPERATURE_MOVES = {"temperature": [0.2, 1.0, 1.5, 0.7],
                     "prompt": ["def ", "import numpy as np\n", "In Python, ", "The "],
                     "seed": [1, 5, 10, 0]}

EXPLORERS: dict[str, Case] = {
    "markov": Case("01", markov_explorer, {
        "order": [2, 6, 8, 3, 5], "k": [0.01, 0.1, 1.0, 10 ** -2.5],
        "temperature": [0.5, 2.0, 1.0, 0.1], "context": ["def ", "import ", "for x in ", "the "]},
        "whole training text, order 4"),
    "hidden_state": Case("02", hidden_state_explorer, {
        "text": ["(ab[ab]ab)(aaaa)", "(aaaaaaaaaaaa)", "[ab(ab)ba](b)[aaaa]", "(abab)[ba](b)"],
        "t": [12, 5, 9, 3], "order": [1, 6, 12, 3], "w_hh": [0.5, 1.0, 2.5, 2.0]},
        "1 unit, texts of 13-19 characters"),
    "stepper": Case("03", stepper_explorer, {
        "text": ["for item in items: total = total + item * weight  # 60 chars",
                 "while i < n: i += 1", "for x in range(10):"],
        "t": [19, 3, 10, 5], "input_scale": [10.0, 30.0, 0.3, 1.0]},
        "8 units, texts up to 60 characters"),
    "bptt": Case("04", bptt_explorer, {
        "truncate": [200, 5, 50, 100, 10, 25], "clipping": ["norm", "none", "element-wise"],
        "threshold": [1e-3, 1e-1, 1.0, 1e-2]},
        "64 units, batch 4 x 200"),
    "temperature_04": Case("04", temperature_explorer_rnn, TEMPERATURE_MOVES,
                           "RNN(256) float32, 200 characters"),
    "vanishing": Case("05", vanishing_explorer, {
        "sigma_max": [0.8, 2.0, 1.0, 1.2], "time": [150, 200, 100, 200],
        "activation": ["relu", "linear", "tanh"], "input_scale": [0.1, 5.0, 1.0],
        "matrix": ["orthogonal", "gaussian"]},
        "12 units, 3 sequences, T up to 200"),
    "forecast": Case("06", forecast_explorer, {
        "start": [100, 300, 500, 700], "horizon": [3, 6, 12, 1], "length": [120, 36, 240, 60]},
        "4 tables x 12 horizons, window up to 240 months"),
    "gates": Case("07", gate_explorer, {
        "time": [200, 50, 150, 100], "first": [5, 20, 0, 10], "second": [140, 60, 180, 90, 40, 120]},
        "GRU(32), T up to 200"),
    "temperature_08": Case("08", temperature_explorer_gru, TEMPERATURE_MOVES,
                           "GRU(256), 300 characters"),
    "units": Case("08", unit_explorer, {
        "unit": [17, 130, 255, 64], "position": [300, 10, 599, 150],
        "feature": ["inside parentheses", "indentation", "newline", 'inside "quotes"'],
        "text": _unit_texts, "example": ["an indented example", "a grammar rule",
                                         "prose with (parentheses)"]},
        "GRU(256), texts up to 1,000 characters, search over 5,000"),
}


# --- moving the controls ------------------------------------------------------------------------

def _clamped(control, value):
    """The value a slider ends at (it clamps to its range), the value itself for other controls."""
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if isinstance(value, (int, float)) and low is not None and high is not None:
        return type(value)(min(max(value, low), high))
    return value


def move_plan(moves: dict[str, list | Callable[[], list]], updates: int) -> list[str]:
    """The controls moved, in order: each in turn, ``updates`` moves in all."""
    names = list(moves)
    return [names[i % len(names)] for i in range(updates)]


def time_updates(explorer, moves: dict[str, list | Callable[[], list]], updates: int
                 ) -> list[tuple[str, float, float]]:
    """Move the explorer's controls ``updates`` times: ``[(control, wall ms, CPU ms), ...]``."""
    values = {name: (v() if callable(v) else list(v)) for name, v in moves.items()}
    turn = dict.fromkeys(values, 0)
    results = []
    for name in move_plan(moves, updates):
        control = explorer.controls[name]
        for _ in range(len(values[name])):  # the next typical value that changes the control
            value = _clamped(control, values[name][turn[name] % len(values[name])])
            turn[name] += 1
            if value != control.value:
                break
        else:
            continue  # every typical value is the current one: nothing to move
        wall0, cpu0 = time.perf_counter(), time.process_time()
        control.value = value  # what moving the widget does: the explorer's observers redraw
        results.append((name, 1e3 * (time.perf_counter() - wall0),
                        1e3 * (time.process_time() - cpu0)))
    return results


def summarize(results: list[tuple[str, float, float]]) -> dict:
    """Median and 90th percentile wall ms, median CPU ms, and the slowest control's median."""
    wall = np.array([r[1] for r in results])
    cpu = np.array([r[2] for r in results])
    by_control = {}
    for name in dict.fromkeys(r[0] for r in results):
        w = [r[1] for r in results if r[0] == name]
        c = [r[2] for r in results if r[0] == name]
        by_control[name] = {"n": len(w), "median": float(np.median(w)),
                            "p90": float(np.percentile(w, 90)), "cpu": float(np.median(c))}
    slowest = max(by_control, key=lambda n: by_control[n]["median"]) if by_control else "-"
    return {"n": len(wall), "median": float(np.median(wall)) if len(wall) else float("nan"),
            "p90": float(np.percentile(wall, 90)) if len(wall) else float("nan"),
            "cpu": float(np.median(cpu)) if len(cpu) else float("nan"),
            "slowest": slowest, "by_control": by_control}


def format_table(rows: list[tuple[str, float, dict]], by_control: bool = False) -> str:
    """One row per explorer ``(label, build s, summarize(...))``, the target marked."""
    width = max([len("explorer"), *(len(r[0]) for r in rows)])
    head = (f"{'explorer':<{width}}  {'build s':>7}  {'n':>3}  {'median ms':>9}  {'p90 ms':>7}  "
            f"{'CPU ms':>7}  {'< 150 ms':<8}  slowest control (median ms)")
    lines = [head, "-" * len(head)]
    for label, built, s in rows:
        met = "met" if s["median"] < TARGET_MS else "NOT MET"
        slow = s["by_control"].get(s["slowest"])
        slow_text = f"{s['slowest']} ({slow['median']:.0f})" if slow else "-"
        lines.append(f"{label:<{width}}  {built:>7.2f}  {s['n']:>3}  {s['median']:>9.1f}  "
                     f"{s['p90']:>7.1f}  {s['cpu']:>7.1f}  {met:<8}  {slow_text}")
        if by_control:
            for name, c in s["by_control"].items():
                lines.append(f"{'  ' + name:<{width}}  {'':>7}  {c['n']:>3}  {c['median']:>9.1f}  "
                             f"{c['p90']:>7.1f}  {c['cpu']:>7.1f}")
    missed = [r[0] for r in rows if not r[2]["median"] < TARGET_MS]
    lines.append(f"median under {TARGET_MS:.0f} ms: {len(rows) - len(missed)} of {len(rows)} "
                 "explorers" + (f"; not met: {', '.join(missed)}" if missed else ""))
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20, help="control moves per explorer (20)")
    parser.add_argument("--only", nargs="+", choices=list(EXPLORERS), metavar="NAME",
                        help=f"some explorers only: {', '.join(EXPLORERS)}")
    parser.add_argument("--by-control", action="store_true", help="a row per control too")
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error("--updates: expected at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(_machine.describe())
    keys = args.only or list(EXPLORERS)
    print(f"{len(keys)} explorers, {args.updates} control moves each (each control in turn); "
          f"target: median under {TARGET_MS:.0f} ms\n", flush=True)
    rows = []
    for key in keys:
        case = EXPLORERS[key]
        start = time.perf_counter()
        explorer = case.build()
        built = time.perf_counter() - start
        s = summarize(time_updates(explorer, case.moves, args.updates))
        name = f"nb{case.notebook} {type(explorer).__name__}"
        rows.append((name, built, s))
        print(f"{name} ({key}): {case.setting}; built in {built:.2f} s; median "
              f"{s['median']:.1f} ms", flush=True)
    print()
    print(format_table(rows, by_control=args.by_control))
    print("\nload average at the end: " + " / ".join(f"{x:.2f}" for x in _machine.load_average())
          + " (1 / 5 / 15 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
