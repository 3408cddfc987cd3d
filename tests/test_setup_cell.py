"""The stamped Colab setup cell: what it installs in each situation, and what it tells the learner.

IPython runs the cell as a notebook would, with a stand-in ``google.colab`` and a stand-in
``%pip`` that records its command and "installs" into a pretend environment. The real install,
with real pip in Colab's versions, is `make test-colab` (scripts/colab_setup.py).
"""

import importlib.metadata
import importlib.util
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

import rnn_edu

ROOT = Path(__file__).resolve().parents[1]
V = rnn_edu.__version__
CELL = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4).cells[1].source


def run(monkeypatch, capsys, *, on_colab=True, had=None, missing=(), imported=False, pip_works=True):
    """Run the cell with rnn-edu at version ``had`` (None: absent) and ``missing`` packages absent."""
    state = {"rnn-edu": had, "missing": set(missing)}
    calls = []

    def pip(line):
        calls.append(line)
        if not pip_works:
            return
        if "--no-deps" in line:
            state["rnn-edu"] = V
        state["missing"] = {name for name in state["missing"] if f"'{name}>=" not in line}

    def version(name):
        if name != "rnn-edu" or state["rnn-edu"] is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return state["rnn-edu"]

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.metadata, "version", version)
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in state["missing"] else real_find_spec(name, *a))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    if not imported:
        monkeypatch.delitem(sys.modules, "rnn_edu")
    shell = InteractiveShell.instance()
    shell.register_magic_function(pip, magic_kind="line", magic_name="pip")
    result = shell.run_cell(CELL)
    return calls, capsys.readouterr().out, result


def test_fresh_colab_installs_the_notebooks_tag_without_dependencies(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys)
    assert result.success
    repo = "https://github.com/rnn-edu/rnn-edu"
    assert calls == [f'install -q --no-deps "rnn-edu @ git+{repo}@v{V}"']
    assert "no restart needed" in out


def test_only_missing_requirements_are_installed(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys, missing={"tqdm"})
    assert result.success and len(calls) == 2
    assert calls[1] == "install -q 'tqdm>=4.66'"  # quoted for the shell; nothing that is there is named
    assert "no restart needed" in out


def test_already_installed_installs_nothing(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys, had=V, imported=True)
    assert result.success and calls == []
    assert "no restart needed" in out


def test_an_older_imported_version_asks_for_a_restart(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys, had="0.0.1", imported=True)
    assert result.success and len(calls) == 1
    assert "rnn_edu 0.0.1 was imported before" in out and "Restart session" in out


def test_a_failed_install_says_so(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys, pip_works=False)
    assert isinstance(result.error_in_exec, RuntimeError)
    assert "did not complete" in str(result.error_in_exec)


def test_off_colab_it_does_nothing_and_prints_nothing(monkeypatch, capsys):
    calls, out, result = run(monkeypatch, capsys, on_colab=False, imported=True)
    assert result.success and calls == [] and out == ""


@pytest.mark.parametrize("name", ["numpy", "matplotlib", "ipywidgets", "tqdm", "threadpoolctl"])
def test_every_requirement_is_checked(name):
    assert f"'{name}': '{name}>=" in CELL
