"""Generate the learner edition of every course notebook that has exercises.

The course notebook ``notebooks/NN_name.ipynb`` marks each reference answer the way nbgrader
does: code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines (the first line inside
is a comment saying what to write), and worked discussions of open questions in markdown between
``<!-- ### BEGIN SOLUTION -->`` and ``<!-- ### END SOLUTION -->``. Its learner edition,
``notebooks/learner/NN_name.ipynb``, is the same notebook with

- each solution replaced by a stub: ``...  # <the comment>`` (``name = ...  # <the comment>`` when
  the solution ends by assigning ``name``), so the checker below it reports "not attempted yet";
- the outputs of the cells that held solutions cleared; every other cell keeps its stored
  outputs (learners read the figures before they run anything);
- its own Colab/Binder badges, a line pointing back to the solutions, and links that resolve
  from ``notebooks/learner/``.

    python scripts/make_learner_editions.py           # write notebooks/learner/*.ipynb
    python scripts/make_learner_editions.py --check   # exit 1 if an edition is out of date
"""

from __future__ import annotations

import ast
import copy
import posixpath
import re
import sys
import textwrap
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stamp_headers  # noqa: E402  (the badges come from the one place that makes them)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LEARNER = NOTEBOOKS / "learner"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MD_SOLUTION = re.compile(r"<!-- ### BEGIN SOLUTION -->.*?<!-- ### END SOLUTION -->", re.S)
MD_STUB = "*Your answer here: write it down, then compare with the discussion in the solutions.*"
LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def has_exercises(nb) -> bool:
    return any(cell.cell_type == "code" and BEGIN in cell.source for cell in nb.cells)


def stub_code(source: str, where: str) -> str:
    """``source`` with every solution region replaced by its stub."""
    lines, out, i = source.split("\n"), [], 0
    while i < len(lines):
        if lines[i].strip() != BEGIN:
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == END), None)
        if end is None:
            raise SystemExit(f"{where}: {BEGIN} without {END}")
        body = lines[i + 1 : end]
        if not body or not body[0].strip().startswith("#"):
            raise SystemExit(f"{where}: the first line after {BEGIN} must be a comment saying "
                             "what to write (it becomes the stub's comment)")
        comment = body[0].strip().lstrip("#").strip()
        last = ast.parse(textwrap.dedent("\n".join(body))).body
        target = ""
        if last and isinstance(last[-1], ast.Assign) and len(last[-1].targets) == 1 and isinstance(
                last[-1].targets[0], ast.Name):
            target = f"{last[-1].targets[0].id} = "
        out.append(f"{indent}{target}...  # {comment}")
        i = end + 1
    return "\n".join(out)


def relink(source: str, editions: set[str]) -> str:
    """Relative links of a course notebook, rewritten to resolve from ``notebooks/learner/``:
    a link to a notebook that has a learner edition goes to that edition."""

    def move(match: re.Match) -> str:
        target = match.group(2)
        if target.startswith(("http://", "https://", "#", "mailto:", "attachment:")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if path.startswith("learner/"):  # the course notebook's link to its own edition
            new = path.removeprefix("learner/")
        elif path in editions:
            new = path
        else:
            new = posixpath.relpath(posixpath.normpath(f"notebooks/{path}"), "notebooks/learner")
        return f"{match.group(1)}{new}{'#' + anchor if anchor else ''}{match.group(3)}"

    return LINK.sub(move, source)


def edition(nb, name: str, repo: str, editions: set[str]):
    """The learner edition of the course notebook ``nb`` (file ``name``)."""
    nb = copy.deepcopy(nb)
    linked = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = relink(MD_SOLUTION.sub(MD_STUB, cell.source), editions)
            if f"({name})" in cell.source:  # was the link to learner/{name}: now back to it
                cell.source = re.sub(
                    rf"^.*\({re.escape(name)}\).*$",
                    f"> This is the learner edition. The solutions, with a discussion of the open "
                    f"questions, are in the course notebook [{name}](../{name}).",
                    cell.source, flags=re.M)
                linked = True
        elif cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = stub_code(cell.source, f"{name} cell {index}")
            cell.outputs, cell.execution_count = [], None
    head = nb.cells[0]
    head.source = stamp_headers.with_badges(head.source, repo, f"learner/{name}").replace(
        "<!-- badges:end -->",
        "<!-- badges:end -->\n\n**Learner edition**: the exercises have stubs for you to fill in; "
        f"the solutions and their discussion are in [the course notebook](../{name}).", 1)
    if not linked:
        raise SystemExit(f"{name}: the exercise section needs a link to learner/{name}")
    return nb


def main(argv: list[str]) -> int:
    check = "--check" in argv
    repo = stamp_headers.repository()
    courses = {p.name: nbformat.read(p, as_version=4)
               for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}
    editions = {name for name, nb in courses.items() if has_exercises(nb)}
    if not editions:
        raise SystemExit("no notebook in notebooks/ has exercises marked with " + BEGIN)
    stale = []
    for name in sorted(editions):
        text = nbformat.writes(edition(courses[name], name, repo, editions))
        text += "" if text.endswith("\n") else "\n"  # as nbformat.write ends a file
        path = LEARNER / name
        if path.exists() and path.read_text() == text:
            continue
        if check:
            stale.append(name)
        else:
            LEARNER.mkdir(exist_ok=True)
            path.write_text(text)
            print(f"wrote learner/{name}")
    orphans = sorted(p for p in LEARNER.glob("*.ipynb") if p.name not in editions)
    if not check:
        for path in orphans:
            path.unlink()
            print(f"removed learner/{path.name} (its course notebook has no exercises)")
        orphans = []
    if stale or orphans:
        print("out of date (run `make editions`):", ", ".join(stale + [p.name for p in orphans]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
