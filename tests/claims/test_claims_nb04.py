"""Notebook 04's training claims, re-run for several seeds (``make claims``)."""

import math

import numpy as np
import pytest

from rnn_edu import bptt, data, losses, markov, optim, rnn, sampling, train
from tests.claims.conftest import SEEDS, train_char_rnn

pytestmark = pytest.mark.claims


@pytest.fixture(scope="module")
def corpus():
    text = data.load_corpus()
    train_text, val_text = data.topic_split()
    return train_text, val_text, data.Vocab.from_text(text)


def test_truncation_keeps_the_direction(corpus, claim):
    train_text, _, vocab = corpus
    ids = vocab.encode(train_text[30_000:30_201])
    x, y = ids[None, :-1], ids[None, 1:]
    cosines, ordered, weaker = {}, {}, {}
    for s in SEEDS:
        p = train.init_char_params(vocab.size, 64, seed=s, dtype=np.float64)
        cache = rnn.forward(p, x)
        dy = losses.cross_entropy(cache.y, y)[1]
        full = bptt.backward(p, cache, dy)[0].W_hh
        cut = {k: bptt.backward(p, cache, dy, truncate=k)[0].W_hh for k in (1, 5, 25, 50)}
        gaps = [np.linalg.norm(cut[k] - full) / np.linalg.norm(full) for k in (1, 5, 25, 50)]
        cosine = np.sum(cut[25] * full) / (np.linalg.norm(cut[25]) * np.linalg.norm(full))
        cosines[s] = cosine - 0.99
        p03 = rnn.init_params(vocab.size, 64, vocab.size, seed=s)  # notebook 03's initialization
        c03 = rnn.forward(p03, x)
        dy03 = losses.cross_entropy(c03.y, y)[1]
        full03, cut03 = (bptt.backward(p03, c03, dy03, truncate=k)[0].W_hh for k in (None, 25))
        weaker[s] = cosine - 0.01 - np.sum(cut03 * full03) / (np.linalg.norm(cut03) * np.linalg.norm(full03))
        ordered[s] = min(-np.diff(gaps).max(), gaps[-1])  # > 0: gaps fall with the chunk length
    claim("nb04 chunks of 25: cosine with full BPTT > 0.99", cosines)
    claim("nb04 truncation: error falls with the chunk length", ordered)
    claim("nb04 chunks of 25: notebook 03's init has a lower cosine (by 0.01)", weaker)


def test_clipping_tames_the_too_long_step(corpus, claim):
    train_text, _, vocab = corpus
    ids = vocab.encode(train_text[:100_000])
    ln_V = math.log(vocab.size)
    out = {}
    for s in SEEDS:
        for clip in (None, 0.5):
            p = rnn.init_params(vocab.size, 64, vocab.size, seed=s)
            before = {n: np.linalg.norm(getattr(p, n)) for n in ("W_hh", "W_hy")}
            hist = train.train(
                p,
                ids,
                optimizer=optim.SGD(lr=3.0),
                steps=150,
                batch_size=16,
                seq_len=50,
                clip_norm=clip,
                progress=False,
            )
            grew = min(np.linalg.norm(getattr(p, n)) / before[n] for n in before)
            out[s, clip] = hist, grew
    wild = {s: out[s, None][0] for s in SEEDS}
    tame = {s: out[s, 0.5][0] for s in SEEDS}
    claim(
        "nb04 no clipping: final loss > 5 ln V",
        {s: np.mean(h.loss[-20:]) / (5 * ln_V) - 1 for s, h in wild.items()},
    )
    claim(
        "nb04 no clipping: loss passes 3 ln V within 10 updates",
        {
            s: 10.5 - (int(np.argmax(np.array(h.loss) > 3 * ln_V)) + 1) if max(h.loss) > 3 * ln_V else -1
            for s, h in wild.items()
        },
    )
    claim(
        "nb04 no clipping: median gradient norm > 5x the first",
        {s: np.median(h.grad_norms) / (5 * h.grad_norms[0]) - 1 for s, h in wild.items()},
    )
    claim(
        "nb04 no clipping: ||W_hh||, ||W_hy|| grow > 1.5-fold", {s: out[s, None][1] / 1.5 - 1 for s in SEEDS}
    )
    claim(
        "nb04 clip at 0.5: final loss < ln V / 1.5",
        {s: ln_V / 1.5 - np.mean(h.loss[-20:]) for s, h in tame.items()},
    )
    claim(
        "nb04 clip at 0.5: median gradient norm < 1/5 of the unclipped",
        {s: np.median(wild[s].grad_norms) / (5 * np.median(tame[s].grad_norms)) - 1 for s in SEEDS},
    )


def test_the_rnn_beats_the_best_chain(corpus, claim):
    train_text, val_text, vocab = corpus
    sweep = markov.sweep_orders(train_text, val_text, range(9), markov.DEFAULT_K, vocab)
    best_order = min(sweep, key=sweep.get)
    chain_bits = -markov.fit(train_text, best_order, markov.DEFAULT_K, vocab).log2_probs(val_text)
    train_contexts = {train_text[p : p + best_order] for p in range(len(train_text) - best_order)}
    beats, gains, shares, words, distinct = {}, {}, {}, {}, {}
    train_words = set(train_text.split())
    for s in SEEDS:
        p, val_bpc_rnn = train_char_rnn(train_text, val_text, vocab, seed=s)
        beats[s] = sweep[best_order] - 0.03 - val_bpc_rnn
        rnn_bits = -train.log2_probs(p, vocab.encode(val_text))
        positions = np.arange(1, len(rnn_bits) + 1)
        new = np.array(
            [q >= best_order and val_text[q - best_order : q] not in train_contexts for q in positions]
        )
        seen = ~new & (positions >= best_order)
        gain_new = chain_bits[positions][new].mean() - rnn_bits[new].mean()
        gain_seen = chain_bits[positions][seen].mean() - rnn_bits[seen].mean()
        gains[s] = min(gain_new - 2 * gain_seen, gain_seen)
        share_new = gain_new * new.sum() / (gain_new * new.sum() + gain_seen * seen.sum())
        new_positions = new.sum() / (new.sum() + seen.sum())
        shares[s] = {"many": share_new - 3 * new_positions,
                     "half": min(share_new - 1 / 3, 2 / 3 - share_new)}
        share = {}
        for tau in (0.3, 1.5):
            w = sampling.sample(p, vocab, 300, prompt="The ", temperature=tau, seed=1).split()
            share[tau] = (np.mean([x in train_words for x in w]), len(set(w)) / len(w))
        words[s] = min(share[0.3][0] - 0.6, share[0.3][0] - share[1.5][0])
        distinct[s] = share[1.5][1] - share[0.3][1]
    claim("nb04 RNN val bits/char < best chain - 0.03", beats)
    claim("nb04 RNN gains most where the context is new (> 2x where seen, > 0)", gains)
    claim("nb04 new contexts give > 3x their share of positions of the RNN's advantage",
          {s: m["many"] for s, m in shares.items()})
    claim("nb04 new contexts give between a third and two thirds of the RNN's advantage",
          {s: m["half"] for s, m in shares.items()})
    claim("nb04 temperature 0.3: > 60% real words, more than at 1.5", words)
    claim("nb04 temperature 0.3: fewer distinct words than at 1.5", distinct)
