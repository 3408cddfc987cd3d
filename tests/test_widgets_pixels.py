import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from rnn_edu.widgets._base import DPI, figure_png
from rnn_edu.widgets._pixels import Backdrop, bake


def figure(layout=None):
    fig = Figure(figsize=(3.0, 2.0), layout=layout)
    ax = fig.add_axes((0.15, 0.15, 0.6, 0.75))
    image = ax.imshow(np.arange(12.0).reshape(3, 4), aspect="auto")
    ax.set_ylabel("unit")
    fig.colorbar(image, cax=fig.add_axes((0.8, 0.15, 0.05, 0.75)))
    return fig, ax


def test_baked_artists_are_pasted_back_pixel_for_pixel():
    fig, ax = figure()
    before = figure_png(fig)
    cax = fig.axes[1]
    bake(fig, [[cax], [ax.yaxis.label, *ax.get_yticklabels()]])
    assert fig.axes == [ax] and not ax.yaxis.label.get_visible() and len(fig.images) == 2
    pixels = [np.asarray(Image.open(io.BytesIO(png))) for png in (before, figure_png(fig))]
    assert np.array_equal(*pixels)


def test_a_layout_engine_is_refused():
    fig, ax = figure(layout="constrained")
    with pytest.raises(ValueError, match="without a layout engine"):
        bake(fig, [[ax.yaxis.label]])


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_backdrop_gives_the_full_redraws_picture_as_artists_move():
    fig = Figure(figsize=(3.0, 2.0), dpi=DPI)
    ax = fig.add_axes((0.15, 0.15, 0.75, 0.75))
    ax.plot([0, 1, 2], [0, 1, 0], color="0.6")  # kept
    line = ax.plot([0, 2], [0.2, 0.2], color="C1", lw=2)[0]  # moving
    marker = ax.axvline(0.5, color="k")  # moving
    backdrop = Backdrop(fig, [line, marker])
    for key, y, x in [("a", 0.2, 0.5), ("a", 0.8, 1.5), ("a", 0.5, 0.1), ("b", 0.3, 1.0)]:
        line.set_ydata([y, y])
        marker.set_xdata([x, x])
        if key == "b":
            ax.set_title("new title")  # a kept part changes with its key
        assert np.array_equal(pixels(backdrop.png(key)), pixels(figure_png(fig))), (key, y, x)


def test_backdrop_keeps_its_pixels_until_the_key_changes():
    fig = Figure(figsize=(3.0, 2.0), dpi=DPI)
    ax = fig.add_axes((0.15, 0.15, 0.75, 0.75))
    line = ax.plot([0, 1], [0, 1])[0]
    backdrop = Backdrop(fig, [line])
    first = pixels(backdrop.png("a"))
    ax.set_title("changed, but its key did not")
    assert np.array_equal(pixels(backdrop.png("a")), first)  # the kept pixels, as documented
    assert not np.array_equal(pixels(backdrop.png("b")), first)
