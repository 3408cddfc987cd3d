"""Print the value of NPY_DISABLE_CPU_FEATURES that lowers this machine's NumPy SIMD dispatch.

    NPY_DISABLE_CPU_FEATURES="$(python scripts/lowered_simd.py)" pytest --nbval notebooks

The portability pass of `make test` re-runs the notebooks with it: stored outputs must not depend
on which SIMD paths NumPy takes. The value is computed here, at run time, from the feature groups
this NumPy reports as found: all but the lowest of them (X86_V4 and AVX512_ICL on an AVX-512
machine, leaving X86_V3), or the only one (X86_V3 on an AVX2 machine, leaving the baseline).
`--check` verifies in a fresh interpreter that the value really lowers the dispatch.
OpenBLAS is left alone: never set OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE in tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# With every group disabled, NumPy leaves "found" out of its config.
PROBE = "import json, numpy; print(json.dumps(numpy.__config__.CONFIG['SIMD Extensions'].get('found', [])))"


def found(env: dict[str, str] | None = None) -> list[str]:
    """The SIMD feature groups NumPy finds and dispatches to, lowest first."""
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def lowered(groups: list[str]) -> list[str]:
    """The groups to disable: all but the lowest found, or the only one."""
    return groups[1:] if len(groups) > 1 else list(groups)


def main(argv: list[str]) -> int:
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    groups = found(env)
    disable = lowered(groups)
    if not disable:
        print("this NumPy dispatches to no SIMD group above its baseline: nothing to lower", file=sys.stderr)
        return 1
    value = " ".join(disable)
    if "--check" in argv:
        after = found({**env, "NPY_DISABLE_CPU_FEATURES": value})
        if any(g in after for g in disable):
            print(f"NPY_DISABLE_CPU_FEATURES={value!r} did not lower NumPy: found {after}", file=sys.stderr)
            return 1
        print(
            f"NumPy finds {groups}; with NPY_DISABLE_CPU_FEATURES={value!r} it finds {after}", file=sys.stderr
        )
    print(value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
