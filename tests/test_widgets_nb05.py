import itertools

import numpy as np
import pytest

from rnn_edu import jacobians
from rnn_edu.widgets.vanishing import LEGEND, VanishingExplorer


@pytest.fixture(scope="module")
def explorer():
    return VanishingExplorer(max_time=120)


def plotted_lines(explorer):
    ax = explorer.figure.axes[0]
    return [line.get_ydata() for line in ax.get_lines()]


@pytest.mark.parametrize(
    "control, value",
    [("sigma_max", 1.7), ("time", 80), ("activation", "relu"), ("input_scale", 4.0),
     ("matrix", "orthogonal")],
)
def test_each_control_changes_the_picture(explorer, control, value):
    explorer.set(sigma_max=1.0, time=40, activation="tanh", input_scale=1.0, matrix="gaussian")
    before = (explorer.image.value, explorer.text.value)
    explorer.controls[control].value = value
    assert explorer.image.value != before[0]
    assert explorer.text.value != before[1]


EXTREMES = list(itertools.product([0.0, 3.0], [1, 120], ["tanh", "relu", "linear"], [0.0, 10.0],
                                  ["gaussian", "orthogonal"]))


@pytest.mark.parametrize("sigma_max, time, activation, input_scale, matrix", EXTREMES)
def test_every_extreme_draws_finite_nonempty_curves(explorer, sigma_max, time, activation,
                                                    input_scale, matrix):
    explorer.set(sigma_max=sigma_max, time=time, activation=activation, input_scale=input_scale,
                 matrix=matrix)
    assert explorer.image.value[:4] == b"\x89PNG"
    lag, log_norms, log_bound, _ = explorer.compute(sigma_max, time, activation, input_scale, matrix)
    lines = plotted_lines(explorer)
    assert len(lines) == 2  # the measured median and the bound
    for y, log10_y in zip(lines, (np.median(log_norms, axis=0), log_bound), strict=True):
        assert len(y) == time + 1
        zero = np.isneginf(log10_y)
        assert np.all(np.isnan(y[zero]))  # an exact 0 is not drawn on the log axis...
        assert np.all(np.isfinite(y[~zero]) & (y[~zero] > 0))  # a log axis needs positive values
    # ...but marked in the strip under it, at exactly the lags where it is 0
    median_zeros, some_zeros, bound_zeros = strip_markers(explorer)
    np.testing.assert_array_equal(median_zeros, lag[np.isneginf(np.median(log_norms, axis=0))])
    np.testing.assert_array_equal(bound_zeros, lag[np.isneginf(log_bound)])
    assert set(some_zeros) == set(lag[np.isneginf(log_norms.min(axis=0))]) - set(median_zeros)
    (band,) = explorer.figure.axes[0].collections  # one min-max band, updated in place
    for path in band.get_paths():
        assert np.all(np.isfinite(path.vertices))
    lo, hi = explorer.figure.axes[0].get_ylim()
    assert 0 < lo < hi < np.inf
    assert "nan" not in explorer.text.value.lower()


def strip_markers(explorer):
    """The lags marked in the strip labelled 0: (median is 0, some sequence is 0, bound is 0)."""
    strip = explorer.figure.axes[1]
    assert [t.get_text() for t in strip.get_yticklabels()] == ["0"]
    return [np.asarray(line.get_xdata()) for line in strip.get_lines()]


def test_exact_zeros_are_drawn_as_zeros_not_at_the_floor(explorer):
    explorer.set(sigma_max=0.0, time=20, activation="tanh", input_scale=1.0, matrix="gaussian")
    median, bound = plotted_lines(explorer)
    assert median[0] == bound[0] == 1.0  # lag 0: dh_T/dh_T = I
    assert np.all(np.isnan(median[1:])) and np.all(np.isnan(bound[1:]))  # W_hh = 0: exact zeros
    median_zeros, some_zeros, bound_zeros = strip_markers(explorer)
    np.testing.assert_array_equal(median_zeros, np.arange(1, 21))
    np.testing.assert_array_equal(bound_zeros, np.arange(1, 21))
    assert len(some_zeros) == 0
    assert "strip labelled 0" in explorer.text.value
    # One ReLU unit is off at about half the steps: some sequences reach 0 before the median does
    one = VanishingExplorer(hidden=1, batch=5, max_time=30, time=30, activation="relu", seed=3)
    lag, log_norms, _, _ = one.compute(1.0, 30, "relu", 1.0)
    median_zeros, some_zeros, _ = strip_markers(one)
    assert len(some_zeros) > 0 and len(median_zeros) > 0 and some_zeros.max() < median_zeros.min()
    (band,) = one.figure.axes[0].collections
    drawn = np.concatenate([path.vertices[:, 0] for path in band.get_paths()])
    assert drawn.max() < some_zeros.min()  # the band stops where its lower edge would be 0


def test_the_picture_carries_its_legend(explorer):
    """The static PNG (GitHub, nbviewer) has no HTML text under it: the legend is in the figure."""
    explorer.set(sigma_max=1.2, time=50, activation="tanh", input_scale=1.0, matrix="gaussian")
    assert LEGEND[0].startswith("measured") and "bound" in LEGEND[2]
    assert "exactly 0" in LEGEND[3] and "strip" in LEGEND[3]
    (legend,) = explorer.figure.images  # drawn once, placed on every redraw
    pixels = legend.get_array()
    assert pixels.shape[2] == 4 and (pixels[..., :3] < 128).any()  # dark text on white
    width, height = explorer.figure.bbox.width, explorer.figure.bbox.height
    assert legend.ox + pixels.shape[1] <= width and 0 <= legend.oy <= height - pixels.shape[0]


def test_measured_curve_is_the_jacobian_norm_and_stays_under_the_bound(explorer):
    explorer.set(sigma_max=1.2, time=30, activation="tanh", input_scale=0.5, matrix="gaussian")
    lag, log_norms, log_bound, W_hh = explorer.compute(1.2, 30, "tanh", 0.5, "gaussian")
    assert jacobians.spectral_norm(W_hh) == pytest.approx(1.2)
    # Reference: rebuild the states with the forward loop and multiply Jacobians directly.
    u = 0.5 * explorer.x[:, :30] @ explorer.W_xh
    h = jacobians.hidden_states(W_hh, u)
    d = 1 - h**2
    P = np.eye(W_hh.shape[0])
    for s in range(30, 20, -1):
        P = P @ (np.diag(d[0, s - 1]) @ W_hh.T)
    assert 10 ** log_norms[0, 10] == pytest.approx(np.linalg.norm(P, 2), rel=1e-9)
    assert np.all(log_norms <= log_bound + 1e-9)
    assert "under the bound" in explorer.text.value
    median = plotted_lines(explorer)[0]
    np.testing.assert_allclose(np.log10(median), np.median(log_norms, axis=0), rtol=1e-12)


def test_linear_orthogonal_curve_lies_on_the_bound(explorer):
    explorer.set(sigma_max=1.1, time=50, activation="linear", input_scale=1.0, matrix="orthogonal")
    measured, bound = plotted_lines(explorer)
    np.testing.assert_allclose(measured, bound, rtol=1e-9)


def test_exact_zeros_are_reported(explorer):
    explorer.set(sigma_max=1.0, time=20, activation="relu", input_scale=0.0)
    assert "exactly 0" in explorer.text.value
    assert len(strip_markers(explorer)[0]) == 20  # every lag > 0: all ReLUs off


def test_static_fallback_in_the_display_bundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]
    assert bundle["text/plain"].startswith("Vanishing-gradient explorer")
    assert "rnn-edu-vanishing-explorer" in explorer.box._dom_classes


def test_bad_construction_is_named():
    with pytest.raises(ValueError, match="hidden: expected an int >= 1"):
        VanishingExplorer(hidden=0)
    with pytest.raises(ValueError, match="max_time: expected an int >= 2"):
        VanishingExplorer(max_time=1)
    with pytest.raises(ValueError, match="activation: expected one of .*'sigmoid'"):
        VanishingExplorer(activation="sigmoid")
    with pytest.raises(ValueError, match=r"matrix: expected one of \('gaussian', 'orthogonal'\), "
                                         "got str 'random'"):
        VanishingExplorer(matrix="random")
    # Out of a slider's range: an error, not a silently clamped value.
    with pytest.raises(ValueError, match=r"sigma_max: expected a finite number in \[0, 3\], got 5"):
        VanishingExplorer(sigma_max=5)
    with pytest.raises(ValueError, match=r"time: expected an int in \[1, 50\], got 80"):
        VanishingExplorer(time=80, max_time=50)
    with pytest.raises(ValueError, match=r"input_scale: expected a finite number in \[0, 10\], got -1"):
        VanishingExplorer(input_scale=-1)
    with pytest.raises(ValueError, match=r"seed: expected an int >= 0, got -1"):
        VanishingExplorer(seed=-1)
    with pytest.raises(ValueError, match=r"hidden: the result would hold .* more than the limit"):
        VanishingExplorer(hidden=10**5)


def test_compute_names_bad_arguments(explorer):
    with pytest.raises(ValueError, match=r"time: expected an int in \[1, 120\], got 121"):
        explorer.compute(1.0, 121, "tanh", 1.0)
    with pytest.raises(ValueError, match=r"time: expected an int in \[1, 120\], got 0"):
        explorer.compute(1.0, 0, "tanh", 1.0)
    with pytest.raises(ValueError, match=r"matrix: expected one of .*got str 'random'"):
        explorer.compute(1.0, 10, "tanh", 1.0, "random")
    with pytest.raises(ValueError, match=r"activation: expected one of .*got str 'sigmoid'"):
        explorer.compute(1.0, 10, "sigmoid", 1.0)


def test_smallest_explorer_works():
    small = VanishingExplorer(hidden=1, batch=1, max_time=2, time=2, sigma_max=3.0)
    lag, log_norms, log_bound, _ = small.compute(3.0, 2, "linear", 1.0, "orthogonal")
    np.testing.assert_allclose(log_norms[0], log_bound)  # 1x1 orthogonal: +-1, on the bound
    assert small.image.value[:4] == b"\x89PNG"
