"""The machine a benchmark ran on, printed at the top of its table (shared by the benchmarks).

    from _machine import facts, describe   # a benchmark run as `python benchmarks/bench_x.py`
    print(describe())                       # one line per fact, "machine: ..." and so on

What changes the numbers: the CPU and how many cores this process may use, how loaded the
machine is (the load average: 1-minute, 5-minute and 15-minute runnable jobs), NumPy's version
and which SIMD paths it dispatches to, and which OpenBLAS kernel runs the matrix products
(threadpoolctl reports the architecture OpenBLAS picked). The variables in :data:`ENV`
(OPENBLAS_CORETYPE, NPY_DISABLE_CPU_FEATURES, ...) are reported when set: they change what runs.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

#: Variables that change what runs, reported when set (never set by the benchmarks themselves).
ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
       "NPY_DISABLE_CPU_FEATURES")

#: Variables that force OpenBLAS's kernel choice: this machine's environment sets them for old
#: OpenBLAS builds, and they slow a current one. The tables are measured with ``make bench``.
FORCING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
FORCED = ("note: the environment forces OpenBLAS's kernel; `make bench` unsets OPENBLAS_CORETYPE "
          "and OPENBLAS_L2_SIZE for the benchmark alone, as benchmarks/README.md's tables were run")


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what :mod:`platform` knows."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cores() -> int:
    """The cores this process may run on (its affinity), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def load_average() -> tuple[float, float, float]:
    """``(1 min, 5 min, 15 min)`` load averages; NaN where the system has none."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return (float("nan"),) * 3


def numpy_simd() -> dict[str, list[str]]:
    """NumPy's SIMD levels: ``baseline`` (compiled in), ``found`` (dispatched to on this CPU,
    lowest first; NPY_DISABLE_CPU_FEATURES removes groups from it) and ``not found``."""
    import numpy as np

    simd = np.__config__.CONFIG.get("SIMD Extensions", {})
    return {k: list(simd.get(k, [])) for k in ("baseline", "found", "not found")}


def blas() -> list[dict]:
    """threadpoolctl's description of each BLAS loaded (OpenBLAS: its kernel architecture)."""
    import numpy  # noqa: F401  (loads NumPy's OpenBLAS, so threadpoolctl sees it)

    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [i for i in threadpool_info() if i.get("user_api") == "blas"]


def facts() -> dict:
    """Everything :func:`describe` prints, as data."""
    import numpy as np

    return {
        "cpu": cpu_model(), "machine": platform.machine(), "cores": cores(),
        "load": load_average(), "python": platform.python_version(), "numpy": np.__version__,
        "simd": numpy_simd(), "blas": blas(),
        "env": {k: os.environ[k] for k in ENV if k in os.environ},
    }


def describe(f: dict | None = None) -> str:
    """The facts as a few lines of text, ready to print above a table."""
    f = facts() if f is None else f
    simd = f["simd"]
    level = simd["found"][-1] if simd["found"] else (simd["baseline"] or ["?"])[-1]
    blas_text = "; ".join(
        f"{b.get('internal_api')} {b.get('version')} kernel {b.get('architecture')}, "
        f"{b.get('num_threads')} threads" for b in f["blas"]) or "BLAS unknown (no threadpoolctl)"
    env = ", ".join(f"{k}={v}" for k, v in f["env"].items()) or f"{', '.join(ENV)} unset"
    return "\n".join([
        f"machine: {f['cpu']} ({f['machine']}), {f['cores']} cores; load average "
        + " / ".join(f"{x:.2f}" for x in f["load"]) + " (1 / 5 / 15 min)",
        f"python {f['python']}; numpy {f['numpy']}, SIMD {level} (baseline "
        f"{' '.join(simd['baseline']) or '-'}; dispatched to {' '.join(simd['found']) or '-'}; "
        f"not found {' '.join(simd['not found']) or '-'})",
        f"BLAS: {blas_text}; {env}",
    ] + ([FORCED] if any(k in f["env"] for k in FORCING) else []))


if __name__ == "__main__":
    print(describe())
