import numpy as np
import pytest

from rnn_edu import markov, rnn, tasks
from rnn_edu.data import Vocab
from rnn_edu.exercises import nb02, nb03
from tests.exercise_helpers import assert_hint, no_return

# --- notebook 02 ---


def closer_reference(prefix):
    state = tasks.bracket_states(prefix)[-1] if prefix else ""
    return tasks.CLOSER.get(state, "")


def test_expected_closer_passes_and_hints():
    assert nb02.check_expected_closer(closer_reference).ok

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
    assert "return a str" in nb02.check_expected_closer(no_return).message  # None
    assert "raised ZeroDivisionError" in nb02.check_expected_closer(lambda p: 1 / 0).message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda m, d, k: 1 + np.log2(d - k) if d > k else 0.0, "2 bracket types only"),
        (lambda m, d, k: np.log2(m) if d > k else 0.0, "only which closer"),
        (lambda m, d, k: np.log2(d - k) if d > k else 0.0, "that is only when"),
        (lambda m, d, k: np.log(m) + np.log(d - k) if d > k else 0.0, "nats"),
        (lambda m, d, k: np.log2(m) + np.log2(d) if d > k else 0.0, "d - k places, not d"),
        (lambda m, d, k: np.log2(m) + np.log2(d - k + 1) if d > k else 0.0, "off by one"),
        (lambda m, d, k: m * (d - k) if d > k else 0.0, "bits are logarithms"),
        (lambda m, d, k: np.log2(m + 1) + np.log2(d - k) if d > k else 0.0, "is not a closer"),
        (lambda m, d, k: np.log2(m) + np.log2(d - k) if d > k else 1.0, "0 bits"),
        (lambda m, d, k: 7.0, "Hint: section 3"),
        (lambda m, d, k: np.log2(m) * np.log2(d - k) if d > k else 0.0,
         "independent choices add"),
        (lambda m, d, k: np.log2(m) + np.log2(d - k - 1) if d > k else 0.0, "not d - k - 1"),
        (lambda m, d, k: np.log2(m) + np.log2(d - k) if d >= k else 0.0,
         r"= -inf, expected 0: .*\(distance == order too: test distance <= order\)"),
    ],
)
def test_blind_bits_hints(fn, words):
    assert_hint(nb02.check_blind_bits, fn, words)


def test_blind_bits_reference_passes_and_matches_a_measurement():
    def blind_bits(m, d, k):
        return np.log2(m) + np.log2(d - k) if d > k else 0.0

    assert nb02.check_blind_bits(blind_bits).ok
    train = "".join(tasks.bracket_pairs(4000, 5, openers="([{", fillers="ab", seed=1))
    test = "".join(tasks.bracket_pairs(500, 5, openers="([{", fillers="ab", seed=2))
    positions, _ = tasks.closer_targets(test)
    for k in (2, 3):
        measured = -markov.fit(train, k).log2_probs(test)[positions].mean()
        assert abs(measured - blind_bits(3, 5, k)) < 0.1


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
    assert nb02.check_latch(latch3(), VOCAB3).ok
    fb = nb02.check_latch(latch3(w_hh=0.0), VOCAB3)
    assert not fb.ok and "lost over the fillers" in fb.message
    fb = nb02.check_latch(latch3(w_hh=0.6), VOCAB3)  # right ranking, fading confidence
    assert not fb.ok and "fades" in fb.message
    fb = nb02.check_latch(latch3(w_out=0.3), VOCAB3)
    assert not fb.ok and "scale up W_hy" in fb.message
    fb = nb02.check_latch(latch3(swap=True), VOCAB3)
    assert not fb.ok and "its own corner" in fb.message
    coupled = latch3()
    fb = nb02.check_latch(rnn.RNNParams(**{**coupled.as_dict(), "W_hh": 2.0 * np.ones((3, 3))}),
                          VOCAB3)
    assert not fb.ok and "large positive entries off its diagonal" in fb.message, fb.message


def test_latch_hint_for_one_unit():
    W_xh, W_hy = np.zeros((VOCAB3.size, 1)), np.zeros((1, VOCAB3.size))
    for opener, sign in zip("([", (1.0, -1.0)):  # the section's one-unit latch, with '{' added
        W_xh[VOCAB3.encode(opener)[0]] = 4.0 * sign
        W_hy[0, VOCAB3.encode(tasks.CLOSER[opener])[0]] = 4.0 * sign
    params = rnn.RNNParams(W_xh=W_xh, W_hh=2.0 * np.eye(1), b_h=np.zeros(1), W_hy=W_hy,
                           b_y=np.zeros(VOCAB3.size))
    fb = nb02.check_latch(params, VOCAB3)
    assert not fb.ok and "one unit has at most two stable states" in fb.message, fb.message
    assert "expected RNNParams" in nb02.check_latch("weights", VOCAB3).message
    small = Vocab.from_text("()[]ab")
    assert "all six brackets" in nb02.check_latch(latch3(), small).message
    wrong_size = rnn.init_params(VOCAB3.size - 1, 3, VOCAB3.size)
    assert "one row per character" in nb02.check_latch(wrong_size, VOCAB3).message
    no_fillers = Vocab.from_text("()[]{}")
    assert "filler characters" in nb02.check_latch(rnn.init_params(6, 3, 6), no_fillers).message
    nan = rnn.RNNParams(**{**latch3().as_dict(), "W_hh": np.full((3, 3), np.nan)})
    assert "W_hh hold NaN or inf" in nb02.check_latch(nan, VOCAB3).message
    assert "vocab: expected a Vocab, got str" in nb02.check_latch(latch3(), "()[]{}abcd").message


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
        (no_return, "forget a `return`"),
        (lambda x, h, Wx, Wh, b: (np.tanh(x @ Wx + h @ Wh + b), 0), "return only h_t"),
        (lambda x, h, Wx, Wh, b: "h_t", "expected a NumPy array of numbers, got str"),
    ],
)
def test_rnn_step_hints(fn, words):
    fb = nb03.check_rnn_step(fn)
    assert not fb.ok and words in fb.message


def test_rnn_step_passes_and_strict_raises():
    assert nb03.check_rnn_step(rnn_step).ok


SHAPES = {"x": (4, 7), "W_xh": (30, 16), "W_hh": (16, 16), "b_h": (16,), "W_hy": (16, 30),
          "b_y": (30,), "h": (4, 7, 16), "y": (4, 7, 30), "h_T": (4, 16)}


def test_shapes_pass_and_hints():
    assert nb03.check_shapes(SHAPES).ok
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
    assert nb03.check_h2(h[1]).ok
    assert nb03.check_h2(np.round(h[1], 4)).ok  # four decimals, as by hand
    assert "that is h_1" in nb03.check_h2(h[0]).message
    assert "apply tanh" in nb03.check_h2(np.arctanh(h[1])).message
    assert "recurrent term" in nb03.check_h2(np.tanh([2.0, -1.0 + 0.5])).message
    wrong_side = np.tanh(2 * p.W_xh[0] + p.W_hh @ h[0] + p.b_h)
    assert "wrong side" in nb03.check_h2(wrong_side).message
    assert "bias b_h is missing at step 2" in nb03.check_h2(np.tanh(2 * p.W_xh[0] + h[0] @ p.W_hh)).message
    assert "2 in all" in nb03.check_h2([1.0, 2.0, 3.0]).message
    assert "expected a NumPy array of numbers, got str" in nb03.check_h2("abc").message
    assert "Hint: first h_1" in nb03.check_h2([0.0, 0.0]).message
    assert "h_2 is None" in nb03.check_h2(None).message
    y2 = h[1] @ p.W_hy + p.b_y
    assert "That is the output y_2" in nb03.check_h2(y2).message
    assert "rounded too coarsely" in nb03.check_h2(np.round(h[1], 2)).message
    x1, x2 = x[0, 0], x[0, 1]
    no_biases = np.tanh(x2 @ p.W_xh + np.tanh(x1 @ p.W_xh) @ p.W_hh)
    assert "missing at both steps" in nb03.check_h2(no_biases).message
    linear_h1 = x1 @ p.W_xh + p.b_h
    no_tanh_1 = np.tanh(x2 @ p.W_xh + linear_h1 @ p.W_hh + p.b_h)
    assert "tanh is missing at step 1" in nb03.check_h2(no_tanh_1).message


def test_expected_closer_more_mistakes():
    assert "walk through the prefix" in nb02.check_expected_closer(lambda p: "?").message
    fb = nb02.check_expected_closer(lambda p: "")
    assert not fb.ok and "expected ')'" in fb.message


def test_latch_hint_when_an_opener_leaves_the_other_units_on():
    W_xh = np.zeros((VOCAB3.size, 3))
    W_hy = np.zeros((3, VOCAB3.size))
    for i, opener in enumerate("([{"):
        W_xh[VOCAB3.encode(opener)[0], i] = 4.0  # its own unit only: the others stay as they were
        W_hy[i, VOCAB3.encode(tasks.CLOSER[opener])[0]] = 4.0
    params = rnn.RNNParams(W_xh=W_xh, W_hh=2.0 * np.eye(3), b_h=np.zeros(3), W_hy=W_hy,
                           b_y=np.zeros(VOCAB3.size))
    fb = nb02.check_latch(params, VOCAB3)
    assert not fb.ok and "push the OTHER openers' units negative" in fb.message
    assert "scale up W_hy" not in fb.message


def nested_reference(prefix):
    stack = []
    for ch in prefix:
        if ch in tasks.CLOSER:
            stack.append(ch)
        elif ch in tasks.CLOSER.values():
            stack.pop()
    return tasks.CLOSER[stack[-1]] if stack else ""


def nested_variant(prefix, *, pop="last", top=-1, types="([{<", count=False):
    stack = []
    for ch in prefix:
        if ch in types:
            stack.append(ch)
        elif ch in tasks.CLOSER.values() and stack:
            if pop == "last":
                stack.pop()
            elif pop == "first":
                stack.pop(0)
    if count:
        return ")" if stack else ""
    return tasks.CLOSER[stack[top]] if stack else ""


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (closer_reference, "exercise 1's state machine"),
        (lambda p: nested_variant(p, pop="never"), "closers must pop"),
        (lambda p: nested_variant(p, pop="first"), "last in, first out"),
        (lambda p: nested_variant(p, top=0), "stack[-1]"),
        (lambda p: nested_variant(p, types="(["), "all four bracket types"),
        (lambda p: nested_variant(p, count=True), "how many are open, not which"),
        (lambda p: (lambda c: {v: k for k, v in tasks.CLOSER.items()}.get(c, ""))(
            nested_reference(p)), "not the opener"),
        (lambda p: 5, "return a str"),
    ],
)
def test_nested_closer_hints(fn, words):
    assert nb02.check_nested_closer(nested_reference).ok
    fb = nb02.check_nested_closer(fn)
    assert not fb.ok and words in fb.message, fb.message


def forward_loop(params, x, h0, *, use_h0=True, carry=True, transpose=False, act=np.tanh,
                 b_y=True, y_from_prev=False, store_prev=False, x_t=lambda x, t: x[:, t]):
    W_hh = params.W_hh.T if transpose else params.W_hh
    h_prev = h0 if use_h0 else np.zeros_like(h0)
    hs, ys = [], []
    for t in range(x.shape[1]):
        h_t = act(x_t(x, t) @ params.W_xh + (h_prev if carry else h0) @ W_hh + params.b_h)
        ys.append((h_prev if y_from_prev else h_t) @ params.W_hy + (params.b_y if b_y else 0.0))
        hs.append(h_prev if store_prev else h_t)
        h_prev = h_t
    return np.stack(hs, axis=1), np.stack(ys, axis=1)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"use_h0": False}, "started from zeros"),
        ({"carry": False}, "carry h_prev = h_t"),
        ({"transpose": True}, "W_hh is transposed"),
        ({"act": lambda a: a}, "tanh is missing"),
        ({"b_y": False}, "b_y is missing"),
        ({"y_from_prev": True}, "computed from h_{t-1}"),
        ({"store_prev": True}, "off by one in time"),
        ({"x_t": lambda x, t: x[:, t - 1]}, r"you used x\[:, t - 1\]"),
        ({"x_t": lambda x, t: x[t]}, r"broadcast.*x\[t\] is sequence t"),
    ],
)
def test_forward_loop_hints(kwargs, words):
    assert nb03.check_forward_loop(forward_loop).ok
    assert_hint(nb03.check_forward_loop, lambda p, x, h0: forward_loop(p, x, h0, **kwargs), words)


def test_forward_loop_shape_and_return_hints():
    def run(p, x, h0):
        return forward_loop(p, x, h0)

    cases = [
        (lambda p, x, h0: tuple(np.swapaxes(a, 0, 1) for a in run(p, x, h0)), "(time, batch"),
        (lambda p, x, h0: tuple(a[:, -1] for a in run(p, x, h0)), "not only the last"),
        (lambda p, x, h0: run(p, x, h0)[::-1], "The order is (h, y)"),
        (lambda p, x, h0: run(p, x, h0)[0], "return two arrays"),
        (lambda p, x, h0: (run(p, x, h0)[0], 0 * run(p, x, h0)[1]), "h is right but y is not"),
        (lambda p, x, h0: (1.5 * run(p, x, h0)[0], run(p, x, h0)[1]), "differs from rnn.forward"),
    ]
    for fn, words in cases:
        fb = nb03.check_forward_loop(fn)
        assert not fb.ok and words in fb.message, (words, fb.message)


def test_forward_loop_hints_for_a_preallocated_h():
    def preallocated(params, x, h0):
        h = np.zeros((x.shape[0], x.shape[1], params.hidden_size))
        for t in range(x.shape[1]):
            prev = h0 if t == 0 else h[:, t]  # h[:, t] is not written yet: zeros
            h[:, t] = np.tanh(x[:, t] @ params.W_xh + prev @ params.W_hh + params.b_h)
        return h, h @ params.W_hy + params.b_y

    assert_hint(nb03.check_forward_loop, preallocated, "after step 0 your recurrent term is zero")

    def late_mistake(params, x, h0):  # right until step 2, then an unnamed mistake
        h, _ = forward_loop(params, x, h0)
        h[:, 2:] *= 1.5
        return h, h @ params.W_hy + params.b_y

    assert_hint(nb03.check_forward_loop, late_mistake, "first at sequence 0, step 2")
