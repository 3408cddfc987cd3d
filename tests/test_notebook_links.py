"""Every link from a notebook to another notebook or a file of the repository resolves."""

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "notebooks" / "learner").glob("[0-9][0-9]_*.ipynb"))  # learner editions too
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_relative_links_resolve():
    checked = 0
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in LINK.findall(cell.source):
                if target.startswith(("http://", "https://", "#", "mailto:")):
                    continue
                checked += 1
                assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: {target}"
    assert checked >= 5  # the map in 00 and the "Next" links
