"""Claims of notebooks 01 and 02 that rest on the corpus or on a random draw, re-run.

Notebook 01 explains why its validation text is cheaper than its training text at order 1 (not
at order 0): most of it is one page, ``formatstrings``, laid out with runs of spaces and of
dashes, which an order-1 chain predicts cheaply. The held-out topics are chosen by name,
so the claims are checked on every changed set of topics of ``test_claims_corpus``.

Notebook 02 measures, on 1000 bracket pairs at distances 1..200 (seed 3), that an open bracket's
chance to close next grows with its age (the state alone is not a Markov chain), and scores the
hand-set latch for three self-weights, plain and with a nudge on every filler.
"""

import numpy as np
import pytest

from rnn_edu import data, markov, rnn, tasks
from rnn_edu.data import Vocab
from tests.claims.conftest import SEEDS
from tests.claims.test_claims_corpus import KINDS, variant

pytestmark = pytest.mark.claims


def kinds(s):
    """Notebook 01's kinds of s[1:]: a space after a space, a dash after a dash, the rest."""
    chars = np.array(list(s))
    repeat = chars[1:] == chars[:-1]
    return np.where(repeat & (chars[1:] == " "), "space",
                    np.where(repeat & (chars[1:] == "-"), "dash", "other"))


def test_nb01_validation_text_is_cheap_at_order_1(claim):
    m = {}
    for kind in KINDS:
        topics = variant(kind)
        train, val = data.topic_split(topics)
        vocab = Vocab.from_text("\n\n".join(topics.values()))
        chains = {n: markov.fit(train, n, markov.DEFAULT_K, vocab) for n in (0, 1)}
        bpc = {(n, name): markov.bits_per_char(chains[n], part)
               for n in (0, 1) for name, part in (("train", train), ("val", val))}
        share, cost = {}, {}
        for name, part in (("train", train), ("val", val)):
            k, bits = kinds(part), -chains[1].log2_probs(part)[1:]
            share[name] = {x: np.mean(k == x) for x in ("space", "dash", "other")}
            cost[name] = {x: bits[k == x].mean() for x in ("space", "dash", "other")}
        m[kind] = {
            "order 0: validation costs more than training": bpc[0, "val"] - bpc[0, "train"],
            "order 1: validation costs less than training": bpc[1, "train"] - bpc[1, "val"],
            "formatstrings is more than half the validation text":
                len(topics["formatstrings"]) / len(val) - 0.5,
            "the rest of validation costs more than training's (order 1)":
                cost["val"]["other"] - cost["train"]["other"],
            "validation with training's share of runs costs more than training (order 1)":
                sum(share["train"][x] * cost["val"][x] for x in share["train"]) - bpc[1, "train"],
        }
        for x, c in (("space", " "), ("dash", "-")):
            p = chains[1].distribution(c)
            m[kind][f"{x}: the likeliest after itself (p margin)"] = p[vocab.encode(c)[0]] - np.sort(p)[-2]
            m[kind][f"{x}: validation has > 1.5x training's share of runs"] = (
                share["val"][x] - 1.5 * share["train"][x])
            m[kind][f"{x}: a run costs < 1/1.5 of the rest (order 1)"] = (
                cost["val"]["other"] / 1.5 - cost["val"][x])
    for what in m[KINDS[0]]:
        claim(f"nb01 {what}", {k: m[k][what] for k in KINDS}, over="corpora", at_least=len(KINDS))


VOCAB = Vocab.from_text("()[]abcd")


def latch(w_hh, w_fill=0.0):
    W_xh = np.zeros((VOCAB.size, 1))
    W_xh[VOCAB.encode("abcd")] = w_fill
    W_xh[VOCAB.encode("([")] = [[4.0], [-4.0]]
    W_hy = np.zeros((1, VOCAB.size))
    W_hy[0, VOCAB.encode(")]")] = [4.0, -4.0]
    return rnn.RNNParams(W_xh=W_xh, W_hh=np.array([[w_hh]]), b_h=np.zeros(1), W_hy=W_hy,
                         b_y=np.zeros(VOCAB.size))


def right_minus_wrong(params, text):
    """Logit of the right closer minus the wrong one's, one step before each closer."""
    pos, truth = tasks.closer_targets(text)
    y = rnn.forward(params, VOCAB.encode(text)[None]).y[0, pos - 1][:, VOCAB.encode(")]")]
    sign = np.where(np.array(truth) == ")", 1.0, -1.0)
    return sign * (y[:, 0] - y[:, 1])


def bits_per_closer(margin):
    return np.mean(np.logaddexp(0, -margin)) / np.log(2)


@pytest.fixture(scope="module")
def texts():
    return {s: "".join(tasks.bracket_pairs(1000, (1, 200), seed=3 + s)) for s in SEEDS}


def closing_chances(text, bands=((0, 39), (160, 199))):
    """P(the open bracket closes next | it is open after lo-hi fillers), for each band (lo, hi)."""
    states = tasks.bracket_states(text)
    age = np.zeros(len(text), dtype=np.int64)
    for t in range(1, len(text)):
        age[t] = age[t - 1] + 1 if text[t - 1] in "abcd" else 0
    was_open = np.array(["", *states[:-1]]) != ""
    closes = np.array(states) == ""
    return [closes[was_open & (age >= lo) & (age <= hi)].mean() for lo, hi in bands]


def test_nb02_closing_chance_grows_with_age(texts, claim):
    margins = {}
    for s, text in texts.items():
        early, late = closing_chances(text)
        margins[s] = late - 4 * early
    claim("nb02 P(close | open, 160-199 fillers) > 4 x P(close | open, 0-39 fillers)", margins)


def test_nb02_closing_chance_matches_the_uniform_model(texts, claim):
    bands = ((0, 39), (160, 199))
    model = [(hi - lo + 1) / np.sum(200 - np.arange(lo, hi + 1)) for lo, hi in bands]  # 1 / (200 - k), pooled
    margins = {s: 0.3 - max(abs(m / p - 1) for m, p in zip(closing_chances(text, bands), model, strict=True))
               for s, text in texts.items()}
    claim("nb02 P(close | open, k fillers) within 30% of the model 1 / (200 - k), pooled", margins)


def test_nb02_self_weights(texts, claim):
    m = {s: {w: right_minus_wrong(latch(w), t) for w in (2.0, 0.5, 0.1)} for s, t in texts.items()}
    for w in (2.0, 0.5, 0.1):
        claim(f"nb02 W_hh = {w}: every closer right (smallest logit margin)",
              {s: m[s][w].min() for s in SEEDS})
    claim("nb02 W_hh = 2: < 0.01 bits per closer", {s: 0.01 - bits_per_closer(m[s][2.0]) for s in SEEDS})
    claim("nb02 W_hh = 0.5 and 0.1: > 0.9 bits per closer",
          {s: min(bits_per_closer(m[s][0.5]), bits_per_closer(m[s][0.1])) - 0.9 for s in SEEDS})


def test_nb02_nudged_fillers(texts, claim):
    m = {s: {w: right_minus_wrong(latch(w, w_fill=-0.01), t) for w in (2.0, 0.5, 0.1)}
         for s, t in texts.items()}
    claim("nb02 nudged, W_hh = 2: every closer right (smallest logit margin)",
          {s: m[s][2.0].min() for s in SEEDS})
    claim("nb02 nudged, W_hh = 0.5 and 0.1: accuracy < 0.6",
          {s: 0.6 - max(np.mean(m[s][0.5] > 0), np.mean(m[s][0.1] > 0)) for s in SEEDS})


def test_nb02_one_bit_next_to_the_diagonal(claim):
    margins = {}
    for s in SEEDS:
        worst = 0.0
        for n in range(1, 7):
            train = "".join(tasks.bracket_pairs(4000, n + 1, fillers="ab", seed=1 + 2 * s))
            test = "".join(tasks.bracket_pairs(500, n + 1, fillers="ab", seed=2 + 2 * s))
            pos, _ = tasks.closer_targets(test)
            worst = max(worst, abs(-markov.fit(train, n, vocab=VOCAB).log2_probs(test)[pos].mean() - 1))
        margins[s] = 0.05 - worst
    claim("nb02 at d = n + 1 the chain pays 1 bit per closer, to within 0.05", margins)
