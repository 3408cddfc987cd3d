"""Re-execute notebooks in place, top to bottom in a fresh kernel, and report the time of each.

    python scripts/run_notebooks.py                               # every notebook
    python scripts/run_notebooks.py notebooks/01_markov_chains.ipynb
    python scripts/run_notebooks.py --check                       # run (asserts and all), save nothing
    python scripts/run_notebooks.py --check --without-edition     # only those with no learner edition

Run it through `make notebooks` so the environment matches the tests (quiet TensorFlow,
tool state kept in .state/, and RNN_EDU_STRICT=1 so a reference answer that fails its exercise
checker stops the run). The learner editions in notebooks/learner/ are generated, not run here:
`make notebooks` regenerates them afterwards.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


os.environ.setdefault("RNN_EDU_STRICT", "1")  # the kernel inherits it: checkers must pass


def run(path: Path, save: bool = True) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # no timestamps in the stored file: diffs show only real changes
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    if save:
        nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    check, without_edition = "--check" in argv, "--without-edition" in argv
    targets = [Path(a) for a in argv if not a.startswith("--")] or [ROOT / "notebooks"]
    paths = []
    for t in targets:
        paths += sorted(t.glob("[0-9][0-9]_*.ipynb")) if t.is_dir() else [t]
    if without_edition:  # the others run as their learner editions (tests/test_learner_editions.py)
        paths = [p for p in paths if not (p.parent / "learner" / p.name).exists()]
    if not paths:
        raise SystemExit(f"no notebooks found in {', '.join(map(str, targets))}")
    failed = []
    for path in paths:
        try:
            print(f"{path.name}: {run(path.resolve(), save=not check):.1f} s", flush=True)
        except CellExecutionError as err:
            if not check:
                raise
            failed.append(path.name)  # --check runs every notebook, then names each that failed
            print(f"{path.name}: FAILED\n{err}", flush=True)
    if failed:
        print("notebooks that failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
