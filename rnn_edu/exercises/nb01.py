"""Exercises of notebook 01 (Markov chains): each checker says what is wrong and hints why."""

from __future__ import annotations

import math

import numpy as np

from rnn_edu import _checks as C
from rnn_edu.exercises._feedback import Feedback, checked, hint, passed, run_learner


def check_smoothed_distribution(fn, strict: bool = False) -> Feedback:
    """Exercise 1: ``fn(counts, k) -> probs`` applies add-k smoothing to one context's counts.

    counts: ``(V,)`` how often each character followed the context; probs: ``(V,)``.
    """
    name = "1. add-k smoothing"
    cases = [(np.array([3.0, 0.0, 1.0, 0.0]), 0.5), (np.array([0.0, 0.0, 0.0]), 1.0),
             (np.array([10.0, 5.0]), 0.0), (np.array([2.0, 2.0, 0.0, 0.0, 6.0]), 0.1)]
    for counts, k in cases:
        expected = (counts + k) / (counts.sum() + k * len(counts))
        got, fail = run_learner(name, fn, counts.copy(), k)
        if fail is None and got.shape != counts.shape:
            fail = hint(name, f"expected one probability per character, shape {counts.shape}, "
                              f"got shape {got.shape}.")
        if fail is not None:
            return checked(fail, strict)
        if np.allclose(got, expected):
            continue
        if not np.isclose(got.sum(), 1.0):
            msg = (f"for counts={counts.tolist()}, k={k} your probabilities sum to "
                   f"{got.sum():.3f}, not 1. Hint: adding k to each of the V counts adds k*V "
                   f"to the total, so the denominator is count(context) + k*V, with "
                   f"V = len(counts) = {len(counts)} here (not a V from elsewhere).")
            return checked(hint(name, msg), strict)
        if counts.sum() and np.allclose(got, counts / counts.sum()):
            return checked(hint(name, "these are the raw frequencies: add k to every count "
                                      "(seen or not) before normalizing."), strict)
        if k != 1 and np.allclose(got, (counts + 1) / (counts.sum() + len(counts))):
            return checked(hint(name, f"that is add-one smoothing: use the k you are given "
                                      f"(here k={k}), not 1."), strict)
        return checked(hint(name, f"for counts={counts.tolist()}, k={k} expected "
                                  f"{np.round(expected, 4).tolist()}, got "
                                  f"{np.round(got, 4).tolist()}."), strict)
    return checked(passed(name, "unseen characters now get a little probability."), strict)


def check_bits_per_char(fn, strict: bool = False) -> Feedback:
    """Exercise 2: ``fn(p) -> float``, the bits per character of a model that gave the actual
    next characters the probabilities ``p: (n,)``."""
    name = "2. bits per character"
    p = np.array([0.5, 0.25, 0.125, 0.9, 0.01])
    expected = float(-np.mean(np.log2(p)))
    result, fail = run_learner(name, fn, p.copy())
    if fail is not None:
        return checked(fail, strict)
    if np.ndim(result) != 0:
        return checked(hint(name, f"expected one number for the whole text, got an array of "
                                  f"shape {np.shape(result)}: average over the characters."),
                       strict)
    got = float(result)
    if np.isclose(got, expected):
        return checked(passed(name, f"{got:.4f} bits/char."), strict)
    if np.isclose(got, 2**expected):
        return checked(hint(name, "that is the perplexity, 2 ** (bits per character): "
                                  "return the bits themselves."), strict)
    if np.isclose(got, -np.log2(np.mean(p))):
        return checked(hint(name, "take the log of each probability, then the mean "
                                  "(not the log of the mean)."), strict)
    if np.isclose(got, -expected):
        return checked(hint(name, "the sign is off: log2 of a probability is negative, and "
                                  "bits are a cost, so take minus the mean."), strict)
    if np.isclose(got, expected * np.log(2)):
        return checked(hint(name, "that is nats (natural log): bits use log base 2 "
                                  "(np.log2), or divide by ln 2."), strict)
    if np.isclose(got, expected * len(p)):
        return checked(hint(name, "that is the total for the whole text: divide by the "
                                  "number of characters (take the mean)."), strict)
    return checked(hint(name, f"for p={p.tolist()} expected {expected:.4f}, got {got:.4f}. "
                              "Hint: -mean(log2 p)."), strict)


def check_uniform_bits(answer, V: int, strict: bool = False) -> Feedback:
    """Exercise 3: the bits per character of the uniform model over ``V`` characters."""
    name = "3. the uniform model"
    V = C.require_int("V", V, min=1)
    expected = math.log2(V)  # math, not NumPy: V may be any Python int
    try:
        got = C.require_real("answer", answer)
    except (TypeError, ValueError):
        return checked(hint(name, f"expected a number, got {C.describe(answer)}"), strict)
    if abs(got - expected) < 5e-3:  # a typed answer rounded to 2-3 decimals is right
        return checked(passed(name, f"log2({V}) = {expected:.3f}: every character costs the "
                                    "same, whatever the context."), strict)
    if abs(got + expected) < 5e-3:
        return checked(hint(name, "the sign is off: log2(1/V) is negative; a cost in bits is "
                                  "-log2(1/V)."), strict)
    if np.isclose(got, V):
        return checked(hint(name, "that is the number of characters; each has probability "
                                  "1/V, so each costs -log2(1/V) bits."), strict)
    if abs(got - math.log(V)) < 5e-3:
        return checked(hint(name, "that is in nats (natural log): use log base 2."), strict)
    if np.isclose(got, 1.0 / V):
        return checked(hint(name, "that is the probability of one character, not its cost "
                                  "in bits."), strict)
    return checked(hint(name, f"got {got:.3f}. Hint: each character has probability 1/V; "
                              "what is -log2(1/V)?"), strict)


def check_best_order(answer, sweep: dict[int, float], strict: bool = False) -> Feedback:
    """Exercise 4: the order with the lowest held-out bits/char in ``sweep`` ({order: bpc})."""
    name = "4. the best order"
    C.require_instance("sweep", sweep, dict, "a dict {order: bits per char}")
    if not sweep or not all(C.is_int(n) and C.is_real(b) for n, b in sweep.items()):
        raise ValueError(f"sweep: expected a non-empty dict {{order: bits per char}}, got "
                         f"{C.describe(sweep)}")
    best = min(sweep, key=sweep.get)
    if not C.is_int(answer):
        return checked(hint(name, f"expected an order, an int such as 3, got "
                                  f"{C.describe(answer)}"), strict)
    if answer == best:
        return checked(passed(name, f"order {best}: {sweep[best]:.3f} bits/char on held-out "
                                    "text."), strict)
    if answer == max(sweep):
        return checked(hint(name, "the longest context fits the training text best but has "
                                  "seen too few of its contexts: look at held-out bits/char, "
                                  "where lower is better."), strict)
    if answer not in sweep:
        return checked(hint(name, f"{answer!r} is not one of the orders measured: "
                                  f"{sorted(sweep)}"), strict)
    return checked(hint(name, f"order {answer} scores {sweep[answer]:.3f} bits/char; is there "
                              "a lower one?"), strict)
