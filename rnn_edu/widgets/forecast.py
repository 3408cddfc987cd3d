"""The forecast explorer (notebook 06).

The models are trained before the explorer is made: it receives their forecast tables (see
:mod:`rnn_edu.forecast`, ``F[o, h - 1]`` = the forecast of month ``o + h`` made at month ``o``)
and only looks them up, so moving a slider costs a redraw and no model call. Sliders choose the
first forecast month, the horizon (how many months ahead each forecast is made) and the length of
the window of months to score; the picture shows the series, each model's forecasts over the
window, and the split boundaries; the text gives each model's mean absolute error there.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import forecast
from rnn_edu.widgets._base import Explorer, figure_png

COLORS = ("#c44e52", "#8c8c8c", "#dd8452", "#55a868", "#8172b3", "#937860")
#: Months of context drawn before the window and after it.
BEFORE, AFTER = 36, 12
#: The longest window the length slider offers, and the longest series (one slider step a month).
MAX_LENGTH, MAX_MONTHS = 240, 12_000


class ForecastExplorer(Explorer):
    """Forecasts of several models over a chosen window of months.

    months: ``(n,)`` increasing months (``datetime64[M]``, or what NumPy reads as such: "1950-01",
    ...), at most ``MAX_MONTHS``; series: ``(n,)`` the observed values (e.g. degrees C), finite;
    tables: model name -> ``(n, H)`` forecast table in the same units, NaN where a model has no
    forecast (the first model is drawn most prominently); splits: ``(train_end, val_end)``
    indices, drawn and named in the text. start, horizon, length: the first target month's index
    in ``[0, n)``, the months ahead in ``[1, H]``, the window's length in ``[1, min(n, 240)]``.

    Wrong constructor arguments are refused, naming the argument (never clamped). ``set`` past a
    slider's range clamps to its end (the slider's contract; ``start`` too, though its slider
    lists months); inf, NaN and values of the wrong kind are refused there as well.
    """

    title = "Forecast explorer"
    figsize = (7.5, 3.2)

    def __init__(self, months, series, tables: dict, splits: tuple[int, int], *, start: int | None = None,
                 horizon: int = 1, length: int = 24, unit: str = "°C") -> None:
        self.series = C.require_array("series", series, ndim=1)
        n = len(self.series)
        C.require_size("series", n, MAX_MONTHS, "months (one slider position each)")
        self.months = _months(months, n)
        self.aligned = _aligned(tables, n)  # aligned[name][h - 1, t]: month t, made h months before
        self.max_horizon = len(next(iter(self.aligned.values())))
        self.splits = _splits(splits, n)
        self.unit = C.require_text("unit", unit)
        self.x = self.months.astype(int) / 12.0 + 1970.0  # decimal years: fast to plot
        start = C.require_int("start", self.splits[1] if start is None else start, 0, n - 1)
        horizon = C.require_int("horizon", horizon, 1, self.max_horizon)
        length = C.require_int("length", length, 1, min(n, MAX_LENGTH))
        style = {"description_width": "initial"}
        self.controls = {
            "start": widgets.SelectionSlider(
                options=[(str(m), i) for i, m in enumerate(self.months)], value=start,
                description="first month", style=style, continuous_update=False),
            "horizon": widgets.IntSlider(value=horizon, min=1, max=self.max_horizon,
                                         description="months ahead", style=style,
                                         continuous_update=False),
            "length": widgets.IntSlider(value=length, min=1, max=min(n, MAX_LENGTH),
                                        description="window (months)", style=style,
                                        continuous_update=False),
        }
        super().__init__()
        self.box.add_class("rnn-edu-forecast-explorer")

    def errors(self, start: int, horizon: int, length: int) -> dict[str, float]:
        """Each model's mean absolute error over the target months ``[start, start + length)``
        (cut at the end of the series) for forecasts made ``horizon`` months ahead; NaN if none."""
        n = len(self.series)
        start = C.require_int("start", start, 0, n - 1)
        horizon = C.require_int("horizon", horizon, 1, self.max_horizon)
        stop = min(start + C.require_int("length", length, 1), n)
        target = self.series[start:stop]
        return {name: forecast.mae(a[horizon - 1, start:stop], target) for name, a in self.aligned.items()}

    def _set_value(self, name: str, value) -> None:
        if name == "start" and C.is_int(value):  # clamped like the other sliders' values
            value = min(max(int(value), 0), len(self.series) - 1)
        elif name == "start":
            raise TypeError(f"start: expected an int (a month's index), got {C.describe(value)}")
        super()._set_value(name, value)

    def draw(self, fig: Figure, **values) -> str:
        """Build the axes and lines once; :meth:`update` then only changes their data."""
        fig.set_layout_engine(None)  # fixed margins: a layout engine would draw the figure twice
        ax = fig.add_axes((0.08, 0.13, 0.9, 0.83))
        ax.set_ylabel(self.unit)
        ax.grid(True, alpha=0.3)
        self._window = ax.axvspan(0, 1, color="#4c72b0", alpha=0.08, lw=0)  # a Rectangle
        for s in self.splits:
            ax.axvline(self.x[min(s, len(self.x) - 1)], color="k", lw=0.8, ls=":")
        self._observed = ax.plot([], [], color="#4c72b0", lw=1.6)[0]
        self._lines = {name: ax.plot([], [], color=COLORS[i % len(COLORS)], lw=2.0 if i == 0 else 1.1,
                                     ls="-" if i == 0 else "--")[0]
                       for i, name in enumerate(self.aligned)}
        return self._refresh(ax, **values)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), then by updating its lines."""
        if self.figure is None:
            super().update()
            return
        self.text.value = self._refresh(self.figure.axes[0], **self.values)
        self.image.value = figure_png(self.figure)

    def _refresh(self, ax, start: int, horizon: int, length: int) -> str:
        n = len(self.series)
        stop = min(start + length, n)
        lo, hi = max(0, start - BEFORE), min(n, stop + AFTER)
        self._observed.set_data(self.x[lo:hi], self.series[lo:hi])
        shown = [self.series[lo:hi]]
        for name, line in self._lines.items():
            f = self.aligned[name][horizon - 1, start:stop]
            line.set_data(self.x[start:stop], f)
            shown.append(f)
        left, right = self.x[start] - 1 / 24, self.x[stop - 1] + 1 / 24
        self._window.set_x(left)
        self._window.set_width(right - left)
        ax.set_xlim(self.x[lo] - 1 / 12, self.x[hi - 1] + 1 / 12)
        values = np.concatenate(shown)
        values = values[np.isfinite(values)]
        low, high = (values.min(), values.max()) if values.size else (0.0, 1.0)
        pad = max(0.05 * (high - low), 0.1)
        ax.set_ylim(low - pad, high + pad)
        return self._text(start, stop, horizon)

    def _text(self, start: int, stop: int, horizon: int) -> str:
        errors = self.errors(start, horizon, stop - start)
        ranked = sorted((e, name) for name, e in errors.items() if np.isfinite(e))
        parts = []
        for i, name in enumerate(self.aligned):
            e = errors[name]
            swatch = f"<span style='color:{COLORS[i % len(COLORS)]}'>■</span>"
            score = f"{e:.2f} {html.escape(self.unit)}" if np.isfinite(e) else "no forecast"
            best = " (best)" if ranked and name == ranked[0][1] and len(ranked) > 1 else ""
            parts.append(f"{swatch} {html.escape(name)}: {score}{best}")
        months = f"{self.months[start]} to {self.months[stop - 1]}"
        notes = [f"Mean absolute error of forecasts made {horizon} month{'s' if horizon > 1 else ''} "
                 f"ahead, over {stop - start} month{'s' if stop - start > 1 else ''} ({months}), "
                 "<span style='color:#4c72b0'>blue</span>: observed.", " · ".join(parts)]
        train_end, val_end = self.splits
        parts_of_series = (("training", 0, train_end), ("validation", train_end, val_end),
                           ("test", val_end, len(self.series)))
        inside = [label for label, a, b in parts_of_series if start < b and stop > a]
        notes.append("The window covers the " + " and ".join(inside) + " part"
                     + ("s" if len(inside) > 1 else "") + " (dotted lines: the splits).")
        if "training" in inside:
            notes.append("The models were fitted on training months: errors there are in-sample, "
                         "and flatter than on new data.")
        if not ranked:
            notes.append("No model has a forecast here: the series is too short before these months.")
        return "<br>".join(notes)


def _months(months, n: int) -> np.ndarray:
    """``months`` as ``(n,)`` increasing ``datetime64[M]``."""
    try:
        m = np.asarray(months, dtype="datetime64[M]")
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"months: expected (n,) months (datetime64[M]), got {C.describe(months)}") from None
    if m.shape != (n,) or n < 2:
        raise ValueError(f"months, series: expected two (n,) arrays with n >= 2, got shapes "
                         f"{m.shape} and {(n,)}")
    bad = np.flatnonzero(np.isnat(m[1:]) | np.isnat(m[:-1]) | ~(m[1:] > m[:-1]))
    if bad.size:
        i = bad[0]
        raise ValueError(f"months: expected increasing months, got {m[i]} then {m[i + 1]} at index {i}")
    return m


def _aligned(tables, n: int) -> dict[str, np.ndarray]:
    """Each table ``(n, H)`` lined up by target month: ``(H, n)``, ``[h - 1, t]`` = the forecast
    of month t made h months before, one slice per redraw."""
    C.require_instance("tables", tables, dict, "a dict of name -> (n, H) table")
    if not tables:
        raise ValueError("tables: expected a dict of at least one name -> (n, H) table, got an empty dict")
    checked = {}
    for name, table in tables.items():
        if not isinstance(name, str):
            raise TypeError(f"tables: expected str names (they are shown), got {C.describe(name)}")
        t = C.require_array(f"tables[{name!r}]", table, shape=(n, "H"), nonempty=True,
                            finite=False, labels="(n, H)")  # NaN: no forecast there
        if np.isinf(t).any():
            raise C.NonFiniteError(f"tables[{name!r}]: expected finite forecasts or NaN (none), got inf")
        checked[name] = t
    if len({t.shape for t in checked.values()}) != 1:
        raise ValueError(f"tables: expected every table of shape ({n}, H) with one H, got "
                         f"{ {name: t.shape for name, t in checked.items()} }")
    return {name: np.stack([forecast.at_horizon(t, h) for h in range(1, t.shape[1] + 1)])
            for name, t in checked.items()}


def _splits(splits, n: int) -> tuple[int, int]:
    """``(train_end, val_end)`` with ``0 < train_end <= val_end <= n``."""
    if not isinstance(splits, (tuple, list)) or len(splits) != 2:
        raise TypeError(f"splits: expected (train_end, val_end), got {C.describe(splits)}")
    train_end, val_end = (C.require_int("splits", s) for s in splits)
    if not 0 < train_end <= val_end <= n:
        raise ValueError(f"splits: expected 0 < train_end <= val_end <= {n}, got {tuple(splits)}")
    return train_end, val_end
