"""What every explorer shares: controls, a picture, a line of text, and a static fallback.

An explorer draws a matplotlib figure (Agg, no GUI backend needed) into a PNG shown by an
``ipywidgets.Image``, and writes its numbers into an ``ipywidgets.HTML``. Moving a control
redraws both. Displayed in a notebook, an explorer offers two representations of itself: the
live widget, which JupyterLab and Colab render, and a PNG of its current state, which GitHub,
nbviewer and other front ends without widgets show instead. So the notebook reads well
everywhere, and nothing depends on the notebook's matplotlib backend.
"""

from __future__ import annotations

import base64
import html
import io
import warnings
from contextlib import contextmanager

import ipywidgets as widgets
from matplotlib.figure import Figure
from traitlets import TraitError

from rnn_edu import _checks as C

DPI = 80


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render a figure to PNG bytes without touching pyplot's global state (dpi 10 to 600)."""
    C.require_instance("fig", fig, Figure, "a matplotlib Figure")
    dpi = C.require_real("dpi", dpi, 10, 600)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class Explorer:
    """Base class of the course's widgets.

    Subclasses set ``title``, build ``self.controls`` (name -> ipywidgets control) and call
    ``super().__init__()``; they implement ``draw(fig, **values) -> str``, which draws on a fresh
    figure and returns the HTML shown under it. ``values`` are the controls' current values.
    """

    title = "Explorer"
    figsize = (7.0, 3.2)

    def __init__(self) -> None:
        if not isinstance(getattr(self, "controls", None), dict):
            raise TypeError(f"controls: {type(self).__name__} must set self.controls (name -> "
                            "ipywidgets control) before Explorer.__init__: use an explorer "
                            "such as MarkovExplorer, or subclass Explorer")
        # Shown at the figure's own pixel size, not stretched to the notebook's width.
        self.image = widgets.Image(format="png", layout={"width": f"{self.figsize[0] * DPI:.0f}px"})
        self.text = widgets.HTML()
        self.figure: Figure | None = None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        header = widgets.HTML(f"<b>{html.escape(self.title)}</b>")
        self.box = widgets.VBox(
            [header, widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"}),
             self.image, self.text]
        )
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def draw(self, fig: Figure, **values) -> str:
        raise NotImplementedError

    def update(self) -> None:
        """Recompute and redraw from the controls' current values."""
        fig = Figure(figsize=self.figsize, layout="constrained")
        with warnings.catch_warnings():
            # Learners type any text; a character the font lacks is drawn as a box, not an error.
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            self.text.value = self.draw(fig, **self.values)
            self.image.value = figure_png(fig)
        self.figure = fig

    def set(self, **values) -> None:
        """Set several controls at once (one redraw), e.g. ``explorer.set(order=3, context="th")``.

        A slider clamps a number outside its range to the nearest end (the slider's contract);
        inf, NaN and values of the wrong kind are refused, naming the control.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"{name}: unknown control {name!r}; expected some of "
                                 f"{sorted(self.controls)}")
            if C.is_real(value):
                C.require_real(name, value)  # inf and NaN are refused, not clamped
        try:
            with self._hold():
                for name, value in values.items():
                    self._set_value(name, value)
        finally:
            self.update()  # the picture matches the controls even if one value was refused

    def _set_value(self, name: str, value) -> None:
        control = self.controls[name]
        try:
            control.value = value
        except TraitError:  # traitlets' message names neither the control nor the explorer
            options = getattr(control, "options", None)
            kinds = {int: "an int", float: "a number", str: "a str", bool: "True or False"}
            what = (f"one of {tuple(options)}" if options is not None
                    else kinds.get(type(control.value), type(control.value).__name__))
            raise TypeError(f"{name}: expected {what}, got {C.describe(value)}") from None

    def _on_change(self, change) -> None:
        if not getattr(self, "_holding", False):
            self.update()

    @contextmanager
    def _hold(self):
        """Suspend redraws while several controls change."""
        previous, self._holding = getattr(self, "_holding", False), True
        try:
            yield
        finally:
            self._holding = previous  # nested holds (a control's observer inside set()) nest

    def _repr_mimebundle_(self, **kwargs) -> dict:
        # The view of the box, written out as ipywidgets 8 and 7.7 both write it (7.x has no
        # _repr_mimebundle_, it displays through _ipython_display_): the same bundle either way.
        view = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        return {
            "application/vnd.jupyter.widget-view+json": view,
            # Front ends without a widget manager fall back to the richest type they can show.
            "image/png": base64.b64encode(self.image.value).decode("ascii"),
            "text/plain": f"{self.title} ({self._summary()}; interactive in JupyterLab/Colab)",
        }

    def _summary(self) -> str:
        return ", ".join(
            f"{k}={v!r}" for k, v in self.values.items() if not isinstance(v, str) or len(v) < 20
        )
