"""Run the notebooks' Colab setup cell here, as Colab runs it, but installing this checkout.

    .venv-colab/bin/python scripts/colab_setup.py     # what `make test-colab` does first

In the Colab-like venv (Colab's package versions, see tests/colab/colab-image.txt), a stand-in
``google.colab`` module sends the cell down its Colab branch, and the tag it would fetch from
GitHub is replaced by this working tree. Everything else is the stamped cell itself, run by
IPython's own ``%pip``. Then it checks the promise the cell makes: rnn_edu is installed at the
notebook's version, and no package that was there before changed version.
"""

from __future__ import annotations

import re
import sys
import types
from importlib.metadata import distributions
from pathlib import Path

import nbformat
from IPython.core.interactiveshell import InteractiveShell

ROOT = Path(__file__).resolve().parents[1]


def installed() -> dict[str, str]:
    return {d.metadata["Name"].lower(): d.version for d in distributions()}


def main() -> int:
    source = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4).cells[1].source
    pinned = re.search(r'"rnn-edu @ (git\+[^"]+)"', source)
    if pinned is None:
        raise SystemExit("the setup cell has no pinned `rnn-edu @ git+...` install")
    source = source.replace(pinned.group(1), ROOT.as_uri())
    sys.modules["google.colab"] = types.ModuleType("google.colab")
    before = installed()
    if "rnn-edu" in before:
        raise SystemExit("uninstall rnn-edu first: the cell must install it from scratch")
    shell = InteractiveShell.instance()
    for _ in range(2):  # a second run (a learner re-running the cell) must install nothing
        shell.run_cell(source).raise_error()
    after = installed()
    changed = sorted(name for name in before if after.get(name) != before[name])
    added = sorted(set(after) - set(before))
    if changed or added != ["rnn-edu"]:
        raise SystemExit(f"the setup cell changed {changed} and added {added}; it may add only rnn-edu")
    print(f"setup cell: installed rnn-edu {after['rnn-edu']}, changed nothing of {len(before)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
