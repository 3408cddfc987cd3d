"""The unit explorer (notebook 08): a text coloured by one hidden unit of a character GRU.

As in Karpathy's "The Unreasonable Effectiveness of Recurrent Neural Networks" figures and
LSTMVis: every character of a text gets a background colour from the activation ``h_t[unit]``
after reading it (red above 0, blue below, white at 0), and its tooltip lists the model's most
likely next characters. A feature list (:data:`rnn_edu.units.FEATURES`) jumps to the unit whose
activation correlates best with that feature on a search text, and shows its r.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import units
from rnn_edu.data import Vocab
from rnn_edu.gru import GRUParams
from rnn_edu.widgets._base import Explorer
from rnn_edu.widgets.markov_explorer import show_char

MAX_CHARS = 1_000  # characters coloured at once; longer texts are cut, and the cut is said
PICTURE_CHARS, PICTURE_COLUMNS = 400, 72  # the static picture: its first characters, wrapped
MONO_ADVANCE = 0.602  # DejaVu Sans Mono: every character is 0.602 em wide (1233 / 2048 units)
TOP = 3  # next-character guesses shown per character
NO_FEATURE = "(pick a feature: jump to its best unit)"

#: Texts to start from, written for the course in the style of the corpus (Python's help pages).
EXAMPLES = {
    "prose with (parentheses)": (
        'The built-in function "len()" returns the length (the number of items) of an\n'
        "object. The argument may be a sequence (such as a string, bytes, tuple, list,\n"
        "or range) or a collection (such as a dictionary, set, or frozen set).\n"),
    "an indented example": (
        "For example:\n\n"
        "   >>> def f(x, y=2):\n"
        "   ...     return (x + 1) * y\n"
        "   ...\n"
        "   >>> f(3)\n"
        "   8\n"),
    "a grammar rule": (
        'if_stmt ::= "if" assignment_expression ":" suite\n'
        '            ("elif" assignment_expression ":" suite)*\n'
        '            ["else" ":" suite]\n'),
}


class UnitExplorer(Explorer):
    """One hidden unit of a character GRU over a text, character by character.

    params, vocab: the model (a :class:`~rnn_edu.gru.GRUParams` over ``vocab``, e.g.
    :func:`rnn_edu.keras_bridge.gru_from_keras` of a trained Keras model) and its characters;
    text: the starting text (default: the first example); examples: name -> text for the
    example list (default :data:`EXAMPLES`); search_text: the text over which the feature
    search ranks the units (default: the examples joined; a held-out text of a few thousand
    characters gives steadier answers); unit, feature, position: the starting unit, feature
    (a name of :data:`rnn_edu.units.FEATURES`, or ``None``) and the character whose guesses are
    listed. Characters outside ``vocab`` are shown grey and skipped by the model (the state
    carries over them); texts longer than :data:`MAX_CHARS` are cut, and the cut is said.
    """

    title = "Unit explorer"
    figsize = (9.0, 4.6)

    def __init__(self, params: GRUParams, vocab: Vocab, text: str | None = None, *,
                 examples: dict[str, str] | None = None, search_text: str | None = None,
                 unit: int = 0, feature: str | None = None, position: int = 0) -> None:
        units.hidden_states(params, vocab, "")  # validates params against vocab
        examples = EXAMPLES if examples is None else _check_examples(examples)
        text = next(iter(examples.values())) if text is None else C.require_text("text", text)
        search_text = ("".join(examples.values()) if search_text is None
                       else C.require_text("search_text", search_text, min_len=1,
                                           max_len=units.MAX_CHARS))
        unit = C.require_int("unit", unit, 0, params.hidden_size - 1)
        feature = NO_FEATURE if feature is None else C.require_choice("feature", feature,
                                                                      list(units.FEATURES))
        position = C.require_int("position", position, 0, _last(text))
        self.params, self.vocab = params.astype(np.float64), vocab
        self.examples = examples
        self.search_chars, self.best = self._search(search_text)
        self._cache: dict[str, tuple] = {}
        style = {"description_width": "initial"}
        self.controls = {
            "example": widgets.Dropdown(options=list(examples), description="example",
                                        style=style),
            "text": widgets.Textarea(value=text, description="text", style=style,
                                     continuous_update=False, layout={"width": "100%",
                                                                      "height": "7em"}),
            "unit": widgets.IntSlider(value=unit, min=0, max=params.hidden_size - 1,
                                      description="unit", style=style, continuous_update=False),
            "feature": widgets.Dropdown(options=[NO_FEATURE, *units.FEATURES], value=feature,
                                        description="feature", style=style),
            "position": widgets.IntSlider(value=position, min=0, max=_last(text),
                                          description="guesses after character", style=style,
                                          continuous_update=False),
        }
        # Registered before the base class's redraw, so the text and the unit follow first.
        self.controls["example"].observe(self._on_example, names="value")
        self.controls["text"].observe(self._on_text, names="value")
        self.controls["feature"].observe(self._on_feature, names="value")
        super().__init__()
        self.box.add_class("rnn-edu-unit-explorer")

    def _search(self, text: str) -> tuple[int, dict[str, units.Match]]:
        """Rank the units on ``text`` (its characters in the vocabulary): the best per feature,
        and (in ``self.partial``) its r given the current character."""
        known = "".join(c for c in text if c in self.vocab)
        H, _ = units.hidden_states(self.params, self.vocab, known)
        feats, ids = units.features(known), self.vocab.encode(known)
        best = {m.feature: m for m in units.best_units(H, feats)}
        self.partial = {name: float(units.correlations(H[:, [m.unit]], feats[name], ids)[0])
                        for name, m in best.items()}
        return len(known), best

    def states(self, text: str) -> tuple[str, np.ndarray, np.ndarray]:
        """``(known, H, P)`` for ``text``: its characters in the vocabulary, ``H (len(known),
        units)`` and ``P (len(known), V)`` (see :func:`rnn_edu.units.hidden_states`)."""
        C.require_text("text", text, max_len=units.MAX_CHARS)
        known = "".join(c for c in text if c in self.vocab)
        if known not in self._cache:
            self._cache = {known: units.hidden_states(self.params, self.vocab, known)}  # the last
        return (known, *self._cache[known])

    def _on_example(self, change) -> None:
        if change["new"] not in self.examples:  # a Dropdown may also hold None (no selection)
            return
        with self._hold():
            self.controls["text"].value = self.examples[change["new"]]

    def _on_text(self, change) -> None:
        position = self.controls["position"]
        with self._hold():  # the slider fits the text before the one redraw
            position.max = _last(change["new"])
            position.value = min(position.value, position.max)

    def _on_feature(self, change) -> None:
        if change["new"] in self.best:
            with self._hold():
                self.controls["unit"].value = self.best[change["new"]].unit

    def draw(self, fig: Figure, example: str, text: str, unit: int, feature: str,
             position: int) -> str:
        notes = []
        if len(text) > MAX_CHARS:
            notes.append(f"showing the first {MAX_CHARS:,} of {len(text):,} characters")
            text = text[:MAX_CHARS]
        known, H, P = self.states(text)
        unseen = sorted({c for c in text if c not in self.vocab})
        if unseen:
            notes.append("not in the vocabulary (grey, skipped by the model): "
                         + ", ".join(map(repr, unseen)))
        a = np.full(len(text), np.nan)  # the unit's activation per character; NaN: unseen
        a[[i for i, c in enumerate(text) if c in self.vocab]] = H[:, unit]
        _draw_picture(fig, text, a, unit)
        at = np.cumsum([c in self.vocab for c in text]) - 1  # row of H/P for each character
        guesses = [self._guesses(P[k]) if c in self.vocab else "not in the vocabulary"
                   for c, k in zip(text, at, strict=True)]
        position = min(position, _last(text))
        parts = [f"<b>unit {unit}</b> of {self.params.hidden_size}: red above 0, blue below "
                 "(hover a character for the model's next-character guesses)",
                 _colored(text, a, guesses, position)]
        if not text:
            parts.append("<i>the text is empty: type some text or pick an example</i>")
        else:
            parts.append(f"after character {position} ({html.escape(repr(text[position]))}), "
                         f"the model guesses: {html.escape(guesses[position])}")
        if feature in self.best:
            best = self.best[feature]
            r_here = units.correlations(H, units.FEATURES[feature](known))[unit]
            parts.append(f"<b>{html.escape(feature)}</b>: best unit on the search text "
                         f"({self.search_chars:,} characters) is unit {best.unit}, r = "
                         f"{best.r:+.2f} ({self.partial[feature]:+.2f} given the current "
                         f"character); unit {unit} on this text: r = {r_here:+.2f}")
        return "<br>".join(parts + [f"<i>{html.escape(n)}</i>" for n in notes])

    def _guesses(self, p: np.ndarray) -> str:
        top = np.argsort(-p, kind="stable")[:TOP]
        return ", ".join(f"{show_char(self.vocab.chars[i])} {p[i]:.0%}" for i in top)


def _last(text) -> int:
    """The last position the guesses slider can take for ``text`` (0 when it is empty)."""
    return max(min(len(text), MAX_CHARS) - 1, 0)


def _check_examples(examples) -> dict[str, str]:
    C.require_instance("examples", examples, dict, "a dict of name -> text")
    if not examples:
        raise ValueError("examples: expected at least one example, got an empty dict")
    for name, text in examples.items():
        C.require_text("examples", name, min_len=1)
        C.require_text("examples", text)
    return dict(examples)


def _background(a: float) -> str:
    """A CSS colour for activation ``a`` in [-1, 1] (NaN: a character the model skipped)."""
    if np.isnan(a):
        return "#dddddd"
    red, blue = (214, 39, 40), (31, 119, 180)
    rgb = red if a > 0 else blue
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{min(abs(a), 1.0):.2f})"


def _colored(text: str, a: np.ndarray, guesses: list[str], position: int) -> str:
    """The text as HTML spans, one per character, escaped: ``<``, ``&`` and ``$`` literally
    (MathJax is told to leave the block alone), spaces and newlines visible."""
    spans = []
    for i, c in enumerate(text):
        shown = {"\n": "↵", " ": "\u00a0"}.get(c, c)
        style = f"background:{_background(a[i])}"
        style += ";outline:2px solid #000" if i == position else ""
        style += ";color:#888" if np.isnan(a[i]) else ""
        tip = f"{c!r}: h = {a[i]:+.2f}; next: {guesses[i]}" if not np.isnan(a[i]) else (
            f"{c!r}: {guesses[i]}")
        spans.append(f'<span title="{html.escape(tip)}" style="{style}">{html.escape(shown)}'
                     f"</span>{'<br>' if c == chr(10) else ''}")
    return ("<div class='tex2jax_ignore mathjax_ignore' style='font-family:monospace;"
            "white-space:pre-wrap;line-height:1.5;margin:4px 0'>" + "".join(spans) + "</div>")


def _draw_picture(fig: Figure, text: str, a: np.ndarray, unit: int) -> None:
    """The first :data:`PICTURE_CHARS` characters on a grid, each on its unit's colour.

    One text artist per row in a monospace font sized so that a character is one grid column
    wide (hundreds of one-character artists take seconds to lay out).
    """
    fig.set_layout_engine("none")
    left, width, bottom, height = 0.01, 0.88, 0.02, 0.88
    ax = fig.add_axes((left, bottom, width, height))
    ax.set_axis_off()
    cells = _grid(text[:PICTURE_CHARS])
    rows = max(max((r for r, _, _ in cells), default=0) + 1, 16)  # short texts keep the size
    grid = np.full((rows, PICTURE_COLUMNS), np.nan)
    lines = [[" "] * PICTURE_COLUMNS for _ in range(rows)]
    for i, (r, col, c) in enumerate(cells):
        grid[r, col] = a[i]
        lines[r][col] = "↵" if c == "\n" else c if c.isprintable() else "?"
    cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#dddddd")
    image = ax.imshow(grid, cmap=cmap, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    column_points = width * fig.get_figwidth() * 72 / PICTURE_COLUMNS
    size = min(column_points / MONO_ADVANCE, 0.8 * height * fig.get_figheight() * 72 / rows)
    # Many rows make the font smaller than a column: narrow the columns to the characters.
    ax.set_xlim(-0.5, -0.5 + PICTURE_COLUMNS * column_points / (size * MONO_ADVANCE))
    for r, line in enumerate(lines):
        ax.text(-0.5, r, "".join(line), ha="left", va="center", family="DejaVu Sans Mono",
                fontsize=size, parse_math=False)  # '$' and '\' are drawn literally
    fig.colorbar(image, cax=fig.add_axes((left + width + 0.01, bottom, 0.015, height)),
                 label=f"h[{unit}]")
    more = f" (first {PICTURE_CHARS} of {len(text)} characters)" if len(text) > PICTURE_CHARS else ""
    fig.suptitle(f"unit {unit}, character by character{more}" if text else
                 "the text is empty: type some text or pick an example", fontsize=9, y=0.97)


def _grid(text: str) -> list[tuple[int, int, str]]:
    """``(row, column, character)`` for each character: new rows at newlines and every
    :data:`PICTURE_COLUMNS` characters."""
    cells, row, col = [], 0, 0
    for c in text:
        if col == PICTURE_COLUMNS:
            row, col = row + 1, 0
        cells.append((row, col, c))
        row, col = (row + 1, 0) if c == "\n" else (row, col + 1)
    return cells
