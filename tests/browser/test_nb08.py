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


def commit_text(box, text: str) -> None:
    """Replace the explorer's text as a learner does: type, then leave the box (the text area
    sends its value on change, not on every key)."""
    field = box.locator("textarea").first
    field.fill(text)
    field.evaluate("el => el.blur()")


def test_unit_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "08_text_generation.ipynb")
    box = explorer(page, "rnn-edu-unit-explorer")
    assert box.locator(".noUi-handle").count() == 2  # unit, position of the guesses
    assert box.locator("select").count() == 2  # example, feature
    src = image_src(box)
    text = wait_for_text(box, "red above 0, blue below", "the model guesses")

    nudge_slider(box, index=0, pixels=80)  # another unit
    src = wait_for_change(lambda: image_src(box), src, what="the picture after the unit slider")
    text = wait_for_change(lambda: box.inner_text(), text, what="the text after the unit slider")

    box.locator("select").nth(1).select_option("inside parentheses")  # jump to the best unit
    text = wait_for_text(box, "inside parentheses: best unit on the search text")

    # Odd text: markup and dollars shown literally (not rendered, not typeset), unknown
    # characters named, then the extremes: an empty text and the sliders' ends.
    commit_text(box, "f($x$) <b>bold</b> & ✓")
    text = wait_for_text(box, "$x$", "<b>bold</b>", "not in the vocabulary")
    assert box.locator("b", has_text="bold").count() == 0
    assert box.locator("mjx-container, .MathJax").count() == 0
    src = wait_for_change(lambda: image_src(box), src, what="the picture after typing")
    commit_text(box, "")
    wait_for_text(box, "the text is empty")
    box.locator("select").first.select_option(index=1)  # an example fills the text again
    wait_for_text(box, "the model guesses")
    for index, pixels in ((0, 3000), (0, -3000), (1, 3000), (1, -3000)):
        before = box.inner_text()
        nudge_slider(box, index=index, pixels=pixels)
        wait_for_change(lambda: box.inner_text(), before, what=f"the text after slider {index}")
    assert "nan" not in box.inner_text().lower()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert not [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]


def test_temperature_explorer_samples_the_gru(page, lab):
    open_and_run_all(page, lab, "08_text_generation.ipynb")
    box = explorer(page, "rnn-edu-temperature-explorer")
    text = wait_for_text(box, "sample (temperature")
    nudge_slider(box, index=0, pixels=-2000)  # temperature 0: greedy
    text = wait_for_text(box, "temperature 0.00")
    nudge_slider(box, index=1, pixels=60)  # another seed (greedy: the same text, new label)
    wait_for_change(lambda: box.inner_text(), text, what="the text after the seed slider")
