import numpy as np
import pytest

from rnn_edu.exercises import nb01


def test_reference_answers_pass():
    assert nb01.check_smoothed_distribution(lambda c, k: (c + k) / (c.sum() + k * len(c)), True)
    assert nb01.check_bits_per_char(lambda p: -np.mean(np.log2(p)), strict=True)
    assert nb01.check_uniform_bits(np.log2(65), 65, strict=True)
    assert nb01.check_uniform_bits(6.02, 65, strict=True)  # typed, rounded
    assert nb01.check_best_order(3, {0: 4.0, 3: 2.1, 6: 3.0}, strict=True)


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda c, k: (c + k) / (c.sum() + k), "denominator is count(context) + k*V"),
        (lambda c, k: c / c.sum() if c.sum() else np.full(len(c), 1 / len(c)), "raw frequencies"),
        (lambda c, k: (c + k)[:-1], "one probability per character"),
        (lambda c, k: 1 / 0, "raised ZeroDivisionError"),
        (lambda c, k: None, "returned None"),
        (lambda c, k: (c + k) / (c.sum() + k * 103), "V = len(counts)"),
        (lambda c, k: (c + 1) / (c.sum() + len(c)), "add-one smoothing"),
    ],
)
def test_smoothing_hints(fn, needle):
    fb = nb01.check_smoothed_distribution(fn)
    assert not fb and needle in fb.message
    with pytest.raises(AssertionError, match="not yet"):
        nb01.check_smoothed_distribution(fn, strict=True)


@pytest.mark.parametrize(
    "fn, needle",
    [
        (lambda p: np.mean(np.log2(p)), "sign is off"),
        (lambda p: -np.mean(np.log(p)), "nats"),
        (lambda p: -np.sum(np.log2(p)), "divide by the number of characters"),
        (lambda p: 1.0, "-mean(log2 p)"),
        (lambda p: None, "returned None"),
        (lambda p: -np.log2(p), "one number for the whole text"),
        (lambda p: 2 ** -np.mean(np.log2(p)), "perplexity"),
        (lambda p: -np.log2(np.mean(p)), "not the log of the mean"),
    ],
)
def test_bits_hints(fn, needle):
    fb = nb01.check_bits_per_char(fn)
    assert not fb and needle in fb.message


@pytest.mark.parametrize(
    "answer, needle",
    [(65, "number of characters"), (np.log(65), "nats"), (1 / 65, "probability of one"),
     ("six", "expected a number"), ("6.02", "expected a number"), (3.0, "-log2(1/V)"),
     (-6.02, "sign is off")],
)
def test_uniform_hints(answer, needle):
    fb = nb01.check_uniform_bits(answer, 65)
    assert not fb and needle in fb.message


def test_best_order_hints():
    sweep = {0: 4.0, 3: 2.1, 6: 3.0}
    assert "held-out" in nb01.check_best_order(6, sweep).message
    assert "not one of the orders" in nb01.check_best_order(9, sweep).message
    assert "lower one" in nb01.check_best_order(0, sweep).message
    for odd in [True, [3], "3", 3.0]:
        assert "expected an order" in nb01.check_best_order(odd, sweep).message
    html = nb01.check_best_order(0, sweep)._repr_html_()
    assert "4. the best order" in html
