"""Character n-gram Markov chains: counting, add-k smoothing, sampling, bits per character.

A chain of order ``n`` predicts the next character from the previous ``n`` only::

    P(c | context) = (count(context, c) + k) / (count(context) + k * V)

with ``V`` the vocabulary size and ``k`` the add-k smoothing constant.

Policies, chosen so that every text gets a number and the rules stay simple:

- A context shorter than ``n`` (the start of a text, an empty prompt) or never seen in training
  *backs off*: the chain uses the longest suffix of it that was seen in training, down to order
  0 (plain character frequencies). The chain stores the counts of every order ``0..n`` for this.
  Without backing off, one unseen context would give a flat distribution, and a sample that
  wanders into one would stay in gibberish.
- With ``k = 0`` a continuation never seen after a seen context has probability 0, so held-out
  text that contains one costs infinitely many bits: the reason to smooth.
- A character that is not in the vocabulary is an error (``ValueError`` naming it). Build the
  vocabulary from the whole corpus so validation text is covered.

Counting is vectorized: each context of ``j`` characters is one integer in base ``V``, and
``np.unique`` counts all of them at once; lookups are binary searches (``np.searchsorted``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_edu import _checks as C
from rnn_edu.data import Vocab

DEFAULT_K = 0.01  # add-k constant used across the course (notebooks 01 and 04)
#: The longest sample :func:`sample` generates (about a second per 30,000 characters).
MAX_SAMPLE_LENGTH = 100_000


@dataclass(frozen=True)
class _Counts:
    """Counts for one order ``j``: sorted context codes and sorted (context, next) codes."""

    context_keys: np.ndarray  # (n_contexts,) int64, sorted
    context_counts: np.ndarray  # (n_contexts,) int64
    pair_keys: np.ndarray  # (n_pairs,) int64 = context * V + next, sorted
    pair_counts: np.ndarray  # (n_pairs,) int64


@dataclass(frozen=True)
class MarkovChain:
    """A fitted chain. ``tables[j]`` holds the counts of order ``j`` for ``j = 0..order``."""

    vocab: Vocab
    order: int
    k: float
    tables: tuple[_Counts, ...]

    def __post_init__(self) -> None:
        C.require_instance("vocab", self.vocab, Vocab)
        C.require_int("order", self.order, min=0)
        C.require_real("k", self.k, min=0)
        if not (isinstance(self.tables, tuple) and len(self.tables) == self.order + 1
                and all(isinstance(t, _Counts) for t in self.tables)):
            raise TypeError(f"tables: expected the order + 1 = {self.order + 1} count tables "
                            f"that markov.fit builds, got {C.describe(self.tables)}")

    @property
    def V(self) -> int:
        return self.vocab.size

    def distribution(self, context: str = "") -> np.ndarray:
        """P(next character | last ``order`` characters of ``context``): shape ``(V,)``, sums to 1."""
        ids = self.vocab._encode(context, "context")  # ValueError naming an unseen character
        V = self.V
        for j in range(min(self.order, len(ids)), -1, -1):  # back off to a seen suffix
            table = self.tables[j]
            code = _code(ids[len(ids) - j :], V)
            lo, hi = np.searchsorted(table.pair_keys, [code * V, (code + 1) * V])
            if hi > lo or j == 0:
                break
        counts = np.zeros(V)
        counts[table.pair_keys[lo:hi] - code * V] = table.pair_counts[lo:hi]
        total = counts.sum()
        if total + self.k * V == 0:  # only with an empty training table and k = 0
            return np.full(V, 1.0 / V)
        return (counts + self.k) / (total + self.k * V)

    def context_order(self, context: str) -> int:
        """The order actually used after ``context``: its longest suffix seen in training."""
        ids = self.vocab._encode(context, "context")
        for j in range(min(self.order, len(ids)), 0, -1):
            code = _code(ids[len(ids) - j :], self.V)
            if _lookup(self.tables[j].context_keys, self.tables[j].context_counts,
                       np.array([code]))[0] > 0:
                return j
        return 0

    def log2_probs(self, text: str) -> np.ndarray:
        """log2 P(text[t] | text[:t]) for every position t: shape ``(len(text),)``."""
        ids = self.vocab.encode(text)
        positions = np.arange(len(ids))
        V = self.V
        pair_n = np.zeros(len(ids), dtype=np.int64)
        context_n = np.zeros(len(ids), dtype=np.int64)
        codes = np.zeros(len(ids), dtype=np.int64)  # the j characters before each position
        for j in range(self.order + 1):
            if j > 0:
                codes[j:] += ids[: max(len(ids) - j, 0)] * V ** (j - 1)
            table = self.tables[j]
            n_ctx = _lookup(table.context_keys, table.context_counts, codes)
            # Longer seen contexts overwrite shorter ones: the longest seen suffix wins.
            use = (positions >= j) & ((n_ctx > 0) | (j == 0))
            context_n[use] = n_ctx[use]
            pair_n[use] = _lookup(table.pair_keys, table.pair_counts, codes[use] * V + ids[use])
        with np.errstate(divide="ignore", invalid="ignore"):
            p = (pair_n + self.k) / (context_n + self.k * V)
            return np.log2(np.where(context_n + self.k * V > 0, p, 1.0 / V))


def fit(text: str, order: int, k: float = DEFAULT_K, vocab: Vocab | None = None) -> MarkovChain:
    """Count every context of ``0..order`` characters in ``text`` and the character after it.

    text: training text (non-empty str); order: int >= 0; k: add-k smoothing, float >= 0;
    vocab: the alphabet (default: the characters of ``text``).
    """
    C.require_text("text", text, min_len=1)
    order = C.require_int("order", order, min=0)
    k = C.require_real("k", k, min=0)
    vocab = Vocab.from_text(text) if vocab is None else C.require_instance(
        "vocab", vocab, Vocab, "a data.Vocab or None")
    V = vocab.size
    if order > max_order(V):
        raise ValueError(
            f"order: {order} is too large for a vocabulary of {V} characters "
            f"(contexts would not fit in 64-bit codes); use order <= {max_order(V)}"
        )
    ids = vocab.encode(text)
    tables = []
    codes = np.zeros(len(ids), dtype=np.int64)  # codes[t] = the j characters before t, base V
    for j in range(order + 1):
        if j > 0:
            codes = codes[1:] + ids[: max(len(ids) - j, 0)] * V ** (j - 1)
        nexts = ids[j:]
        if len(nexts) == 0:  # text shorter than the order: no context of this length
            empty = np.zeros(0, dtype=np.int64)
            tables.append(_Counts(empty, empty, empty, empty))
            continue
        context_keys, context_counts = np.unique(codes, return_counts=True)
        pair_keys, pair_counts = np.unique(codes * V + nexts, return_counts=True)
        tables.append(_Counts(context_keys, context_counts, pair_keys, pair_counts))
    return MarkovChain(vocab=vocab, order=order, k=k, tables=tuple(tables))


def max_order(V: int) -> int:
    """The largest order whose (context, next) codes, V ** (order + 1), fit in 63 bits."""
    V = C.require_int("V", V, min=1)
    order = 0
    while max(V, 2) ** (order + 2) < 2**62:
        order += 1
    return order


def bits_per_char(chain: MarkovChain, text: str) -> float:
    """Average number of bits the chain needs per character of ``text`` (lower is better).

    Equals ``-mean(log2 P(text[t] | history))``; a uniform model scores ``log2(V)``.
    """
    C.require_instance("chain", chain, MarkovChain)
    C.require_text("text", text, min_len=1)
    return float(-chain.log2_probs(text).mean()) + 0.0  # + 0.0 turns -0.0 into 0.0


def sweep_orders(
    train: str, val: str, orders, k: float = DEFAULT_K, vocab: Vocab | None = None
) -> dict[int, float]:
    """Held-out bits/char for each order: ``{order: bits_per_char(fit(train, order), val)}``.

    orders: a list (or range) of ints >= 0; vocab: default the characters of ``train + val``.
    """
    C.require_text("train", train, min_len=1)
    C.require_text("val", val, min_len=1)
    C.require_instance("orders", orders, (list, tuple, range), "a list of orders (ints >= 0)")
    orders = [C.require_int(f"orders[{i}]", n, min=0) for i, n in enumerate(orders)]
    vocab = Vocab.from_text(train + val) if vocab is None else vocab
    return {n: bits_per_char(fit(train, n, k, vocab), val) for n in orders}


def sample(
    chain: MarkovChain, length: int, prompt: str = "", temperature: float = 1.0, seed: int = 0
) -> str:
    """Generate ``length`` characters after ``prompt`` (the prompt is not repeated).

    temperature > 0 reshapes the distribution as ``p ** (1 / temperature)``: below 1 sharper
    (more likely characters), above 1 flatter (more surprises). Same seed, same text.
    length: 0 to :data:`MAX_SAMPLE_LENGTH`.
    """
    C.require_instance("chain", chain, MarkovChain)
    length = C.require_int("length", length, min=0, max=MAX_SAMPLE_LENGTH,
                           why="longer samples take minutes")
    check_temperature(temperature)
    chain.vocab._encode(prompt, "prompt")  # names any character outside the alphabet
    rng = np.random.default_rng(C.require_seed("seed", seed))
    text = prompt
    for _ in range(length):
        p = apply_temperature(chain.distribution(text[-chain.order :] if chain.order else ""),
                              temperature)
        text += chain.vocab.chars[rng.choice(chain.V, p=p)]
    return text[len(prompt) :]


def apply_temperature(p: np.ndarray, temperature: float) -> np.ndarray:
    """``p ** (1 / temperature)`` renormalized, computed in log space so extremes stay finite."""
    check_temperature(temperature)
    p = C.require_array("p", p, shape=("V",), nonempty=True)
    if np.any(p < 0) or not p.sum() > 0:
        raise ValueError(f"p: expected probabilities (>= 0) with a positive sum, got {p!r:.80}")
    with np.errstate(divide="ignore", over="ignore"):
        # Subtract the largest log-probability first: the top character gets exp(0) = 1.
        logp = np.log(p)
        q = np.exp((logp - logp.max()) / temperature)
    return q / q.sum()


def check_temperature(temperature) -> float:
    """``temperature`` as a float, if it is a finite number > 0."""
    return C.require_real("temperature", temperature, above=0)


def _code(ids: np.ndarray, V: int) -> int:
    code = 0
    for i in ids:
        code = code * V + int(i)
    return code


def _lookup(keys: np.ndarray, counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """counts[keys == q] for each query, 0 where the key is absent."""
    if keys.size == 0:
        return np.zeros(len(queries), dtype=np.int64)
    idx = np.minimum(np.searchsorted(keys, queries), keys.size - 1)
    return np.where(keys[idx] == queries, counts[idx], 0)
