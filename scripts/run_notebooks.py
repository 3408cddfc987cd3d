"""Re-execute notebooks in place, top to bottom in a fresh kernel, and report the time of each.

    python scripts/run_notebooks.py                               # every notebook
    python scripts/run_notebooks.py notebooks/01_markov_chains.ipynb

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

ROOT = Path(__file__).resolve().parents[1]


os.environ.setdefault("RNN_EDU_STRICT", "1")  # the kernel inherits it: checkers must pass


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # no timestamps in the stored file: diffs show only real changes
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    targets = [Path(a) for a in argv] or [ROOT / "notebooks"]
    paths = []
    for t in targets:
        paths += sorted(t.glob("[0-9][0-9]_*.ipynb")) if t.is_dir() else [t]
    if not paths:
        raise SystemExit(f"no notebooks found in {', '.join(map(str, targets))}")
    for path in paths:
        print(f"{path.name}: {run(path.resolve()):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
