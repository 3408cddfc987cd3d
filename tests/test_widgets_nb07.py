import numpy as np
import pytest

from rnn_edu import gru
from rnn_edu.widgets.gates import GateExplorer


@pytest.fixture(scope="module")
def params():
    p = gru.init_params(2, 6, 1, seed=0)
    p.b_xh[:6] = np.linspace(-2, 3, 6)  # update gates from mostly open to mostly closed
    return p


@pytest.fixture(scope="module")
def explorer(params):
    return GateExplorer(params, time=60, first=5, second=40)


def heat_maps(explorer):
    return [ax.get_images()[0].get_array() for ax in explorer.figure.axes if ax.get_images()]


@pytest.mark.parametrize("control, value", [("time", 120), ("first", 20), ("second", 50)])
def test_each_control_changes_the_picture_and_the_text(explorer, control, value):
    explorer.set(time=60, first=5, second=40)
    before = (explorer.image.value, explorer.text.value)
    explorer.controls[control].value = value
    assert explorer.image.value != before[0]
    assert explorer.text.value != before[1]


def test_the_heat_maps_are_the_gates_of_gru_forward(explorer, params):
    explorer.set(time=50, first=3, second=30)
    x, target = explorer.sequence(50, 3, 30)
    assert x.shape == (1, 50, 2) and np.flatnonzero(x[0, :, 1]).tolist() == [3, 30]
    assert target == pytest.approx(x[0, 3, 0] + x[0, 30, 0])
    cache = gru.forward(params, x)
    z_map, r_map = heat_maps(explorer)
    np.testing.assert_allclose(z_map, cache.z[0].T, atol=1e-12)
    np.testing.assert_allclose(r_map, cache.r[0].T, atol=1e-12)
    output_axes = [ax for ax in explorer.figure.axes if ax.get_lines() and not ax.get_images()]
    prediction = output_axes[0].get_lines()[0].get_ydata()
    np.testing.assert_allclose(prediction, cache.y[0, :, 0], atol=1e-12)
    assert f"target {target:.2f}" in explorer.text.value
    assert f"{cache.y[0, -1, 0]:.2f}" in explorer.text.value


def test_the_sequence_is_an_adding_problem(explorer):
    x, target = explorer.sequence(100, 49, 50)
    first, second = np.flatnonzero(x[0, :, 1])
    assert first < 50 <= second  # one marker in each half, as adding.adding_problem places them
    assert np.all((x[..., 0] >= 0) & (x[..., 0] <= 1))
    assert 0 <= target <= 2


def test_shortening_t_moves_the_markers_into_range(explorer):
    explorer.set(time=200, first=90, second=190)
    explorer.controls["time"].value = 20
    values = explorer.values
    assert values["time"] == 20 and 0 <= values["first"] <= 9 and 10 <= values["second"] <= 19
    assert explorer.controls["second"].min == 10 and explorer.controls["second"].max == 19
    explorer.controls["time"].value = 200  # and back: the ranges widen again
    assert explorer.controls["second"].max == 199 and explorer.controls["first"].max == 99


@pytest.mark.parametrize("time, first, second", [(10, 0, 5), (10, 4, 9), (200, 0, 199), (200, 99, 100)])
def test_extremes_draw(explorer, time, first, second):
    explorer.set(time=time, first=first, second=second)
    assert explorer.image.value[:4] == b"\x89PNG"
    assert all(m.shape == (6, time) for m in heat_maps(explorer))
    assert "nan" not in explorer.text.value.lower()


def test_closed_update_gates_are_counted_as_holding(params):
    held = params.copy()
    held.b_xh[:6] = 20.0  # z = 1: every unit keeps its state
    e = GateExplorer(held, time=30, first=2, second=20)
    assert "6 of 6" in e.text.value
    e.params.b_xh[:6] = -20.0  # z = 0: nothing is kept (the explorer holds its own copy)
    e.update()
    assert "0 of 6" in e.text.value


def test_static_fallback_and_css_class(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and "Gate explorer" in bundle["text/plain"]
    assert "rnn-edu-gate-explorer" in explorer.box._dom_classes


def test_bad_arguments_are_named(params):
    from rnn_edu import rnn

    with pytest.raises(TypeError, match="params: expected GRUParams, got RNNParams"):
        GateExplorer(rnn.init_params(2, 4, 1))
    with pytest.raises(ValueError, match=r"params: expected input size 2 and output size 1"):
        GateExplorer(gru.init_params(3, 4, 1))
    with pytest.raises(ValueError, match=r"time: expected an int in \[10, 200\], got 5"):
        GateExplorer(params, time=5)
    with pytest.raises(ValueError, match=r"first: expected an int in \[0, 29\] \(the first half of T = 60\)"):
        GateExplorer(params, time=60, first=30)
    with pytest.raises(ValueError, match=r"second: expected an int in \[30, 59\] \(the second half.*got 60"):
        GateExplorer(params, time=60, first=3, second=60)
    with pytest.raises(ValueError, match=r"max_time: expected an int in \[10, 10000\], got 5"):
        GateExplorer(params, max_time=5)
    e = GateExplorer(params, time=60, first=5, second=40)
    with pytest.raises(TypeError, match="second: expected an int"):
        e.compute(60, 5, 2.5)
    with pytest.raises(TypeError, match="seed: expected an int >= 0, got str"):
        GateExplorer(params, seed="x")
    assert GateExplorer(params, time=np.int64(60), first=np.int64(5), second=np.int64(40)).values
    with pytest.raises(ValueError, match=r"unknown control"):
        e.set(markers=3)


def test_baked_parts_leave_the_picture_unchanged(params, monkeypatch):
    # The colorbars and the unit axes are drawn once and pasted as pixels: the same PNG as drawn.
    from rnn_edu.widgets import gates

    baked = GateExplorer(params, time=60, first=5, second=40)
    monkeypatch.setattr(gates, "bake", lambda fig, groups: None)
    drawn = GateExplorer(params, time=60, first=5, second=40)
    assert len(drawn.figure.axes) == 5 and len(baked.figure.axes) == 3  # the colorbars are pixels
    for setting in ({"first": 20}, {"time": 10, "first": 0, "second": 9}, {"time": 200}):
        baked.set(**setting)
        drawn.set(**setting)
        assert baked.image.value == drawn.image.value
