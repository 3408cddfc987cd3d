"""Seed sweeps for the notebooks' asserted claims (`make claims`).

A claim such as "the clipped run keeps training alive" is asserted in a notebook for one seed.
Here each claim is re-run over several seeds and its *margin* (how far the measured value is on
the right side of the notebook's threshold, in the claim's own units) is recorded. Every margin
must be positive; the smallest per claim is printed at the end of the run.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_edu import optim, train

SEEDS = range(5)
_MARGINS: list[tuple[str, float, list]] = []


@pytest.fixture
def claim():
    """``claim(name, {seed: margin})``: assert every margin > 0 and record the smallest.

    ``over`` names what the keys are ("seeds", or "corpora" for the perturbed corpora), and
    ``at_least`` how many a claim needs."""

    def record(name: str, margins: dict, over: str = "seeds", at_least: int = 5) -> None:
        assert len(margins) >= at_least, f"{name}: needs at least {at_least} {over}, got {len(margins)}"
        _MARGINS.append((name, min(margins.values()), over, sorted(margins)))
        bad = {s: m for s, m in margins.items() if not m > 0}
        assert not bad, f"{name}: fails for seeds {bad}"

    return record


def pytest_terminal_summary(terminalreporter):
    if not _MARGINS:
        return
    terminalreporter.section("claims: smallest margin over seeds")
    for name, smallest, over, keys in _MARGINS:
        terminalreporter.write_line(f"claim {name}: smallest margin {smallest:.3g} over {over} {keys}")


def train_char_rnn(train_text: str, val_text: str, vocab, seed: int):
    """Notebook 04's character RNN, trained as section 7 trains it: ``(params, final val bits/char)``."""
    params = train.init_char_params(vocab.size, 256, seed=seed, dtype=np.float32)
    history = train.train(
        params,
        vocab.encode(train_text),
        vocab.encode(val_text),
        optimizer=optim.Adam(lr=1e-2, beta2=0.99),
        lr_end=3e-4,
        steps=1500,
        batch_size=32,
        seq_len=25,
        clip_norm=5.0,
        eval_every=1500,
        seed=seed,
        progress=False,
    )
    return params, history.val_bpc[-1]
