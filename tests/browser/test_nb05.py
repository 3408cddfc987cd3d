import pytest

from tests.browser.lab_helpers import (
    explorer,
    image_src,
    nudge_slider,
    open_and_run_all,
    wait_for_change,
    wait_for_text,
)

pytestmark = pytest.mark.browser


def test_vanishing_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "05_vanishing_gradients.ipynb")
    box = explorer(page, "rnn-edu-vanishing-explorer")
    assert box.locator(".noUi-handle").count() == 3  # sigma_max, length T, input scale
    assert box.locator("select").count() == 2  # activation, kind of W_hh
    src = image_src(box)
    text = wait_for_text(box, "under the bound")

    nudge_slider(box, index=0, pixels=80)  # sigma_max up
    src = wait_for_change(lambda: image_src(box), src, what="the picture after sigma_max")
    wait_for_change(lambda: box.inner_text(), text, what="the text after sigma_max")

    box.locator("select").first.select_option("relu")
    src = wait_for_change(lambda: image_src(box), src, what="the picture after the activation")
    page.wait_for_function("el => el.innerText.includes('relu,')", arg=box.element_handle())

    # Extremes: sigma_max to 0 gives exact zeros, reported, not a crash; then the input scale to
    # its maximum (the picture may stay the same: with W_hh = 0 every lag > 0 is exactly 0).
    nudge_slider(box, index=0, pixels=-2000)
    page.wait_for_function("el => el.innerText.includes('exactly 0')", arg=box.element_handle())
    nudge_slider(box, index=2, pixels=2000)
    page.wait_for_function("el => el.innerText.includes('input scale 10.0')",
                           arg=box.element_handle())
    assert "nan" not in box.inner_text().lower()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert not [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
