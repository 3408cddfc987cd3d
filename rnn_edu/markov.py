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

from rnn_edu.data import Vocab, _describe

DEFAULT_K = 0.01  # add-k constant used across the course (notebooks 01 and 04)


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

    @property
    def V(self) -> int:
        return self.vocab.size

    def distribution(self, context: str = "") -> np.ndarray:
        """P(next character | last ``order`` characters of ``context``): shape ``(V,)``, sums to 1."""
        if not isinstance(context, str):
            raise TypeError(f"context: expected str, got {_describe(context)}")
        ids = self.vocab.encode(context)  # raises ValueError on unseen characters
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
        ids = self.vocab.encode(context)
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
    if not isinstance(text, str):
        raise TypeError(f"text: expected str, got {_describe(text)}")
    if not text:
        raise ValueError("text: expected a non-empty training text, got an empty str")
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool):
        raise TypeError(f"order: expected an int >= 0, got {_describe(order)}")
    if order < 0:
        raise ValueError(f"order: expected an int >= 0, got {order}")
    if isinstance(k, bool) or not isinstance(k, (int, float, np.floating, np.integer)):
        raise TypeError(f"k: expected a number >= 0, got {_describe(k)}")
    if not np.isfinite(k) or k < 0:
        raise ValueError(f"k: expected a finite number >= 0, got {k}")
    if vocab is None:
        vocab = Vocab.from_text(text)
    elif not isinstance(vocab, Vocab):
        raise TypeError(f"vocab: expected a data.Vocab or None, got {_describe(vocab)}")
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
    return MarkovChain(vocab=vocab, order=int(order), k=float(k), tables=tuple(tables))


def max_order(V: int) -> int:
    """The largest order whose (context, next) codes, V ** (order + 1), fit in 63 bits."""
    order = 0
    while max(V, 2) ** (order + 2) < 2**62:
        order += 1
    return order


def bits_per_char(chain: MarkovChain, text: str) -> float:
    """Average number of bits the chain needs per character of ``text`` (lower is better).

    Equals ``-mean(log2 P(text[t] | history))``; a uniform model scores ``log2(V)``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected str, got {_describe(text)}")
    if not text:
        raise ValueError("text: expected a non-empty str, got an empty str")
    return float(-chain.log2_probs(text).mean()) + 0.0  # + 0.0 turns -0.0 into 0.0


def sweep_orders(
    train: str, val: str, orders, k: float = DEFAULT_K, vocab: Vocab | None = None
) -> dict[int, float]:
    """Held-out bits/char for each order: ``{order: bits_per_char(fit(train, order), val)}``."""
    vocab = Vocab.from_text(train + val) if vocab is None else vocab
    return {n: bits_per_char(fit(train, n, k, vocab), val) for n in orders}


def sample(
    chain: MarkovChain, length: int, prompt: str = "", temperature: float = 1.0, seed: int = 0
) -> str:
    """Generate ``length`` characters after ``prompt`` (the prompt is not repeated).

    temperature > 0 reshapes the distribution as ``p ** (1 / temperature)``: below 1 sharper
    (more likely characters), above 1 flatter (more surprises). Same seed, same text.
    """
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length: expected an int >= 0, got {_describe(length)}")
    check_temperature(temperature)
    if not isinstance(prompt, str):
        raise TypeError(f"prompt: expected str, got {_describe(prompt)}")
    chain.vocab.encode(prompt)  # names any character outside the alphabet
    rng = np.random.default_rng(seed)
    text = prompt
    for _ in range(length):
        p = apply_temperature(chain.distribution(text[-chain.order :] if chain.order else ""),
                              temperature)
        text += chain.vocab.chars[rng.choice(chain.V, p=p)]
    return text[len(prompt) :]


def apply_temperature(p: np.ndarray, temperature: float) -> np.ndarray:
    """``p ** (1 / temperature)`` renormalized, computed in log space so extremes stay finite."""
    check_temperature(temperature)
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or not p.size or np.any(p < 0) or not p.sum() > 0:
        raise ValueError(f"p: expected a 1-D array of probabilities with a positive sum, got {p!r:.80}")
    with np.errstate(divide="ignore", over="ignore"):
        # Subtract the largest log-probability first: the top character gets exp(0) = 1.
        logp = np.log(p)
        q = np.exp((logp - logp.max()) / temperature)
    return q / q.sum()


def check_temperature(temperature) -> None:
    if isinstance(temperature, bool) or not isinstance(
        temperature, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"temperature: expected a number > 0, got {_describe(temperature)}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature: expected a finite number > 0, got {temperature}")


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
