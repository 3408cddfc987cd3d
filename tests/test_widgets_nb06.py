import itertools

import numpy as np
import pytest

from rnn_edu import data, forecast
from rnn_edu.widgets.forecast import ForecastExplorer


@pytest.fixture(scope="module")
def explorer():
    months, sst = data.load_elnino()
    splits = forecast.chronological_split(len(sst))
    coef = forecast.fit_ar(sst, 12, splits[0])
    tables = {"AR(12)": forecast.recursive_table(lambda W: forecast.ar_predict(coef, W), sst, 24, 12),
              "naive": forecast.naive_table(sst, 12),
              "seasonal naive": forecast.seasonal_naive_table(sst, 12)}
    return ForecastExplorer(months, sst, tables, splits)


@pytest.mark.parametrize("control, value", [("start", 300), ("horizon", 6), ("length", 60)])
def test_each_control_changes_the_picture_and_the_text(explorer, control, value):
    explorer.set(start=622, horizon=1, length=24)
    before = (explorer.image.value, explorer.text.value)
    explorer.controls[control].value = value
    assert explorer.image.value != before[0]
    assert explorer.text.value != before[1]


def test_errors_are_the_models_mae_over_the_window(explorer):
    explorer.set(start=650, horizon=3, length=40)
    errors = explorer.errors(650, 3, 40)
    sst = explorer.series
    assert errors["naive"] == pytest.approx(np.abs(sst[647:687] - sst[650:690]).mean())
    assert errors["seasonal naive"] == pytest.approx(np.abs(sst[638:678] - sst[650:690]).mean())
    assert f"naive: {errors['naive']:.2f} °C" in explorer.text.value
    lines = {name: line.get_ydata() for name, line in explorer._lines.items()}
    np.testing.assert_array_equal(lines["naive"], sst[647:687])  # drawn = scored
    assert "made 3 months ahead" in explorer.text.value and "test part" in explorer.text.value


def test_training_windows_are_called_in_sample(explorer):
    explorer.set(start=100, horizon=1, length=24)
    assert "training part" in explorer.text.value and "in-sample" in explorer.text.value
    explorer.set(start=500, length=200)
    assert "training and validation and test parts" in explorer.text.value


EXTREMES = list(itertools.product([0, 23, 731], [1, 12], [1, 240]))


@pytest.mark.parametrize("start, horizon, length", EXTREMES)
def test_extremes_never_crash(explorer, start, horizon, length):
    explorer.set(start=start, horizon=horizon, length=length)
    assert explorer.image.value[:4] == b"\x89PNG"
    lo, hi = explorer.figure.axes[0].get_ylim()
    assert np.isfinite([lo, hi]).all() and lo < hi
    assert "nan" not in explorer.text.value.lower()
    if start == 0 and length == 1:  # nothing is forecast before the first month
        assert "no forecast" in explorer.text.value


def test_static_fallback_in_the_display_bundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]
    assert bundle["text/plain"].startswith("Forecast explorer")
    assert "rnn-edu-forecast-explorer" in explorer.box._dom_classes


def test_bad_construction_is_named():
    months, sst = data.load_elnino()
    table = {"naive": forecast.naive_table(sst, 12)}
    with pytest.raises(ValueError, match=r"months, series: expected two \(n,\) arrays"):
        ForecastExplorer(months[:10], sst, table, (500, 600))
    with pytest.raises(ValueError, match="tables: expected a dict"):
        ForecastExplorer(months, sst, {}, (500, 600))
    with pytest.raises(ValueError, match=r"tables: expected every table of shape \(732, H\)"):
        ForecastExplorer(months, sst, {"a": np.zeros((732, 3)), "b": np.zeros((732, 4))}, (500, 600))
    with pytest.raises(ValueError, match=r"splits: expected 0 < train_end <= val_end <= 732"):
        ForecastExplorer(months, sst, table, (600, 500))
    with pytest.raises(ValueError, match=r"horizon: expected an int in \[1, 12\], got 13"):
        ForecastExplorer(months, sst, table, (500, 600), horizon=13)
    with pytest.raises(ValueError, match=r"start: expected an int in \[0, 731\], got -1"):
        ForecastExplorer(months, sst, table, (500, 600), start=-1)


def test_constructor_arguments_are_refused_not_clamped():
    months, sst = data.load_elnino()
    table = {"naive": forecast.naive_table(sst, 12)}
    with pytest.raises(ValueError, match=r"^length: expected an int in \[1, 240\], got 241"):
        ForecastExplorer(months, sst, table, (500, 600), length=241)  # the slider's end: refused
    with pytest.raises(TypeError, match="^horizon: expected an int in \\[1, 12\\], got float 1.5"):
        ForecastExplorer(months, sst, table, (500, 600), horizon=1.5)
    with pytest.raises(TypeError, match="^series: expected an array of real numbers"):
        ForecastExplorer(months, ["a"] * 732, table, (500, 600))
    with pytest.raises(ValueError, match="^months: expected increasing months, got 1950-02 then 1950-01"):
        ForecastExplorer(months[[1, 0, *range(2, 732)]], sst, table, (500, 600))
    with pytest.raises(TypeError, match="^months: expected"):
        ForecastExplorer(["not a month"] * 732, sst, table, (500, 600))
    with pytest.raises(ValueError, match="^tables\\['inf'\\]: expected finite forecasts or NaN"):
        ForecastExplorer(months, sst, {"inf": np.full((732, 2), np.inf)}, (500, 600))
    with pytest.raises(TypeError, match="^splits: expected \\(train_end, val_end\\)"):
        ForecastExplorer(months, sst, table, 500)
    with pytest.raises(TypeError, match="^unit: expected a str"):
        ForecastExplorer(months, sst, table, (500, 600), unit=None)


def test_set_past_a_slider_clamps_and_wrong_kinds_are_named(explorer):
    explorer.set(start=10**6, horizon=99, length=10**4)  # documented: clamped to the sliders' ends
    assert explorer.values == {"start": 731, "horizon": 12, "length": 240}
    explorer.set(start=-5)
    assert explorer.values["start"] == 0
    with pytest.raises(TypeError, match="^start: expected an int"):
        explorer.set(start="1990-01")
    with pytest.raises(ValueError, match="^horizon: expected an int in \\[1, 12\\], got 0"):
        explorer.errors(600, 0, 10)  # a[-1] would have been read silently


def test_all_nan_table_draws():
    months, sst = data.load_elnino()
    e = ForecastExplorer(months, sst, {"none": np.full((732, 2), np.nan)}, (500, 600), length=5)
    assert "no forecast" in e.text.value and e.image.value[:4] == b"\x89PNG"
