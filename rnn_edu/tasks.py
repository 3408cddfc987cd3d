"""Synthetic sequence tasks whose answer depends on a symbol far back.

Two seeded generators, each with the hand-built state machine that solves it exactly:

- **bracket pairs**: ``"(abca)"``, ``"[dd]"``: an opening bracket, ``distance - 1`` filler
  characters, then the closing bracket that matches the opener. The closer is decided by the
  symbol ``distance`` steps back, so a Markov chain of order ``k`` can predict it only when
  ``distance <= k``. The state machine remembers one thing: which bracket is open.
- **parity**: a stream of bits whose target at step t is the parity (XOR) of all bits so far.
  The dependency reaches back to the first bit; the state machine keeps one bit.

Every generator takes a ``seed`` and returns the same data for the same arguments.
"""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C
from rnn_edu._checks import describe as _describe

#: The closing bracket of each opening bracket the tasks know.
CLOSER = {"(": ")", "[": "]", "{": "}", "<": ">"}


def bracket_pairs(
    n: int, distance, *, openers: str = "([", fillers: str = "abcd", seed: int = 0
) -> list[str]:
    """``n`` bracket pairs, each ``opener + (distance - 1) fillers + closer``.

    n: how many pairs (>= 1).
    distance: how many steps back from the closer the opener is (>= 1): an int, or a pair
        ``(lo, hi)`` to draw each pair's distance uniformly from ``lo..hi`` inclusive.
    openers: the opening brackets to draw from (uniformly), some of ``"([{<"``.
    fillers: the characters between the brackets (uniformly, independently); no brackets.
    seed: the random seed.

    Returns a list of ``n`` strings; ``"".join(...)`` of it is a text for a Markov chain.
    At most ``_checks.MAX_ENTRIES`` characters in all.
    """
    n = C.require_int("n", n, min=1)
    lo, hi = _check_distance(distance)
    C.require_size("n", n * (hi + 1), what="characters")
    _check_alphabets(openers, fillers)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    opener_ids = rng.integers(len(openers), size=n)
    distances = rng.integers(lo, hi + 1, size=n)
    pairs = []
    for o, d in zip(opener_ids, distances, strict=True):
        middle = "".join(fillers[i] for i in rng.integers(len(fillers), size=d - 1))
        pairs.append(openers[o] + middle + CLOSER[openers[o]])
    return pairs


def bracket_states(text: str, openers: str = "([{<") -> list[str]:
    """The hand-built state machine: the state after each character of ``text``.

    The state is the bracket that is open, or ``""`` when none is. An opener sets it, a closer
    clears it, anything else leaves it alone. Returns a list as long as ``text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {_describe(text)}")
    _check_openers(openers)
    closers = {CLOSER[o] for o in openers}
    state, states = "", []
    for ch in text:
        if ch in openers:
            state = ch
        elif ch in closers:
            state = ""
        states.append(state)
    return states


def closer_targets(text: str, openers: str = "([{<") -> tuple[np.ndarray, list[str]]:
    """Where the closing brackets of ``text`` are, and which character each one is.

    Returns ``(positions, closers)``: ``positions`` an int64 array of indices into ``text`` and
    ``closers`` the characters there. A model "solves" the task when, at each such position,
    it predicts that character from ``text[:position]`` alone.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {_describe(text)}")
    _check_openers(openers)
    closers = {CLOSER[o] for o in openers}
    positions = [i for i, ch in enumerate(text) if ch in closers]
    return np.array(positions, dtype=np.int64), [text[i] for i in positions]


def parity(
    n: int, length: int, *, p_one: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random bit streams and their running parity.

    n, length: the batch size and number of steps (>= 1 each).
    p_one: the probability of each bit being 1.
    Returns ``(bits, target)``, both ``(n, length)`` int64: ``target[:, t]`` is the XOR of
    ``bits[:, :t + 1]``, so the target at step t depends on every earlier bit.
    """
    n = C.require_int("n", n, min=1)
    length = C.require_int("length", length, min=1)
    C.require_size("n", n * length)
    p_one = C.require_real("p_one", p_one, min=0, max=1)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    bits = (rng.random((n, length)) < p_one).astype(np.int64)
    return bits, np.cumsum(bits, axis=1) % 2


def _check_distance(distance) -> tuple[int, int]:
    if C.is_int(distance):
        lo = hi = int(distance)
    elif isinstance(distance, (tuple, list)) and len(distance) == 2 and all(map(C.is_int, distance)):
        lo, hi = map(int, distance)
    else:
        raise TypeError(f"distance: expected an int or a pair (lo, hi), got {_describe(distance)}")
    if not 1 <= lo <= hi:
        raise ValueError(f"distance: expected 1 <= lo <= hi, got {distance!r}")
    return lo, hi


def _check_openers(openers: str) -> None:
    if not isinstance(openers, str) or not openers or any(o not in CLOSER for o in openers):
        raise ValueError(
            f"openers: expected a non-empty str of some of {''.join(CLOSER)!r}, "
            f"got {openers!r}"[:120]
        )


def _check_alphabets(openers: str, fillers: str) -> None:
    _check_openers(openers)
    if len(set(openers)) != len(openers):
        raise ValueError(f"openers: expected distinct brackets, got {openers!r}")
    brackets = set(CLOSER) | set(CLOSER.values())
    if not isinstance(fillers, str) or not fillers or brackets & set(fillers):
        raise ValueError(
            f"fillers: expected a non-empty str without brackets, got {fillers!r}"[:120]
        )
