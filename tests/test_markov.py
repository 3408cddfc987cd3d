import numpy as np
import pytest

from rnn_edu import data, markov


@pytest.fixture(scope="module")
def corpus():
    text = data.load_corpus(max_chars=60_000)
    train, val = data.train_val_split(text)
    return train, val, data.Vocab.from_text(text)


def test_counted_by_hand():
    # "abab" + "a": after "a" comes b, b (twice); after "b" comes a, a.
    chain = markov.fit("ababa", order=1, k=0.0)
    np.testing.assert_allclose(chain.distribution("a"), [0.0, 1.0])
    np.testing.assert_allclose(chain.distribution("b"), [1.0, 0.0])
    # order 0: 3 a's and 2 b's
    np.testing.assert_allclose(markov.fit("ababa", 0, 0.0).distribution(""), [0.6, 0.4])
    # order 2 by hand on "aabab": aa->b, ab->a, ba->b
    chain = markov.fit("aabab", 2, 0.0)
    np.testing.assert_allclose(chain.distribution("ab"), [1.0, 0.0])
    np.testing.assert_allclose(chain.distribution("ba"), [0.0, 1.0])


def test_add_k_smoothing_by_hand():
    chain = markov.fit("aab", order=1, k=0.5)  # after "a": a once, b once
    np.testing.assert_allclose(chain.distribution("a"), [(1 + 0.5) / 3, (1 + 0.5) / 3])
    chain = markov.fit("aaab", order=1, k=1.0, vocab=data.Vocab(("a", "b", "c")))
    # after "a": a twice, b once -> (2+1, 1+1, 0+1) / (3 + 3)
    np.testing.assert_allclose(chain.distribution("a"), [3 / 6, 2 / 6, 1 / 6])


@pytest.mark.parametrize("order", [0, 1, 2, 3, 5])
def test_distributions_sum_to_one(corpus, order):
    train, _, vocab = corpus
    chain = markov.fit(train, order, 0.1, vocab)
    for context in ["", "t", "the", "Python ", "zzzzzz", train[100:120]]:
        p = chain.distribution(context)
        assert p.shape == (vocab.size,)
        assert np.all(p >= 0)
        assert p.sum() == pytest.approx(1.0)


def test_log_probs_match_distribution(corpus):
    train, val, vocab = corpus
    chain = markov.fit(train, 3, 0.1, vocab)
    text = val[:200]
    lp = chain.log2_probs(text)
    for t in range(200):
        p = chain.distribution(text[max(0, t - 3) : t])
        assert lp[t] == pytest.approx(np.log2(p[vocab.encode(text[t])[0]]))


def test_uniform_model_costs_log2_V(corpus):
    _, val, vocab = corpus
    # Order 0 with an enormous k is uniform over the vocabulary.
    chain = markov.fit("a", 0, 1e12, vocab)
    assert markov.bits_per_char(chain, val) == pytest.approx(np.log2(vocab.size), rel=1e-6)


def test_unseen_context_backs_off_and_k0_unseen_is_infinite():
    chain = markov.fit("abab", 2, 0.0, data.Vocab(("a", "b", "c")))
    # "cb" was never seen: back off to "b", which was always followed by "a".
    np.testing.assert_allclose(chain.distribution("cb"), [1.0, 0.0, 0.0])
    assert chain.context_order("cb") == 1
    # "c" was never seen at all: back off to order 0, the character frequencies.
    np.testing.assert_allclose(chain.distribution("c"), [0.5, 0.5, 0.0])
    assert chain.context_order("c") == 0
    assert markov.bits_per_char(chain, "aa") == np.inf
    # log2_probs backs off the same way as distribution
    lp = chain.log2_probs("cba")
    assert lp[2] == pytest.approx(0.0)


def test_heldout_bits_fall_then_rise(corpus):
    train, val, vocab = corpus
    bpc = markov.sweep_orders(train, val, range(7), 0.05, vocab)
    best = min(bpc, key=bpc.get)
    assert 0 < best < 6
    assert bpc[0] > bpc[best] < bpc[6]


def test_sampling_is_seeded_and_respects_temperature(corpus):
    train, _, vocab = corpus
    chain = markov.fit(train, 3, 0.05, vocab)
    a = markov.sample(chain, 80, prompt="The ", seed=3)
    assert a == markov.sample(chain, 80, prompt="The ", seed=3)
    assert a != markov.sample(chain, 80, prompt="The ", seed=4)
    assert len(a) == 80
    p = chain.distribution("the")
    cold = markov.apply_temperature(p, 0.01)
    assert cold.argmax() == p.argmax() and cold.max() > 0.99
    hot = markov.apply_temperature(p, 1000.0)
    assert hot.max() - hot.min() < 0.01
    assert markov.sample(chain, 0) == ""


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: markov.fit("abc", -1), ValueError, "order: expected an int >= 0, got -1"),
        (lambda: markov.fit("abc", 1.5), TypeError, "order: expected an int >= 0, got float"),
        (lambda: markov.fit("abc", True), TypeError, "order: expected an int"),
        (lambda: markov.fit("", 1), ValueError, "text: expected a non-empty str"),
        (lambda: markov.fit(["a", "b"], 1), TypeError, "text: expected a str, got list"),
        (lambda: markov.fit("abc", 1, k=-1), ValueError, "k: expected a finite number >= 0"),
        (lambda: markov.fit("abc", 1, k="1"), TypeError, "k: expected a finite number"),
        (lambda: markov.fit("ab" * 50 + "".join(map(chr, range(60, 160))), 9), ValueError,
         "order: 9 is too large"),
        (lambda: markov.fit("abc", 1).distribution("abz"), ValueError,
         "character 'z' at position 2 is not in the vocabulary"),
        (lambda: markov.fit("abc", 1).distribution(None), TypeError, "context: expected a str"),
        (lambda: markov.sample(markov.fit("abc", 1), 5, temperature=0), ValueError,
         "temperature: expected a finite number > 0, got 0"),
        (lambda: markov.sample(markov.fit("abc", 1), 5, temperature=-1.0), ValueError,
         "temperature"),
        (lambda: markov.sample(markov.fit("abc", 1), -2), ValueError, "length: expected an int"),
        (lambda: markov.bits_per_char(markov.fit("abc", 1), ""), ValueError,
         "text: expected a non-empty str"),
    ],
)
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("order", [2, 4, 5, 8])
def test_orders_longer_than_the_text(order):
    chain = markov.fit("abc", order)
    assert chain.order == order
    bpc = markov.bits_per_char(chain, "abcabc")
    assert np.isfinite(bpc) and bpc >= 0


def test_max_order_is_exact():
    for V in [2, 4, 103]:
        n = markov.max_order(V)
        assert V ** (n + 1) < 2**63 - 1
        vocab = data.Vocab(tuple(chr(65 + i) for i in range(V)))
        markov.fit("AB", n, vocab=vocab)
        with pytest.raises(ValueError, match=f"use order <= {n}"):
            markov.fit("AB", n + 1, vocab=vocab)


def test_temperature_extremes_stay_finite():
    p = np.array([0.5, 0.3, 0.2, 0.0])
    for t in [1e-310, 1e-3, np.int64(2), 1e300]:
        q = markov.apply_temperature(p, t)
        assert np.all(np.isfinite(q)) and q.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="p: expected"):
        markov.apply_temperature(np.zeros(3), 1.0)


def test_sample_checks_its_prompt():
    chain = markov.fit("abab", 0)
    with pytest.raises(ValueError, match="'z' at position 0"):
        markov.sample(chain, 3, prompt="zz")
    with pytest.raises(TypeError, match="prompt: expected a str, got NoneType"):
        markov.sample(chain, 3, prompt=None)
    with pytest.raises(TypeError, match="vocab: expected a data.Vocab"):
        markov.fit("ab", 1, vocab=list("ab"))
    with pytest.raises(ValueError, match=r"context: character '😀' at position 0"):
        chain.distribution("😀")
    with pytest.raises(ValueError, match=r"length: expected an int in \[0, 100000\]"):
        markov.sample(chain, 10**8)
    for seed in ("x", -1, 1.5):
        with pytest.raises((TypeError, ValueError), match=r"seed: expected an int >= 0"):
            markov.sample(chain, 3, seed=seed)
    with pytest.raises(ValueError, match=r"p: expected finite numbers"):
        markov.apply_temperature([np.inf, 1.0], 1.0)
