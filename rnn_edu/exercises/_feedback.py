"""The result of checking an exercise: a box saying what was verified, or a hint naming the mistake.

A checker is a plain function decorated with :func:`exercise`. The decorator

- reports "not attempted yet" for a stub (``...``, or a function whose body is only ``...``),
- turns an exception inside the checker into a hint (a learner never sees a traceback),
- raises ``AssertionError`` for anything but a pass when the environment variable
  ``RNN_EDU_STRICT=1`` is set: ``make`` sets it for nbval and the notebook runner, so a course
  notebook whose reference answer breaks fails loudly in CI.
"""

from __future__ import annotations

import dataclasses
import dis
import functools
import html
import os
from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C

STRICT_ENV = "RNN_EDU_STRICT"
_STYLE = {  # status: (mark, border colour, background)
    "correct": ("\u2714", "#1b7a3a", "#eaf6ee"),
    "not yet": ("\u2718", "#b35900", "#fdf1e6"),
    "not attempted yet": ("\u2026", "#6b6b6b", "#f2f2f2"),
}


@dataclass(frozen=True)
class Feedback:
    """``ok`` is True when the answer is right; ``message`` says what was verified, or what is
    wrong and a hint why; ``attempted`` is False for a stub."""

    exercise: str
    ok: bool
    message: str
    attempted: bool = True

    def __post_init__(self) -> None:
        C.require_text("exercise", self.exercise)
        C.require_bool("ok", self.ok)
        C.require_text("message", self.message)
        C.require_bool("attempted", self.attempted)

    @property
    def status(self) -> str:
        return "correct" if self.ok else "not yet" if self.attempted else "not attempted yet"

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return f"[{self.exercise}] {self.status}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        mark, border, background = _STYLE[self.status]
        return (
            f'<div style="border:1px solid {border};border-left:6px solid {border};'
            f'background:{background};padding:6px 10px;margin:4px 0;border-radius:4px">'
            f'<b style="color:{border}">{mark} {html.escape(self.exercise)}: {self.status}</b>'
            f"<br>{html.escape(self.message)}</div>"
        )


def passed(message: str) -> Feedback:
    """A pass; ``message`` says what was verified."""
    return Feedback("", True, message)


def hint(message: str) -> Feedback:
    return Feedback("", False, message)


def strict() -> bool:
    """True when ``RNN_EDU_STRICT=1``: every check must pass (reference answers in CI)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def is_stub(answer) -> bool:
    """``...`` itself, or a function whose body does nothing (``...`` or ``pass``)."""
    if answer is Ellipsis:
        return True
    code = getattr(answer, "__code__", None)
    if code is None:
        return False
    for op in dis.get_instructions(code):
        if op.opname in ("RESUME", "NOP", "CACHE", "RETURN_VALUE"):
            continue
        if op.opname in ("LOAD_CONST", "RETURN_CONST") and op.argval is None:
            continue
        return False
    return True


def exercise(name: str):
    """Decorate a checker ``check(answer, *context) -> Feedback`` of exercise ``name``."""

    def decorate(check):
        @functools.wraps(check)
        def run(answer, *args, **kwargs) -> Feedback:
            if is_stub(answer):
                feedback = Feedback(name, False, "replace the `...` in the cell with your answer, "
                                                 "then run the cell again.", attempted=False)
            else:
                try:
                    feedback = dataclasses.replace(check(answer, *args, **kwargs), exercise=name)
                except Exception as exc:  # a checker never shows a learner a traceback
                    if strict():
                        raise
                    feedback = Feedback(name, False, f"this answer could not be checked "
                                                     f"({type(exc).__name__}: {exc}); compare "
                                                     "what you return with what the exercise "
                                                     "asks for.")
            if strict() and not feedback.ok:
                raise AssertionError(f"{feedback} ({STRICT_ENV} is set: the reference answer "
                                     "must pass)")
            return feedback

        run.exercise = name
        return run

    return decorate


def call_learner(fn, *args):
    """Run the learner's function: ``(result, None)``, or ``(None, hint)`` when it raised."""
    if not callable(fn):
        return None, hint(f"expected a function, got {describe(fn)}.")
    try:
        with np.errstate(all="ignore"):  # NaN and inf are reported as feedback, not warnings
            return fn(*args), None
    except Exception as exc:  # the learner's code failing is feedback, not a crash
        return None, hint(f"your function raised {type(exc).__name__}: {exc}")


def describe(value) -> str:
    """A short description of an odd value for a hint: type, and shape or a few characters."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def as_array(value, label: str = "your function's result", *, finite: bool = True):
    """``(float array, None)``, or ``(None, hint)`` when ``value`` is not an array of real numbers
    (None, str, dict, ragged lists, complex, NaN or inf unless ``finite=False``)."""
    if value is None:
        return None, hint(f"{label} is None: did you forget a `return`?")
    if isinstance(value, (str, bytes, dict, set)) or callable(value):
        return None, hint(f"{label}: expected a NumPy array of numbers, got {describe(value)}.")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested lists
        array = None
    if array is None or array.dtype.kind not in "iufc":
        what = "a ragged list (rows of different lengths?)" if isinstance(
            value, (list, tuple)) else describe(value)
        return None, hint(f"{label}: expected a NumPy array of numbers, got {what}.")
    if array.dtype.kind == "c":
        return None, hint(f"{label} holds complex numbers: the answer is real (np.linalg.eigvals "
                          "or a sqrt of a negative number can give complex values).")
    array = array.astype(float)
    if finite and not np.all(np.isfinite(array)):
        return None, hint(f"{label} holds NaN or inf: look for a division by zero or a log of 0.")
    return array, None


def learner_array(fn, *args, label: str = "your function's result", finite: bool = True):
    """Run the learner's ``fn(*args)``: ``(float array, None)``, or ``(None, hint)`` when it
    raised or did not return an array of real numbers (see :func:`as_array`)."""
    got, failed = call_learner(fn, *args)
    return (None, failed) if failed is not None else as_array(got, label, finite=finite)


def as_number(value, label: str = "your answer", *, finite: bool = True):
    """``(float, None)``, or ``(None, hint)`` when ``value`` is not one real number."""
    if isinstance(value, (bool, np.bool_)):
        return None, hint(f"{label}: expected a number, got {value!r}.")
    array, fail = as_array(value, label, finite=finite)
    if fail is not None:
        return None, fail
    if array.size != 1:
        return None, hint(f"{label}: expected one number, got an array of shape {array.shape}.")
    return float(array.reshape(())), None


def names_used(fn) -> set[str]:
    """The global and attribute names the code of ``fn`` (and of the functions it defines) uses,
    e.g. to see that a learner called the package function the exercise asks them to write."""
    names, codes = set(), [getattr(fn, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is not None:
            names |= set(code.co_names)
            codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return names


class WatchedModel:
    """A Keras model that records how a learner's function used it: ``calls`` holds each call's
    input shape and whether a state was passed; ``ran`` is True once it was called or its
    ``predict``, ``predict_on_batch`` or ``call`` was looked up. Everything else passes through."""

    _RUNS = ("predict", "predict_on_batch", "call")

    def __init__(self, model):
        self._model, self.calls, self.ran = model, [], False

    def __call__(self, inputs, *args, **kwargs):
        state = args[0] if args else kwargs.get("state")
        self.calls.append((tuple(np.shape(inputs)), state is not None))
        self.ran = True
        return self._model(inputs, *args, **kwargs)

    def __getattr__(self, name):
        self.ran = self.ran or name in self._RUNS
        return getattr(self._model, name)
