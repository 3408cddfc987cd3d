"""The shared argument checks: one message format, NumPy scalars are numbers, bools are not."""

import numpy as np
import pytest

from rnn_edu import _checks as C


def test_numbers_accept_numpy_scalars_and_refuse_bools():
    assert C.require_int("n", np.int64(3), min=1) == 3 and type(C.require_int("n", 3)) is int
    assert C.require_real("lr", np.float32(0.5), above=0) == 0.5
    for bad in (True, np.bool_(False), "3", None, 1j):
        with pytest.raises(TypeError, match=r"^n: expected an int >= 1, got "):
            C.require_int("n", bad, min=1)
    with pytest.raises(TypeError, match=r"^lr: expected a finite number > 0, got bool True"):
        C.require_real("lr", True, above=0)


@pytest.mark.parametrize(
    "call, error, match",
    [(lambda: C.require_int("t", 9, 0, 3), ValueError, r"^t: expected an int in \[0, 3\], got 9$"),
     (lambda: C.require_int("length", 10**8, 0, 100, why="too slow"), ValueError,
      r"^length: expected an int in \[0, 100\] \(too slow\), got 100000000$"),
     (lambda: C.require_real("p", 1.5, min=0, below=1), ValueError,
      r"^p: expected a finite number in \[0, 1\), got 1.5$"),
     (lambda: C.require_real("k", float("nan"), min=0), C.NonFiniteError, r"^k: .* got nan$"),
     (lambda: C.require_seed("seed", -1), ValueError, r"^seed: expected an int >= 0, got -1$"),
     (lambda: C.require_text("prompt", b"x"), TypeError, r"^prompt: expected a str, got bytes"),
     (lambda: C.require_callable("fn", 3), TypeError, r"^fn: expected a function, got int 3$"),
     (lambda: C.require_size("size", 10**9), ValueError, r"^size: .* 1,000,000,000 entries, "
                                                          r"more than the limit of 100,000,000$"),
     (lambda: C.require_array("x", [[1, 2], [3]]), ValueError, r"^x: expected .* ragged"),
     (lambda: C.require_array("x", np.array([1j])), TypeError,
      r"^x: expected an array of real numbers, got array of shape \(1,\) and dtype complex128$"),
     (lambda: C.require_array("x", [1.0, np.inf]), C.NonFiniteError,
      r"^x: expected finite numbers, got 1 inf or NaN of 2 entries$"),
     (lambda: C.require_array("h", np.zeros((2, 3)), kind="float", shape=(2, 4),
                              labels="(batch, hidden)"), ValueError,
      r"^h: expected a float array of shape \(batch, hidden\) = \(2, 4\), got shape \(2, 3\)$"),
     (lambda: C.require_array("ids", [0.0, 1.0], kind="int"), TypeError,
      r"^ids: expected an int array, got list read as dtype float64$"),
     (lambda: C.require_choice("activation", "sigmoid", ("tanh", "relu")), ValueError,
      r"^activation: expected one of \('tanh', 'relu'\), got str 'sigmoid'$")],
)
def test_messages_name_the_argument_the_expectation_and_what_came(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_non_finite_errors_are_value_errors_and_floating_point_errors():
    assert issubclass(C.NonFiniteError, ValueError)
    assert issubclass(C.NonFiniteError, FloatingPointError)


def test_arrays_come_back_in_the_form_computed_with():
    assert C.require_array("x", [1, 2]).dtype == np.float64  # "real": ints become floats
    a = np.zeros(3, np.float32)
    assert C.require_array("x", a, kind="float") is a  # "float": kept as it is
    assert C.require_array("ids", [], kind="int").dtype == np.int64  # an empty list is no float
