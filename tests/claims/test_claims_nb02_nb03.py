"""Claims of notebooks 02 and 03 that rest on a random draw, re-run for several seeds."""

import numpy as np
import pytest

from rnn_edu import data, rnn, sampling, tasks
from tests.claims.conftest import SEEDS

pytestmark = pytest.mark.claims


def test_nb02_no_window_predicts_parity(claim):
    margins = {}
    for s in SEEDS:
        bits, target = tasks.parity(4000, 16, seed=4 + s)
        half, last = 2000, bits.shape[1] - 1
        worst = 0.0
        for k in (1, 2, 4, 8):
            key = bits[:, last - k + 1 :] @ (2 ** np.arange(k))
            ones = np.bincount(key[:half], weights=target[:half, last], minlength=2**k)
            seen = np.bincount(key[:half], minlength=2**k)
            guess = (2 * ones > seen).astype(np.int64)
            worst = max(worst, abs(np.mean(guess[key[half:]] == target[half:, last]) - 0.5))
        margins[s] = 0.05 - worst
    claim("nb02 a window of k <= 8 bits scores a coin flip (|accuracy - 0.5| < 0.05)", margins)


def test_nb03_untrained_samples_are_gibberish(claim):
    text = data.load_corpus()
    train_text, _ = data.topic_split()
    vocab = data.Vocab.from_text(text)
    corpus_words = set("".join(c if c.isalpha() else " " for c in train_text).split())

    def word_hit_rate(s):
        words = [w for w in "".join(c if c.isalpha() else " " for c in s).split() if len(w) >= 2]
        return np.mean([w in corpus_words for w in words]) if words else 0.0

    margins = {
        s: 0.2
        - word_hit_rate(
            sampling.sample(rnn.init_params(vocab.size, 64, vocab.size, seed=s), vocab, 300, seed=s)
        )
        for s in SEEDS
    }
    claim("nb03 an untrained RNN's sample has < 20% corpus words", margins)
