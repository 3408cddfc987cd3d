"""Notebook 02, exercise 2's solution: a chain's measured bits per closer on three bracket types
match log2(3) + log2(d - k) to within 0.1, for other seeds than the notebook's too."""

import numpy as np
import pytest

from rnn_edu import markov, tasks


@pytest.mark.claims
def test_blind_chain_matches_the_formula_over_seeds():
    margins, seeds = [], list(range(1, 6))
    for seed in seeds:
        train = "".join(tasks.bracket_pairs(4000, 5, openers="([{", fillers="ab", seed=seed))
        test = "".join(tasks.bracket_pairs(500, 5, openers="([{", fillers="ab", seed=seed + 100))
        positions, _ = tasks.closer_targets(test)
        for k in (2, 3):
            measured = -markov.fit(train, k).log2_probs(test)[positions].mean()
            margins.append(0.1 - abs(measured - (np.log2(3) + np.log2(5 - k))))
    print(f"claim 02 exercise 2 blind chain within 0.1 bits of the formula: smallest margin "
          f"{min(margins):.3f} over seeds {seeds}")
    assert min(margins) > 0
