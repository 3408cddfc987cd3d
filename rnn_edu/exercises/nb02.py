"""Exercises of notebook 02 (hidden state): each checker says what is wrong and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import rnn, tasks
from rnn_edu.data import Vocab
from rnn_edu.exercises._feedback import (
    Feedback,
    as_number,
    call_learner,
    describe,
    exercise,
    hint,
    passed,
)


def _closer(fn, prefix: str):
    """The learner's closer for ``prefix``: ``(str, None)`` or ``(None, hint)``."""
    got, fail = call_learner(fn, prefix)
    if fail is not None:
        return None, hint(f"fn({prefix!r}): {fail.message}")
    if not isinstance(got, str):
        return None, hint(f"fn({prefix!r}) returned {describe(got)}: return a str, a closing "
                          "bracket or '' when none is open.")
    return got, None


@exercise("1. the state machine")
def check_expected_closer(fn) -> Feedback:
    """Exercise 1: ``fn(prefix) -> str``, the closer the open bracket at the end of ``prefix``
    needs (``")"``, ``"]"``, ``"}"`` or ``">"``), or ``""`` when no bracket is open."""
    cases = ["", "ab", "(", "(ab", "[a](bb", "(ab)", "(ab)[", "(a)[b]", "{ab", "<", "(ab)cd",
             "[aa]ba(b", "(a)(b)[ab"] + [p[:-1] for p in tasks.bracket_pairs(20, (1, 30),
                                                                            openers="([{<", seed=9)]
    for prefix in cases:
        expected = tasks.CLOSER.get(tasks.bracket_states(prefix)[-1], "") if prefix else ""
        got, fail = _closer(fn, prefix)
        if fail is not None:
            return fail
        if got == expected:
            continue
        msg = f"fn({prefix!r}) returned {got!r}, expected {expected!r}. "
        openers = [c for c in prefix if c in tasks.CLOSER]
        if expected == "" and openers and got == tasks.CLOSER[openers[-1]]:
            msg += "Hint: a closing bracket ends the pair, so the state goes back to 'none'."
        elif openers and got == tasks.CLOSER[openers[0]]:
            msg += "Hint: that closes the first bracket; the state is the LAST opener seen."
        elif got in tasks.CLOSER:
            msg += "Hint: return the closing bracket (e.g. ')'), not the opener."
        elif expected in ("}", ">"):
            msg += f"Hint: all four openers count, ([{{<; {expected!r} closes {openers[-1]!r}."
        else:
            msg += "Hint: walk through the prefix keeping one state: the bracket that is open."
        return hint(msg)
    return passed(f"verified on {len(cases)} prefixes, distances up to 30, all four bracket "
                  "types: one symbol of state is enough.")


@exercise("2. what a blind chain pays")
def check_blind_bits(fn) -> Feedback:
    """Exercise 2: ``fn(n_openers, distance, order) -> float``, the bits per closer of the best
    Markov chain of order ``order`` on bracket pairs at ``distance`` with ``n_openers`` equally
    likely bracket types and fillers drawn independently (0 when the opener is in view)."""
    # first a case where every suspect below gives a different number (with n_openers = 2,
    # log2(n_openers) = 1 makes a product look like a missing term)
    cases = [(3, 7, 2), (2, 5, 2), (3, 4, 1), (4, 9, 3), (3, 3, 3), (2, 2, 5), (4, 6, 5)]
    for m, d, k in cases:
        expected = np.log2(m) + np.log2(d - k) if d > k else 0.0
        result, fail = call_learner(fn, m, d, k)
        if fail is None:  # -inf at d == k is named below: a log of d - k = 0
            got, fail = as_number(result, f"fn{(m, d, k)}", finite=d > k)
        if fail is not None:
            return fail
        if np.isclose(got, expected):
            continue
        case = f"fn(n_openers={m}, distance={d}, order={k}) = {got:.4g}, expected {expected:.4g}"
        if d <= k:
            return hint(f"{case}: when distance <= order the opener is in the context, so the "
                        "chain knows the closer and when it comes: 0 bits"
                        + (" (distance == order too: test distance <= order)." if d == k else "."))
        wrong = [
            (1 + np.log2(d - k), "1 bit for which closer holds for 2 bracket types only: with "
                                 "n_openers equally likely, which one costs log2(n_openers)."),
            (np.log2(m), "that is only which closer; the chain also cannot tell when the closer "
                         "comes: the window of fillers looks the same at d - k places."),
            (np.log2(d - k), "that is only when; which of the n_openers closers also costs "
                             "log2(n_openers) bits."),
            ((np.log(m) + np.log(d - k)), "that is in nats: use log base 2."),
            (np.log2(m) + np.log2(d), "the window of k fillers can sit at d - k places, not d."),
            (np.log2(m) + np.log2(d - k + 1), "off by one: the k-character window of fillers "
                                              "fits at d - k places before the closer."),
            (m * (d - k), "bits are logarithms: log2(n_openers) + log2(d - k)."),
            (np.log2(m) * np.log2(d - k), "the bits of independent choices add: "
                                          "log2(n_openers) + log2(d - k), not their product."),
            (np.log2(m) + np.log2(d - k - 1), "off by one: the k-character window of fillers "
                                              "fits at d - k places before the closer, not "
                                              "d - k - 1."),
            (np.log2(m + 1) + np.log2(d - k), "'no bracket open' is not a closer: which closer "
                                              "is one of n_openers."),
        ]
        return next((hint(f"{case}: {msg}") for value, msg in wrong if np.isclose(got, value)),
                    hint(f"{case}. Hint: section 3's 1 + log2(d - k) is which closer (1 bit of 2) "
                         "plus when (log2(d - k))."))
    return passed(f"verified on {len(cases)} cases: log2(n_openers) bits for which closer plus "
                  "log2(d - k) for when, and 0 once the opener is in view.")


@exercise("3. a hand-set RNN for three bracket types")
def check_latch(params, vocab: Vocab) -> Feedback:
    """Exercise 3: hand-set ``params`` (an :class:`~rnn_edu.rnn.RNNParams` over ``vocab``) so
    that the RNN predicts every closer of bracket pairs with openers ``"([{"`` at any distance:
    at each closer, the closer's logit is the largest of the three closers' logits."""
    if not isinstance(params, rnn.RNNParams):
        return hint(f"expected RNNParams, got {type(params).__name__}.")
    if not isinstance(vocab, Vocab):
        return hint(f"vocab: expected a Vocab, got {describe(vocab)}.")
    bad = [k for k, v in params.as_dict().items() if not np.all(np.isfinite(v))]
    if bad:
        return hint(f"{', '.join(bad)} hold NaN or inf: use finite weights.")
    if not set("([{)]}") <= set(vocab.chars):
        return hint(f"the vocabulary must contain all six brackets, has "
                                  f"{''.join(vocab.chars)!r}.")
    if params.input_size != vocab.size or params.output_size != vocab.size:
        return hint(f"W_xh needs one row per character, shape ({vocab.size}, "
                                  f"hidden), and W_hy one column per character, shape (hidden, "
                                  f"{vocab.size}); got W_xh {params.W_xh.shape}, W_hy "
                                  f"{params.W_hy.shape}.")
    fillers = "".join(c for c in vocab.chars if c not in "()[]{}<>")
    if not fillers:
        return hint(f"the vocabulary needs filler characters besides the brackets, "
                                  f"has {''.join(vocab.chars)!r}.")
    closers = ")]}"
    closer_ids = vocab.encode(closers)
    for lo, hi in [(1, 3), (4, 15), (16, 60)]:
        text = "".join(tasks.bracket_pairs(60, (lo, hi), openers="([{", fillers=fillers, seed=lo))
        y = rnn.forward(params, vocab.encode(text)[None]).y[0]
        positions, truth = tasks.closer_targets(text)
        # the prediction for the closer at p is the output one step earlier, over the 3 closers
        logits = y[positions - 1][:, closer_ids]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        right = np.array([closers.index(c) for c in truth])
        p_right = p[np.arange(len(right)), right]
        # each pair starts right after the previous closer
        distance = positions - np.concatenate([[-1], positions[:-1]]) - 1
        short = distance == distance.min()
        wrong = np.flatnonzero(np.argmax(logits, axis=1) != right)
        failing = len(wrong) or p_right.min() < 0.9
        if failing and params.hidden_size == 1:
            return hint(f"at distances {lo}..{hi} some closers are wrong or unsure: one unit has "
                        "at most two stable states (section 5), too few for three openers. Use "
                        "3 units, one per opener.")
        off_diagonal = params.W_hh - np.diag(np.diag(params.W_hh))
        if failing and off_diagonal.max() > 0.5:
            return hint(f"at distances {lo}..{hi} some closers are wrong or unsure, and W_hh has "
                        f"large positive entries off its diagonal (up to {off_diagonal.max():.2g}):"
                        " they turn the other openers' units on. The self-connections go on the "
                        "diagonal (e.g. 2 * np.eye(3)), the rest 0.")
        if failing and _previous_pair_lingers(params, vocab, fillers):
            return hint(f"at distances {lo}..{hi} some closers are wrong or unsure, and a "
                        "bracket right after another pair is the problem: the previous opener's "
                        "unit is still on. Each opener must also push the OTHER openers' units "
                        "negative (a negative entry in their columns of its W_xh row).")
        if len(wrong):
            i = wrong[0]
            msg = (f"at distances {lo}..{hi}, {len(wrong)} of {len(truth)} closers are wrong "
                   f"(e.g. {closers[np.argmax(logits[i])]!r} where {truth[i]!r} belongs). ")
            if not short[wrong].any():  # the shortest distances work, longer ones do not
                msg += ("Short distances work, so the state is lost over the fillers: give each "
                        "unit a self-connection in W_hh (above 1, so tanh(w h) keeps a value away "
                        "from 0), and zero input weights for the fillers.")
            else:
                msg += ("Hint: each opener's row of W_xh should push the state to its own corner, "
                        "and W_hy should give the matching closer the largest logit there.")
            return hint(msg)
        if p_right.min() < 0.9:
            msg = (f"at distances {lo}..{hi} every closer is ranked first, but the right one "
                   f"gets as little as p = {p_right.min():.2f} among the three closers (we ask "
                   f">= 0.9). ")
            if p_right[short].min() >= 0.9:
                msg += ("Hint: the state fades over the fillers: with a self-connection w <= 1, "
                        "tanh(w h) shrinks h towards 0. Use w > 1 (e.g. 2).")
            else:
                msg += "Hint: scale up W_hy so that the logits differ by a few units."
            return hint(msg)
    return passed(f"verified with rnn.forward on 180 bracket pairs at distances 1 to 60: every "
                  f"closer ranked first with p >= 0.9, using {params.hidden_size} hidden unit(s).")


def _previous_pair_lingers(params, vocab: Vocab, fillers: str) -> bool:
    """True when a closer is predicted well after a fresh start but not after another pair."""
    closers, f = ")]}", fillers[0] * 3
    closer_ids = vocab.encode(closers)

    def p_right(text: str, closer: str) -> float:
        logits = rnn.forward(params, vocab.encode(text)[None]).y[0, -1, closer_ids]
        p = np.exp(logits - logits.max())
        return float(p[closers.index(closer)] / p.sum())

    for first in "([{":
        for second in "([{".replace(first, ""):
            closer = tasks.CLOSER[second]
            alone = p_right(second + f, closer)
            after = p_right(first + f + tasks.CLOSER[first] + second + f, closer)
            if alone >= 0.9 and after < 0.9:
                return True
    return False


def _nested(prefix: str, *, pop: str = "last", top: int = -1, types: str = "([{<") -> str:
    """The closer the innermost open bracket of ``prefix`` needs (``""`` when none is open);
    the keyword arguments make one part wrong on purpose, to recognize a learner's mistake."""
    stack: list[str] = []
    for c in prefix:
        if c in types:
            stack.append(c)
        elif c in tasks.CLOSER.values() and stack:
            if pop == "last":
                stack.pop()
            elif pop == "first":
                stack.pop(0)
    return tasks.CLOSER[stack[top]] if stack else ""


def _nested_cases() -> list[str]:
    rng = np.random.default_rng(11)
    cases = ["", "a", "(", "([", "([]", "([])", "([]a", "(a[b]c", "{[(a)]", "{[(a)]}", "<(a)(b",
             "((()", "[{}(", "<{[a]b}c", "([{<>}])", "(ab[cd{e}f"]
    for _ in range(40):  # random well-nested prefixes, depth up to 5
        text, stack = "", []
        for _ in range(rng.integers(1, 25)):
            r = rng.random()
            if r < 0.35 and len(stack) < 5:
                stack.append("([{<"[rng.integers(4)])
                text += stack[-1]
            elif r < 0.6 and stack:
                text += tasks.CLOSER[stack.pop()]
            else:
                text += "ab"[rng.integers(2)]
        cases.append(text)
    return cases


@exercise("4. nested brackets")
def check_nested_closer(fn) -> Feedback:
    """Exercise 4: ``fn(prefix) -> str``, the closer the innermost open bracket of a
    well-nested ``prefix`` needs (``")"``, ``"]"``, ``"}"``, ``">"``), or ``""`` when none is."""
    cases = _nested_cases()
    answers = []
    for prefix in cases:
        got, fail = _closer(fn, prefix)
        if fail is not None:
            return fail
        answers.append(got)
    expected = [_nested(c) for c in cases]
    if answers == expected:
        return passed(f"verified on {len(cases)} nested prefixes, depth up to 5: a stack, "
                      "pushed by openers and popped by closers.")
    if answers == [tasks.CLOSER.get(tasks.bracket_states(c)[-1], "") if c else "" for c in cases]:
        return hint("that is exercise 1's state machine: after '([]' a closer has ended '[', and "
                    "'(' is open again. Keep a stack of open brackets: push on an opener, pop on "
                    "a closer.")
    variants = [
        (dict(pop="never"), "closers must pop the stack: after '([]' the innermost open "
                            "bracket is '(' again."),
        (dict(pop="first"), "a closer ends the most recent open bracket (last in, first out): "
                            "pop from the end of the list, stack.pop()."),
        (dict(top=0), "the innermost bracket is the top of the stack, stack[-1], not the "
                      "outermost stack[0]."),
        (dict(types="("), "all four bracket types count: ([{<."),
        (dict(types="(["), "all four bracket types count: ([{<."),
    ]
    for changes, message in variants:
        if answers == [_nested(c, **changes) for c in cases]:
            return hint(message)
    i = next(i for i, (a, e) in enumerate(zip(answers, expected, strict=True)) if a != e)
    msg = f"fn({cases[i]!r}) returned {answers[i]!r}, expected {expected[i]!r}. "
    if answers[i] in tasks.CLOSER:
        msg += "Return the closing bracket (e.g. ')'), not the opener."
    elif all(a in ("", ")") for a in answers):
        msg += ("A count of open brackets says how many are open, not which: keep the "
                "brackets themselves on a stack.")
    else:
        msg += "Keep a list as a stack: append on an opener, pop on a closer, read the last."
    return hint(msg)
