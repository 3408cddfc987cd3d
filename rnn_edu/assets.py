"""The course's assets: diagrams and trained weights made by scripts in the repository.

Every file is listed in ``assets/README.md`` with the command that rebuilds it (``make assets``).
In a clone of the repository (``make lab``, Binder, an editable install) they are read from its
``assets/`` folder; an installed ``rnn_edu`` (Colab) carries a copy inside the package.
"""

from __future__ import annotations

import json
from pathlib import Path

from rnn_edu import _checks as C

#: The ``assets/`` folder of the repository this package sits in, if it does.
REPO_ASSETS = Path(__file__).resolve().parents[1] / "assets"
#: The copy a built (non-editable) install carries.
PACKAGED_ASSETS = Path(__file__).resolve().parent / "_assets"


def folder() -> Path:
    """The folder the assets are read from: the repository's, else the installed copy."""
    return REPO_ASSETS if REPO_ASSETS.is_dir() else PACKAGED_ASSETS


def path(name: str) -> Path:
    """The path of asset ``name`` (a file name such as ``"gru_cell.svg"``); it must exist."""
    C.require_text("name", name, min_len=1)
    found = folder() / name
    if "/" in name or "\\" in name or not found.is_file():
        listed = sorted(p.name for p in folder().glob("*") if p.is_file())
        raise ValueError(f"name: expected one of the assets {listed}, got {name!r}")
    return found


def show(name: str) -> None:
    """Display a diagram (``.svg``) inline in a notebook (returns nothing, so it shows once)."""
    from IPython.display import SVG, display

    display(SVG(filename=str(path(name))))


def config(name: str) -> dict:
    """The training record ``<name>.json`` beside a weights asset (plain JSON, no code)."""
    return json.loads(path(f"{C.require_text('name', name, min_len=1)}.json").read_text())


def load_char_gru():
    """Notebook 08's longer-trained GRU: ``(model, vocab, config)``.

    model: a built :class:`rnn_edu.textgen.RNN` (its layers ``model.embedding``, ``model.gru``,
    ``model.dense``); vocab: the training text's :class:`~rnn_edu.data.Vocab`; config: the
    training record (``char_gru.json``). The weights are plain arrays: pickles are refused.
    """
    from rnn_edu import textgen

    model, vocab = textgen.load(path("char_gru.npz"))
    return model, vocab, config("char_gru")


def load_char_rnn():
    """Notebook 04's NumPy RNN trained on the same text: ``(params, vocab, config)``."""
    from rnn_edu import checkpoint

    params, vocab = checkpoint.load(path("char_rnn.npz"))
    return params, vocab, config("char_rnn")
