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


def test_common_claims_page_links_resolve_and_is_linked():
    page = ROOT / "notebooks" / "common_claims.md"
    targets = LINK.findall(page.read_text())
    notebooks = [t for t in targets if t.endswith(".ipynb")]
    assert len(notebooks) >= 5 and all((page.parent / t).exists() for t in notebooks), notebooks
    welcome = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    assert any("(common_claims.md)" in c.source for c in welcome.cells if c.cell_type == "markdown")
    assert "notebooks/common_claims.md" in (ROOT / "README.md").read_text()
