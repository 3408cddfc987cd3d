import numpy as np
import pytest

from rnn_edu import data, markov
from rnn_edu.widgets.markov_explorer import MarkovExplorer


@pytest.fixture(scope="module")
def explorer():
    text = data.load_corpus(max_chars=40_000)
    return MarkovExplorer(text, data.Vocab.from_text(text), sample_length=60)


@pytest.mark.parametrize(
    "control, value",
    [("order", 1), ("k", 1.0), ("temperature", 0.2), ("context", "import ")],
)
def test_each_control_updates_the_output(explorer, control, value):
    before = (explorer.image.value, explorer.text.value)
    explorer.controls[control].value = value
    assert explorer.image.value != before[0] or explorer.text.value != before[1]
    assert explorer.figure is not None


@pytest.mark.parametrize(
    "values",
    [
        {"context": ""},
        {"context": "日本語 é"},
        {"context": "x" * 500},
        {"order": 0, "context": ""},
        {"order": 8, "k": 0.001},
        {"temperature": 10**-1.5},
        {"temperature": 10.0},
        {"k": 10.0, "order": 8, "context": "zzzzzzzz"},
    ],
)
def test_odd_and_extreme_input_does_not_raise(explorer, values):
    explorer.set(**values)
    assert explorer.image.value[:4] == b"\x89PNG"
    bars = explorer.figure.axes[0].patches
    heights = np.array([b.get_height() for b in bars])
    assert len(heights) and np.all(np.isfinite(heights))


def test_unseen_characters_are_reported(explorer):
    explorer.set(context="é")
    assert "not in the vocabulary" in explorer.text.value
    explorer.set(context="qqzx", order=4)
    assert "backed off" in explorer.text.value


def test_static_fallback_in_the_display_bundle(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]
    assert bundle["text/plain"].startswith("Markov explorer")


def test_unknown_control_is_named(explorer):
    with pytest.raises(ValueError, match="unknown control.*'ordr'"):
        explorer.set(ordr=2)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"order": 99}, r"order: expected an int in \[0, 8\], got 99"),
     ({"k": 0}, r"k: expected a finite number in \[0.001, 10\], got 0"),
     ({"temperature": 0}, r"temperature: expected a finite number in \[0.0316228, 10\], got 0"),
     ({"sample_length": 10**8}, r"sample_length: expected an int in \[1, 10000\]"),
     ({"seed": "x"}, r"seed: expected an int >= 0, got str 'x'"),
     ({"max_order": 99}, r"max_order: expected an int in \[0, \d+\] \(for 3 characters\)"),
     ({"context": None}, r"context: expected a str, got NoneType")],
)
def test_constructor_refuses_what_a_slider_would_clamp(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        MarkovExplorer("abcabc", **kwargs)


def test_typed_dollars_are_drawn_literally():
    e = MarkovExplorer("a $^$ b $x$ " * 5, order=3, context="a $^$")  # mathtext would fail
    assert "'$^$'" in e.figure.axes[0].get_title() and e.image.value
    e.set(context="$x^$ $")
    assert "'$ $'" in e.figure.axes[0].get_title()


def test_numpy_scalars_are_accepted():
    e = MarkovExplorer("abcabc", order=np.int64(1), k=np.float32(0.5), sample_length=np.int64(10))
    assert len(e.values) == 4


@pytest.fixture(scope="module")
def split():
    text = data.load_corpus()
    train, val = data.topic_split()  # notebook 01's split
    return train, val, data.Vocab.from_text(text)


def test_held_out_readout_is_bits_per_char_of_the_current_chain(split):
    train, val, vocab = split
    e = MarkovExplorer(train[:60_000], vocab, val=val[:8_000], order=2, sample_length=10)
    for order, k in [(2, markov.DEFAULT_K), (5, 1.0), (0, 0.001)]:
        e.set(order=order, k=k)
        want = markov.bits_per_char(markov.fit(train[:60_000], order, k, vocab), val[:8_000])
        assert e.val_bits(order, k) == want
        assert f"held-out bits/char</b> at order {order}, k = {k:.3g}: {want:.3f}" in e.text.value
    assert "held-out" not in MarkovExplorer("abcabc", sample_length=5).text.value  # no val: none


def test_counts_are_shared_by_every_order_and_k(split):
    train, _, vocab = split
    e = MarkovExplorer(train[:60_000], vocab, order=6, sample_length=5)
    for n in range(7):
        for k in (0.001, 0.1, 10.0):
            chain = e.chain(n, k)
            assert chain.order == n and chain.k == k
            for j in range(n + 1):
                assert chain.tables[j] is e._counted.tables[j]  # one set of count tables
    assert e._counted.order == 6
    # the shared tables give the same numbers as fitting afresh
    fresh = markov.fit(train[:60_000], 3, 0.1, vocab)
    np.testing.assert_array_equal(e.chain(3, 0.1).distribution("the"), fresh.distribution("the"))


def test_default_context_tells_orders_above_4_apart(split):
    train, _, vocab = split
    e = MarkovExplorer(train, vocab, order=8, sample_length=5)
    context = e.controls["context"].value
    assert len(context) >= 8
    dists = []
    for n in range(4, 9):
        chain = e.chain(n, markov.DEFAULT_K)
        assert chain.context_order(context[-n:]) == n  # seen in training: no backing off
        dists.append(chain.distribution(context))
    for a in range(len(dists)):
        for b in range(a):
            assert np.abs(dists[a] - dists[b]).max() > 1e-3, (a + 4, b + 4)


def test_held_out_text_outside_the_alphabet_is_named():
    with pytest.raises(ValueError, match="val: .*'z'"):
        MarkovExplorer("abcabc", data.Vocab.from_text("abc"), val="abz")
    with pytest.raises(ValueError, match="val: expected a non-empty str"):
        MarkovExplorer("abcabc", val="")
