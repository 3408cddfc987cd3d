"""Notebooks that name a ``SEED`` for their training runs run top to bottom with other seeds too.

The stored outputs are for ``SEED = 0``; here each such notebook is executed in a fresh kernel with
the seed replaced, and every ``assert`` in it must pass (outputs are not compared).
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.claims.conftest import SEEDS

pytestmark = pytest.mark.claims
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
# In the .ipynb JSON a cell line "SEED = 0 ..." starts with a quote.
SEEDED = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if '"SEED = 0' in p.read_text())


def test_some_notebook_is_seeded():
    assert any(p.name.startswith("05_") for p in SEEDED), SEEDED


@pytest.mark.parametrize("seed", [s for s in SEEDS if s != 0])
@pytest.mark.parametrize("path", SEEDED, ids=lambda p: p.stem)
def test_runs_with_another_seed(path, seed):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and re.search(r"^SEED = 0\b", c.source, re.M)]
    assert len(cells) == 1, "exactly one cell sets SEED"
    cells[0].source = re.sub(r"^SEED = 0\b", f"SEED = {seed}", cells[0].source, flags=re.M)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
