"""Static parts of an explorer's figure, drawn once and kept as pixels.

An explorer redraws its whole figure on every slider move, and matplotlib lays out and renders
every text and tick each time, even those that never change (a colorbar, the labels of a fixed
axis). :func:`bake` draws the figure once, copies the pixels of such artists, hides the artists
and puts the copied pixels back in their place (``fig.figimage``): the picture is the same, and a
redraw only pastes them. The figure must have no layout engine (the artists must stay where they
were drawn) and be drawn at :data:`rnn_edu.widgets._base.DPI`, the PNG's resolution.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from rnn_edu.widgets._base import DPI

PAD = 2  # pixels kept around each group's box: antialiased edges spill past it


def bake(fig: Figure, groups: list[list]) -> None:
    """Replace each group of ``fig``'s artists (Axes, Text, ...) by an image of its pixels.

    Each group is copied as one rectangle (its artists' boxes, ``PAD`` pixels wider), background
    included: nothing else may draw into that rectangle, and the artists must not change later.
    Axes are removed from the figure; other artists are hidden (``set_visible(False)``).
    """
    if fig.get_layout_engine() is not None:
        raise ValueError("fig: expected a figure without a layout engine (it would move the "
                         "axes after their pixels are copied)")
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    pixels = np.asarray(canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    pieces = []
    for group in groups:
        box = Bbox.union([artist.get_tightbbox(renderer) for artist in group])
        x0, y0 = max(int(box.x0) - PAD, 0), max(int(box.y0) - PAD, 0)
        x1 = min(int(np.ceil(box.x1)) + PAD, width)
        y1 = min(int(np.ceil(box.y1)) + PAD, height)
        pieces.append((pixels[height - y1:height - y0, x0:x1].copy(), x0, y0))  # rows: top first
    for group in groups:
        for artist in group:
            if isinstance(artist, Axes):
                fig.delaxes(artist)
            else:
                artist.set_visible(False)
    for image, x0, y0 in pieces:
        fig.figimage(image, xo=x0, yo=y0, origin="upper")
