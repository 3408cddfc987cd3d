"""Argument checks shared by every module, one line each, one message format.

Each check returns the value in the form the caller computes with (a Python ``int`` or
``float``, a NumPy array) or raises an error whose message reads::

    <argument>: expected <what was expected>, got <what came>

``TypeError`` when the kind of value is wrong (a str for a number, complex or int entries for a
float array), ``ValueError`` when the kind is right but the value is not (out of range, wrong
shape, too large). Numbers are what ``numbers.Integral`` / ``numbers.Real`` accept, so NumPy
scalars (``np.int64(3)``, ``np.float32(0.5)``) work like Python's; ``bool`` is never a number here.

**Non-finite values** (inf, NaN) are refused where they come in: every public function raises
:class:`NonFiniteError` (a ``ValueError``) naming the argument that holds them, instead of
letting NaN flow silently into the results. What overflows *inside* a computation (an exploding
gradient, a norm beyond 1e308) is a result, not an argument: it is returned as it is (inf, or a
finite log10), and the functions where that can happen say so.

**Sizes** that would exhaust memory or time (a sample of 10**8 characters, a one-hot array of
10**12 entries) are refused with the limit in the message.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

#: Largest array the helpers will allocate for one result (entries): 800 MB of float64.
MAX_ENTRIES = 10**8
#: Most updates a training loop runs in one call.
MAX_STEPS = 10**6
#: Most BLAS threads a call may ask for (more than any machine's cores; C's int is the hard limit).
MAX_THREADS = 1024


class NonFiniteError(ValueError, FloatingPointError):
    """An argument holds inf or NaN. A ``ValueError`` (and a ``FloatingPointError``)."""


def describe(value) -> str:
    """A short description of a received value: its type and a glimpse of it."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str):
        if not value:
            return "an empty str"
        return f"str {value!r}" if len(value) <= 40 else f"str of length {len(value)}"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    text = f"{type(value).__name__} {value!r}"
    return text if len(text) <= 80 else text[:77] + "..."


def _brief(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _interval(lo, hi, lo_open: bool, hi_open: bool) -> str:
    lo, hi = (f"{x:g}" if isinstance(x, float) else x for x in (lo, hi))
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo}"
    if hi is not None:
        return f"{'<' if hi_open else '<='} {hi}"
    return ""


def is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_int_array(a: np.ndarray) -> bool:
    return a.dtype.kind in "iu"  # signed or unsigned integers (not bool: kind "b")


def is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def require_int(name: str, value, min: int | None = None, max: int | None = None, *,
                optional: bool = False, why: str = "") -> int | None:
    """``value`` as an ``int`` in ``[min, max]``; ``None`` passes when ``optional``.

    why: the reason for ``max`` (a size limit), added to the message.
    """
    if value is None and optional:
        return None
    what = " ".join(["an int", _interval(min, max, False, False)]).strip()
    what += " or None" if optional else ""
    if not is_int(value):
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    if (min is not None and value < min) or (max is not None and value > max):
        raise ValueError(f"{name}: expected {what}{f' ({why})' if why else ''}, got {_brief(value)}")
    return int(value)


def require_real(name: str, value, min: float | None = None, max: float | None = None, *,
                 above: float | None = None, below: float | None = None,
                 optional: bool = False) -> float | None:
    """``value`` as a finite ``float``; ``min``/``max`` inclusive, ``above``/``below`` exclusive."""
    if value is None and optional:
        return None
    lo, lo_open = (above, True) if above is not None else (min, False)
    hi, hi_open = (below, True) if below is not None else (max, False)
    what = " ".join(["a finite number", _interval(lo, hi, lo_open, hi_open)]).strip()
    what += " or None" if optional else ""
    if not is_real(value):
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    try:
        x = float(value)
    except OverflowError:  # an int beyond 1e308
        x = float("inf")
    if not np.isfinite(x):
        raise NonFiniteError(f"{name}: expected {what}, got {_brief(value)}")
    if ((lo is not None and (x <= lo if lo_open else x < lo))
            or (hi is not None and (x >= hi if hi_open else x > hi))):
        raise ValueError(f"{name}: expected {what}, got {_brief(value)}")
    return x


def require_seed(name: str, value) -> int:
    """A random seed: an int >= 0 (what ``np.random.default_rng`` takes)."""
    return require_int(name, value, min=0)


def require_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {describe(value)}")
    return bool(value)


def require_text(name: str, value, *, min_len: int = 0, max_len: int | None = None,
                 why: str = "") -> str:
    """A ``str`` of at least ``min_len`` (and at most ``max_len``) characters."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a str, got {describe(value)}")
    if len(value) < min_len:
        need = "a non-empty str" if min_len == 1 else f"a str of at least {min_len} characters"
        raise ValueError(f"{name}: expected {need}, got {describe(value)}")
    if max_len is not None and len(value) > max_len:
        raise ValueError(f"{name}: expected at most {max_len:,} characters"
                         f"{f' ({why})' if why else ''}, got {len(value):,}")
    return value


def require_callable(name: str, value, what: str = "a function"):
    if isinstance(value, type) or not callable(value):
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    return value


def require_instance(name: str, value, cls, what: str | None = None):
    """``value`` if it is an instance of ``cls`` (a class or a tuple of classes)."""
    if not isinstance(value, cls):
        if what is None:
            classes = cls if isinstance(cls, tuple) else (cls,)
            what = " or ".join(c.__name__ for c in classes)
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    return value


def require_choice(name: str, value, options: Sequence):
    """``value`` if it is one of ``options`` (compared with ``==``, strings only for strings)."""
    if not isinstance(value, (str, numbers.Number)) or value not in options:
        raise ValueError(f"{name}: expected one of {tuple(options)}, got {describe(value)}")
    return value


def require_size(name: str, entries: int, limit: int = MAX_ENTRIES, what: str = "entries") -> None:
    """Refuse a result of more than ``limit`` entries before allocating it."""
    if entries > limit:
        raise ValueError(f"{name}: the result would hold {entries:,} {what}, more than the limit "
                         f"of {limit:,}")


_KINDS = {
    "float": "a float array",  # floating dtype, kept as it is
    "real": "an array of real numbers",  # int or float entries, returned as float64
    "int": "an int array",  # integer entries (an empty list is an empty int64 array)
}


def require_array(name: str, value, *, kind: str = "real", shape: tuple | None = None,
                  ndim: int | tuple[int, ...] | None = None, nonempty: bool = False,
                  finite: bool = True, labels: str = "") -> np.ndarray:
    """``value`` as a NumPy array of ``kind`` entries, checked for shape and finiteness.

    kind: ``"float"`` (a floating dtype, kept), ``"real"`` (ints or floats, returned as
    float64; never complex, bool or str), ``"int"`` (integer dtype).
    shape: a tuple of ints (that size) and strings (any size, the string names the axis in the
    message), e.g. ``("batch", "time", 3)``. ndim: the number of axes, or a tuple of choices.
    nonempty: every axis must have at least one entry. finite: refuse inf and NaN.
    labels: the axes' names for the message, e.g. ``"(batch, hidden)"`` with ``shape=(2, 4)``.
    """
    expected = _KINDS[kind]
    if shape is not None:
        sizes = f"({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})"
        expected += f" of shape {labels} = {sizes}" if labels else f" of shape {sizes}"
    elif ndim is not None:
        choices = np.atleast_1d(ndim).tolist()
        expected += f" with {' or '.join(map(str, choices))} ax{'is' if choices == [1] else 'es'}"
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested lists, objects NumPy cannot read
        raise ValueError(f"{name}: expected {expected}, got a ragged or unreadable "
                         f"{type(value).__name__}") from None
    if kind == "int" and a.size == 0 and a.dtype == np.float64:
        a = a.astype(np.int64)  # np.asarray([]) is float64
    if a.dtype.kind not in {"float": "f", "real": "iuf", "int": "iu"}[kind]:
        got = describe(value) if isinstance(value, np.ndarray) else (
            f"{type(value).__name__} read as dtype {a.dtype}")
        raise TypeError(f"{name}: expected {expected}, got {got}")
    if shape is not None:
        wrong = a.ndim != len(shape) or any(
            isinstance(s, int) and n != s for n, s in zip(a.shape, shape))
    else:
        wrong = ndim is not None and a.ndim not in np.atleast_1d(ndim)
    if wrong or (nonempty and 0 in a.shape):
        raise ValueError(f"{name}: expected {'a non-empty ' + expected[2:] if nonempty else expected}"
                         f", got shape {a.shape}")
    if kind == "real":
        a = a.astype(np.float64, copy=False)
    if finite and kind != "int":
        require_finite(name, a)
    return a


def require_finite(name: str, a: np.ndarray) -> np.ndarray:
    """Refuse an array that holds inf or NaN, saying how many entries do."""
    if not np.isfinite(a).all():
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        raise NonFiniteError(f"{name}: expected finite numbers, got {bad} inf or NaN of "
                             f"{a.size} entries")
    return a


def require_ids(name: str, value, size: int, ndim=None) -> np.ndarray:
    """``value`` as an int array of ids in ``[0, size)`` (float ids are refused, not truncated)."""
    ids = require_array(name, value, kind="int", ndim=ndim)
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"{name}: expected ids in [0, {size}), got min {ids.min()} "
                         f"max {ids.max()}")
    return ids


def require_float_dtype(name: str, dtype) -> np.dtype:
    """``dtype`` as ``np.float32`` or ``np.float64``, the two the course computes in."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{name}: expected np.float32 or np.float64, got {describe(dtype)}")
    return dt
