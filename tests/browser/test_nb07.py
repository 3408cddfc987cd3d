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


def test_gate_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "07_gru.ipynb")
    box = explorer(page, "rnn-edu-gate-explorer")
    assert box.locator(".noUi-handle").count() == 3  # length T, marker 1, marker 2
    src = image_src(box)
    text = wait_for_text(box, "Markers at t = 10 and t = 70")

    nudge_slider(box, index=1, pixels=60)  # the first marker later
    src = wait_for_change(lambda: image_src(box), src, what="the picture after marker 1")
    text = wait_for_change(lambda: box.inner_text(), text, what="the text after marker 1")
    assert "t = 10 and" not in text

    nudge_slider(box, index=2, pixels=-40)  # the second marker earlier
    src = wait_for_change(lambda: image_src(box), src, what="the picture after marker 2")

    # Extremes: T to its minimum (the markers must follow into range), then to its maximum.
    nudge_slider(box, index=0, pixels=-2000)
    page.wait_for_function("el => el.innerText.includes('prediction at T = 10 ')",
                           arg=box.element_handle())
    nudge_slider(box, index=0, pixels=2000)
    page.wait_for_function("el => el.innerText.includes('prediction at T = 200 ')",
                           arg=box.element_handle())
    assert "nan" not in box.inner_text().lower()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert not [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
