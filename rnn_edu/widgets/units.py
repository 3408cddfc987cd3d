"""The unit explorer (notebook 08): a text coloured by one hidden unit of a character GRU.

As in Karpathy's "The Unreasonable Effectiveness of Recurrent Neural Networks" figures and
LSTMVis: every character of a text gets a background colour from the activation ``h_t[unit]``
after reading it (red above 0, blue below, white at 0), and its tooltip lists the model's most
likely next characters. A feature list (:data:`rnn_edu.units.FEATURES`) jumps to the unit whose
activation correlates best with that feature on a search text, and shows its r.
"""

from __future__ import annotations

import html
import math
import warnings

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import units
from rnn_edu.data import Vocab
from rnn_edu.gru import GRUParams
from rnn_edu.train import blas_limit
from rnn_edu.widgets._base import DPI, Explorer, figure_png
from rnn_edu.widgets.markov_explorer import show_char

MAX_CHARS = 1_000  # characters coloured at once; longer texts are cut, and the cut is said
PICTURE_CHARS, PICTURE_COLUMNS = 400, 72  # the static picture: its first characters, wrapped
PICTURE_AXES = (0.01, 0.02, 0.88, 0.88)  # the grid's left, bottom, width, height in the figure
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
        self._last_view: dict = {}  # see _view
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
        """Build the picture on ``fig`` and fill it in; return the HTML shown under it."""
        # Fixed margins, no layout engine (even the placeholder "none" makes savefig draw twice).
        fig.set_layout_engine(None)
        fig.set_dpi(DPI)  # the PNG's own: the characters' image is placed in its pixels
        self._picture = _Picture(fig)
        return self._refresh(example, text, unit, feature, position)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), then in place.

        Only the colours, the labels and the HTML change when the unit moves: the characters are
        drawn once per text. The guesses slider changes only the HTML, so the PNG is kept.
        """
        if self.figure is None:
            with blas_limit(1):
                super().update()
            return
        with warnings.catch_warnings(), blas_limit(1):
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            shown = self._picture.shown
            self.text.value = self._refresh(**self.values)
            if self._picture.shown != shown:
                self.image.value = figure_png(self.figure)

    def _refresh(self, example: str, text: str, unit: int, feature: str, position: int) -> str:
        """Show ``unit`` over ``text`` in the picture; return the HTML."""
        notes = []
        if len(text) > MAX_CHARS:
            notes.append(f"showing the first {MAX_CHARS:,} of {len(text):,} characters")
            text = text[:MAX_CHARS]
        view = self._view(text)
        if view["unseen"]:
            notes.append("not in the vocabulary (grey, skipped by the model): "
                         + ", ".join(map(repr, view["unseen"])))
        a = np.full(len(text), np.nan)  # the unit's activation per character; NaN: unseen
        a[view["seen"]] = view["H"][:, unit]
        self._picture.show(text, a, unit)
        guesses = view["guesses"]
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
            if feature not in view["r"]:  # every unit's r on this text, once per text
                view["r"][feature] = units.correlations(
                    view["H"], units.FEATURES[feature](view["known"]))
            parts.append(f"<b>{html.escape(feature)}</b>: best unit on the search text "
                         f"({self.search_chars:,} characters) is unit {best.unit}, r = "
                         f"{best.r:+.2f} ({self.partial[feature]:+.2f} given the current "
                         f"character); unit {unit} on this text: r = {view['r'][feature][unit]:+.2f}")
        return "<br>".join(parts + [f"<i>{html.escape(n)}</i>" for n in notes])

    def _view(self, text: str) -> dict:
        """What depends on the text alone, computed once per text (the last one is kept): the
        states ``H`` of its characters in the vocabulary (``seen``), the guesses after each."""
        if self._last_view.get("text") != text:
            known, H, P = self.states(text)
            seen = np.array([c in self.vocab for c in text], dtype=bool)
            top = np.argsort(-P, axis=1, kind="stable")[:, :TOP]
            after = [", ".join(f"{show_char(self.vocab.chars[i])} {p[i]:.0%}" for i in row)
                     for row, p in zip(top, P, strict=True)]
            at = np.cumsum(seen) - 1  # row of H and P for each character
            guesses = [after[k] if s else "not in the vocabulary"
                       for s, k in zip(seen, at, strict=True)]
            self._last_view = {"text": text, "known": known, "H": H, "seen": seen,
                               "guesses": guesses, "r": {},
                               "unseen": sorted({c for c in text if c not in self.vocab})}
        return self._last_view

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
    if math.isnan(a):
        return "#dddddd"
    red, blue = (214, 39, 40), (31, 119, 180)
    rgb = red if a > 0 else blue
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{min(abs(a), 1.0):.2f})"


def _colored(text: str, a: np.ndarray, guesses: list[str], position: int) -> str:
    """The text as HTML spans, one per character, escaped: ``<``, ``&`` and ``$`` literally
    (MathJax is told to leave the block alone), spaces and newlines visible."""
    spans = []
    for i, (c, h, guess) in enumerate(zip(text, a.tolist(), guesses, strict=True)):
        shown = {"\n": "↵", " ": "\u00a0"}.get(c, c)
        style = f"background:{_background(h)}"
        style += ";outline:2px solid #000" if i == position else ""
        style += ";color:#888" if math.isnan(h) else ""
        tip = f"{c!r}: {guess}" if math.isnan(h) else f"{c!r}: h = {h:+.2f}; next: {guess}"
        spans.append(f'<span title="{html.escape(tip)}" style="{style}">{html.escape(shown)}'
                     f"</span>{'<br>' if c == chr(10) else ''}")
    return ("<div class='tex2jax_ignore mathjax_ignore' style='font-family:monospace;"
            "white-space:pre-wrap;line-height:1.5;margin:4px 0'>" + "".join(spans) + "</div>")


class _Picture:
    """The first :data:`PICTURE_CHARS` characters on a grid, each on its unit's colour.

    Built once on a figure; :meth:`show` recolours the grid and relabels it. The characters
    are drawn once per text into an image laid over the grid (drawn as glyphs on every redraw,
    they took most of its time): rows of a monospace font sized so that a character is one grid
    column wide (hundreds of one-character artists take seconds to lay out).
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.ax = fig.add_axes(PICTURE_AXES)
        self.ax.set_axis_off()
        cmap = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#dddddd")
        self.image = self.ax.imshow(np.full((16, PICTURE_COLUMNS), np.nan), cmap=cmap, vmin=-1,
                                    vmax=1, aspect="auto", interpolation="nearest")
        left, bottom, width, height = PICTURE_AXES
        self.colorbar = fig.colorbar(self.image, cax=fig.add_axes(
            (left + width + 0.01, bottom, 0.015, height), zorder=1))  # over a full line's end
        self.characters = None  # the figure image of the characters, once there is a text
        self.text, self.shown = None, None  # the text drawn, and (text, unit) shown

    def show(self, text: str, a: np.ndarray, unit: int) -> None:
        """Colour the grid by ``a (len(text),)``, the unit's activation per character."""
        picture = text[:PICTURE_CHARS]
        if picture != self.text:
            self._lay_out(picture)
        grid = np.full(self.cells.shape, np.nan)
        grid[self.cells >= 0] = a[self.cells[self.cells >= 0]]
        self.image.set_data(grid)
        self.colorbar.set_label(f"h[{unit}]")
        more = f" (first {PICTURE_CHARS} of {len(text)} characters)" if len(text) > PICTURE_CHARS else ""
        self.fig.suptitle(f"unit {unit}, character by character{more}" if text else
                          "the text is empty: type some text or pick an example", fontsize=9, y=0.97)
        self.shown = (text, unit)

    def _lay_out(self, text: str) -> None:
        """The grid for ``text``: ``self.cells (rows, columns)``, the character at each cell
        (-1: none), and the image of the characters."""
        cells = _grid(text)
        rows = max(max((r for r, _, _ in cells), default=0) + 1, 16)  # short texts keep the size
        self.cells = np.full((rows, PICTURE_COLUMNS), -1)
        lines = [[" "] * PICTURE_COLUMNS for _ in range(rows)]
        for i, (r, col, c) in enumerate(cells):
            self.cells[r, col] = i
            lines[r][col] = "↵" if c == "\n" else c if c.isprintable() else "?"
        _, _, width, height = PICTURE_AXES
        fig_width, fig_height = self.fig.get_size_inches()
        column_points = width * fig_width * 72 / PICTURE_COLUMNS
        size = min(column_points / MONO_ADVANCE, 0.8 * height * fig_height * 72 / rows)
        # Many rows make the font smaller than a column: narrow the columns to the characters.
        limits = ((-0.5, -0.5 + PICTURE_COLUMNS * column_points / (size * MONO_ADVANCE)),
                  (rows - 0.5, -0.5))
        self.image.set_extent((-0.5, PICTURE_COLUMNS - 0.5, rows - 0.5, -0.5))
        self.ax.set(xlim=limits[0], ylim=limits[1])
        if self.characters is not None:
            self.characters.remove()
        pixels, x, y = _characters_image(["".join(line) for line in lines], size, limits,
                                         (fig_width, fig_height), self.fig.dpi)
        self.characters = self.fig.figimage(pixels, xo=x, yo=y, origin="upper")
        self.text = text


def _characters_image(lines: list[str], size: float, limits, figsize, dpi: float):
    """``(pixels, x, y)``: the rows of characters drawn alone on a transparent figure like the
    picture's, cropped to the ink (``pixels (height, width, 4)`` RGBA) and the pixel offset of
    its lower left corner in the figure."""
    fig = Figure(figsize=figsize, dpi=dpi, facecolor="none")
    ax = fig.add_axes(PICTURE_AXES)
    ax.set_axis_off()
    ax.set(xlim=limits[0], ylim=limits[1])
    for r, line in enumerate(lines):
        ax.text(-0.5, r, line, ha="left", va="center", family="DejaVu Sans Mono",
                fontsize=size, parse_math=False)  # '$' and '\' are drawn literally
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    ink_rows, ink_columns = np.nonzero(pixels[..., 3].any(axis=1))[0], np.nonzero(
        pixels[..., 3].any(axis=0))[0]
    if not ink_rows.size:  # no character to draw (spaces only)
        return np.zeros((1, 1, 4), np.uint8), 0, 0
    top, bottom = ink_rows[0], ink_rows[-1] + 1
    left, right = ink_columns[0], ink_columns[-1] + 1
    return pixels[top:bottom, left:right].copy(), int(left), int(pixels.shape[0] - bottom)


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
