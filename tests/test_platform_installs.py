"""`make lab`'s install resolves on macOS (arm64, x86_64) and Windows, against constraints.txt.

pip resolves for another platform with ``--platform``/``--python-version``, but it evaluates
environment markers (``sys_platform == 'linux'`` in our keras extra and in constraints.txt, and
in every dependency's metadata) against the machine it runs on (pypa/pip#11664). So pip runs
here with its marker environment set to the target's, as the target machine would evaluate it.
Needs PyPI (dry run: metadata only, nothing installed).
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ".".join(map(str, sys.version_info[:3]))  # what constraints.txt was locked with

PIP_WITH_MARKERS_OF = """
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv[1])
markers.default_environment = lambda: dict(target)
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""

COMMON = {
    "implementation_name": "cpython",
    "implementation_version": PYTHON,
    "platform_python_implementation": "CPython",
    "python_full_version": PYTHON,
    "python_version": PYTHON.rsplit(".", 1)[0],
}
MAC = {"os_name": "posix", "sys_platform": "darwin", "platform_system": "Darwin",
       "platform_release": "23.0.0", "platform_version": "Darwin Kernel Version 23.0.0"}
TARGETS = {
    # pip accepts macOS 14 and every older macOS wheel tag for it
    "macos-arm64": ("macosx_14_0_arm64", {**MAC, "platform_machine": "arm64"}, "tensorflow-2.21.0"),
    "macos-x86_64": ("macosx_14_0_x86_64", {**MAC, "platform_machine": "x86_64"}, "tensorflow-2.16.2"),
    "windows-x86_64": ("win_amd64", {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                                     "platform_machine": "AMD64", "platform_release": "10",
                                     "platform_version": "10.0.19045"}, "tensorflow-2.21.0"),
}


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    """Resolve for every target at once (the time goes into waiting for PyPI): target -> result."""
    runs = {}
    for target, (platform, markers, _) in TARGETS.items():
        cmd = [
            sys.executable, "-c", PIP_WITH_MARKERS_OF, json.dumps({**COMMON, **markers}),
            "install", "--dry-run", "--ignore-installed", "--only-binary=:all:",
            "--platform", platform, "--python-version", PYTHON, "--disable-pip-version-check",
            "-c", "constraints.txt", ".[lab,keras,test]",
        ]
        runs[target] = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
    return {target: (proc.communicate(timeout=600), proc.returncode) for target, proc in runs.items()}


@pytest.mark.network
@pytest.mark.parametrize("target", TARGETS)
def test_full_install_resolves(resolved, target):
    (stdout, stderr), returncode = resolved[target]
    assert returncode == 0, f"{target}: cannot resolve\n{stderr[-3000:]}"
    would = stdout.split("Would install ")[-1].split()
    tensorflow = TARGETS[target][2]
    assert tensorflow in would, f"{target}: expected {tensorflow}, got {would}"
    assert not [w for w in would if w.lower().replace("_", "-").startswith("tensorflow-cpu")]
    assert any(w.startswith("rnn-edu-") for w in would) and any(w.startswith("jupyterlab-") for w in would)
    if target == "windows-x86_64":  # a dependency's own marker, evaluated for Windows
        assert any(w.startswith("pywinpty-") for w in would), would


def test_markers_pick_one_tensorflow_per_platform():
    # The same markers as pyproject's keras extra, evaluated the way each machine would.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["keras"]
    for env, expected in [
        ({"sys_platform": "linux", "platform_machine": "x86_64"}, "tensorflow-cpu"),
        ({"sys_platform": "linux", "platform_machine": "aarch64"}, "tensorflow"),
        ({"sys_platform": "darwin", "platform_machine": "arm64"}, "tensorflow"),
        ({"sys_platform": "win32", "platform_machine": "AMD64"}, "tensorflow"),
    ]:
        chosen = [r.name for r in map(Requirement, extra)
                  if r.name.startswith("tensorflow") and r.marker.evaluate(env)]
        assert chosen == [expected], (env, chosen)
