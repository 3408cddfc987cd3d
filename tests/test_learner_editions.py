"""The learner editions (notebooks/learner/) are up to date, hold stubs, and run with every check
reporting "not attempted yet"; the course notebooks mark their solutions and link both ways."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("make_learner_editions",
                                              ROOT / "scripts" / "make_learner_editions.py")
editions = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(editions)

COURSE = {p.name: nbformat.read(p, as_version=4)
          for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
WITH_EXERCISES = sorted(name for name, nb in COURSE.items() if editions.has_exercises(nb))
CHECK = re.compile(r"^nb0\d\.check_\w+\(", re.M)


def learner(name):
    return nbformat.read(ROOT / "notebooks" / "learner" / name, as_version=4)


def test_notebooks_01_to_05_have_exercises_and_editions():
    assert WITH_EXERCISES[:5] == ["01_markov_chains.ipynb", "02_hidden_state.ipynb",
                                  "03_vanilla_rnn.ipynb", "04_bptt.ipynb",
                                  "05_vanishing_gradients.ipynb"]
    on_disk = sorted(p.name for p in (ROOT / "notebooks" / "learner").glob("*.ipynb"))
    assert on_disk == WITH_EXERCISES


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_edition_is_up_to_date(name):
    """Regenerate the edition and compare: `make editions` after changing a course notebook."""
    fresh = editions.edition(COURSE[name], name, editions.stamp_headers.repository(),
                             set(WITH_EXERCISES))
    expected = nbformat.writes(fresh).rstrip("\n")
    on_disk = (ROOT / "notebooks" / "learner" / name).read_text().rstrip("\n")
    assert on_disk == expected, f"learner/{name} is stale: run `make editions`"


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_course_exercises_ramp_and_mark_their_solutions(name):
    nb = COURSE[name]
    start = next(i for i, c in enumerate(nb.cells) if "## Exercises" in c.source)
    section = nb.cells[start:]
    headings = re.findall(r"^\*\*Exercise (\d+) (★{1,3}) ", "\n".join(
        c.source for c in section if c.cell_type == "markdown"), re.M)
    assert len(headings) >= 4 and [int(n) for n, _ in headings] == list(
        range(1, len(headings) + 1))
    stars = [len(s) for _, s in headings]
    assert stars[0] == 1 and max(stars) == 3  # from recall to building something whole
    checks = [c for c in section if c.cell_type == "code" and CHECK.search(c.source)]
    assert len(checks) >= 4 and all(editions.BEGIN in c.source for c in checks)
    assert all("strict" not in c.source for c in section)
    assert any("(open)" in c.source for c in section)
    assert any(editions.MD_SOLUTION.search(c.source) for c in section), "a worked discussion"
    assert any(f"](learner/{name})" in c.source for c in section)


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_edition_has_stubs_badges_and_links_back(name):
    course, nb = COURSE[name], learner(name)
    assert len(nb.cells) == len(course.cells)
    text = "\n".join(c.source for c in nb.cells)
    assert "SOLUTION" not in text
    assert f"notebooks/learner/{name}" in nb.cells[0].source  # Colab badge
    assert f"labpath=notebooks%2Flearner%2F{name}" in nb.cells[0].source  # Binder badge
    assert f"](../{name})" in text
    stubs = 0
    for mine, theirs in zip(nb.cells, course.cells, strict=True):
        if theirs.cell_type == "code" and editions.BEGIN in theirs.source:
            assert mine.outputs == [] and mine.execution_count is None
            stub_lines = re.findall(r"^ *(?:\w+ = )?\.\.\.  # \S.*$", mine.source, re.M)
            assert len(stub_lines) == theirs.source.count(editions.BEGIN)
            stubs += len(stub_lines)
        else:
            assert mine.get("outputs") == theirs.get("outputs")  # stored outputs kept
    assert stubs >= 4


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_edition_runs_with_every_check_not_attempted(name, monkeypatch):
    monkeypatch.delenv("RNN_EDU_STRICT", raising=False)  # the kernel runs as a learner's would
    nb = learner(name)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks" / "learner")}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    checked = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK.search(cell.source):
            shown = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert len(shown) == 1, cell.source
            assert "not attempted yet" in shown[0].data["text/plain"]
            assert "not attempted yet" in shown[0].data["text/html"]
            assert "Traceback" not in shown[0].data["text/plain"]
            checked += 1
    assert checked >= 4
