import numpy as np
import pytest

from rnn_edu import rnn, tasks
from rnn_edu.data import Vocab
from rnn_edu.exercises import nb02, nb03

# --- notebook 02 ---


def closer_reference(prefix):
    state = tasks.bracket_states(prefix)[-1] if prefix else ""
    return tasks.CLOSER.get(state, "")


def test_expected_closer_passes_and_hints():
    assert nb02.check_expected_closer(closer_reference, strict=True).ok

    def first_opener(prefix):
        openers = [c for c in prefix if c in tasks.CLOSER]
        return tasks.CLOSER[openers[0]] if openers else ""

    fb = nb02.check_expected_closer(first_opener)
    assert not fb.ok and "LAST opener" in fb.message

    def never_closes(prefix):
        openers = [c for c in prefix if c in tasks.CLOSER]
        return tasks.CLOSER[openers[-1]] if openers else ""

    fb = nb02.check_expected_closer(never_closes)
    assert not fb.ok and "goes back to 'none'" in fb.message

    def returns_opener(prefix):
        openers = [c for c in prefix if c in tasks.CLOSER]
        return openers[-1] if openers else ""

    assert "not the opener" in nb02.check_expected_closer(returns_opener).message
    assert "return a str" in nb02.check_expected_closer(lambda p: None).message
    assert "raised ZeroDivisionError" in nb02.check_expected_closer(lambda p: 1 / 0).message
    with pytest.raises(AssertionError, match="the state machine"):
        nb02.check_expected_closer(first_opener, strict=True)


@pytest.mark.parametrize(
    ("fn", "ok", "words"),
    [
        (lambda d, m, f: m * f ** (d - 1), True, "exponential"),
        (lambda d, m, f: f**d, False, "opener followed by distance - 1 fillers"),
        (lambda d, m, f: (m + f) ** d, False, "every string over the alphabet"),
        (lambda d, m, f: m * (d - 1) * f, False, "multiply the choices"),
        (lambda d, m, f: 7, False, "count the choices"),
        (lambda d, m, f: f ** (d - 1), False, "also holds one of n_openers"),
        (lambda d, m, f: None, False, "did you forget `return`"),
        (lambda d, m, f: "32", False, "return one number"),
    ],
)
def test_contexts_needed(fn, ok, words):
    fb = nb02.check_contexts_needed(fn)
    assert fb.ok == ok and words in fb.message


VOCAB3 = Vocab.from_text("()[]{}abcd")


def latch3(w_hh=2.0, w_out=4.0, swap=False):
    W_xh = np.zeros((VOCAB3.size, 3))
    W_hy = np.zeros((3, VOCAB3.size))
    for i, opener in enumerate("([{"):
        W_xh[VOCAB3.encode(opener)[0]] = -4.0
        W_xh[VOCAB3.encode(opener)[0], i] = 4.0
        closer = tasks.CLOSER["([{"[(i + 1) % 3] if swap else opener]
        W_hy[i, VOCAB3.encode(closer)[0]] = w_out
    return rnn.RNNParams(W_xh=W_xh, W_hh=w_hh * np.eye(3), b_h=np.zeros(3), W_hy=W_hy,
                         b_y=np.zeros(VOCAB3.size))


def test_latch_passes_and_hints():
    assert nb02.check_latch(latch3(), VOCAB3, strict=True).ok
    fb = nb02.check_latch(latch3(w_hh=0.0), VOCAB3)
    assert not fb.ok and "lost over the fillers" in fb.message
    fb = nb02.check_latch(latch3(w_hh=0.6), VOCAB3)  # right ranking, fading confidence
    assert not fb.ok and "fades" in fb.message
    fb = nb02.check_latch(latch3(w_out=0.3), VOCAB3)
    assert not fb.ok and "scale up W_hy" in fb.message
    fb = nb02.check_latch(latch3(swap=True), VOCAB3)
    assert not fb.ok and "its own corner" in fb.message
    assert "expected RNNParams" in nb02.check_latch("weights", VOCAB3).message
    small = Vocab.from_text("()[]ab")
    assert "all six brackets" in nb02.check_latch(latch3(), small).message
    wrong_size = rnn.init_params(VOCAB3.size - 1, 3, VOCAB3.size)
    assert "one row per character" in nb02.check_latch(wrong_size, VOCAB3).message
    no_fillers = Vocab.from_text("()[]{}")
    assert "filler characters" in nb02.check_latch(rnn.init_params(6, 3, 6), no_fillers).message
    nan = rnn.RNNParams(**{**latch3().as_dict(), "W_hh": np.full((3, 3), np.nan)})
    assert "W_hh hold NaN or inf" in nb02.check_latch(nan, VOCAB3).message
    with pytest.raises(TypeError, match="vocab: expected a Vocab, got str"):
        nb02.check_latch(latch3(), "()[]{}abcd")


def test_expected_closer_hints_all_four_openers():
    def only_two_openers(prefix):
        state = tasks.bracket_states(prefix, openers="([")[-1] if prefix else ""
        return tasks.CLOSER.get(state, "")

    fb = nb02.check_expected_closer(only_two_openers)
    assert not fb.ok and "all four openers count" in fb.message


# --- notebook 03 ---


def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b, "apply np.tanh"),
        (lambda x, h, Wx, Wh, b: 1 / (1 + np.exp(-(x @ Wx + h @ Wh + b))), "sigmoid"),
        (lambda x, h, Wx, Wh, b: np.maximum(x @ Wx + h @ Wh + b, 0), "ReLU"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b), "W_hh is transposed"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh), "bias b_h is missing"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b), "recurrent term"),
        (lambda x, h, Wx, Wh, b: np.tanh(h @ Wh + b), "input term"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h + b), "through W_hh"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b).T, "transposed: keep one row"),
        (lambda x, h, Wx, Wh, b: np.tanh(Wx @ x + b), "multiply on the right"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + 2 * b), "values differ"),
        (lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh) + b, "b_h goes inside the tanh"),
        (lambda x, h, Wx, Wh, b: np.tanh(np.tanh(x @ Wx + h @ Wh + b)), "tanh is applied twice"),
        (lambda x, h, Wx, Wh, b: h, "h_prev unchanged"),
        (lambda x, h, Wx, Wh, b: None, "forget `return h_t`"),
        (lambda x, h, Wx, Wh, b: (np.tanh(x @ Wx + h @ Wh + b), 0), "return only h_t"),
        (lambda x, h, Wx, Wh, b: "h_t", "expected an array (batch, hidden), got str"),
    ],
)
def test_rnn_step_hints(fn, words):
    fb = nb03.check_rnn_step(fn)
    assert not fb.ok and words in fb.message


def test_rnn_step_passes_and_strict_raises():
    assert nb03.check_rnn_step(rnn_step, strict=True).ok
    with pytest.raises(AssertionError, match="rnn_step"):
        nb03.check_rnn_step(lambda *a: 0, strict=True)


SHAPES = {"x": (4, 7), "W_xh": (30, 16), "W_hh": (16, 16), "b_h": (16,), "W_hy": (16, 30),
          "b_y": (30,), "h": (4, 7, 16), "y": (4, 7, 30), "h_T": (4, 16)}


def test_shapes_pass_and_hints():
    assert nb03.check_shapes(SHAPES, strict=True).ok
    assert nb03.check_shapes({k: list(v) for k, v in SHAPES.items()}).ok  # lists are fine
    fb = nb03.check_shapes({**SHAPES, "h": (7, 4, 16)})
    assert not fb.ok and "h: (7, 4, 16)" in fb.message and "the order is not" in fb.message
    fb = nb03.check_shapes({**SHAPES, "W_xh": (16, 30)})
    assert "one row per input" in fb.message
    fb = nb03.check_shapes({**SHAPES, "y": (4, 7, 16)})
    assert "one logit vector" in fb.message
    fb = nb03.check_shapes({k: v for k, v in SHAPES.items() if k != "h_T"})
    assert "['h_T']" in fb.message
    assert "expected a dict" in nb03.check_shapes([(4, 7)]).message
    fb = nb03.check_shapes({**SHAPES, "b_h": 16})
    assert not fb.ok and "(16) is just 16" in fb.message
    fb = nb03.check_shapes({**SHAPES, "x": (4.5, 7)})  # int(4.5) would be 4: not a pass
    assert not fb.ok and "tuple of ints" in fb.message
    fb = nb03.check_shapes({**SHAPES, "x": "4, 7"})
    assert not fb.ok and "tuple of ints" in fb.message
    fb = nb03.check_shapes({**SHAPES, "x": (4, 7, 30)})  # one-hot features: not tokens
    assert not fb.ok and "one int per sequence and step" in fb.message


def test_h2_by_hand():
    p, x = nb03.h2_example()
    h = rnn.forward(p, x).h[0]
    # worked on paper: h_1 = tanh([1, 0]); a_2 = [2 + 0.5 tanh 1, -1 - tanh 1 + 0.5]
    t1 = np.tanh(1.0)
    np.testing.assert_allclose(h[0], [t1, 0.0])
    np.testing.assert_allclose(h[1], np.tanh([2 + 0.5 * t1, -0.5 - t1]))
    assert nb03.check_h2(h[1], strict=True).ok
    assert nb03.check_h2(np.round(h[1], 4)).ok  # four decimals, as by hand
    assert "that is h_1" in nb03.check_h2(h[0]).message
    assert "apply tanh" in nb03.check_h2(np.arctanh(h[1])).message
    assert "recurrent term" in nb03.check_h2(np.tanh([2.0, -1.0 + 0.5])).message
    wrong_side = np.tanh(2 * p.W_xh[0] + p.W_hh @ h[0] + p.b_h)
    assert "wrong side" in nb03.check_h2(wrong_side).message
    assert "bias b_h is missing at step 2" in nb03.check_h2(np.tanh(2 * p.W_xh[0] + h[0] @ p.W_hh)).message
    assert "2 in all" in nb03.check_h2([1.0, 2.0, 3.0]).message
    assert "expected two numbers" in nb03.check_h2("abc").message
    assert "Hint: first h_1" in nb03.check_h2([0.0, 0.0]).message
    assert "got None" in nb03.check_h2(None).message
    y2 = h[1] @ p.W_hy + p.b_y
    assert "That is the output y_2" in nb03.check_h2(y2).message
