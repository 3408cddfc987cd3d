"""Keeping the pixels of what a slider move leaves alone: two ways, for the two kinds of figure.

matplotlib lays out and renders every artist of a figure each time it is drawn, even the texts and
ticks that never change. An explorer redrawn on every slider move can keep their pixels instead:

- :func:`bake`, when most of the figure changes and a few parts never do (a colorbar, the labels
  of a fixed axis): it draws the figure once, copies those parts' pixels and puts them back as
  images (``fig.figimage``) in place of the artists. The figure is then rendered as usual
  (:func:`rnn_edu.widgets._base.figure_png`), and the kept parts only pasted. Gates, stepper.
- :class:`Backdrop`, when most of the figure stays and a few artists move (one curve, a marker,
  one axes of two): Agg "blitting". It keeps the pixels of everything but the moving artists, and
  renders only those over them; the kept pixels are drawn again when what they depend on changes.
  BPTT and temperature explorers.

Both need a figure without a layout engine (the artists stay where they were drawn) and drawn at
:data:`rnn_edu.widgets._base.DPI`, the PNG's resolution, so the picture is the one a full redraw
gives, pixel for pixel (``tests/test_widgets_pixels.py``).
"""

from __future__ import annotations

import io

import matplotlib.image
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


class Backdrop:
    """What a move leaves alone in a figure, drawn once and kept as pixels (Agg "blitting").

    ``png(key)`` restores the kept pixels and draws only the ``moving`` artists over them (in
    their zorder, after everything else: none of the kept parts may overlap them from above);
    the kept parts are drawn again when ``key`` (what they depend on) changes. The figure's dpi
    must be :data:`DPI`, so the PNG is the one :func:`figure_png` gives.
    """

    def __init__(self, fig: Figure, moving) -> None:
        self.fig, self.moving = fig, sorted(moving, key=lambda artist: artist.get_zorder())
        self.canvas = FigureCanvasAgg(fig)
        self.key, self.kept = None, None

    def png(self, key) -> bytes:
        for artist in self.moving:
            artist.set_animated(True)  # left out of the kept pixels
        try:
            if self.kept is None or key != self.key:
                self.canvas.draw()
                self.kept, self.key = self.canvas.copy_from_bbox(self.fig.bbox), key
            else:
                self.canvas.restore_region(self.kept)
            renderer = self.canvas.get_renderer()
            for artist in self.moving:
                artist.draw(renderer)
        finally:
            for artist in self.moving:
                artist.set_animated(False)
        buf = io.BytesIO()  # as savefig writes it
        matplotlib.image.imsave(buf, self.canvas.buffer_rgba(), format="png", origin="upper",
                                dpi=self.fig.dpi)
        return buf.getvalue()
