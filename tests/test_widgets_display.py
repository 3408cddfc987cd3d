"""An explorer displays as its live box plus a static picture, on ipywidgets 7.7 and 8.x alike.

The reference is ipywidgets itself: the widget view we write must be the one ipywidgets would
display for the box (8.x returns it from ``_repr_mimebundle_``, 7.x sends it from
``_ipython_display_``). ``make test-colab`` runs this file on ipywidgets 7.7.1.
"""

import ipywidgets as widgets
import pytest
from IPython.core.formatters import DisplayFormatter

from rnn_edu.widgets import Explorer

VIEW = "application/vnd.jupyter.widget-view+json"


class Tiny(Explorer):
    title = "Tiny explorer"
    figsize = (2.0, 1.5)

    def __init__(self):
        self.controls = {"n": widgets.IntSlider(value=2, min=1, max=5, description="n")}
        super().__init__()

    def draw(self, fig, n):
        fig.add_subplot().plot(range(n))
        return f"n = {n}"


def ipywidgets_own_view(widget) -> dict:
    """The widget-view data ipywidgets itself displays for ``widget``, on 7.x or 8.x."""
    if hasattr(widget, "_repr_mimebundle_"):
        return widget._repr_mimebundle_()[VIEW]
    shown = []
    from ipywidgets.widgets import widget as module  # 7.x: _ipython_display_ calls display()

    original = module.display
    module.display = lambda data, raw=False: shown.append(data)
    try:
        widget._ipython_display_()
    finally:
        module.display = original
    return shown[0][VIEW]


@pytest.fixture
def explorer():
    return Tiny()


def test_view_is_the_one_ipywidgets_displays_for_the_box(explorer):
    assert explorer._repr_mimebundle_()[VIEW] == ipywidgets_own_view(explorer.box)


def test_ipython_shows_view_picture_and_text(explorer):
    # What a notebook cell ending in `explorer` stores: IPython's formatter, not our method directly.
    data, _ = DisplayFormatter().format(explorer)
    assert data[VIEW]["model_id"] == explorer.box.model_id
    assert data["image/png"].startswith("iVBORw0KGgo")  # base64 of the PNG signature
    assert data["text/plain"] == "Tiny explorer (n=2; interactive in JupyterLab/Colab)"


def test_picture_follows_the_controls(explorer):
    before = explorer._repr_mimebundle_()["image/png"]
    explorer.controls["n"].value = 5
    after = explorer._repr_mimebundle_()
    assert after["image/png"] != before and "n=5" in after["text/plain"]
