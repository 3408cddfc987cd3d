"""What the exercise-checker tests share: a learner's function that forgets to return, and the
assertion that a wrong answer gets its specific hint."""

import re


def no_return(*args):  # computes nothing and forgets to return (a bare `...` is a stub instead)
    _ = args


def assert_hint(check, fn, expected):
    """``check(fn)`` fails, was attempted, and its hint matches the regex ``expected`` (a hint the
    checker wrote, not its "could not be checked" fallback for a checker bug)."""
    fb = check(fn)
    assert not fb.ok and fb.attempted and re.search(expected, fb.message), fb.message
    assert "could not be checked" not in fb.message
