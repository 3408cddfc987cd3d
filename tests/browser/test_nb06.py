import pytest

from tests.browser.lab_helpers import (
    explorer,
    image_src,
    nudge_slider,
    open_and_run_all,
    wait_for_change,
    wait_for_text,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_forecast_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "06_keras_simplernn.ipynb")
    # the source article's errors are shown as text, not as tracebacks (open_and_run_all checks)
    page.wait_for_function("() => document.body.textContent.includes(\"NameError: name 'model'\")")
    page.wait_for_function("() => document.body.textContent.includes('expected ndim=3, found ndim=2')")
    box = explorer(page, "rnn-edu-forecast-explorer")
    assert box.locator(".noUi-handle").count() == 3  # first month, months ahead, window length
    src, text = image_src(box), wait_for_text(box, "SimpleRNN(32)", "test part")

    nudge_slider(box, index=1, pixels=120)  # further ahead
    src = wait_for_change(lambda: image_src(box), src, what="the picture after the horizon")
    text = wait_for_change(lambda: box.inner_text(), text, what="the text after the horizon")
    assert "made 1 month ahead" not in text

    nudge_slider(box, index=2, pixels=-3000)  # a window of one month ...
    nudge_slider(box, index=0, pixels=-3000)  # ... the first of the series: nothing to forecast from
    page.wait_for_function("el => el.innerText.includes('no forecast')", arg=box.element_handle())
    src = image_src(box)
    nudge_slider(box, index=2, pixels=3000)  # the longest window, in the training years
    page.wait_for_function("el => el.innerText.includes('in-sample')", arg=box.element_handle())
    wait_idle(page)  # the text is sent before the picture: wait for both
    wait_for_change(lambda: image_src(box), src, what="the picture after the window length")
    assert "nan" not in box.inner_text().lower()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert not [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
