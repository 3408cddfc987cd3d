import pytest

from tests.browser.lab_helpers import (
    explorer,
    image_src,
    nudge_slider,
    open_and_run_all,
    type_text,
    wait_for_change,
)

pytestmark = pytest.mark.browser


def test_training_progress_and_temperature_explorer(page, lab):
    open_and_run_all(page, lab, "04_bptt.ipynb")
    # the training cell shows a live progress bar (tqdm's widget) that reached the last update
    bar = page.locator(".jp-OutputArea-output .widget-hprogress, .jp-OutputArea-output progress")
    assert bar.count() >= 1
    # textContent, not innerText: JupyterLab may hide cells scrolled out of view
    page.wait_for_function("() => document.body.textContent.includes('1500/1500')")
    box = explorer(page, "rnn-edu-temperature-explorer")
    assert box.locator(".noUi-handle").count() == 2  # temperature, seed
    assert box.locator("input[type=text]").count() == 1  # prompt
    src = image_src(box)
    text = box.locator("pre").first.inner_text()
    nudge_slider(box, index=0, pixels=-20)  # colder, but not 0 (greedy ignores the seed)
    src = wait_for_change(lambda: image_src(box), src, what="the explorer's picture")
    text = wait_for_change(lambda: box.locator("pre").first.inner_text(), text,
                           what="the sample")
    nudge_slider(box, index=1, pixels=40)  # another seed
    wait_for_change(lambda: box.locator("pre").first.inner_text(), text, what="the sample")
    # a prompt with characters outside the corpus must not break it
    type_text(box, "日本 def ")
    wait_for_change(lambda: image_src(box), src, what="the explorer's picture")
    page.wait_for_function(
        "el => el.innerText.includes('not in the vocabulary')", arg=box.element_handle()
    )
