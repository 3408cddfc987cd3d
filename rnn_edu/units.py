"""What a trained model's hidden units track: named features of a text, and a search for the
units whose activation follows them.

A *feature* is a plain function of a text that gives one number per character, ``(T,)``: the
value after reading that character, which is what the hidden state ``h_t`` has seen. For a text
of T characters and a GRU with ``units`` hidden units::

    H: (T, units)   h_t of every step (gru.forward on the text's ids, from h_0 = 0)
    P: (T, V)       softmax(y_t): the model's probabilities for the character after t
    F: (T,)         one feature

A unit *tracks* a feature when its activation moves with it over the text: Pearson's
correlation ``r = cov(h[:, j], f) / (std(h[:, j]) std(f))`` near +1 or -1. A constant unit or a
constant feature has no correlation to measure: r = 0 there, not NaN. Most units of a trained
model track none of the named features well; :func:`count_interpretable` counts those that do,
and the same count for an untrained model of the same size says how much of it is chance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import gru, sampling
from rnn_edu.data import Vocab
from rnn_edu.losses import softmax

#: The longest text searched at once (characters).
MAX_CHARS = 200_000


# ---- features: one value per character, after reading it ---------------------------------------

def paren_depth(text: str) -> np.ndarray:
    """How many ``(`` are open after each character (never below 0): ``(T,)``."""
    depth, out = 0, []
    for c in C.require_text("text", text):
        depth = depth + 1 if c == "(" else max(depth - 1, 0) if c == ")" else depth
        out.append(depth)
    return np.array(out, dtype=np.float64)


def in_parentheses(text: str) -> np.ndarray:
    """1 inside parentheses (depth > 0 after the character; ``(`` itself is inside), else 0."""
    return (paren_depth(text) > 0).astype(np.float64)


def in_quotes(text: str) -> np.ndarray:
    """1 after an odd number of ``"`` (the opening quote and what follows it), else 0."""
    return (np.cumsum([c == '"' for c in C.require_text("text", text)]) % 2).astype(np.float64)


def position_in_line(text: str) -> np.ndarray:
    """How many characters since the last newline (0 at a newline itself): ``(T,)``."""
    col, out = 0, []
    for c in C.require_text("text", text):
        col = 0 if c == "\n" else col + 1
        out.append(col)
    return np.array(out, dtype=np.float64)


def indentation(text: str) -> np.ndarray:
    """The leading spaces of the current line read so far (the line's indentation once past it)."""
    indent, leading, out = 0, True, []
    for c in C.require_text("text", text):
        if c == "\n":
            indent, leading = 0, True
        elif leading and c == " ":
            indent += 1
        else:
            leading = False
        out.append(indent)
    return np.array(out, dtype=np.float64)


def _chars(text: str, test: Callable[[str], bool]) -> np.ndarray:
    return np.array([test(c) for c in C.require_text("text", text)], dtype=np.float64)


def in_word(text: str) -> np.ndarray:
    """1 on a letter, else 0."""
    return _chars(text, str.isalpha)


def word_start(text: str) -> np.ndarray:
    """1 on a letter that follows a non-letter (or starts the text), else 0."""
    letter = in_word(text)
    return letter * (1.0 - np.concatenate([[0.0], letter[:-1]]))


def newline(text: str) -> np.ndarray:
    """1 on ``\\n`` (the state after it is at the start of a line), else 0."""
    return _chars(text, lambda c: c == "\n")


def digit(text: str) -> np.ndarray:
    """1 on a digit 0-9, else 0."""
    return _chars(text, lambda c: c in "0123456789")


def upper_case(text: str) -> np.ndarray:
    """1 on an upper-case letter, else 0."""
    return _chars(text, str.isupper)


#: The named features, in the order the explorer lists them.
FEATURES: dict[str, Callable[[str], np.ndarray]] = {
    "inside parentheses": in_parentheses,
    'inside "quotes"': in_quotes,
    "position in the line": position_in_line,
    "indentation": indentation,
    "start of a word": word_start,
    "inside a word": in_word,
    "newline": newline,
    "digit": digit,
    "upper case": upper_case,
}


def features(text: str) -> dict[str, np.ndarray]:
    """Every feature of :data:`FEATURES` on ``text``: name -> ``(T,)`` float64."""
    C.require_text("text", text, max_len=MAX_CHARS)
    return {name: f(text) for name, f in FEATURES.items()}


# ---- the model's hidden states ------------------------------------------------------------------

def hidden_states(params: gru.GRUParams, vocab: Vocab, text: str) -> tuple[np.ndarray, np.ndarray]:
    """``(H, P)`` of a character GRU over ``text``, from ``h_0 = 0``.

    params: a GRU over ``vocab`` (input and output size ``vocab.size``; e.g.
    :func:`rnn_edu.keras_bridge.gru_from_keras` of a trained model); every character of ``text``
    must be in ``vocab``. H: ``(T, units)``, h_t after each character; P: ``(T, V)``, the
    model's next-character probabilities after it. Computed in float64.
    """
    _check_model(params, vocab)
    C.require_text("text", text, max_len=MAX_CHARS)
    C.require_size("text", len(text) * params.hidden_size * 6)  # the cache holds 5 (T, units)
    ids = vocab._encode(text, "text")
    if not len(ids):
        return np.zeros((0, params.hidden_size)), np.zeros((0, vocab.size))
    cache = gru.forward(params.astype(np.float64), ids[None, :])
    return cache.h[0], softmax(cache.y[0])


def _check_model(params, vocab) -> None:
    C.require_instance("params", params, gru.GRUParams)
    sampling._check_model(params, vocab)  # finite, and sized for the vocabulary


# ---- the search ---------------------------------------------------------------------------------

def correlations(H: np.ndarray, f: np.ndarray, given: np.ndarray | None = None) -> np.ndarray:
    """Pearson's r of every unit with one feature over the characters: ``(units,)``.

    H: ``(T, units)``; f: ``(T,)``. r = 0 where the unit or the feature is constant (or T < 2).
    given: ``(T,)`` ids of the characters read (or ``None``): the *partial* correlation given
    the current character. Each character's mean is taken out of H and f before r, so a unit
    that only echoes the character it just read (which even an untrained GRU does) scores 0,
    and so does a feature that the current character decides (``in_word``, ``digit``, ...).
    """
    H = C.require_array("H", H, ndim=2)
    f = C.require_array("f", f, shape=(H.shape[0],), labels="(T,)")
    if given is not None:
        given = C.require_array("given", given, kind="int", shape=(len(f),), labels="(T,)")
        given = np.unique(given, return_inverse=True)[1]  # ids 0..k-1, whatever they were
        H, f = _residual(H, given), _residual(f[:, None], given)[:, 0]
    r = np.zeros(H.shape[1])
    H, f = _scaled(H), _scaled(f[:, None])[:, 0]
    if len(f) < 2 or np.ptp(f) < 1e-12:
        return r
    ok = np.ptp(H, axis=0) >= 1e-12  # a saturated tanh unit wobbles by 1e-17: that is noise
    dH, df = H[:, ok] - H[:, ok].mean(axis=0), f - f.mean()
    r[ok] = (dH * df[:, None]).sum(axis=0) / np.sqrt((dH**2).sum(axis=0) * (df**2).sum())
    return np.clip(r, -1.0, 1.0)


def _residual(a: np.ndarray, given: np.ndarray) -> np.ndarray:
    """``a (T, n)`` minus, in each row, the mean of the rows with the same id in ``given``."""
    a = _scaled(a)  # scaled first, so the sums cannot overflow
    sums = np.zeros((int(given.max(initial=0)) + 1, a.shape[1]))
    np.add.at(sums, given, a)
    return a - (sums / np.maximum(np.bincount(given, minlength=len(sums)), 1)[:, None])[given]


def _scaled(a: np.ndarray) -> np.ndarray:
    """The columns of ``a (T, n)`` divided by their largest ``|a|``: r is the same, and the sums
    cannot overflow."""
    top = np.abs(a).max(axis=0, initial=0.0)
    return a / np.where(top > 0, top, 1.0)


def correlation_table(H: np.ndarray, feats: dict[str, np.ndarray],
                      given: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """:func:`correlations` for every feature: name -> ``(units,)`` r."""
    C.require_instance("feats", feats, dict, "a dict of feature name -> (T,) values")
    H = C.require_array("H", H, ndim=2)
    for name, f in feats.items():  # checked here, so that the error names feats, not f
        C.require_array(f"feats[{name!r}]", f, shape=(H.shape[0],), labels="(T,)")
    return {name: correlations(H, f, given) for name, f in feats.items()}


@dataclass(frozen=True)
class Match:
    """The unit whose activation correlates best with a feature: ``r`` in [-1, 1]."""

    feature: str
    unit: int
    r: float

    def __post_init__(self) -> None:
        C.require_text("feature", self.feature)
        C.require_int("unit", self.unit, min=0)
        C.require_real("r", self.r, -1.0, 1.0)


def rank_units(H: np.ndarray, f: np.ndarray, given: np.ndarray | None = None) -> np.ndarray:
    """Unit ids ordered by ``|r|`` with the feature, best first: ``(units,)`` (ties: lower id)."""
    return np.argsort(-np.abs(correlations(H, f, given)), kind="stable")


def best_units(H: np.ndarray, feats: dict[str, np.ndarray],
               given: np.ndarray | None = None) -> list[Match]:
    """The best unit for each feature (largest ``|r|``), in the order of ``feats``."""
    table = correlation_table(H, feats, given)
    best = {name: int(np.argmax(np.abs(r))) for name, r in table.items()}
    return [Match(name, j, float(table[name][j])) for name, j in best.items()]


def count_interpretable(H: np.ndarray, feats: dict[str, np.ndarray], threshold: float = 0.5,
                        given: np.ndarray | None = None) -> int:
    """How many units have ``|r| >= threshold`` for at least one feature (threshold in (0, 1]).

    given: as in :func:`correlations`; without it, units that echo the current character count.
    """
    threshold = C.require_real("threshold", threshold, above=0, max=1)
    table = correlation_table(H, feats, given)
    if not table:
        return 0
    return int(np.sum(np.max(np.abs(np.stack(list(table.values()))), axis=0) >= threshold))
