"""The vanishing-gradient explorer (notebook 05).

A small random RNN runs over random inputs; the plot shows ``||dh_T/dh_t||`` (the spectral norm
of the product of Jacobians) against the time lag ``T - t`` on a log scale, with the bound
``(sigma_max(W_hh) * gamma) ** (T - t)`` overlaid. Sliders set sigma_max(W_hh) (the same matrix,
rescaled), the sequence length T, the activation and the scale of the inputs; a menu picks the
kind of matrix: a random Gaussian one (singular values spread out, spectral radius well below
sigma_max) or a random orthogonal one (every singular value equal to sigma_max).

Every number is computed as a log10 (see :mod:`rnn_edu.jacobians`), so extreme settings give
finite curves; what falls outside the plotted range is drawn at its edge and said in the text.
A log axis has no 0: an exact zero (W_hh = 0, or every ReLU off) breaks the curve and is marked
in a strip labelled "0" under the axis, and the picture's legend says so (the static PNG, shown
where widgets are not, carries the same legend as the live widget).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from rnn_edu import _checks as C
from rnn_edu import jacobians
from rnn_edu.widgets._base import DPI, Explorer, figure_png

#: Plotted range of log10 norms: values beyond it are drawn at the edge (and reported).
LOG10_FLOOR, LOG10_CEIL = -300.0, 300.0
#: The kinds of W_hh, and the upper ends of the sigma_max and input-scale sliders.
MATRICES = ("gaussian", "orthogonal")
SIGMA_MAX, INPUT_SCALE_MAX = 3.0, 10.0
#: The picture's legend: the median, the band, the bound, the marks for exact zeros.
#: How the curves are drawn, shared by the plot and its legend (which cannot reuse the plotted
#: artists: matplotlib 3.10.0, Colab's, refuses to put the band into a second figure).
MEDIAN = {"color": "#4c72b0", "lw": 2}
BAND = {"color": "#4c72b0", "alpha": 0.25, "linewidth": 0}
BOUND = {"color": "#c44e52", "ls": "--", "lw": 1.5}
ZERO_MEDIAN = {"color": "#4c72b0", "ls": "", "marker": "x", "ms": 5}
LEGEND = ("measured ‖∂h_T/∂h_t‖ (median)", "range over the input sequences",
          "bound (σ_max·γ)^(T−t)", "exactly 0: marked in the strip under the axis")


class VanishingExplorer(Explorer):
    """Gradient norms over time for a random RNN with ``hidden`` units.

    batch: how many random input sequences (their median is drawn, with the min-max band);
    seed: fixes the matrices and the inputs, so only the sliders change the picture.

    ``sigma_max``, ``time`` and ``input_scale`` must lie in their sliders' ranges, or the
    constructor raises ``ValueError``; later, :meth:`set` and the sliders clamp a value to the
    range (that is the slider's contract). :meth:`compute` takes any finite values.
    """

    title = "Vanishing-gradient explorer"
    figsize = (7.0, 3.6)

    def __init__(
        self,
        *,
        sigma_max: float = 1.0,
        time: int = 50,
        activation: str = "tanh",
        input_scale: float = 1.0,
        matrix: str = "gaussian",
        hidden: int = 12,
        batch: int = 3,
        max_time: int = 200,
        seed: int = 0,
    ) -> None:
        hidden = C.require_int("hidden", hidden, min=1)
        batch = C.require_int("batch", batch, min=1)
        max_time = C.require_int("max_time", max_time, min=2)
        # The sweep keeps batch * (T + 1) products of hidden x hidden.
        C.require_size("hidden", batch * (max_time + 1) * hidden**2)
        C.require_choice("activation", activation, jacobians.ACTIVATIONS)
        C.require_choice("matrix", matrix, MATRICES)
        # A slider would silently clamp a value outside its range: say so instead.
        C.require_real("sigma_max", sigma_max, 0.0, SIGMA_MAX)
        C.require_int("time", time, 1, max_time)
        C.require_real("input_scale", input_scale, 0.0, INPUT_SCALE_MAX)
        rng = np.random.default_rng(C.require_seed("seed", seed))
        q, r = np.linalg.qr(rng.standard_normal((hidden, hidden)))
        self.W0 = {  # each with sigma_max = 1; the slider scales it
            "gaussian": jacobians.with_spectral_norm(rng.standard_normal((hidden, hidden)), 1.0),
            "orthogonal": q * np.sign(np.diag(r)),
        }
        self.W_xh = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)
        self.x = rng.standard_normal((batch, max_time, hidden))
        style = {"description_width": "initial"}
        self.controls = {
            "sigma_max": widgets.FloatSlider(
                value=sigma_max, min=0.0, max=SIGMA_MAX, step=0.05, description="σ_max(W_hh)",
                style=style, continuous_update=False, readout_format=".2f"),
            "time": widgets.IntSlider(
                value=time, min=1, max=max_time, description="length T", style=style,
                continuous_update=False),
            "activation": widgets.Dropdown(
                options=list(jacobians.ACTIVATIONS), value=activation, description="activation",
                style=style),
            "input_scale": widgets.FloatSlider(
                value=input_scale, min=0.0, max=INPUT_SCALE_MAX, step=0.1, description="input scale",
                style=style, continuous_update=False),
            "matrix": widgets.Dropdown(
                options=list(self.W0), value=matrix, description="W_hh", style=style),
        }
        super().__init__()
        self.box.add_class("rnn-edu-vanishing-explorer")

    def compute(self, sigma_max: float, time: int, activation: str, input_scale: float,
                matrix: str = "gaussian"):
        """``(lag, log10_norms, log10_bound, W_hh)`` for one setting.

        lag: ``(time + 1,)`` = T - t; log10_norms: ``(batch, time + 1)``, column k at lag k;
        log10_bound: ``(time + 1,)``; W_hh: ``(hidden, hidden)``.
        """
        sigma_max = C.require_real("sigma_max", sigma_max, min=0)
        time = C.require_int("time", time, 1, self.x.shape[1])
        C.require_choice("activation", activation, jacobians.ACTIVATIONS)
        input_scale = C.require_real("input_scale", input_scale, min=0)
        C.require_choice("matrix", matrix, MATRICES)
        W_hh = self.W0[matrix] * sigma_max
        u = input_scale * self.x[:, :time] @ self.W_xh
        h = jacobians.hidden_states(W_hh, u, activation=activation)
        log_norms = jacobians.log10_jacobian_norms(W_hh, h, activation)[:, ::-1]
        log_bound = jacobians.log10_bound(float(sigma_max), jacobians.GAMMA[activation], time)
        return np.arange(time + 1), log_norms, log_bound[::-1], W_hh

    def draw(self, fig: Figure, **values) -> str:
        """Build the axes, the curves and the legend on ``fig``, then fill them in for ``values``."""
        # Fixed margins and plain-text labels: constrained layout and mathtext would triple the
        # time to render the PNG, and this figure is redrawn on every slider move. No layout
        # engine at all: even the placeholder that "none" installs makes savefig draw twice.
        fig.set_layout_engine(None)
        fig.set_dpi(DPI)  # the PNG's own: the legend image below is placed in its pixels
        ax = fig.add_axes((0.13, 0.3, 0.85, 0.5))
        # Under the log axis, a strip for the lags whose norm is exactly 0 (log10 = -inf).
        zeros = fig.add_axes((0.13, 0.13, 0.85, 0.1), sharex=ax)
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=5))
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(_tick_label))
        ax.tick_params(labelbottom=False)
        ax.set_ylabel("gradient norm")
        ax.grid(True, axis="y", alpha=0.3)
        zeros.set_ylim(0, 1)
        zeros.set_yticks([0.5], ["0"])
        zeros.set_xlabel("time lag T − t")
        self._median = ax.plot([], [], **MEDIAN)[0]
        self._bound = ax.plot([], [], **BOUND)[0]
        self._band = ax.fill_between([], [], [], **BAND)
        self._median_zeros = zeros.plot([], [], **ZERO_MEDIAN)[0]
        self._some_zeros = zeros.plot([], [], "|", color="#4c72b0", alpha=0.5, ms=6)[0]
        self._bound_zeros = zeros.plot([], [], "_", color="#c44e52", ms=6, mew=2)[0]
        # The legend never changes: drawn once into an image, it costs nothing per redraw
        # (typeset as text, it took a third of the time of every slider move).
        if getattr(self, "_legend_image", None) is None:
            self._legend_image = _legend_image(LEGEND, DPI)
        fig.figimage(self._legend_image, xo=0.1 * fig.bbox.width, origin="upper",
                     yo=fig.bbox.height - self._legend_image.shape[0])
        return self._refresh(ax, **values)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), then by updating its curves.

        :meth:`Explorer.update` builds a new figure every time; reusing this one (same text and
        PNG) saves about a fifth of the time per move.
        """
        if self.figure is None:
            super().update()
            return
        self.text.value = self._refresh(self.figure.axes[0], **self.values)
        self.image.value = figure_png(self.figure)

    def _refresh(self, ax, sigma_max: float, time: int, activation: str, input_scale: float,
                 matrix: str) -> str:
        """Put the curves for one setting on ``ax``; return the HTML text."""
        lag, log_norms, log_bound, W_hh = self.compute(sigma_max, time, activation, input_scale,
                                                       matrix)
        # Values beyond the range are drawn at its edge; exact zeros (log10 = -inf) are not drawn
        # on the log axis at all (NaN breaks the curve) but marked in the strip under it.
        finite = np.concatenate([log_norms[np.isfinite(log_norms)], log_bound[np.isfinite(log_bound)]])
        floor = max(LOG10_FLOOR, finite.min(initial=0.0) - 3.0)
        median = np.median(log_norms, axis=0)
        low_edge, high_edge = log_norms.min(axis=0), log_norms.max(axis=0)
        self._median.set_data(lag, _on_log_axis(median, floor))
        self._bound.set_data(lag, _on_log_axis(log_bound, floor))
        band_low, band_high = _on_log_axis(low_edge, floor), _on_log_axis(high_edge, floor)
        # Where some sequence is exactly 0 the band stops (a log axis cannot reach 0).
        self._band.set_data(lag, np.nan_to_num(band_low, nan=1.0),
                            np.nan_to_num(band_high, nan=1.0), where=np.isfinite(low_edge))
        at_zero = np.isneginf(median)
        self._median_zeros.set_data(lag[at_zero], np.full(at_zero.sum(), 0.6))
        some = np.isneginf(low_edge) & ~at_zero
        self._some_zeros.set_data(lag[some], np.full(some.sum(), 0.6))
        bound_zero = np.isneginf(log_bound)
        self._bound_zeros.set_data(lag[bound_zero], np.full(bound_zero.sum(), 0.3))
        shown = np.clip(np.concatenate([high_edge, median, log_bound]), floor, LOG10_CEIL)
        shown = shown[np.isfinite(np.concatenate([high_edge, median, log_bound]))]
        low, high = (shown.min(), shown.max()) if shown.size else (-1.0, 1.0)
        pad = max(0.5, 0.05 * (high - low))
        ax.set_ylim(10.0 ** max(low - pad, -305.0), 10.0 ** min(high + pad, 305.0))
        ax.set_xlim(0, max(time, 1))

        rho = jacobians.spectral_radius(W_hh)
        final = np.median(log_norms[:, -1])
        notes = [f"Median and range over {log_norms.shape[0]} input sequences: "
                 f"{activation}, {matrix} W_hh with σ_max = {sigma_max:.2f} and spectral radius "
                 f"{rho:.2f}, γ = {jacobians.GAMMA[activation]:g}, input scale {input_scale:.1f}.",
                 f"At lag T = {time}: median ‖∂h_T/∂h_0‖ = {_power_of_ten(final)}, "
                 f"bound = {_power_of_ten(log_bound[-1])}."]
        if np.all(log_norms <= log_bound + 1e-9):
            notes.append("Every measured norm is under the bound.")
        if np.any(np.isneginf(log_norms)) or np.any(bound_zero):
            notes.append("Some norms are exactly 0 (W_hh = 0, or every unit had slope 0 at a step, "
                         "e.g. all ReLUs off): a log axis has no 0, so the curve stops there and "
                         "the strip labelled 0 under the axis marks them (× the median, | some "
                         "sequences, red – the bound).")
        if np.any((finite < floor) | (finite > LOG10_CEIL)):
            notes.append(f"Values beyond 1e{floor:+.0f}..1e{LOG10_CEIL:+.0f} are drawn at the edge "
                         "(they are computed exactly, as logarithms).")
        return "<br>".join(notes)


def _legend_image(labels, dpi: float) -> np.ndarray:
    """The legend as an RGBA image ``(height, width, 4)``, drawn once, from stand-in artists
    styled like the curves."""
    handles = [Line2D([], [], **MEDIAN), Patch(**BAND), Line2D([], [], **BOUND),
               Line2D([], [], **ZERO_MEDIAN)]
    fig = Figure(figsize=(6.0, 0.4), dpi=dpi)
    fig.legend(handles, labels, loc="center left", ncols=2, fontsize=8, frameon=False,
               handlelength=1.8, columnspacing=1.2, borderaxespad=0)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _on_log_axis(log10_values: np.ndarray, floor: float) -> np.ndarray:
    """``10 ** log10_values`` clipped to the plotted range, NaN (not drawn) for exact zeros."""
    shown = 10.0 ** np.clip(log10_values, floor, LOG10_CEIL)
    return np.where(np.isneginf(log10_values), np.nan, shown)


def _tick_label(value: float, _position) -> str:
    """``1e-20`` rather than mathtext's 10^-20, which is slow to typeset on every redraw."""
    return f"1e{round(np.log10(value)):+d}" if value > 0 else "0"


def _power_of_ten(log10_value: float) -> str:
    """``log10_value`` as a readable number: 3.2e-45, or 0 for -inf."""
    if np.isneginf(log10_value):
        return "0"
    exponent = np.floor(log10_value)
    return f"{10.0 ** (log10_value - exponent):.1f}e{int(exponent):+d}"
