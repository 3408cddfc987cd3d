"""Tests see the checkers as a learner does: `make test` exports RNN_EDU_STRICT=1 for the
notebooks (reference answers must pass), but a wrong answer in a test must get a hint, not raise.
Tests of strict mode set the variable themselves."""

import os

import pytest


@pytest.fixture(autouse=True)
def _learner_mode(monkeypatch):
    monkeypatch.delenv("RNN_EDU_STRICT", raising=False)


# CI (CI=true) draws the same hypothesis examples on every run, so a red CI is reproducible and a
# green one is not luck; local runs keep exploring new examples.
if os.environ.get("CI") == "true":
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    settings.load_profile("ci")
