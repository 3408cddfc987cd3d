"""Exercises of notebook 02 (hidden state): each checker says what is wrong and hints why."""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import rnn, tasks
from rnn_edu.data import Vocab
from rnn_edu.exercises._feedback import Feedback, call_learner, checked, hint, passed


def check_expected_closer(fn, strict: bool = False) -> Feedback:
    """Exercise 1: ``fn(prefix) -> str``, the closer the open bracket at the end of ``prefix``
    needs (``")"``, ``"]"``, ``"}"`` or ``">"``), or ``""`` when no bracket is open."""
    name = "1. the state machine"
    cases = ["", "ab", "(", "(ab", "[a](bb", "(ab)", "(ab)[", "(a)[b]", "{ab", "<", "(ab)cd",
             "[aa]ba(b", "(a)(b)[ab"] + [p[:-1] for p in tasks.bracket_pairs(20, (1, 30),
                                                                            openers="([{<", seed=9)]
    for prefix in cases:
        expected = tasks.CLOSER.get(tasks.bracket_states(prefix)[-1], "") if prefix else ""
        got, fail = call_learner(name, fn, prefix, label=f"fn({prefix!r})")
        if fail is not None:
            return checked(fail, strict)
        if isinstance(got, str) and got == expected:
            continue
        if not isinstance(got, str):
            return checked(hint(name, f"fn({prefix!r}) returned {got!r}: return a str, a closing "
                                      "bracket or '' when none is open."), strict)
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
        return checked(hint(name, msg), strict)
    return checked(passed(name, f"right on all {len(cases)} prefixes, whatever the distance: "
                                "one symbol of state is enough."), strict)


def check_contexts_needed(fn, strict: bool = False) -> Feedback:
    """Exercise 2: ``fn(distance, n_openers, n_fillers) -> int``, how many different contexts a
    Markov chain of order ``distance`` must have seen to predict every closer of bracket pairs
    at that distance (contexts it has never seen give it no counts to go on)."""
    name = "2. contexts a Markov chain needs"
    for d, m, f in [(1, 2, 4), (3, 2, 4), (5, 2, 2), (4, 3, 5), (6, 4, 3)]:
        expected = m * f ** (d - 1)
        got, fail = call_learner(name, fn, d, m, f, label=f"fn{(d, m, f)}")
        if fail is not None:
            return checked(fail, strict)
        if C.is_real(got) and got == expected:
            continue
        msg = f"fn(distance={d}, n_openers={m}, n_fillers={f}) = {got!r:.60}, expected {expected}. "
        if got is None:
            msg += "Hint: your function returns None: did you forget `return`?"
        elif not C.is_real(got):
            msg += "Hint: return one number, a count."
        elif got == f ** (d - 1):
            msg += "Hint: that counts the fillers; the context also holds one of n_openers openers."
        elif got == f**d or got == m * f**d:
            msg += "Hint: the context is the opener followed by distance - 1 fillers."
        elif got == (m + f) ** d or got == (2 * m + f) ** d:
            msg += ("Hint: that counts every string over the alphabet; in this task a context "
                    "before a closer is one opener, then fillers.")
        elif got == m + f ** (d - 1) or got == m * (d - 1) * f:
            msg += "Hint: each position is chosen independently, so multiply the choices."
        else:
            msg += "Hint: count the choices for each of the d characters and multiply."
        return checked(hint(name, msg), strict)
    return checked(passed(name, "exponential in the distance, while the state machine needs "
                                "n_openers + 1 states."), strict)


def check_latch(params, vocab: Vocab, strict: bool = False) -> Feedback:
    """Exercise 3: hand-set ``params`` (an :class:`~rnn_edu.rnn.RNNParams` over ``vocab``) so
    that the RNN predicts every closer of bracket pairs with openers ``"([{"`` at any distance:
    at each closer, the closer's logit is the largest of the three closers' logits."""
    name = "3. a hand-set RNN for three bracket types"
    if not isinstance(params, rnn.RNNParams):
        return checked(hint(name, f"expected RNNParams, got {type(params).__name__}."), strict)
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab: expected a Vocab, got {type(vocab).__name__}")
    bad = [k for k, v in params.as_dict().items() if not np.all(np.isfinite(v))]
    if bad:
        return checked(hint(name, f"{', '.join(bad)} hold NaN or inf: use finite weights."), strict)
    if not set("([{)]}") <= set(vocab.chars):
        return checked(hint(name, f"the vocabulary must contain all six brackets, has "
                                  f"{''.join(vocab.chars)!r}."), strict)
    if params.input_size != vocab.size or params.output_size != vocab.size:
        return checked(hint(name, f"W_xh needs one row per character, shape ({vocab.size}, "
                                  f"hidden), and W_hy one column per character, shape (hidden, "
                                  f"{vocab.size}); got W_xh {params.W_xh.shape}, W_hy "
                                  f"{params.W_hy.shape}."), strict)
    fillers = "".join(c for c in vocab.chars if c not in "()[]{}<>")
    if not fillers:
        return checked(hint(name, f"the vocabulary needs filler characters besides the brackets, "
                                  f"has {''.join(vocab.chars)!r}."), strict)
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
            return checked(hint(name, msg), strict)
        if p_right.min() < 0.9:
            msg = (f"at distances {lo}..{hi} every closer is ranked first, but the right one "
                   f"gets as little as p = {p_right.min():.2f} among the three closers (we ask "
                   f">= 0.9). ")
            if p_right[short].min() >= 0.9:
                msg += ("Hint: the state fades over the fillers: with a self-connection w <= 1, "
                        "tanh(w h) shrinks h towards 0. Use w > 1 (e.g. 2).")
            else:
                msg += "Hint: scale up W_hy so that the logits differ by a few units."
            return checked(hint(name, msg), strict)
    return checked(passed(name, f"all closers right up to distance 60, with "
                                f"{params.hidden_size} hidden unit(s)."), strict)
