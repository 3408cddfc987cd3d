"""The course and explorer benchmarks run and print their tables (tiny settings, no timing checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import _machine  # noqa: E402
import bench_course  # noqa: E402
import bench_explorers  # noqa: E402


def test_machine_facts_are_described(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 3000\nflags\t: sse2\n")
    assert _machine.cpu_model(cpuinfo) == "Test CPU 3000"
    assert _machine.cpu_model(tmp_path / "missing")  # falls back to platform
    facts = _machine.facts()
    assert facts["cores"] >= 1 and len(facts["load"]) == 3
    text = _machine.describe(facts)
    assert text.startswith("machine: ") and f"numpy {facts['numpy']}" in text and "BLAS" in text
    fake = {**facts, "simd": {"baseline": ["SSE2"], "found": [], "not found": []}, "blas": [],
            "env": {"OPENBLAS_CORETYPE": "Haswell"}}
    forced = _machine.describe(fake)
    assert "SIMD SSE2" in forced and "OPENBLAS_CORETYPE=Haswell" in forced and "make bench" in forced
    assert "make bench" not in _machine.describe({**fake, "env": {}})


def test_course_environment_is_the_makefiles():
    env = bench_course.make_environment()
    assert env["TF_ENABLE_ONEDNN_OPTS"] == "0" and env["PYTHONHASHSEED"] == "0"
    assert env["RNN_EDU_STRICT"] == "1"
    for name in ("JUPYTER_CONFIG_DIR", "IPYTHONDIR", "MPLCONFIGDIR", "KERAS_HOME"):
        assert Path(env[name]).is_relative_to(ROOT / ".state"), name
    assert not any("$(" in value for value in env.values())


def test_course_arguments_and_notebooks():
    args = bench_course.parse_args([])
    paths = bench_course.notebooks(args.notebooks)
    assert [p.name for p in paths] == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    one = ROOT / "notebooks" / "00_welcome.ipynb"
    assert bench_course.notebooks(bench_course.parse_args([str(one)]).notebooks) == [one]
    with pytest.raises(SystemExit):
        bench_course.notebooks([ROOT / "benchmarks"])


def test_course_table_marks_targets():
    table = bench_course.format_table([("01_a.ipynb", 12.0, 20.5), ("02_b.ipynb", 95.0, None)])
    lines = table.splitlines()
    assert "< 90 s met" in lines[2] and "20.5" in lines[2]
    assert "< 90 s NOT MET" in lines[3]
    assert lines[-1].split()[:2] == ["total", "107.0"] and "< 6 min met" in lines[-1]
    failed = bench_course.format_table([("01_a.ipynb", None, None)])
    assert "FAILED" in failed and "a notebook failed" in failed
    slow = bench_course.format_table([(f"{i:02d}.ipynb", 80.0, 80.0) for i in range(5)])
    assert "< 6 min NOT MET" in slow.splitlines()[-1]


def test_explorer_arguments():
    args = bench_explorers.parse_args([])
    assert args.updates == 20 and args.only is None
    with pytest.raises(SystemExit):
        bench_explorers.parse_args(["--updates", "0"])
    with pytest.raises(SystemExit):
        bench_explorers.parse_args(["--only", "no-such-explorer"])


def test_every_explorer_moves_controls_it_has():
    names = {"markov", "hidden_state", "stepper", "bptt", "temperature_04", "vanishing",
             "forecast", "gates", "temperature_08", "units"}
    assert set(bench_explorers.EXPLORERS) == names
    assert bench_explorers.move_plan({"a": [1], "b": [2]}, 5) == ["a", "b", "a", "b", "a"]


def test_explorer_benchmark_runs_on_cheap_explorers(capsys):
    assert bench_explorers.main(["--updates", "3", "--only", "hidden_state", "forecast",
                                 "--by-control"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("machine: ")
    assert "nb02 HiddenStateExplorer" in out and "nb06 ForecastExplorer" in out
    assert "median under 150 ms:" in out and "load average at the end" in out
    rows = [line for line in out.splitlines() if line.startswith("nb0") and "  " in line]
    assert any(" 3 " in row for row in rows)  # three moves timed, each a real update


def test_explorer_moves_skip_values_that_change_nothing():
    from rnn_edu.widgets.vanishing import VanishingExplorer

    explorer = VanishingExplorer(time=200)
    results = bench_explorers.time_updates(explorer, {"time": [200, 999, 150]}, 2)
    # The first move skips 200 (the current value) and 999 (the slider clamps it to 200) and
    # goes to 150; the second goes back to 200.
    assert [r[0] for r in results] == ["time", "time"]
    assert explorer.controls["time"].value == 200


def test_make_bench_unsets_the_forced_kernel_and_tests_do_not():
    """`make bench` measures OpenBLAS's own kernel; the tests and CI leave OPENBLAS_* alone."""
    def dry_run(target):
        return subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    bench = dry_run("bench")
    assert "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE" in bench and "bench_train" in bench
    assert "OPENBLAS" not in dry_run("test")
