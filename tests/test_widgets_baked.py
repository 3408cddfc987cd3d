import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from rnn_edu.widgets._baked import bake
from rnn_edu.widgets._base import figure_png


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
