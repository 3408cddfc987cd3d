"""The gate explorer (notebook 07): a trained GRU's gates over one adding-problem sequence.

The GRU reads a sequence of the adding problem (:mod:`rnn_edu.adding`): values in [0, 1] and two
markers. Two heat maps show the update gate z_t and the reset gate r_t of every unit at every
step; a third panel shows the running prediction ``y_t`` (the read-out applied to every h_t,
though training only asked for the last one) against the target. Sliders move the two markers
and change the length T. Where z_t is near 1 the unit keeps its state (h_t ~ h_{t-1}): a unit
that stores a marked value shows z dropping at the marker (it writes) and staying near 1 after it
(it holds).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from rnn_edu import _checks as C
from rnn_edu import gru
from rnn_edu.widgets._base import Explorer, figure_png
from rnn_edu.widgets._pixels import bake

MAX_TIME = 10_000  # the longest sequence the explorer draws (one heat-map column per step)
MAP_LEFT, MAP_WIDTH = 0.095, 0.838  # the panels' fixed margins (figure fractions)
BOTTOMS = (0.676, 0.327)  # the heat maps' lower edges


class GateExplorer(Explorer):
    """z_t and r_t of ``params`` (a GRU with input 2 and output 1) on one adding sequence.

    time: the length T (10..max_time); first, second: the marker positions, first in
    ``[0, T/2)`` and second in ``[T/2, T)`` as in :func:`rnn_edu.adding.adding_problem`;
    seed: fixes the sequence's values (the sliders only move the markers and cut the length).
    Wrong constructor arguments are refused, naming the argument; ``set`` past a slider's range
    clamps to it (the slider's contract), and changing T moves the markers into their halves.
    """

    title = "Gate explorer"
    figsize = (7.5, 5.0)

    def __init__(self, params: gru.GRUParams, *, time: int = 100, first: int = 10,
                 second: int = 70, max_time: int = 200, seed: int = 0) -> None:
        C.require_instance("params", params, gru.GRUParams).require_finite()
        if params.input_size != 2 or params.output_size != 1:
            raise ValueError(
                "params: expected input size 2 and output size 1 (the adding problem), got "
                f"{params.input_size} and {params.output_size}"
            )
        max_time = C.require_int("max_time", max_time, 10, MAX_TIME)
        time, first, second = _check_setting(time, first, second, max_time)
        self.params = params.astype(np.float64)
        self.values_ = np.random.default_rng(C.require_seed("seed", seed)).uniform(0.0, 1.0, max_time)
        style = {"description_width": "initial"}
        slider = dict(style=style, continuous_update=False)
        self.controls = {
            "time": widgets.IntSlider(value=time, min=10, max=max_time, description="length T", **slider),
            "first": widgets.IntSlider(value=first, min=0, max=time // 2 - 1, description="marker 1",
                                       **slider),
            "second": widgets.IntSlider(value=second, min=time // 2, max=time - 1,
                                        description="marker 2", **slider),
        }
        # Changing T moves the markers' ranges (and the markers, if they fall outside).
        self.controls["time"].observe(self._on_time, names="value")
        super().__init__()
        self.box.add_class("rnn-edu-gate-explorer")

    def sequence(self, time: int, first: int, second: int) -> tuple[np.ndarray, float]:
        """``(x, target)``: ``x (1, time, 2)`` [value, marker] and the sum of the marked values."""
        time, first, second = _check_setting(time, first, second, len(self.values_))
        x = np.zeros((1, time, 2))
        x[0, :, 0] = self.values_[:time]
        x[0, [first, second], 1] = 1.0
        return x, float(self.values_[first] + self.values_[second])

    def compute(self, time: int, first: int, second: int):
        """``(z, r, y, target)`` for one setting: z, r ``(time, hidden)``, y ``(time,)``."""
        x, target = self.sequence(time, first, second)
        cache = gru.forward(self.params, x)
        return cache.z[0], cache.r[0], cache.y[0, :, 0], target

    def draw(self, fig: Figure, **values) -> str:
        """Build the axes, heat maps, lines and colorbars on ``fig``, then fill them in."""
        # Fixed margins, no layout engine: constrained layout took half the time of every slider
        # move, and this figure is redrawn on every move (it is built once, then updated).
        fig.set_layout_engine(None)
        hidden = self.params.hidden_size
        self._maps, self._markers = [], []
        axes = []
        for bottom, name in zip(BOTTOMS, ("update gate z", "reset gate r")):
            ax = fig.add_axes((MAP_LEFT, bottom, MAP_WIDTH, 0.305))
            image = ax.imshow(np.zeros((hidden, 1)), aspect="auto", cmap="viridis", vmin=0.0,
                              vmax=1.0, interpolation="nearest")
            ax.set_ylabel(f"{name}\nunit")
            # The units never change: their ticks are located and labelled once, not per redraw.
            ax.set_ylim(hidden - 0.5, -0.5)
            ticks = [v for v in ax.yaxis.get_major_locator()() if -0.5 <= v <= hidden - 0.5]
            ax.set_yticks(ticks, ax.yaxis.get_major_formatter().format_ticks(ticks))
            ax.set_ylim(hidden - 0.5, -0.5)
            ax.tick_params(labelbottom=False)
            self._maps.append(image)
            axes.append(ax)
        out = fig.add_axes((MAP_LEFT, 0.094, MAP_WIDTH, 0.198))
        self._prediction = out.plot([], [], color="#4c72b0", lw=1.5, label="prediction y_t")[0]
        self._target = out.axhline(0.0, color="#c44e52", ls="--", lw=1.2, label="target")
        out.set_ylabel("output")
        out.set_xlabel("time step t")
        out.legend(loc="upper left", fontsize=8, frameon=False)
        for ax in (*axes, out):
            self._markers += [ax.axvline(0, color="white" if ax is not out else "0.4", ls=":",
                                         lw=1.2) for _ in range(2)]
        # The colorbars and the heat maps' unit axes never change: drawn once into images, they
        # cost nothing per redraw (drawn with the figure, they took a third of every redraw).
        caxes = [fig.add_axes((0.941, bottom, 0.0102, 0.305)) for bottom in BOTTOMS]
        for image, cax in zip(self._maps, caxes):
            fig.colorbar(image, cax=cax)
        bake(fig, [*([cax] for cax in caxes),
                   *([ax.yaxis.label, *ax.get_yticklabels()] for ax in axes)])
        return self._refresh(**values)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), then by updating its artists
        (same picture, a fraction of the time: no new figure, no layout engine)."""
        if self.figure is None:
            super().update()
            return
        self.text.value = self._refresh(**self.values)
        self.image.value = figure_png(self.figure)

    def _refresh(self, time: int, first: int, second: int) -> str:
        """Put one setting's gates, prediction and markers on the figure; return the HTML text."""
        z, r, y, target = self.compute(time, first, second)
        extent = (-0.5, time - 0.5, z.shape[1] - 0.5, -0.5)
        for image, gate in zip(self._maps, (z, r)):
            image.set_data(gate.T)
            image.set_extent(extent)
        self._prediction.set_data(np.arange(time), y)
        self._target.set_ydata([target, target])
        for line, m in zip(self._markers, [first, second] * 3):
            line.set_xdata([m, m])
        for image in self._maps:
            image.axes.set_xlim(-0.5, time - 0.5)  # the heat maps' edges, in all three panels
            image.axes.set_ylim(z.shape[1] - 0.5, -0.5)
        out = self._prediction.axes
        out.set_xlim(-0.5, time - 0.5)  # not shared: a shared axis lays out its siblings' labels
        out.relim()  # the prediction and the target (the markers only span x)
        out.autoscale_view(scalex=False)
        held = _held_units(z, first)
        error = y[-1] - target
        return (f"Markers at t = {first} and t = {second} (dotted lines): values "
                f"{self.values_[first]:.2f} + {self.values_[second]:.2f} = target {target:.2f}; "
                f"the prediction at T = {time} is {y[-1]:.2f} (error {error:+.2f}).<br>"
                f"Units whose update gate stays above 0.9 from the first marker to the end: "
                f"{held} of {z.shape[1]}. Bright z means the unit keeps its state.")

    def _on_time(self, change) -> None:
        T = change["new"]
        first, second = self.controls["first"], self.controls["second"]
        with self._hold():  # one redraw, after the ranges and the markers are consistent
            # Widen before narrowing, so a slider's min never passes its max on the way.
            second.max = max(second.max, T - 1)
            second.min = T // 2
            second.max = T - 1
            first.max = T // 2 - 1
            first.value = min(first.value, T // 2 - 1)


def _held_units(z: np.ndarray, first: int) -> int:
    """How many units keep z > 0.9 at every step after the first marker, to the end."""
    return int(np.sum(np.all(z[first + 1:] > 0.9, axis=0)))


def _check_setting(time, first, second, max_time: int) -> tuple[int, int, int]:
    """``(time, first, second)`` as ints: T in [10, max_time], each marker in its half of T."""
    time = C.require_int("time", time, 10, max_time)
    first = C.require_int("first", first, 0, time // 2 - 1, why=f"the first half of T = {time}")
    second = C.require_int("second", second, time // 2, time - 1,
                           why=f"the second half of T = {time}")
    return time, first, second
