"""Exercises of notebook 01 (Markov chains): each checker says what is wrong and hints why."""

from __future__ import annotations

from collections import Counter

import numpy as np

from rnn_edu import markov
from rnn_edu.exercises._feedback import (
    Feedback,
    as_array,
    as_number,
    call_learner,
    exercise,
    hint,
    learner_array,
    passed,
)


@exercise("1. add-k smoothing")
def check_smoothed_distribution(fn) -> Feedback:
    """Exercise 1: ``fn(counts, k) -> probs`` applies add-k smoothing to one context's counts.

    counts: ``(V,)`` how often each character followed the context; probs: ``(V,)``.
    """
    cases = [(np.array([3.0, 0.0, 1.0, 0.0]), 0.5), (np.array([0.0, 0.0, 0.0]), 1.0),
             (np.array([10.0, 5.0]), 0.0), (np.array([2.0, 2.0, 0.0, 0.0, 6.0]), 0.1)]
    for counts, k in cases:
        expected = (counts + k) / (counts.sum() + k * len(counts))
        got, fail = learner_array(fn, counts.copy(), k, label="your probabilities")
        if fail is not None:
            return fail
        if got.shape != counts.shape:
            return hint(f"expected one probability per character, shape {counts.shape}, got "
                        f"shape {got.shape}.")
        if np.allclose(got, expected):
            continue
        case = f"for counts={counts.tolist()}, k={k}"
        if k != 1 and np.allclose(got, (counts + 1) / (counts.sum() + len(counts))):
            return hint(f"{case}: that is add-one smoothing: use the k you are given, not 1.")
        if counts.sum() and np.allclose(got, counts / counts.sum()):
            return hint(f"{case}: these are the raw frequencies: add k to every count (seen or "
                        "not) before normalizing.")
        only_unseen = np.where(counts == 0, k, counts)
        if np.allclose(got, only_unseen / only_unseen.sum()):
            return hint(f"{case}: you added k only to the unseen characters: add k to every "
                        "count, seen ones too.")
        if np.allclose(got, (counts + k) / (counts + k).max()):
            return hint(f"{case}: you divided by the largest count: probabilities are divided "
                        "by the total, so that they sum to 1.")
        if not np.isclose(got.sum(), 1.0):
            return hint(f"{case} your probabilities sum to {got.sum():.3f}, not 1. Hint: adding "
                        "k to each of the V counts adds k*V to the total, so the denominator is "
                        f"count(context) + k*V, with V = len(counts) = {len(counts)} here (not a "
                        "V from elsewhere).")
        return hint(f"{case} expected {np.round(expected, 4).tolist()}, got "
                    f"{np.round(got, 4).tolist()}.")
    return passed(f"verified on {len(cases)} count vectors (k = 0, 0.1, 0.5, 1, and a context "
                  "with no counts at all): unseen characters now get a little probability.")


@exercise("2. bits per character")
def check_bits_per_char(fn) -> Feedback:
    """Exercise 2: ``fn(p) -> float``, the bits per character of a model that gave the actual
    next characters the probabilities ``p: (n,)``."""
    p = np.array([0.5, 0.25, 0.125, 0.9, 0.01])
    expected = float(-np.mean(np.log2(p)))
    result, fail = call_learner(fn, p.copy())
    if fail is not None:
        return fail
    values, fail = as_array(result, "your bits per character", finite=False)
    if fail is None and values.shape == p.shape:
        return hint("expected one number for the whole text, got one per character: average "
                    "over the characters.")
    got, fail = as_number(result, "your bits per character", finite=False)
    if fail is not None:
        return fail
    if np.isclose(got, expected):
        return passed(f"verified on p = {p.tolist()}: {got:.4f} bits/char.")
    wrong = [
        (2**expected, "that is the perplexity, 2 ** (bits per character): return the bits "
                      "themselves."),
        (-np.log2(np.mean(p)), "take the log of each probability, then the mean (not the log "
                               "of the mean)."),
        (-expected, "the sign is off: log2 of a probability is negative, and bits are a cost, "
                    "so take minus the mean."),
        (expected * np.log(2), "that is nats (natural log): bits use log base 2 (np.log2), or "
                               "divide by ln 2."),
        (expected / np.log(2), "you divided log2 by ln 2 once more: np.log2 already gives bits."),
        (-np.mean(np.log10(p)), "that is log base 10: bits use log base 2 (np.log2)."),
        (expected * len(p), "that is the total for the whole text: divide by the number of "
                            "characters (take the mean)."),
        (-np.mean(np.log2(1 - p)), "use the probability of the character that came, p, not 1 - p."),
        *[(-reduce(p * np.log2(p)), "that is an entropy, weighted by p: p already is the "
                                    "probability of the character that came, so the cost is "
                                    "-mean(log2 p), not weighted by p.")
          for reduce in (np.sum, np.mean)],
    ]
    return next((hint(m) for value, m in wrong if np.isclose(got, value)),
                hint(f"for p={p.tolist()} expected {expected:.4f}, got {got:.4f}. Hint: "
                     "-mean(log2 p)."))


@exercise("3. temperature")
def check_temperature(fn) -> Feedback:
    """Exercise 3: ``fn(p, T) -> q``, the distribution ``p: (V,)`` at temperature ``T > 0``:
    ``q ∝ p ** (1 / T)``, the same as :func:`rnn_edu.markov.apply_temperature`."""
    p = np.array([0.5, 0.3, 0.15, 0.05, 0.0])
    for T in (1.0, 0.5, 2.0, 0.1):
        expected = markov.apply_temperature(p, T)
        got, fail = learner_array(fn, p.copy(), T, label="your distribution")
        if fail is not None:
            return fail
        if got.shape != p.shape:
            return hint(f"expected one probability per character, shape {p.shape}, got "
                        f"{got.shape}.")
        if np.allclose(got, expected):
            continue
        case = f"at T = {T}"
        if np.allclose(got, p):
            return hint(f"{case} you returned p unchanged (or only rescaled and renormalized "
                        "it): raise p to the power 1 / T.")
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            wrong = [
                (p**T / np.sum(p**T), "the power is 1 / T, not T: a low temperature must "
                                      "sharpen the distribution (T = 0.5 squares p)."),
                (p ** (1 / T), "raise to the power 1 / T, then renormalize so the "
                               "probabilities sum to 1."),
                (p / T, "dividing p by T only rescales it: temperature divides the "
                        "log-probabilities, q ∝ exp(log(p) / T) = p ** (1 / T)."),
                (np.exp(p / T) / np.sum(np.exp(p / T)), "that is a softmax of the "
                 "probabilities themselves: temperature divides the logs, softmax(log(p) / T)."),
                (np.exp(np.log(p) * T) / np.sum(p**T), "the power is 1 / T, not T."),
            ]
        for value, message in wrong:
            if np.allclose(got, value):
                return hint(f"{case}: {message}")
        if not np.isclose(got.sum(), 1.0):
            return hint(f"{case} your probabilities sum to {got.sum():.3f}: renormalize.")
        zero = p == 0
        if got[zero].max() > 0 and np.allclose(got[~zero], expected[~zero], atol=1e-3):
            return hint(f"{case}: a probability-0 character must stay at 0; your epsilon or clip "
                        f"gives it {got[zero].max():.1e}. 0 ** (1 / T) is already 0.")
        return hint(f"{case} expected {_digits(expected)}, got {_digits(got)}. Hint: "
                    "q = p ** (1 / T) / sum(p ** (1 / T)).")
    return passed("verified against markov.apply_temperature at T = 0.1, 0.5, 1 and 2, with a "
                  "character of probability 0 (it stays at 0).")


def _digits(values: np.ndarray) -> list[float]:
    """``values`` to 3 significant digits for a hint: a tiny value shows as 1.2e-05, not 0.0."""
    return [float(f"{v:.3g}") for v in values]


def _chain_bits(train: str, test: str, order: int, k: float, *, log=np.log2,
                vocab_from: str = "train", shift: int = 0, reduce=np.mean,
                denominator: str = "context", first: int = 0, last_context: bool = False) -> float:
    """Bits per character of ``test[order:]`` under an order-``order`` add-k chain counted on
    ``train`` (every context of ``test`` must occur in ``train``); the keyword arguments make
    one part wrong on purpose, to recognize a learner's mistake: ``vocab_from="one"`` adds k,
    not k V, to the context's count; ``first`` moves the first scored character by that many
    places (a shorter context before ``order``); ``last_context`` also counts the context at
    the end of ``train``, which no character follows."""
    V = {"train": len(set(train)), "test": len(set(test)), "one": 1}[vocab_from]
    pairs = Counter(train[t - order : t + 1] for t in range(order, len(train)))
    contexts = Counter(train[t - order : t] for t in range(order, len(train) + last_context))
    total = sum(contexts.values())
    logs = []
    for t in range(order + first, len(test)):
        context, nxt = test[max(t - order + shift, 0) : t + shift], test[t]
        n = contexts[context] if denominator == "context" else total
        with np.errstate(divide="ignore"):
            logs.append(log((pairs[context + nxt] + k) / (n + k * V)))
    return float(-reduce(np.array(logs)))


@exercise("4. a Markov chain from scratch")
def check_chain_bits(fn) -> Feedback:
    """Exercise 4: ``fn(train, test, order, k) -> float``, the held-out bits per character of
    ``test[order:]`` under an add-k Markov chain of order ``order`` counted on ``train``."""
    train = "the cat sat on the mat. the rat sat on the hat. a cat ate the rat."
    tests = [("the rat sat on the cat.", 2, 0.5), ("a cat sat on the mat.", 1, 1.0),
             ("the cat ate the hat.", 3, 0.1), ("the mat sat.", 0, 0.5)]
    for test, order, k in tests:
        expected = _chain_bits(train, test, order, k)
        assert np.isclose(expected, -markov.fit(train, order, k).log2_probs(test)[order:].mean())
        result, fail = call_learner(fn, train, test, order, k)
        if fail is None:
            got, fail = as_number(result, "your bits per character", finite=False)
        if fail is not None:
            return fail
        if np.isclose(got, expected):
            continue
        case = f"for order {order}, k = {k}"
        variants = [
            (dict(log=np.log), "that is in nats (natural log): bits use log base 2."),
            (dict(reduce=np.sum), "that is the total: divide by the number of characters "
                                  "scored (take the mean)."),
            (dict(vocab_from="test"), "V is the size of the training alphabet, "
                                      f"len(set(train)) = {len(set(train))}, not of the test "
                                      "text's."),
            (dict(k=0.0), "that is without smoothing (k = 0): add k to every pair count and "
                          "k V to the context's count; without it a pair the training text "
                          "never showed costs infinitely many bits."),
            (dict(shift=1), "the context includes the character being predicted (off by one): "
                            "the context of test[t] is test[t - order : t]."),
            (dict(denominator="total"), "divide by how often the context occurred, not by the "
                                        "number of all pairs: P(next | context) = (count(context"
                                        " + next) + k) / (count(context) + k V)."),
            (dict(vocab_from="one"), "the denominator is count(context) + k V: adding k to each "
                                     "of the V pair counts adds k V, not k."),
            (dict(last_context=True), "count a context only where a character follows it, at "
                                      "t = order, ..., len(train) - 1: the one at the very end "
                                      "of train is the context of nothing (for order 0 the "
                                      "empty context counts len(train) times, not one more)."),
            (dict(first=1), f"score every character of test[order:], from t = order = {order} "
                            "on: you skipped the first."),
        ]
        if order > 0:
            variants += [(dict(order=order - 1), f"that is a chain of order {order - 1}: use the "
                          f"last {order} characters as the context."),
                         (dict(first=-order), f"score test[order:] only: the first {order} "
                          "characters of test have no full context, so t runs from order to "
                          "len(test) - 1.")]
        for changes, message in variants:
            args = dict(order=order, k=k) | changes
            value = _chain_bits(train, test, args.pop("order"), args.pop("k"), **args)
            if np.isclose(got, value) or (np.isinf(got) and np.isinf(value)):
                return hint(f"{case}: {message}")
        if np.isclose(got, -expected):
            return hint(f"{case}: the sign is off: bits are -log2 p, a positive cost.")
        if not np.isfinite(got):
            return hint(f"{case} you returned {got}: look for a log of 0 or a division by 0.")
        return hint(f"{case} and test = {test!r} expected {expected:.4f} bits/char, got "
                    f"{got:.4f}. Compare with -markov.fit(train, order, k).log2_probs(test)"
                    "[order:].mean().")
    return passed(f"matches markov.fit(...).log2_probs on {len(tests)} test texts, orders 0 to "
                  "3: you have written a Markov chain.")
