"""Stamp every notebook's badges and Colab setup cell from pyproject.toml and the package version.

The address is ``[project.urls] Repository`` in pyproject.toml; the setup cell installs the tag
``v<rnn_edu.__version__>`` (see the release checklist in CONTRIBUTING.md), so a notebook always
gets the helpers it was made with. Each notebook's first cell (markdown) holds its badges between
``<!-- badges:start -->`` and ``<!-- badges:end -->``; its second cell (code) is the setup cell
below, identical in every notebook. The learner editions in ``notebooks/learner/`` get badges of
their own (scripts/make_learner_editions.py makes them with :func:`with_badges`, and ``--check``
checks them too).

    python scripts/stamp_headers.py           # rewrite notebooks in place
    python scripts/stamp_headers.py --check   # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BADGES = re.compile(r"<!-- badges:start -->.*?<!-- badges:end -->", re.S)


def project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def repository() -> str:
    return project()["urls"]["Repository"].rstrip("/")


def package_version() -> str:
    """``__version__`` of rnn_edu, read without importing it (pyproject takes it from there too)."""
    tree = ast.parse((ROOT / "rnn_edu" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["__version__"]:
            return node.value.value
    raise SystemExit("rnn_edu/__init__.py has no __version__")


def requirements() -> dict[str, str]:
    """rnn_edu's own requirements, import name -> pip spec (for these the two names agree)."""
    specs = (re.match(r"[^;#]+", dep).group(0).strip() for dep in project()["dependencies"])
    return {re.match(r"[A-Za-z0-9_.-]+", spec).group(0): spec for spec in specs}


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
        "\n"
        "*On Colab, run the setup cell below first*: it installs the course helpers `rnn_edu`, changes\n"
        "nothing Colab ships, and needs no restart. An import that fails with\n"
        "`No module named 'rnn_edu'` means the setup cell has not run yet.\n"
        "<!-- badges:end -->"
    )


def with_badges(source: str, repo: str, name: str) -> str:
    """``source`` with its badge block replaced by the badges of notebook ``name``."""
    new = badges(repo, name)
    return BADGES.sub(lambda _: new, source)


# The setup cell; VERSION, URL and NEEDS are filled in by setup_cell().
SETUP_CELL = """\
# Setup. On Colab only: install the course helpers, rnn_edu VERSION (the version this notebook
# was made with), and only those of their requirements that Colab lacks. Nothing Colab ships
# is upgraded or downgraded, so no restart is needed. Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    def installed(dist):
        try:
            return version(dist)
        except PackageNotFoundError:
            return None

    had = installed("rnn-edu")
    if had != "VERSION":
        %pip install -q --no-deps "rnn-edu @ URL"
    needs = NEEDS
    missing = " ".join(f"'{spec}'" for name, spec in needs.items() if find_spec(name) is None)
    if missing:
        %pip install -q {missing}
    importlib.invalidate_caches()
    if installed("rnn-edu") != "VERSION" or any(find_spec(name) is None for name in needs):
        raise RuntimeError("The install did not complete: see pip's messages above.")
    if "rnn_edu" in sys.modules and had != "VERSION":
        print(f"rnn_edu {had} was imported before: Runtime → Restart session, then run all cells.")
    else:
        print("rnn_edu VERSION is ready. Colab's own packages are untouched: no restart needed "
              "(whatever pip notes above).")"""


def setup_cell(repo: str, version: str | None = None, needs: dict[str, str] | None = None) -> str:
    version = version or package_version()
    return (
        SETUP_CELL.replace("VERSION", version)
        .replace("URL", f"git+{repo}@v{version}")
        .replace("NEEDS", repr(needs or requirements()))
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
