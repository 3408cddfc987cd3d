"""Every checker answers with a feedback box, never a traceback: odd return values, exceptions in
the learner's code and stubs all get a message; RNN_EDU_STRICT=1 turns anything but a pass into
an AssertionError (the course notebooks' reference answers in CI)."""

import numpy as np
import pytest

from rnn_edu.data import Vocab
from rnn_edu.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07
from rnn_edu.exercises._feedback import Feedback, WatchedModel, exercise, is_stub, names_used, passed
from tests.exercise_helpers import no_return

FUNCTION_CHECKS = [
    nb01.check_smoothed_distribution, nb01.check_bits_per_char, nb01.check_temperature,
    nb01.check_chain_bits, nb02.check_expected_closer, nb02.check_blind_bits,
    nb02.check_nested_closer, nb03.check_rnn_step, nb03.check_forward_loop,
    nb04.check_backward_step, nb04.check_grad_b_h, nb04.check_clip_global_norm,
    nb04.check_relu_backward, nb05.check_tanh_jacobian, nb05.check_gradient_bound,
    nb05.check_gradient_norms, nb05.check_non_normal, nb06.check_windows,
    nb06.check_seasonal_naive, nb06.check_fit_ar, nb06.check_numpy_forecast, nb07.check_gru_step,
    nb07.check_to_keras_layout, nb07.check_gru_step_backward, nb07.check_gru_jacobian,
]
VOCAB3 = Vocab.from_text("()[]{}abcd")
VALUE_CHECKS = [lambda a: nb02.check_latch(a, VOCAB3), nb03.check_shapes, nb03.check_h2]


def raises(*args):
    raise ValueError("a bug in the learner's code")


ODD_RETURNS = ["abc", {"a": 1.0}, [[1.0, 2.0], [3.0]], np.array([1j, 2.0]), np.zeros((7, 7, 7)),
               (1.0, "b"), True]
ODD_VALUES = [None, "abc", {"a": 1.0}, [[1.0, 2.0], [3.0]], np.array([1j, 2.0]),
              np.zeros((7, 7, 7)), object()]


def assert_named_hint(fb):
    assert isinstance(fb, Feedback) and not fb.ok and fb.attempted and fb.message
    assert "could not be checked" not in fb.message, fb.message  # the checker saw it coming


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("value", ODD_RETURNS, ids=lambda v: type(v).__name__)
def test_odd_return_values_get_a_hint(check, value):
    assert_named_hint(check(lambda *args: value))


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_learner_exceptions_forgotten_returns_and_non_functions_get_a_hint(check):
    fb = check(raises)
    assert_named_hint(fb)
    assert "raised ValueError: a bug in the learner's code" in fb.message
    assert_named_hint(check(no_return))
    fb = check(3.0)
    assert_named_hint(fb)
    assert "expected a function" in fb.message


@pytest.mark.parametrize("check", VALUE_CHECKS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: type(v).__name__)
def test_odd_values_get_a_hint(check, value):
    assert_named_hint(check(value))


@pytest.mark.parametrize("check", FUNCTION_CHECKS + VALUE_CHECKS)
def test_stubs_are_not_attempted_yet(check):
    def stub(*args):
        ...  # the learner edition's stub

    for answer in (..., stub):
        fb = check(answer)
        assert not fb.ok and not fb.attempted and fb.status == "not attempted yet"
        assert "not attempted yet" in str(fb) and "not attempted yet" in fb._repr_html_()


def test_is_stub():
    def empty(x):
        """A docstring and nothing else."""

    def works(x):
        return x

    assert is_stub(...) and is_stub(empty) and not is_stub(works) and not is_stub(0)


def test_names_used_sees_into_nested_functions():
    def outer(model):
        def inner(x):
            return np.argmax(x)
        return model.generate(inner)

    assert {"generate", "argmax", "np"} <= names_used(outer)
    assert names_used(np.argmax) == set() and names_used(...) == set()


def test_watched_model_records_calls_and_runs():
    class Model:
        weights = [1.0]

        def __call__(self, inputs, state=None):
            return np.asarray(inputs) * 2, state

        def predict(self, inputs):
            return self(inputs)[0]

    read_only = WatchedModel(Model())
    assert read_only.weights == [1.0] and not read_only.ran and read_only.calls == []
    called = WatchedModel(Model())
    assert called(np.ones((1, 3)))[0].tolist() == [[2.0, 2.0, 2.0]]
    called(np.ones((1, 1)), "s")
    called(np.ones((1, 1)), state="s")
    assert called.ran and called.calls == [((1, 3), False), ((1, 1), True), ((1, 1), True)]
    predicted = WatchedModel(Model())
    predicted.predict(np.ones(2))
    assert predicted.ran


def test_feedback_box_renders_html_and_plain_text():
    fb = nb01.check_bits_per_char(lambda p: -np.mean(np.log(p)))
    html = fb._repr_html_()
    assert "<div" in html and "2. bits per character" in html and "not yet" in html
    assert "nats" in html and "Traceback" not in html
    assert str(fb).startswith("[2. bits per character] not yet: ") and repr(fb) == str(fb)
    good = nb01.check_bits_per_char(lambda p: -np.mean(np.log2(p)))
    assert good.ok and "verified" in good.message and "#1b7a3a" in good._repr_html_()
    assert "#b35900" in html
    tricky = Feedback("<b>", False, "a < b & c")  # learner text is escaped
    assert "&lt;b&gt;" in tricky._repr_html_() and "a &lt; b &amp; c" in tricky._repr_html_()


def test_strict_mode_raises_for_anything_but_a_pass(monkeypatch):
    monkeypatch.setenv("RNN_EDU_STRICT", "1")
    assert nb01.check_bits_per_char(lambda p: -np.mean(np.log2(p))).ok
    with pytest.raises(AssertionError, match=r"\[2. bits per character\] not yet: .*nats"):
        nb01.check_bits_per_char(lambda p: -np.mean(np.log(p)))
    with pytest.raises(AssertionError, match="not attempted yet"):
        nb01.check_bits_per_char(...)
    monkeypatch.setenv("RNN_EDU_STRICT", "0")
    assert not nb01.check_bits_per_char(...).ok  # "0" is off


def test_a_checker_bug_is_a_hint_for_learners_and_an_error_in_strict_mode(monkeypatch):
    @exercise("9. broken")
    def check_broken(answer):
        return passed(f"{1 / 0}")

    fb = check_broken(1)
    assert not fb.ok and "could not be checked (ZeroDivisionError" in fb.message
    monkeypatch.setenv("RNN_EDU_STRICT", "1")
    with pytest.raises(ZeroDivisionError):
        check_broken(1)

