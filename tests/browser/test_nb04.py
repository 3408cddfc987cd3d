import pytest

from tests.browser.lab_helpers import (
    explorer,
    image_src,
    nudge_slider,
    open_and_run_all,
    type_text,
    wait_for_change,
    wait_for_text,
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
    check_bptt_explorer(page)


def check_bptt_explorer(page):
    """The BPTT explorer of the same run (one run of the notebook: it takes a minute)."""
    box = explorer(page, "rnn-edu-bptt-explorer")
    assert box.locator(".noUi-handle").count() == 2  # chunk length, threshold
    assert box.locator("select").count() == 1  # clipping
    text = wait_for_text(box, "Cosine with the full, unclipped gradient", "element-wise")
    src = image_src(box)
    nudge_slider(box, index=0, pixels=-60)  # shorter chunks
    src = wait_for_change(lambda: image_src(box), src, what="the picture after the chunk length")
    text = wait_for_change(lambda: box.inner_text(), text, what="the text after the chunk length")
    box.locator("select").first.select_option("norm")
    wait_for_text(box, "global norm")
    wait_for_change(lambda: image_src(box), src, what="the picture after the clipping")
    nudge_slider(box, index=1, pixels=-2000)  # the smallest threshold: still no crash
    wait_for_text(box, "1.0e-04")
    assert "nan" not in box.inner_text().lower()
