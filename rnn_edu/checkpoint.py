"""Saving and loading trained weights as a plain ``.npz`` file (no pickle).

The file holds the five arrays by name (``W_xh``, ``W_hh``, ``b_h``, ``W_hy``, ``b_y``) and,
optionally, the vocabulary as an array of Unicode code points (``vocab``), so that any NumPy can
read it with ``np.load(path, allow_pickle=False)``: loading never runs code from the file.
"""

from __future__ import annotations

import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rnn_edu import _checks as C
from rnn_edu.data import Vocab
from rnn_edu.rnn import PARAM_NAMES, RNNParams

FORMAT = 1  # bumped if the layout of the file ever changes


def save(path, params: RNNParams, vocab: Vocab | None = None) -> Path:
    """Write ``params`` (and ``vocab``) to ``path``; returns the path written (``.npz`` added).

    ``np.savez`` appends ``.npz`` to a name without it; the returned path says where it went.
    """
    path = _path(path)
    C.require_instance("params", params, RNNParams).require_finite()
    if vocab is not None:
        C.require_instance("vocab", vocab, Vocab, "a data.Vocab or None")
        if vocab.size != params.input_size:
            raise ValueError(f"vocab: expected {params.input_size} characters (the rows of "
                             f"W_xh), got {vocab.size}")
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = dict(params.as_dict(), format=np.array(FORMAT))
    if vocab is not None:
        arrays["vocab"] = np.array([ord(c) for c in vocab.chars], dtype=np.int32)
    np.savez(path, **arrays)
    return path


def load(path) -> tuple[RNNParams, Vocab | None]:
    """Read a file written by :func:`save`; returns ``(params, vocab)`` (``vocab`` may be None).

    A file whose weights hold inf or NaN, or whose vocabulary repeats a character, is refused.
    """
    path = _path(path)
    with _open_npz(path, (*PARAM_NAMES, "format"), FORMAT) as f:
        try:
            params = RNNParams(**{name: f[name] for name in PARAM_NAMES}).require_finite("path")
            vocab = None if "vocab" not in f.files else Vocab(tuple(
                chr(c) for c in C.require_array("vocab", f["vocab"], kind="int", ndim=1)))
        except (TypeError, ValueError) as exc:  # name the argument the caller passed
            raise ValueError(f"path: {str(path)!r} holds a broken checkpoint: {exc}") from None
    if vocab is not None and vocab.size != params.input_size:
        raise ValueError(
            f"path: the vocabulary has {vocab.size} characters but W_xh has {params.input_size} rows"
        )
    return params, vocab


@contextmanager
def _open_npz(path: Path, names, format: int):
    """``np.load(path, allow_pickle=False)`` of a zip archive holding ``names`` at ``format``.

    Anything else is refused with a ``ValueError`` naming ``path`` (``np.load`` would call a
    non-zip file "pickled data"); a missing file is a ``FileNotFoundError``.
    """
    if not path.is_file():
        raise FileNotFoundError(f"path: no such file {str(path)!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"path: {str(path)!r} is not an rnn_edu checkpoint: expected an .npz "
                         "(zip) archive of plain arrays")
    with np.load(path, allow_pickle=False) as f:
        missing = [name for name in names if name not in f.files]
        if missing:
            raise ValueError(f"path: {str(path)!r} is not an rnn_edu checkpoint: missing "
                             f"{missing} (found {sorted(f.files)})")
        if f["format"].shape != () or int(f["format"]) != format:
            raise ValueError(f"path: checkpoint format {f['format']}, expected {format}")
        yield f


def _path(path) -> Path:
    if not isinstance(path, (str, Path)) or not str(path):
        raise TypeError(f"path: expected a file name (str or pathlib.Path), got {C.describe(path)}")
    return Path(path)
