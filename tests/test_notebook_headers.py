"""Every notebook opens the same way, with badges that point at its own file."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

import rnn_edu

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VERSION = rnn_edu.__version__  # the setup cells install the tag v<VERSION>
REPO = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2  # a test over a collection must not pass on an empty one


def test_badges_and_setup_cell_match_each_file():
    owner_repo = REPO.removeprefix("https://github.com/")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        head, setup = nb.cells[0], nb.cells[1]
        assert head.cell_type == "markdown" and head.source.startswith("# ")
        assert path.name[:2] in head.source.splitlines()[0], f"{path.name}: title lacks its number"
        links = re.findall(r"\]\((https://[^)]+)\)", head.source)
        colab = [u for u in links if u.startswith("https://colab.research.google.com/github/")]
        binder = [u for u in links if u.startswith("https://mybinder.org/v2/gh/")]
        assert colab == [
            f"https://colab.research.google.com/github/{owner_repo}/blob/main/notebooks/{path.name}"
        ], path.name
        assert binder == [
            f"https://mybinder.org/v2/gh/{owner_repo}/main?labpath=notebooks%2F{path.name}"
        ], path.name
        assert "**Learning goals.**" in head.source, path.name
        assert "run the setup cell below first" in head.source and "no restart" in head.source
        assert setup.cell_type == "code"
        colab = setup.source.split('if "google.colab" in sys.modules:\n')[1]  # all of it Colab-only
        assert f'%pip install -q --no-deps "rnn-edu @ git+{REPO}@v{VERSION}"' in colab, path.name
        assert "no restart needed" in colab and "Restart session" in colab, path.name


def test_stamper_reports_no_change():
    result = subprocess.run([sys.executable, str(ROOT / "scripts/stamp_headers.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_notebooks_were_run_top_to_bottom():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        counts = [c.execution_count for c in code]
        assert counts == list(range(1, len(code) + 1)), f"{path.name}: run it with make notebooks"
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{path.name}: a stored output is an error"
