"""Stamp every notebook's badges and Colab setup cell from the one repository address.

The address is ``[project.urls] Repository`` in pyproject.toml. Each notebook's first cell
(markdown) holds its badges between ``<!-- badges:start -->`` and ``<!-- badges:end -->``; its
second cell (code) is the setup cell below, identical in every notebook. The learner editions in
``notebooks/learner/`` get badges of their own (scripts/make_learner_editions.py makes them with
:func:`with_badges`, and ``--check`` checks them too).

    python scripts/stamp_headers.py           # rewrite notebooks in place
    python scripts/stamp_headers.py --check   # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BADGES = re.compile(r"<!-- badges:start -->.*?<!-- badges:end -->", re.S)


def repository() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"].rstrip("/")


def badges(repo: str, name: str, branch: str = "main") -> str:
    """The badges of ``notebooks/<name>`` (``name`` may be ``learner/NN_x.ipynb``)."""
    owner_repo = repo.removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/notebooks/{name}"
    binder = (f"https://mybinder.org/v2/gh/{owner_repo}/{branch}"
              f"?labpath={quote(f'notebooks/{name}', safe='')}")
    return (
        "<!-- badges:start -->\n"
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})\n"
        f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder})\n"
        "<!-- badges:end -->"
    )


def with_badges(source: str, repo: str, name: str) -> str:
    """``source`` with its badge block replaced by the badges of notebook ``name``."""
    new = badges(repo, name)
    return BADGES.sub(lambda _: new, source)


def setup_cell(repo: str) -> str:
    return (
        "# Setup. On Colab only: install the course helpers (Colab keeps its own TensorFlow).\n"
        "try:\n"
        "    import google.colab  # noqa: F401\n"
        "\n"
        "    IN_COLAB = True\n"
        "except ImportError:\n"
        "    IN_COLAB = False\n"
        "if IN_COLAB:\n"
        f'    %pip install -q "rnn-edu @ git+{repo}"'
    )


def stamp(path: Path, repo: str, name: str | None = None) -> bool:
    """Stamp one notebook (``name``: its path under notebooks/); return True when it changed."""
    nb = nbformat.read(path, as_version=4)
    head, setup = nb.cells[0], nb.cells[1]
    if head.cell_type != "markdown" or not BADGES.search(head.source):
        raise SystemExit(f"{path.name}: first cell must be markdown with badge markers")
    if setup.cell_type != "code":
        raise SystemExit(f"{path.name}: second cell must be the setup code cell")
    new_head = with_badges(head.source, repo, name or path.name)
    new_setup = setup_cell(repo)
    changed = (new_head, new_setup) != (head.source, setup.source)
    head.source, setup.source = new_head, new_setup
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    repo = repository()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise SystemExit("no notebooks found in notebooks/")
    stale = []
    for path in paths:
        if check:
            nb = nbformat.read(path, as_version=4)
            head, setup = nb.cells[0].source, nb.cells[1].source
            expected = with_badges(head, repo, path.name)
            if head != expected or setup != setup_cell(repo):
                stale.append(path.name)
        elif stamp(path, repo):
            print(f"stamped {path.name}")
    for path in sorted((NOTEBOOKS / "learner").glob("[0-9][0-9]_*.ipynb")):
        name = f"learner/{path.name}"  # made by scripts/make_learner_editions.py
        if check:
            nb = nbformat.read(path, as_version=4)
            head, setup = nb.cells[0].source, nb.cells[1].source
            if head != with_badges(head, repo, name) or setup != setup_cell(repo):
                stale.append(name)
        elif stamp(path, repo, name):
            print(f"stamped {name}")
    if stale:
        print("out of date (run `make stamp editions`):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
