"""The result of checking an exercise: pass or a hint saying what is wrong."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C


@dataclass(frozen=True)
class Feedback:
    """``ok`` is True when the answer is right; ``message`` says what is wrong and hints at why."""

    exercise: str
    ok: bool
    message: str

    def __post_init__(self) -> None:
        C.require_text("exercise", self.exercise)
        C.require_bool("ok", self.ok)
        C.require_text("message", self.message)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        mark = "correct" if self.ok else "not yet"
        return f"[{self.exercise}] {mark}: {self.message}"

    def _repr_html_(self) -> str:
        color = "#1b7a3a" if self.ok else "#b35900"
        return (
            f'<div style="border-left:4px solid {color};padding:4px 8px">'
            f"<b>{html.escape(self.exercise)}</b>: {html.escape(self.message)}</div>"
        )

    def __repr__(self) -> str:
        return str(self)


def passed(exercise: str, message: str = "well done.") -> Feedback:
    return Feedback(exercise, True, message)


def hint(exercise: str, message: str) -> Feedback:
    return Feedback(exercise, False, message)


def checked(feedback: Feedback, strict: bool) -> Feedback:
    """Return ``feedback``; with ``strict`` raise ``AssertionError`` when it is not a pass."""
    if C.require_bool("strict", strict) and not feedback.ok:
        raise AssertionError(str(feedback))
    return feedback



def call_learner(exercise: str, fn, *args, label: str = "your function"):
    """Run the learner's function: ``(result, None)``, or ``(None, hint)`` when it raised or is
    not a function at all. ``label`` names the call in the hint, e.g. ``"fn('(ab')"``."""
    if isinstance(fn, type) or not callable(fn):
        return None, hint(exercise, f"expected your function, got {C.describe(fn)}: pass the "
                                    "function itself, e.g. check(my_function), without calling it.")
    try:
        with np.errstate(all="ignore"):  # 0 / 0 in the learner's code is judged by its result
            return fn(*args), None
    except Exception as exc:  # the learner's code failing is feedback, not a crash
        return None, hint(exercise, f"{label} raised {type(exc).__name__}: {exc}")


def run_learner(exercise: str, fn, *args):
    """The learner's result as a float array: ``(array, None)``, or ``(None, hint)`` when the
    function raised, returned None or returned something that is not numbers."""
    got, failed = call_learner(exercise, fn, *args)
    if failed is None and got is None:
        failed = hint(exercise, "your function returned None: did you forget a `return`?")
    return (None, failed) if failed is not None else as_array(exercise, got)


def as_array(exercise: str, value, label: str = "your function's result"):
    """``(float array, None)``, or ``(None, hint)`` when ``value`` is None or not numbers."""
    if value is None:
        return None, hint(exercise, f"{label} is None: did you forget a `return`?")
    try:
        a = np.asarray(value)
        if a.dtype.kind not in "biuf":  # complex, str, objects: not real numbers
            raise TypeError
        return a.astype(float), None
    except (TypeError, ValueError):
        return None, hint(exercise, f"{label}: expected a NumPy array of numbers, got "
                                    f"{C.describe(value)}.")
