"""The environment check of notebook 00: installed versions against the course's minimums."""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, version

from rnn_edu import _checks as C

# The oldest versions the course is known to need (pyproject.toml says the same).
MINIMUM = {
    "python": "3.11",
    "numpy": "1.26",
    "matplotlib": "3.8",
    "ipywidgets": "7.7",
    "tqdm": "4.66",
}
# Needed from notebook 06 on; Colab brings its own build, locally it is `tensorflow-cpu`.
OPTIONAL = {"tensorflow": "2.16"}


def parse(v: str) -> tuple[int, ...]:
    """'2.21.0rc1' -> (2, 21, 0): the leading numeric parts of a version."""
    match = re.match(r"\d+(?:\.\d+)*", C.require_text("v", v))
    return tuple(int(x) for x in match.group(0).split(".")) if match else ()


def installed(name: str) -> str | None:
    """The installed version of the distribution ``name`` (or of Python), None if missing."""
    if C.require_text("name", name, min_len=1) == "python":
        return ".".join(map(str, sys.version_info[:3]))
    for dist in (name, f"{name}-cpu") if name == "tensorflow" else (name,):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None


def check() -> list[tuple[str, str, str | None, bool]]:
    """Rows ``(name, minimum, installed or None, ok)``; optional packages may be missing."""
    rows = []
    for table, required in ((MINIMUM, True), (OPTIONAL, False)):
        for name, minimum in table.items():
            have = installed(name)
            ok = parse(have) >= parse(minimum) if have else not required
            rows.append((name, minimum, have, ok))
    return rows


def report(rows=None) -> str:
    """A table of :func:`check`'s rows (or of ``rows``, the same 4-tuples)."""
    rows = check() if rows is None else C.require_instance("rows", rows, list, "a list of rows")
    if not all(isinstance(r, tuple) and len(r) == 4 and all(isinstance(s, str) for s in r[:2])
               for r in rows):
        raise ValueError("rows: expected tuples (name, minimum, installed or None, ok) as "
                         "check() returns them")
    lines = [f"{'package':<12}{'minimum':>9}{'installed':>12}"]
    for name, minimum, have, ok in rows:
        lines.append(f"{name:<12}{minimum:>9}{have or 'missing':>12}  {'ok' if ok else 'TOO OLD'}")
    return "\n".join(lines)
