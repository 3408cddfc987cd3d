"""Notebook 08's claims, re-run for five seeds (``make claims``).

- the live training of section 3 (160 steps of 50 characters) ends below the notebook's bound in validation
  bits/char, below the order-4 Markov chain of section 4 and above both shipped models, for every seed
  of the weights and of the windows (on the validation text of ``data.topic_split``: the held-out
  topics that are not copies);
- notebook 04's recipe run for 1,500 updates ends within 0.05 bits/char of the shipped NumPy RNN
  (6,000 updates), for every seed;
- the shipped GRU's samples at temperature 0.5 are mostly words of the training text, and fewer
  are at 1.5, for every sampling seed.
"""

import pytest

pytest.importorskip("keras")

from rnn_edu import assets, data, markov, textgen, train  # noqa: E402
from tests.claims.conftest import SEEDS, train_char_rnn  # noqa: E402

pytestmark = pytest.mark.claims
LIVE_STEPS, LIVE_SEQ, LIVE_BOUND, WORD_BOUND = 160, 50, 2.5, 0.8  # as in the notebook
RNN_UPDATES_BOUND = 0.05  # notebook 04's 1,500 updates against the shipped 6,000, in bits/char


@pytest.fixture(scope="module")
def corpus():
    model, vocab, _ = assets.load_char_gru()
    train_text, val_text = (data.keep_known(t, vocab)[0] for t in data.topic_split())
    return model, vocab, train_text, val_text


def test_live_training_reaches_the_bound(corpus, claim):
    _, vocab, train_text, val_text = corpus
    chain_bpc = markov.bits_per_char(markov.fit(train_text, 4, markov.DEFAULT_K, vocab), val_text)
    shipped_gru, _, _ = assets.load_char_gru()
    rnn_params, _, _ = assets.load_char_rnn()
    trained_bpc = max(textgen.bits_per_char(shipped_gru, vocab, val_text),
                      train.bits_per_char(rnn_params, vocab.encode(val_text)))
    margins, below_chain, above_trained = {}, {}, {}
    for seed in SEEDS:
        model = textgen.build(vocab.size, 32, 256, seed=seed)
        batches = textgen.dataset(vocab.encode(train_text), LIVE_SEQ, 64, seed=seed)
        textgen.train(model, batches, LIVE_STEPS, learning_rate=1e-2, clip_norm=5.0, progress=False)
        bpc = textgen.bits_per_char(model, vocab, val_text)
        margins[seed], below_chain[seed] = LIVE_BOUND - bpc, chain_bpc - bpc
        above_trained[seed] = bpc - trained_bpc
    claim(f"08 live training: validation bits/char < {LIVE_BOUND} after {LIVE_STEPS} steps", margins)
    claim("08 live training: below the order-4 chain's validation bits/char", below_chain)
    claim("08 live training: above both shipped models' validation bits/char", above_trained)


def test_more_updates_bought_little(corpus, claim):
    _, vocab, train_text, val_text = corpus
    rnn_params, rnn_vocab, _ = assets.load_char_rnn()
    assert rnn_vocab == vocab
    shipped_bpc = train.bits_per_char(rnn_params, vocab.encode(val_text))
    close = {}
    for seed in SEEDS:
        _, bpc = train_char_rnn(train_text, val_text, vocab, seed=seed)
        close[seed] = RNN_UPDATES_BOUND - abs(bpc - shipped_bpc)
    claim(f"08 NumPy RNN: 1,500 updates within {RNN_UPDATES_BOUND} bits/char of the shipped 6,000", close)


def test_low_temperature_samples_are_mostly_real_words(corpus, claim):
    model, vocab, train_text, _ = corpus
    known = textgen.words(train_text)
    real, fewer = {}, {}
    for seed in SEEDS:
        frac = {T: textgen.word_fraction(textgen.generate(model, vocab, "The ", 400, temperature=T,
                                                          samples=8, seed=seed + 1), known)
                for T in (0.5, 1.5)}
        real[seed] = frac[0.5] - WORD_BOUND
        fewer[seed] = frac[0.5] - frac[1.5]
    claim(f"08 words at temperature 0.5: fraction > {WORD_BOUND}", real)
    claim("08 fewer real words at temperature 1.5 than at 0.5", fewer)
