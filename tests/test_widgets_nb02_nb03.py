import numpy as np
import pytest

from rnn_edu import data, rnn
from rnn_edu.data import one_hot_text
from rnn_edu.widgets.hidden_state import MAX_CHARS, WINDOW, HiddenStateExplorer, fixed_points
from rnn_edu.widgets.stepper import StepperExplorer

VOCAB = data.Vocab.from_text("()[]abcd")


def latch(vocab=VOCAB):
    """The one-unit RNN of notebook 02: the sign of h is the last opener."""
    V = vocab.size
    W_xh = np.zeros((V, 1))
    W_xh[vocab.encode("(")] = 4.0
    W_xh[vocab.encode("[")] = -4.0
    W_hy = np.zeros((1, V))
    W_hy[0, vocab.encode(")")] = 4.0
    W_hy[0, vocab.encode("]")] = -4.0
    return rnn.RNNParams(W_xh=W_xh, W_hh=np.array([[2.0]]), b_h=np.zeros(1), W_hy=W_hy,
                         b_y=np.zeros(V))


@pytest.fixture
def hidden():
    return HiddenStateExplorer(latch(), VOCAB, "(abab)[ba](b)", t=3, order=3)


@pytest.fixture(scope="module")
def char_vocab():
    return data.Vocab.from_text(data.load_corpus(max_chars=20_000))


@pytest.fixture
def stepper(char_vocab):
    return StepperExplorer(rnn.init_params(char_vocab.size, 8, char_vocab.size, seed=1),
                           char_vocab, "for x in range(10):", t=5)


def test_one_hot_text_zero_rows_for_unknown():
    x = one_hot_text("(zé", VOCAB)
    assert x.shape == (3, VOCAB.size)
    np.testing.assert_array_equal(x[0], np.eye(VOCAB.size)[VOCAB.encode("(")[0]])
    assert not x[1:].any()


@pytest.mark.parametrize(
    ("control", "value"), [("t", 8), ("order", 7), ("text", "[aaaaaaa](bb)"), ("w_hh", 0.5)]
)
def test_hidden_state_each_control_updates(hidden, control, value):
    before = (hidden.image.value, hidden.text.value)
    hidden.controls[control].value = value
    assert hidden.image.value != before[0] and hidden.text.value != before[1]


def test_hidden_state_numbers_match_the_machine_and_the_rnn(hidden):
    hidden.set(text="(aaaaaaaaaaaa)", t=12, order=3)
    html = hidden.text.value
    assert "t = 12" in html and "no opener" in html and "&#x27;)&#x27;" in html
    h = rnn.forward(latch(), VOCAB.encode("(aaaaaaaaaaaa)")[None]).h[0, 12, 0]
    assert f"{h:+.3f}" in html
    hidden.set(t=11, order=12)  # the window reaches back 12 characters, to the opener
    assert "sees the opener &#x27;(&#x27;" in hidden.text.value
    hidden.set(text="(ab[ab", t=5)
    assert "state &#x27;[&#x27;" in hidden.text.value and "prefers &#x27;]&#x27;" in hidden.text.value


def test_stepper_terms_are_the_table_in_full_precision(stepper, char_vocab):
    p = stepper.params
    text = "for x in range(10):"
    cache = rnn.forward(p, char_vocab.encode(text)[None])
    for t in (1, 5, len(text)):
        stepper.set(text=text, t=t)
        terms = stepper.terms()
        h_prev = cache.h[0, t - 2] if t > 1 else np.zeros(p.hidden_size)
        assert list(terms) == ["h_{t-1}", "x_t W_xh", "h_{t-1} W_hh", "b_h", "a_t = sum", "h_t = tanh(a_t)"]
        assert np.allclose(terms["h_{t-1}"], h_prev, atol=1e-12)
        assert np.allclose(terms["h_t = tanh(a_t)"], cache.h[0, t - 1], atol=1e-12)
        assert np.allclose(np.tanh(terms["a_t = sum"]), terms["h_t = tanh(a_t)"], atol=1e-12)
        assert all(f"{v:+.2f}" in stepper.text.value for v in terms["a_t = sum"])  # the table shows them
    stepper.set(text="")
    assert stepper.terms() == {}


@pytest.mark.parametrize(
    "values",
    [
        {"text": ""},
        {"text": "", "t": 0, "order": 1},
        {"text": "é日本 zz", "t": 5},
        {"text": "(" + "a" * 300 + ")", "t": 10_000},
        {"text": ")))]]]", "t": 0, "order": 12},
        {"text": "x"},
    ],
)
def test_hidden_state_odd_and_extreme_input(hidden, values):
    hidden.set(**values)
    assert hidden.image.value[:4] == b"\x89PNG"
    for ax in hidden.figure.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))
    t = hidden.controls["t"]
    assert t.min <= t.value <= t.max <= max(len(values["text"]), 1) - 0 + MAX_CHARS


def test_hidden_state_slider_follows_the_text(hidden):
    hidden.set(text="(ab)", t=100)  # set in one call: the slider fits the new text first
    assert hidden.controls["t"].max == 3 and hidden.controls["t"].value == 3
    hidden.set(text="")
    assert hidden.controls["t"].value == 0 and "empty" in hidden.text.value
    hidden.set(text="(ab)" * 1000, t=10_000)
    assert hidden.controls["t"].max == MAX_CHARS - 1
    assert f"first {MAX_CHARS} of 4000" in hidden.text.value
    hidden.set(text="(é)", t=1)
    assert "not in the vocabulary" in hidden.text.value


def test_hidden_state_scrolls_a_long_text(hidden):
    """No 80-character cap: every step of a 302-character text is reachable, and drawn."""
    text = "(" + "a" * 300 + ")"
    hidden.set(text=text, t=250)
    assert hidden.controls["t"].max == 301 and hidden.controls["t"].value == 250
    ax_s, ax_h = hidden.figure.axes[:2]
    lo, hi = ax_h.get_xlim()
    assert lo < 250 < hi and hi - lo <= WINDOW + 1
    drawn = [t.get_text() for t in ax_s.texts]
    assert len(drawn) == WINDOW
    assert "scrolls with t" in hidden.text.value
    h = rnn.forward(latch(), VOCAB.encode(text)[None]).h[0, 250, 0]
    assert f"{h:+.3f}" in hidden.text.value  # the state at step 250, not a cut-off one


def test_hidden_state_w_hh_slider_fades_the_state(hidden):
    text = "(" + "a" * 40
    hidden.set(text=text, t=40, w_hh=2.0)
    assert "σ_max(W_hh) = 2.00" in hidden.text.value
    strong = hidden.states(text, 2.0)[1][40, 0]
    weak = hidden.states(text, 0.5)[1][40, 0]
    assert strong > 0.95 and 0 < weak < 1e-10  # tanh(0.5 h) halves h at every filler
    hidden.set(w_hh=0.5)
    assert "1 stable fixed point (+0.000)" in hidden.text.value
    np.testing.assert_allclose(hidden.scaled(0.5).W_hh, [[0.5]])
    hidden.set(w_hh=2.0)
    html = hidden.text.value
    assert "2 stable fixed points (-0.958, +0.958) and an unstable one (+0.000)" in html
    # the stable fixed points are drawn as lines in the state plot
    levels = sorted(line.get_ydata()[0] for line in hidden.figure.axes[1].get_lines()
                    if line.get_linestyle() == "--")
    np.testing.assert_allclose(levels, [-0.9575, 0.9575], atol=1e-4)


def test_fixed_points_against_the_iteration():
    stable, unstable = fixed_points(2.0, 0.0)
    h = 1.0
    for _ in range(200):
        h = np.tanh(2.0 * h)
    np.testing.assert_allclose(stable, [-h, h], atol=1e-10)
    np.testing.assert_allclose(unstable, [0.0], atol=1e-10)
    assert fixed_points(0.5, 0.0)[0].tolist() == [0.0]
    stable, unstable = fixed_points(1.0, 4.0)  # a strong input: one fixed point, near tanh(4 + h)
    assert len(stable) == 1 and len(unstable) == 0 and abs(np.tanh(stable[0] + 4) - stable[0]) < 1e-10
    for w, b in [(-3.0, 0.5), (8.0, -3.0), (0.0, 0.0), (100.0, 1e-3)]:
        stable, unstable = fixed_points(w, b)
        for p in np.concatenate([stable, unstable]):
            assert abs(np.tanh(w * p + b) - p) < 1e-9
        assert len(stable) <= 2
    with pytest.raises(ValueError, match="w: expected a finite number"):
        fixed_points(np.inf, 0.0)


def test_hidden_state_ties_are_ties(hidden):
    hidden.set(text="abab(", t=2, w_hh=2.0)  # no opener yet: h = 0, equal logits
    assert "&#x27;)&#x27; and &#x27;]&#x27; tie" in hidden.text.value
    hidden.set(t=4)
    assert "prefers &#x27;)&#x27; (softmax over the closers: 1.000)" in hidden.text.value


def test_hidden_state_nesting_is_flagged(hidden):
    hidden.set(text="(ab[ab]ab)", t=8)
    assert "nested brackets (an opener at step 3" in hidden.text.value
    hidden.set(text="(ab)[ab]", t=5)
    assert "nested" not in hidden.text.value


def test_hidden_state_zero_w_hh_disables_its_slider():
    p = latch()
    zero = rnn.RNNParams(**{**p.as_dict(), "W_hh": np.zeros((1, 1))})
    e = HiddenStateExplorer(zero, VOCAB, "(ab)", t=1)
    assert e.controls["w_hh"].disabled and e.scaled(1.0).W_hh[0, 0] == 0


def test_hidden_state_bad_construction():
    with pytest.raises(TypeError, match="params: expected RNNParams"):
        HiddenStateExplorer({"W_xh": 1}, VOCAB)
    with pytest.raises(TypeError, match="vocab: expected a Vocab"):
        HiddenStateExplorer(latch(), "()[]abcd")
    with pytest.raises(ValueError, match=r"params: expected input and output size 6"):
        HiddenStateExplorer(latch(), data.Vocab.from_text("()[]ab"))
    with pytest.raises(ValueError, match="openers: expected a non-empty str .*, got 'ab'"):
        HiddenStateExplorer(latch(), VOCAB, openers="ab")
    # out of the sliders' ranges: refused, not clamped
    with pytest.raises(ValueError, match=r"t: expected an int in \[0, 3\], got 9"):
        HiddenStateExplorer(latch(), VOCAB, "(ab)", t=9)
    with pytest.raises(ValueError, match=r"order: expected an int in \[1, 12\], got 0"):
        HiddenStateExplorer(latch(), VOCAB, order=0)
    with pytest.raises(TypeError, match=r"t: expected an int in \[0, \d+\], got str 'x'"):
        HiddenStateExplorer(latch(), VOCAB, t="x")
    with pytest.raises(TypeError, match=r"text: expected a str, got NoneType"):
        HiddenStateExplorer(latch(), VOCAB, None)
    with pytest.raises(ValueError, match=r"w_hh: expected a finite number in \[0, 3\], got 5"):
        HiddenStateExplorer(latch(), VOCAB, w_hh=5)
    assert HiddenStateExplorer(latch(), VOCAB, "(a$^$b)", t=np.int64(2)).image.value


def test_hidden_state_labels_the_order_n(hidden):
    assert hidden.controls["order"].description == "Markov order n"  # notebook 01's name


def test_hidden_state_legend_names_the_states(hidden):
    labels = [t.get_text() for t in hidden.figure.legends[0].get_texts()]
    assert labels == ["none", "'('", "'['"]


@pytest.mark.parametrize(("control", "value"), [("t", 1), ("t", 19), ("text", "import os")])
def test_stepper_each_control_updates(stepper, control, value):
    before = (stepper.image.value, stepper.text.value)
    stepper.controls[control].value = value
    assert stepper.image.value != before[0] and stepper.text.value != before[1]


def test_stepper_table_is_the_update(stepper, char_vocab):
    p = stepper.params
    text = "for x in range(10):"
    for t in (1, 5, len(text)):
        stepper.set(text=text, t=t)
        cache = rnn.forward(p, char_vocab.encode(text)[None])
        h_prev = cache.h[0, t - 2] if t > 1 else np.zeros(8)
        html = stepper.text.value
        rows = {r.split("</td>")[0].split(">")[-1]: r for r in html.split("<tr>")[2:]}
        a = p.W_xh[char_vocab.encode(text[t - 1])[0]] + h_prev @ p.W_hh + p.b_h
        for name, values in [("h_{t-1}", h_prev), ("a_t = sum", a),
                             ("h_t = tanh(a_t)", cache.h[0, t - 1])]:
            assert all(f"{v:+.2f}" in rows[name] for v in values), name
        assert f"t = {t}</b>" in html
        y = cache.y[0, t - 1]
        assert f"(y = {y.max():+.2f}, softmax" in html  # the most likely next character
    # at t = 1 the recurrent term is h_0 W_hh = 0
    stepper.set(t=1)
    assert stepper.text.value.count("+0.00") >= 16


@pytest.mark.parametrize(
    "values",
    [
        {"text": ""},
        {"text": "", "t": 1},
        {"text": "日本語 é", "t": 3},
        {"text": "x" * 500, "t": 10_000},
        {"text": "a", "t": 1},
    ],
)
def test_stepper_odd_and_extreme_input(stepper, values):
    stepper.set(**values)
    assert stepper.image.value[:4] == b"\x89PNG"
    for ax in stepper.figure.axes:
        for im in ax.get_images():
            assert np.all(np.isfinite(im.get_array()))
        for bar in ax.patches:
            assert np.isfinite(bar.get_width()) and np.isfinite(bar.get_height())
    assert "nan" not in stepper.text.value.lower()
    t = stepper.controls["t"]
    assert 1 <= t.value <= t.max


def test_stepper_reports_cuts_and_unknown_characters(stepper):
    stepper.set(text="x" * 500, t=10_000)
    assert stepper.controls["t"].value == 60 and "first 60 of 500" in stepper.text.value
    stepper.set(text="日本", t=2)
    assert "not in the vocabulary" in stepper.text.value
    stepper.set(text="")
    assert "empty" in stepper.text.value


def test_stepper_wide_hidden_state_lists_the_first_units(char_vocab):
    s = StepperExplorer(rnn.init_params(char_vocab.size, 40, 3, seed=0), char_vocab, "abc", t=2)
    assert "first 16 of 40 units" in s.text.value
    assert "most likely next" not in s.text.value  # outputs are not characters: no ranking


def test_static_fallbacks(hidden, stepper):
    for explorer, title in ((hidden, "Hidden-state explorer"), (stepper, "Unrolled-network")):
        bundle = explorer._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert bundle["image/png"] and bundle["text/plain"].startswith(title)
    assert "rnn-edu-hidden-state" in hidden.box._dom_classes
    assert "rnn-edu-stepper" in stepper.box._dom_classes


def test_stepper_bad_construction(char_vocab):
    with pytest.raises(ValueError, match="params: expected input size"):
        StepperExplorer(latch(), char_vocab)
    with pytest.raises(TypeError, match="vocab: expected a Vocab"):
        StepperExplorer(latch(), None)
    with pytest.raises(ValueError, match=r"t: expected an int in \[1, 3\], got 4"):
        StepperExplorer(rnn.init_params(char_vocab.size, 3, 2), char_vocab, "abc", t=4)


def test_stepper_input_scale_multiplies_the_input_term(stepper):
    stepper.set(text="for x in range(10):", t=5, input_scale=1.0)
    at_1 = stepper.terms()
    stepper.set(input_scale=10.0)
    at_10 = stepper.terms()
    assert np.allclose(at_10["x_t W_xh"], 10 * at_1["x_t W_xh"])
    assert np.allclose(at_10["h_t = tanh(a_t)"], np.tanh(at_10["a_t = sum"]))
    assert "input scale 10" in stepper.text.value
    with pytest.raises(ValueError, match="input_scale"):
        StepperExplorer(stepper.params, stepper.vocab, "abc", input_scale=1000)


def test_stepper_baked_parts_leave_the_picture_unchanged(stepper, monkeypatch):
    # The colorbar and the fixed axes' labels are drawn once and pasted as pixels: same PNG.
    from rnn_edu.widgets import stepper as module

    monkeypatch.setattr(module, "bake", lambda fig, groups: None)
    drawn = StepperExplorer(stepper.params, stepper.vocab, "for x in range(10):", t=5)
    for setting in ({"text": "for x in range(10):", "t": 5}, {"t": 1}, {"input_scale": 30.0},
                    {"text": "import os", "t": 9}, {"text": ""}, {"text": "abc", "t": 2}):
        stepper.set(**setting)
        drawn.set(**setting)
        assert stepper.image.value == drawn.image.value and stepper.text.value == drawn.text.value
    stepper.set(input_scale=1.0)
