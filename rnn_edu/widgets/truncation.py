"""The BPTT explorer (notebook 04): truncation and clipping against the full gradient.

On one batch it compares the gradient that training would use, truncated BPTT over chunks of
``truncate`` steps and then clipped (none, by global norm, or element-wise), with the true
gradient, full BPTT unclipped. Left: ``|dL/dh_t|`` over t, full and truncated (what reaches each
state). Right: the cosine of the two gradients (all parameters as one vector) against the chunk
length, for the current clipping, the current length marked. Clipping by the global norm keeps
the direction (cosine unchanged); clipping element-wise changes it, and the text says how many
entries it touched.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from rnn_edu import _checks as C
from rnn_edu import bptt, losses, optim, rnn
from rnn_edu.train import blas_limit
from rnn_edu.widgets._base import DPI, Explorer
from rnn_edu.widgets._pixels import Backdrop

CLIPPING = ("none", "norm", "element-wise")
#: The threshold slider's range (log scale): a global norm, or a bound on each entry.
THRESHOLD_RANGE = (1e-4, 10.0)


def flat(grads: rnn.RNNParams) -> np.ndarray:
    """All gradients of ``grads`` as one vector, shape ``(n_parameters,)``."""
    C.require_instance("grads", grads, rnn.RNNParams)
    return np.concatenate([g.ravel() for g in grads.as_dict().values()])


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """``u . v / (|u| |v|)`` of two vectors of one shape (0 if either is all zeros)."""
    u = C.require_array("u", u, kind="float")
    v = C.require_array("v", v, kind="float", shape=u.shape)
    scale_u, scale_v = np.abs(u).max(initial=0.0), np.abs(v).max(initial=0.0)
    if scale_u == 0 or scale_v == 0:
        return 0.0
    # Each divided by its largest entry first: norms of 1e200 or 1e-200 would overflow or vanish.
    u, v = u.ravel() / scale_u, v.ravel() / scale_v
    return float(np.clip(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)), -1.0, 1.0))


class BPTTExplorer(Explorer):
    """Truncated and clipped gradients of one batch against full BPTT.

    params: the RNN; x: token ids ``(batch, time)``; targets: the next ids ``(batch, time)``
    (mean cross-entropy over every position). truncate: chunk length, 1 to ``time``;
    clipping: one of :data:`CLIPPING`; threshold: the global norm (``"norm"``) or the bound on
    each entry (``"element-wise"``), in :data:`THRESHOLD_RANGE`. A value outside its slider's
    range is refused here (``ValueError``); later the sliders clamp (their contract).
    """

    title = "BPTT explorer: truncation and clipping"
    figsize = (8.0, 3.0)

    def __init__(
        self,
        params: rnn.RNNParams,
        x: np.ndarray,
        targets: np.ndarray,
        *,
        truncate: int = 25,
        clipping: str = "none",
        threshold: float = 1e-2,
    ) -> None:
        C.require_instance("params", params, rnn.RNNParams).require_finite()
        x = C.require_array("x", x, kind="int", shape=("batch", "time"), nonempty=True)
        targets = C.require_array("targets", targets, kind="int", shape=x.shape,
                                  labels="(batch, time), like x")
        time = x.shape[1]
        truncate = C.require_int("truncate", truncate, 1, time)
        C.require_choice("clipping", clipping, CLIPPING)
        threshold = C.require_real("threshold", threshold, *THRESHOLD_RANGE)
        self.params = params
        self.cache = rnn.forward(params, x)  # ValueError naming x if an id is out of range
        self.dy = losses.cross_entropy(self.cache.y, targets)[1]
        self._grads: dict[int, np.ndarray] = {}
        self._dh: dict[int, np.ndarray] = {}
        self._cosines: dict = {}  # the cosine curve for the last clipping and threshold
        self.lengths = sorted({1, 2, 5, 10, 25, 50, 100, time} & set(range(1, time + 1)))
        style = {"description_width": "initial"}
        self.controls = {
            "truncate": widgets.IntSlider(value=truncate, min=1, max=time, description="chunk length",
                                          style=style, continuous_update=False),
            "clipping": widgets.Dropdown(options=list(CLIPPING), value=clipping,
                                         description="clipping", style=style),
            "threshold": widgets.FloatLogSlider(value=threshold, base=10, min=-4, max=1, step=0.25,
                                                description="threshold", style=style,
                                                continuous_update=False, readout_format=".1e"),
        }
        super().__init__()
        self.box.add_class("rnn-edu-bptt-explorer")

    def gradients(self, truncate: int) -> tuple[np.ndarray, np.ndarray]:
        """``(g, dh_norms)`` for chunks of ``truncate``: the gradient as one vector, unclipped,
        and ``|dL/dh_t|`` for t = 1..T, shape ``(time,)`` (norm over the batch and the units)."""
        return self._gradient(truncate), self._dh_norms(truncate)

    def _gradient(self, truncate: int) -> np.ndarray:
        truncate = C.require_int("truncate", truncate, 1, self.cache.h.shape[1])
        if truncate not in self._grads:  # cached: the cosine curve needs every length
            grads, _ = bptt.backward(self.params, self.cache, self.dy, truncate=truncate)
            self._grads[truncate] = flat(grads)
        return self._grads[truncate]

    def _dh_norms(self, truncate: int) -> np.ndarray:
        truncate = C.require_int("truncate", truncate, 1, self.cache.h.shape[1])
        if truncate not in self._dh:
            dh, _ = bptt.state_gradients(self.params, self.cache, self.dy, truncate=truncate)
            self._dh[truncate] = np.sqrt(np.sum(dh**2, axis=(0, 2)))
        return self._dh[truncate]

    def compare(self, truncate: int, clipping: str, threshold: float) -> dict:
        """The numbers shown: ``cosine`` with full BPTT, ``clipped`` (share of entries changed,
        or 1 if the norm was scaled), ``norm`` (of the unclipped truncated gradient) and
        ``full_norm``."""
        C.require_choice("clipping", clipping, CLIPPING)
        threshold = C.require_real("threshold", threshold, above=0)
        full, g = self._gradient(self.cache.h.shape[1]), self._gradient(truncate)
        used, clipped = _clip(g, clipping, threshold)
        return {"cosine": cosine(used, full), "clipped": clipped,
                "norm": float(np.linalg.norm(g)), "full_norm": float(np.linalg.norm(full))}

    def draw(self, fig: Figure, truncate: int, clipping: str, threshold: float) -> str:
        """Build both plots on ``fig``, then fill them in for the values; return the HTML."""
        time = self.cache.h.shape[1]
        # Fixed margins, no layout engine: constrained layout took most of each redraw's time.
        fig.set_layout_engine(None)
        fig.set_dpi(DPI)  # the PNG's own, for the Backdrops
        ax_h = fig.add_axes((0.09, 0.16, 0.5, 0.74))
        ax_c = fig.add_axes((0.7, 0.16, 0.28, 0.74))
        steps = np.arange(1, time + 1)
        self._full = ax_h.semilogy(steps, self._dh_norms(time), color="#999999", lw=2,
                                   label="full BPTT")[0]
        self._cut = ax_h.semilogy(steps, self._dh_norms(truncate), color="#4c72b0", lw=1,
                                  label=f"chunks of {truncate}")[0]
        # Plain tick labels and no minor ticks: mathtext's 10^k is slow to typeset on every redraw.
        ax_h.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=6))
        ax_h.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
        ax_h.yaxis.set_minor_locator(NullLocator())
        ax_h.set_xlabel("step t")
        ax_h.set_ylabel("|dL/dh_t|")
        self._legend = ax_h.legend(fontsize=8, loc="lower right")
        self._curve = ax_c.plot(self.lengths, np.ones(len(self.lengths)), "o-", color="#4c72b0",
                                ms=4)[0]
        self._now = ax_c.plot([truncate], [1.0], "o", color="#c44e52", ms=8)[0]
        ax_c.set_xscale("log")
        ax_c.set_xticks(self.lengths, [str(n) for n in self.lengths], fontsize=7)
        ax_c.xaxis.set_minor_locator(NullLocator())
        ax_c.set_xlabel("chunk length")
        ax_c.set_ylabel("cosine with full BPTT")
        return self._refresh(truncate, clipping, threshold)

    def update(self) -> None:
        """Redraw: the first time on a new figure (:meth:`draw`), then by updating its curves
        (a new figure per move took about a third of its time). A move of the chunk length
        redraws the left plot and the marker over the kept rest of the picture; a move of the
        clipping or the threshold, the right plot (:class:`Backdrop`). BLAS on one thread: the
        products are small."""
        with blas_limit(1):
            if self.figure is None:
                super().update()
                ax_h, ax_c = self.figure.axes
                self._backdrops = {"truncate": Backdrop(self.figure, [ax_h, self._now]),
                                   "clipping": Backdrop(self.figure, [ax_c])}
                self._drawn = self.values
                return
            values = self.values
            self.text.value = self._refresh(**values)
            if all(values[k] == self._drawn[k] for k in ("clipping", "threshold")):
                # The rest (the cosine curve) depends on the clipping and the threshold.
                png = self._backdrops["truncate"].png(key=(values["clipping"], values["threshold"]))
            else:  # the rest (the left plot) depends on the chunk length
                png = self._backdrops["clipping"].png(key=values["truncate"])
            self.image.value, self._drawn = png, values

    def _refresh(self, truncate: int, clipping: str, threshold: float) -> str:
        """Put the curves for one setting on the figure; return the HTML text."""
        time = self.cache.h.shape[1]
        ax_h, ax_c = self._cut.axes, self._curve.axes
        self._cut.set_ydata(self._dh_norms(truncate))
        self._legend.get_texts()[1].set_text(f"chunks of {truncate}")
        ax_h.relim()
        ax_h.autoscale_view()
        key = (clipping, threshold)  # the curve does not depend on the chunk length: kept
        if self._cosines.get("key") != key:
            self._cosines = {"key": key, "values": [
                self.compare(n, clipping, threshold)["cosine"] for n in self.lengths]}
        cosines = self._cosines["values"]
        self._curve.set_ydata(cosines)
        now = self.compare(truncate, clipping, threshold)
        self._now.set_data([truncate], [now["cosine"]])
        ax_c.set_ylim(min(0.0, min(cosines) - 0.05), 1.05)
        ax_c.set_title(f"clipping: {clipping}", fontsize=9, y=1.0)  # y: no search for a place
        # clear of the top axis (it has no ticks)
        if clipping == "none":
            how = "no clipping"
        elif clipping == "norm":
            how = (f"clipped to global norm {threshold:.1e}: "
                   + ("scaled down, same direction" if now["clipped"] else "not needed"))
        else:
            how = (f"element-wise at ±{threshold:.1e}: {100 * now['clipped']:.1f}% of the "
                   "entries changed")
        return (f"Chunks of {truncate} of {time} steps, {how}.<br>"
                f"Cosine with the full, unclipped gradient: <b>{now['cosine']:.3f}</b> "
                f"(norms: truncated {now['norm']:.2e}, full {now['full_norm']:.2e}).")


def _clip(g: np.ndarray, clipping: str, threshold: float) -> tuple[np.ndarray, float]:
    """``g`` clipped, and how much: the share of entries changed, or 1.0 / 0.0 for the norm."""
    if clipping == "norm":
        clipped, norm = optim.clip_global_norm({"g": g}, threshold)
        return clipped["g"], float(norm > threshold)
    if clipping == "element-wise":
        return optim.clip_elementwise({"g": g}, threshold)["g"], float(np.mean(np.abs(g) > threshold))
    return g, 0.0
