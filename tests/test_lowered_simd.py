"""scripts/lowered_simd.py: the portability pass lowers NumPy's SIMD dispatch on any machine."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "lowered_simd.py"
spec = importlib.util.spec_from_file_location("lowered_simd", SCRIPT)
lowered_simd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lowered_simd)


def test_lowers_all_but_the_lowest_group_or_the_only_one():
    assert lowered_simd.lowered(["X86_V3", "X86_V4", "AVX512_ICL"]) == ["X86_V4", "AVX512_ICL"]  # AVX-512
    assert lowered_simd.lowered(["X86_V3"]) == ["X86_V3"]  # AVX2: down to the baseline
    assert lowered_simd.lowered([]) == []


def test_the_value_really_lowers_this_numpy():
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    out = subprocess.run([sys.executable, str(SCRIPT), "--check"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    disabled = out.stdout.split()
    assert disabled and not set(disabled) & set(
        lowered_simd.found({**env, "NPY_DISABLE_CPU_FEATURES": out.stdout.strip()})
    )
    assert "OPENBLAS" not in out.stdout
