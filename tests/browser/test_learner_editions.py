"""A learner edition in JupyterLab: the checks render as boxes (not tracebacks), first "not
attempted yet", then a hint naming the mistake once a wrong answer is typed in."""

import pytest

from tests.browser.lab_helpers import open_and_run_all, wait_idle

pytestmark = pytest.mark.browser


def test_learner_edition_shows_feedback_boxes(page, lab):
    open_and_run_all(page, lab, "learner/03_vanilla_rnn.ipynb")
    boxes = page.locator(".jp-RenderedHTMLCommon", has_text="not attempted yet")
    assert boxes.count() >= 4  # one grey box per checked exercise
    cell = page.locator(".jp-CodeCell", has_text="nb03.check_rnn_step(").first  # also after the edit
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("rnn_step = lambda x_t, h_prev, W_xh, W_hh, b_h: "
                       "np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b_h)\n"
                       "nb03.check_rnn_step(rnn_step)")
    page.keyboard.press("Shift+Enter")
    page.wait_for_timeout(500)
    wait_idle(page)
    box = cell.locator(".jp-RenderedHTMLCommon div").first
    box.wait_for()
    text = box.inner_text()
    assert "1. rnn_step: not yet" in text and "W_hh is transposed" in text
    assert "Traceback" not in cell.inner_text() and "AssertionError" not in cell.inner_text()
