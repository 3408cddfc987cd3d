"""The whole course timed: every course notebook top to bottom in a fresh kernel, saving nothing.

    .venv/bin/python benchmarks/bench_course.py                     # notebooks/[0-9][0-9]_*.ipynb
    .venv/bin/python benchmarks/bench_course.py notebooks/01_markov_chains.ipynb

Each notebook runs through ``scripts/run_notebooks.py``'s ``run(path, save=False)`` (the function
`make notebooks` uses), in the environment `make notebooks` gives: the Makefile's ``export``
lines (quiet TensorFlow without oneDNN, PYTHONHASHSEED=0, Jupyter, IPython, matplotlib and Keras
state under .state/) are read from the Makefile itself, plus RNN_EDU_STRICT=1. Nothing is written
to the notebooks.

Per notebook: wall seconds of ``run`` (kernel start to kernel shutdown) and the CPU seconds of
the kernel process (user + system, all its threads, start-up included), read in this process
from ``resource.getrusage(RUSAGE_CHILDREN)`` once the kernel has exited and been reaped; nothing
is added to the notebook. Targets: each notebook under 90 s, the course under 6 minutes, on 2
cores. The machine's facts and load average are printed before and after (a shared machine's
load slows the wall times; the CPU seconds move less).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _machine, when imported from elsewhere

import _machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_TARGET_S, COURSE_TARGET_S = 90.0, 360.0


def make_environment(makefile: Path = ROOT / "Makefile") -> dict[str, str]:
    """The variables `make notebooks` exports: the Makefile's ``export NAME := value`` lines, with
    ``$(STATE)`` and ``$(CURDIR)`` expanded, and RNN_EDU_STRICT=1 (its ``$(STRICT)`` prefix)."""
    text = makefile.read_text()
    curdir = str(makefile.resolve().parent)
    variables = {"CURDIR": curdir}
    for name, value in re.findall(r"^(\w+)\s*:=\s*(.*)$", text, flags=re.M):
        variables[name] = value.strip()

    def expand(value: str) -> str:
        for _ in range(5):  # nested $(STATE) -> $(CURDIR)/.state
            value = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), value)
        return value

    env = {name: expand(value.strip())
           for name, value in re.findall(r"^export\s+(\w+)\s*:=\s*(.*)$", text, flags=re.M)}
    strict = re.search(r"^STRICT\s*:=\s*(\w+)=(\S+)", text, flags=re.M)
    env[strict[1] if strict else "RNN_EDU_STRICT"] = strict[2] if strict else "1"
    return env


def kernel_cpu_seconds() -> float:
    """User + system CPU seconds of this process's exited, reaped children (the kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mark(seconds: float, target: float) -> str:
    return "met" if seconds < target else "NOT MET"


def format_table(rows: list[tuple[str, float | None, float | None]]) -> str:
    """The table: one row ``(notebook, wall s, kernel CPU s)`` per notebook (``None``: failed, or
    no CPU time), then the total, each marked against its target."""
    width = max([len("notebook"), len("total"), *(len(r[0]) for r in rows)])
    lines = [f"{'notebook':<{width}}  {'wall s':>7}  {'CPU s':>7}  target",
             f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 18}"]
    for name, wall, cpu in rows:
        wall_text = "FAILED" if wall is None else f"{wall:.1f}"
        cpu_text = "-" if cpu is None else f"{cpu:.1f}"
        target = ("-" if wall is None
                  else f"< {NOTEBOOK_TARGET_S:.0f} s {mark(wall, NOTEBOOK_TARGET_S)}")
        lines.append(f"{name:<{width}}  {wall_text:>7}  {cpu_text:>7}  {target}")
    walls = [r[1] for r in rows if r[1] is not None]
    cpus = [r[2] for r in rows if r[2] is not None]
    total = sum(walls)
    complete = len(walls) == len(rows)
    target = (f"< {COURSE_TARGET_S / 60:.0f} min {mark(total, COURSE_TARGET_S)}" if complete
              else "- (a notebook failed)")
    lines.append(f"{'total':<{width}}  {total:>7.1f}  "
                 f"{(f'{sum(cpus):.1f}' if len(cpus) == len(rows) else '-'):>7}  {target}")
    return "\n".join(lines)


def notebooks(targets: list[Path]) -> list[Path]:
    paths = []
    for t in targets:
        paths += sorted(t.glob("[0-9][0-9]_*.ipynb")) if t.is_dir() else [t]
    if not paths:
        raise SystemExit(f"no notebooks found in {', '.join(map(str, targets))}")
    return [p.resolve() for p in paths]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=[ROOT / "notebooks"],
                        help="notebooks or folders (default: notebooks/, its [0-9][0-9]_*.ipynb)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = notebooks(args.notebooks)
    env = make_environment()
    os.environ.update(env)  # before the first kernel starts: kernels inherit it
    for name in ("IPYTHONDIR", "MPLCONFIGDIR", "KERAS_HOME"):  # as the tests leave .state/
        Path(env[name]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "scripts"))
    from nbclient.exceptions import CellExecutionError
    from run_notebooks import run

    print(_machine.describe())
    print(f"{len(paths)} notebooks, each in a fresh kernel, nothing saved; targets: each < "
          f"{NOTEBOOK_TARGET_S:.0f} s, total < {COURSE_TARGET_S / 60:.0f} min (on 2 cores)\n",
          flush=True)
    rows = []
    for path in paths:
        cpu0 = kernel_cpu_seconds()
        try:
            wall = run(path, save=False)
        except CellExecutionError as err:
            print(f"{path.name}: FAILED\n{err}", flush=True)
            rows.append((path.name, None, None))
            continue
        cpu = kernel_cpu_seconds() - cpu0
        rows.append((path.name, wall, cpu if cpu > 0 else None))  # 0: the kernel was not reaped
        print(f"{path.name}: {wall:.1f} s", flush=True)
    print()
    print(format_table(rows))
    load = _machine.load_average()
    print("\nload average at the end: " + " / ".join(f"{x:.2f}" for x in load) + " (1 / 5 / 15 min)")
    return 1 if any(r[1] is None for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
