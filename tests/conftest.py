"""Tests see the checkers as a learner does: `make test` exports RNN_EDU_STRICT=1 for the
notebooks (reference answers must pass), but a wrong answer in a test must get a hint, not raise.
Tests of strict mode set the variable themselves."""

import pytest


@pytest.fixture(autouse=True)
def _learner_mode(monkeypatch):
    monkeypatch.delenv("RNN_EDU_STRICT", raising=False)
