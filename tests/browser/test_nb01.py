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


def test_markov_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "01_markov_chains.ipynb")
    box = explorer(page, "rnn-edu-markov-explorer")
    assert box.locator(".noUi-handle").count() == 3  # order, smoothing, temperature
    assert box.locator("input[type=text]").count() == 1  # context
    src = image_src(box)
    text = box.locator("pre").first.inner_text()
    wait_for_text(box, "held-out bits/char")

    def score():  # the readout's line: its order and its number
        return next(line for line in box.inner_text().splitlines() if "held-out bits/char" in line)

    before = score()
    nudge_slider(box, index=0, pixels=-80)  # the order slider
    wait_for_change(lambda: image_src(box), src, what="the explorer's picture")
    wait_for_change(lambda: box.locator("pre").first.inner_text(), text, what="the sample")
    wait_for_change(score, before, what="the held-out readout")
    # typing a context with characters outside the corpus must not break it
    type_text(box, "日本 the")
    wait_for_change(lambda: box.inner_text(), "", what="the explorer")
    page.wait_for_function(
        "el => el.innerText.includes('not in the vocabulary')", arg=box.element_handle()
    )
