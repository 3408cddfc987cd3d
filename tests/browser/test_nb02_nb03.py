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


def test_hidden_state_explorer_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "02_hidden_state.ipynb")
    box = explorer(page, "rnn-edu-hidden-state")
    assert box.locator(".noUi-handle").count() == 3  # step t, Markov order n, sigma_max(W_hh)
    assert box.locator("input[type=text]").count() == 1  # the sequence
    wait_for_text(box, "Markov order n")
    # the notebook's last call set t = 12 on "(aaaaaaaaaaaa)"
    wait_for_text(box, "t = 12")
    src = image_src(box)
    nudge_slider(box, index=0, pixels=-120)  # step t back towards the opener
    src = wait_for_change(lambda: image_src(box), src, what="the explorer's picture")
    page.wait_for_function("el => !el.innerText.includes('t = 12')", arg=box.element_handle())
    nudge_slider(box, index=1, pixels=200)  # the Markov order up
    src = wait_for_change(lambda: image_src(box), src, what="the picture after the order slider")
    nudge_slider(box, index=2, pixels=-2000)  # W_hh to 0: the state fades to nothing at once
    wait_for_text(box, "σ_max(W_hh) = 0.00")
    wait_for_change(lambda: image_src(box), src, what="the picture after the W_hh slider")
    type_text(box, "(ab[ab]ab)")
    wait_for_text(box, "nested brackets")
    # odd input: characters outside the vocabulary, then nothing at all
    type_text(box, "(ab日é[b")
    wait_for_text(box, "not in the vocabulary")
    type_text(box, "")
    wait_for_text(box, "The sequence is empty")


def test_stepper_renders_and_reacts(page, lab):
    open_and_run_all(page, lab, "03_vanilla_rnn.ipynb")
    box = explorer(page, "rnn-edu-stepper")
    assert box.locator(".noUi-handle").count() == 2  # time step t, input scale
    assert box.locator("input[type=text]").count() == 1  # the input text
    wait_for_text(box, "h_t = tanh(a_t)")
    src = image_src(box)
    table = box.locator("table").first.inner_text()
    nudge_slider(box, index=0, pixels=150)
    wait_for_change(lambda: image_src(box), src, what="the stepper's picture")
    wait_for_change(lambda: box.locator("table").first.inner_text(), table,
                    what="the stepper's numbers")
    type_text(box, "日本 while")
    wait_for_text(box, "not in the vocabulary")
    type_text(box, "")
    wait_for_text(box, "The input text is empty")
