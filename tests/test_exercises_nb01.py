import re
from collections import Counter

import numpy as np
import pytest

from rnn_edu import markov
from rnn_edu.exercises import nb01


def smoothed(c, k):
    return (c + k) / (c.sum() + k * len(c))


def with_temperature(p, T):
    q = p ** (1 / T)
    return q / q.sum()


def chain_bits(train, test, order, k, *, log=np.log2, V=None, start=None, count_end=False):
    """An add-k chain written out with Counters; keywords make one part wrong on purpose: start
    is the first scored t (order is right), count_end also counts the context that ends train."""
    V = V or len(set(train))
    start = order if start is None else start
    pairs = Counter(train[t - order : t + 1] for t in range(order, len(train)))
    contexts = Counter(train[t - order : t] for t in range(order, len(train) + count_end))
    with np.errstate(divide="ignore"):
        return -np.mean([log((pairs[test[max(t - order, 0) : t + 1]] + k)
                             / (contexts[test[max(t - order, 0) : t]] + k * V))
                         for t in range(start, len(test))])


def test_reference_answers_pass():
    assert nb01.check_smoothed_distribution(smoothed).ok
    assert nb01.check_bits_per_char(lambda p: -np.mean(np.log2(p))).ok
    assert nb01.check_temperature(with_temperature).ok
    assert nb01.check_temperature(markov.apply_temperature).ok
    assert nb01.check_chain_bits(chain_bits).ok


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda c, k: (c + k) / (c.sum() + k), r"denominator is count\(context\) \+ k\*V"),
        (lambda c, k: c / c.sum() if c.sum() else np.full(len(c), 1 / len(c)), "raw frequencies"),
        (lambda c, k: (c + k)[:-1], "one probability per character"),
        (lambda c, k: 1 / 0, "raised ZeroDivisionError"),
        (lambda c, k: (c + k) / (c.sum() + k * 103), r"V = len\(counts\)"),
        (lambda c, k: (c + 1) / (c.sum() + len(c)), "add-one smoothing"),
        (lambda c, k: (c + k) / (c + k).max(), "divided by the largest count"),
        (lambda c, k: (c + k) / (c.sum() + k * len(c)) * 2, "sum to 2.000"),
        (lambda c, k: (lambda q: q / q.sum())(np.where(c == 0, k, c)),
         "added k only to the unseen characters"),
    ],
)
def test_smoothing_hints(fn, needle):
    fb = nb01.check_smoothed_distribution(fn)
    assert not fb and re.search(needle, fb.message)


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda p: np.mean(np.log2(p)), "sign is off"),
        (lambda p: -np.mean(np.log(p)), "nats"),
        (lambda p: -np.sum(np.log2(p)), "divide by the number of characters"),
        (lambda p: 1.0, r"-mean\(log2 p\)"),
        (lambda p: -np.log2(p), "one number for the whole text"),
        (lambda p: 2 ** -np.mean(np.log2(p)), "perplexity"),
        (lambda p: -np.log2(np.mean(p)), "not the log of the mean"),
        (lambda p: -np.mean(np.log10(p)), "log base 10"),
        (lambda p: -np.mean(np.log2(p)) / np.log(2), "np.log2 already gives bits"),
        (lambda p: -np.mean(np.log2(1 - p)), "not 1 - p"),
        (lambda p: -np.sum(p * np.log2(p)), "that is an entropy, weighted by p"),
        (lambda p: -np.mean(p * np.log2(p)), "that is an entropy, weighted by p"),
    ],
)
def test_bits_hints(fn, needle):
    fb = nb01.check_bits_per_char(fn)
    assert not fb and re.search(needle, fb.message)


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda p, T: p**T / np.sum(p**T), "the power is 1 / T, not T"),
        (lambda p, T: p ** (1 / T), "then renormalize"),
        (lambda p, T: p / T, "only rescales it"),
        (lambda p, T: p, "returned p unchanged"),
        (lambda p, T: np.exp(p / T) / np.sum(np.exp(p / T)), "softmax of the probabilities"),
        (lambda p, T: np.full(len(p), 1 / len(p)), r"expected \["),
        (lambda p, T: with_temperature(p, T)[:-1], "one probability per character"),
        (lambda p, T: with_temperature(p, T) * 2, "sum to 2.000"),
        (lambda p, T: np.log(with_temperature(p, T)), "NaN or inf"),
        (lambda p, T: (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum())(
            np.log(p + 1e-10) / T), r"T = 2.0: a probability-0 character must stay at 0; your "
                                    r"epsilon or clip gives it 5.4e-06"),
        (lambda p, T: with_temperature(np.clip(p, 1e-12, 1), T), "must stay at 0"),
    ],
)
def test_temperature_hints(fn, needle):
    fb = nb01.check_temperature(fn)
    assert not fb and re.search(needle, fb.message), fb.message


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, log=np.log), "nats"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k) * (len(te) - n), "that is the total"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, V=len(set(te))), "training alphabet"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, 0.0), "without smoothing"),
        (lambda tr, te, n, k: chain_bits(tr, te, max(n - 1, 0), k) if n else 9.9, "order"),
        (lambda tr, te, n, k: -np.mean(np.log2(np.full(len(te) - n, 1 / len(set(tr))))),
         r"Compare with -markov\.fit"),
        (lambda tr, te, n, k: -chain_bits(tr, te, n, k), "sign is off"),
        (lambda tr, te, n, k: "2.1 bits", "expected a NumPy array of numbers, got str"),
        (lambda tr, te, n, k: [chain_bits(tr, te, n, k)] * 2, "expected one number"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, V=1), "adds k V, not k"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, start=0), r"score test\[order:\] only"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, start=n + 1), "you skipped the first"),
        (lambda tr, te, n, k: chain_bits(tr, te, n, k, count_end=True),
         "count a context only where a character follows it"),
    ],
)
def test_chain_hints(fn, needle):
    fb = nb01.check_chain_bits(fn)
    assert not fb and re.search(needle, fb.message), fb.message


def test_chain_hint_for_an_off_by_one_context():
    def peeks(train, test, order, k):  # the context ends with the character being predicted
        V = len(set(train))
        pairs = Counter(train[t - order : t + 1] for t in range(order, len(train)))
        contexts = Counter(train[t - order : t] for t in range(order, len(train)))
        return -np.mean([np.log2((pairs[test[t - order + 1 : t + 1] + test[t]] + k)
                                 / (contexts[test[t - order + 1 : t + 1]] + k * V))
                         for t in range(order, len(test))])

    fb = nb01.check_chain_bits(peeks)
    assert not fb and "off by one" in fb.message, fb.message


def test_chain_hint_for_dividing_by_all_pairs():
    def by_total(train, test, order, k):
        V = len(set(train))
        pairs = Counter(train[t - order : t + 1] for t in range(order, len(train)))
        n = len(train) - order
        return -np.mean([np.log2((pairs[test[t - order : t + 1]] + k) / (n + k * V))
                         for t in range(order, len(test))])

    fb = nb01.check_chain_bits(by_total)
    assert not fb and "not by the number of all pairs" in fb.message, fb.message
