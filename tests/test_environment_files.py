"""Every package the notebooks or rnn_edu import is in environment.yml, pyproject.toml and
constraints.txt alike, so Binder, `make lab` and pip installs all have it, at the pinned version."""

import ast
import re
import sys
import tomllib
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Import name -> distributions that provide it (any one will do), where the two differ.
# IPython comes with ipywidgets (its requirement); naming it in pyproject would make the Colab
# setup cell look for an import named "ipython" and reinstall Colab's IPython.
PROVIDERS = {"tensorflow": {"tensorflow", "tensorflow-cpu"}, "IPython": {"ipython", "ipywidgets"}}
NOT_INSTALLED = {"rnn_edu", "google"}  # the course itself; google.colab exists only on Colab


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def imported_packages() -> dict[str, set[str]]:
    """Third-party import name -> the files that import it."""
    sources = {p.name: p.read_text() for p in (ROOT / "rnn_edu").rglob("*.py")}
    to_python = TransformerManager().transform_cell  # %magics -> Python
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        sources[path.name] = "\n".join(to_python(c.source) for c in cells if c.cell_type == "code")
    found: dict[str, set[str]] = {}
    for name, source in sources.items():
        for module in top_level_imports(source) - set(sys.stdlib_module_names) - NOT_INSTALLED:
            found.setdefault(module, set()).add(name)
    return found


def environment_yml(section: str = "dependencies:") -> set[str]:
    """Names of the list items after ``section`` ("- pip:" for pip's part alone)."""
    text = (ROOT / "environment.yml").read_text().split(section, 1)[1]
    names = re.findall(r"^\s*-\s+([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(?:[=<>#]|$)", text, flags=re.M)
    return {canonical(n) for n in names}


def pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return {canonical(re.match(r"[A-Za-z0-9_.-]+", d).group(0)) for d in deps}


def constraints() -> set[str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return {canonical(line.split("==")[0]) for line in lines if "==" in line and not line.startswith("#")}


def test_every_imported_package_is_listed_in_all_three_files():
    imports = imported_packages()
    assert {"numpy", "matplotlib", "ipywidgets"} <= set(imports)  # the scan finds what is there
    files = {"environment.yml": environment_yml(), "pyproject.toml": pyproject(),
             "constraints.txt": constraints()}
    missing = []
    for module, users in sorted(imports.items()):
        providers = PROVIDERS.get(module, {canonical(module)})
        missing += [f"{module} (imported by {', '.join(sorted(users))}) is not in {file}"
                    for file, names in files.items() if not providers & names]
    assert not missing, "\n".join(missing)


def test_environment_yml_installs_only_pinned_packages():
    unpinned = environment_yml("- pip:") - constraints()
    assert not unpinned, f"environment.yml names packages constraints.txt does not pin: {unpinned}"


def test_every_environment_yml_line_says_why_it_is_there():
    lines = [line for line in (ROOT / "environment.yml").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    bare = [line for line in lines if "#" not in line]
    assert not bare, f"lines without a comment: {bare}"
