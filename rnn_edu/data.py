"""Text corpora, vocabularies, train/validation splits and batches.

The course's text comes from packages that are already installed, never from the network:
``pydoc_data.topics`` ships with every CPython and holds about 465k characters of English
technical prose (the help pages of Python's keywords and topics). The time series of notebook 06
is statsmodels' ``elnino`` data set, read from the CSV file inside the installed package.
"""

from __future__ import annotations

import importlib.util
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn_edu import _checks as C


def _topics() -> dict[str, str]:
    from pydoc_data.topics import topics

    return {key: topics[key].replace("\t", "    ") for key in sorted(topics)}


def load_corpus(name: str = "pydoc", max_chars: int | None = None) -> str:
    """Return a text corpus that is installed with Python.

    name: ``"pydoc"``, the help topics of ``pydoc_data.topics`` joined in sorted key order
    (deterministic), with runs of spaces kept and tabs turned into spaces.
    max_chars: keep only the first ``max_chars`` characters (``None`` keeps all).
    """
    C.require_choice("name", name, ("pydoc",))
    max_chars = C.require_int("max_chars", max_chars, min=1, optional=True)
    text = "\n\n".join(_topics().values())
    return text if max_chars is None else text[:max_chars]


def is_validation_topic(key: str) -> bool:
    """True when topic ``key`` belongs to the held-out split: ``zlib.crc32(key) % 10 == 0``.

    The rule looks only at the key, so it is the same on every Python: a topic that a newer
    Python adds or rewrites never moves from validation into training.
    """
    C.require_text("key", key, min_len=1)
    return zlib.crc32(key.encode()) % 10 == 0


#: A held-out topic is dropped when more than COPIED of its SPAN-character windows (one starting
#: every STEP characters) occur verbatim in the training text.
SPAN, STEP, COPIED = 200, 50, 0.5


def copied_fraction(text: str, source: str, span: int = SPAN, step: int = STEP) -> float:
    """The fraction of ``text``'s ``span``-character windows that occur verbatim in ``source``.

    The windows start at ``0, step, 2 step, ...`` (each one whole); a ``text`` shorter than
    ``span`` is one window, itself. 1.0 means ``text`` is a copy of parts of ``source``.
    """
    C.require_text("text", text, min_len=1)
    C.require_text("source", source)
    span = C.require_int("span", span, min=1)
    step = C.require_int("step", step, min=1)
    starts = range(0, max(len(text) - span, 0) + 1, step)
    return sum(text[s:s + span] in source for s in starts) / len(starts)


def _require_topics(topics: dict[str, str] | None) -> dict[str, str]:
    if topics is None:
        return _topics()
    C.require_instance("topics", topics, dict, "a dict {key: text}")
    for key, text in topics.items():
        C.require_text("topics' keys", key, min_len=1)
        C.require_text(f"topics[{key!r}]", text, min_len=1)
    return topics


def held_out_topics(topics: dict[str, str] | None = None) -> dict[str, float]:
    """Each topic the key rule holds out, with its :func:`copied_fraction` in the training text.

    topics: ``{key: text}``; ``None`` is this Python's help topics (:func:`load_corpus`'s, in
    sorted key order). Another dict (another Python's, or a changed one) is used in its order.
    Returns ``{key: fraction}`` in that order. The training text is every topic the key rule
    keeps, joined like :func:`load_corpus`. Python's help pages copy some topics into others
    (``attribute-access`` and ``context-managers`` are parts of ``specialnames``): a fraction
    above ``COPIED`` marks such a copy, which :func:`topic_split` leaves out of validation.
    """
    topics = _require_topics(topics)
    train_text = "\n\n".join(t for k, t in topics.items() if not is_validation_topic(k))
    return {k: copied_fraction(t, train_text) for k, t in topics.items() if is_validation_topic(k)}


def topic_split(topics: dict[str, str] | None = None) -> tuple[str, str]:
    """The corpus split by topic: ``(train_text, val_text)``, each joined like :func:`load_corpus`.

    topics: as in :func:`held_out_topics` (``None``: this Python's help topics).

    Training: every topic with ``zlib.crc32(key) % 10 != 0`` (:func:`is_validation_topic`).
    Validation: the other topics, except those copied in the training text: a topic more than
    half of whose 200-character windows (one every 50 characters) occur verbatim in the
    training text is in neither set (:func:`held_out_topics`). Both rules read the text or
    the key, never the Python version, so they are the same on 3.11, 3.12 and 3.13; dropping a
    copy never changes the training text. On Python 3.11, 3 of the 79 topics are validation,
    about 6% of the characters (``attribute-access`` and ``context-managers`` are dropped).
    Weights trained on one Python's training topics never saw any validation topic of another.
    """
    topics = _require_topics(topics)
    copied = held_out_topics(topics)
    train = [t for k, t in topics.items() if k not in copied]
    val = [t for k, t in topics.items() if k in copied and copied[k] <= COPIED]
    return "\n\n".join(train), "\n\n".join(val)


def keep_known(text: str, vocab: Vocab) -> tuple[str, int]:
    """``text`` without the characters ``vocab`` lacks, and how many were dropped.

    A stored model's vocabulary comes from one Python's corpus; another Python's text may hold a
    character it never saw (``pydoc_data.topics`` differs between versions).
    """
    C.require_text("text", text)
    C.require_instance("vocab", vocab, Vocab)
    kept = "".join(c for c in text if c in vocab)
    return kept, len(text) - len(kept)


def train_val_split(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Split ``text`` into a training part and the last ``val_fraction`` of it for validation.

    A contiguous tail (not random characters) so that no validation context leaks into
    training: the split is reproducible without a seed.
    """
    C.require_text("text", text, min_len=2)
    val_fraction = C.require_real("val_fraction", val_fraction, above=0, below=1)
    cut = int(round(len(text) * (1.0 - val_fraction)))
    cut = min(max(cut, 1), len(text) - 1)
    return text[:cut], text[cut:]


@dataclass(frozen=True)
class Vocab:
    """A character vocabulary: ``chars[i]`` is the character with id ``i``.

    Built from sorted characters, so the same text always gives the same ids. Built from a
    tuple directly (e.g. a checkpoint's), the characters must be distinct: a repeated one would
    get two ids, and decoding would silently disagree with encoding.
    """

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        C.require_instance("chars", self.chars, tuple, "a tuple of characters")
        odd = next((c for c in self.chars if not (isinstance(c, str) and len(c) == 1)), None)
        if odd is not None:
            raise TypeError(f"chars: expected single characters, got {C.describe(odd)}")
        if len(set(self.chars)) != len(self.chars):
            twice = sorted({c for c in self.chars if self.chars.count(c) > 1})
            raise ValueError(f"chars: expected distinct characters, got {twice} more than once")

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        C.require_text("text", text, min_len=1)
        return cls(tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: object) -> bool:
        return isinstance(ch, str) and ch in self._index

    @property
    def _index(self) -> dict[str, int]:
        # Cached on first use; the dataclass is frozen so bypass __setattr__.
        index = self.__dict__.get("_index_cache")
        if index is None:
            index = {c: i for i, c in enumerate(self.chars)}
            object.__setattr__(self, "_index_cache", index)
        return index

    def encode(self, text: str) -> np.ndarray:
        """Return the ids of ``text`` as an int64 array of shape ``(len(text),)``.

        Raises ``ValueError`` naming the first unseen character and its position.
        """
        return self._encode(text, "text")

    def _encode(self, text: str, name: str) -> np.ndarray:
        """:meth:`encode`, with errors naming the caller's argument ``name``."""
        C.require_text(name, text)
        index = self._index
        try:
            return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            pos, ch = next((i, c) for i, c in enumerate(text) if c not in index)
            raise ValueError(
                f"{name}: character {ch!r} at position {pos} is not in the vocabulary "
                f"({self.size} characters)"
            ) from None

    def decode(self, ids) -> str:
        """Return the text of ``ids``: a sequence of ints in ``[0, size)``."""
        ids = C.require_ids("ids", ids, self.size, ndim=1)
        return "".join(self.chars[i] for i in ids)


def one_hot(ids: np.ndarray, size: int, dtype=np.float64) -> np.ndarray:
    """One-hot encode integer ids: ``ids`` of shape ``S`` gives an array of shape ``S + (size,)``.

    Memory is that of the result (no ``size x size`` identity matrix); results of more than
    ``_checks.MAX_ENTRIES`` entries are refused.
    """
    size = C.require_int("size", size, min=1)
    ids = C.require_ids("ids", ids, size)
    dtype = C.require_float_dtype("dtype", dtype)
    C.require_size("size", ids.size * size)
    out = np.zeros(ids.shape + (size,), dtype)
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return out


def one_hot_text(text: str, vocab: Vocab, dtype=np.float64) -> np.ndarray:
    """One-hot rows ``(len(text), vocab.size)``; a character outside ``vocab`` is a zero row.

    Typed text may hold any character: a zero row lets the RNN step on (driven by its state
    alone) instead of failing, and the explorers report which characters were unknown.
    """
    C.require_text("text", text)
    C.require_instance("vocab", vocab, Vocab)
    dtype = C.require_float_dtype("dtype", dtype)
    C.require_size("text", len(text) * vocab.size)
    x = np.zeros((len(text), vocab.size), dtype)
    index = vocab._index
    for i, c in enumerate(text):
        if c in index:
            x[i, index[c]] = 1.0
    return x


def batch_windows(ids: np.ndarray, batch_size: int, seq_len: int):
    """Cut a long id stream into ``batch_size`` parallel streams and yield chunks.

    Yields ``(x, y)`` with ``x, y: (batch_size, seq_len)`` int64 and ``y`` the next character
    of ``x``. Stream ``b`` continues across chunks, so a hidden state can be carried from one
    chunk to the next (truncated BPTT). The arguments are checked at the call, not at the
    first chunk.
    """
    ids = C.require_array("ids", ids, kind="int", shape=("n",))
    batch_size = C.require_int("batch_size", batch_size, min=1)
    seq_len = C.require_int("seq_len", seq_len, min=1)
    per_stream = (len(ids) - 1) // batch_size
    if per_stream < seq_len:
        raise ValueError(
            f"ids: expected at least batch_size * seq_len + 1 = {batch_size * seq_len + 1} "
            f"tokens, got {len(ids)}: too few for batch_size={batch_size} x seq_len={seq_len}"
        )
    x_all = ids[: per_stream * batch_size].reshape(batch_size, per_stream)
    y_all = ids[1 : per_stream * batch_size + 1].reshape(batch_size, per_stream)
    return ((x_all[:, s : s + seq_len], y_all[:, s : s + seq_len])
            for s in range(0, per_stream - seq_len + 1, seq_len))


def load_elnino() -> tuple[np.ndarray, np.ndarray]:
    """Monthly sea-surface temperature of the Nino 1+2 region, 1950-2010 (NOAA, public domain).

    Returns ``(months, sst)``: ``months`` is ``(732,)`` ``datetime64[M]`` from 1950-01 to 2010-12,
    ``sst`` is ``(732,)`` float64 in degrees Celsius. Read with NumPy from ``elnino.csv`` in the
    installed statsmodels package, found with ``importlib.util.find_spec``: importing statsmodels
    would also import pandas and scipy (over a second). Nothing is downloaded.
    """
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "load_elnino needs the statsmodels package, which ships the elnino data set: "
            "pip install statsmodels (or the course's extra: pip install 'rnn-edu[keras]')"
        )
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "elnino" / "elnino.csv"
    if not path.is_file():
        raise FileNotFoundError(f"statsmodels is installed but has no {path}")
    table = np.loadtxt(path, delimiter=",", skiprows=1)  # YEAR, JAN, ..., DEC: one row per year
    years = table[:, 0].astype(int)
    months = (np.datetime64(f"{years[0]}-01", "M") + np.arange(12 * len(years))).astype("datetime64[M]")
    return months, table[:, 1:].reshape(-1)

