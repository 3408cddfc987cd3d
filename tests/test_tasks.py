import numpy as np
import pytest

from rnn_edu import tasks


def test_bracket_pairs_have_the_asked_distance_and_match():
    pairs = tasks.bracket_pairs(200, (1, 9), openers="([{", fillers="xyz", seed=3)
    assert len(pairs) == 200
    distances = set()
    for p in pairs:
        assert p[0] in "([{" and p[-1] == tasks.CLOSER[p[0]]
        assert set(p[1:-1]) <= set("xyz")
        distances.add(len(p) - 1)  # the closer is len - 1 steps after the opener
    assert distances == set(range(1, 10))


def test_bracket_pairs_fixed_distance_and_seeds():
    pairs = tasks.bracket_pairs(50, 4, seed=1)
    assert {len(p) for p in pairs} == {5}
    assert pairs == tasks.bracket_pairs(50, 4, seed=1)
    assert pairs != tasks.bracket_pairs(50, 4, seed=2)
    # both openers appear, about equally often
    n_round = sum(p[0] == "(" for p in tasks.bracket_pairs(2000, 2, seed=0))
    assert 900 < n_round < 1100


def test_state_machine_solves_the_task_at_every_distance():
    text = "".join(tasks.bracket_pairs(300, (1, 40), seed=5))
    states = tasks.bracket_states(text)
    positions, closers = tasks.closer_targets(text)
    assert len(positions) == 300
    for pos, closer in zip(positions, closers, strict=True):
        # the state before the closer names the open bracket, which decides the closer
        assert tasks.CLOSER[states[pos - 1]] == closer
        assert states[pos] == ""


def test_state_machine_by_hand():
    assert tasks.bracket_states("a(bc)[d") == ["", "(", "(", "(", "", "[", "["]
    assert tasks.bracket_states("") == []
    # an unknown character is a filler; a stray closer clears the state
    assert tasks.bracket_states("(?]x") == ["(", "(", "", ""]


def test_closer_targets_by_hand():
    positions, closers = tasks.closer_targets("(ab)[]x")
    np.testing.assert_array_equal(positions, [3, 5])
    assert closers == [")", "]"]
    positions, closers = tasks.closer_targets("")
    assert positions.shape == (0,) and closers == []


def test_parity_matches_a_loop():
    bits, target = tasks.parity(7, 30, seed=4)
    assert bits.shape == target.shape == (7, 30)
    for b in range(7):
        p = 0
        for t in range(30):
            p ^= int(bits[b, t])
            assert target[b, t] == p
    _, par = tasks.parity(1, 5, p_one=1.0)
    np.testing.assert_array_equal(par[0], [1, 0, 1, 0, 1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0, "distance": 3}, "n: expected an int >= 1"),
        ({"n": 2.0, "distance": 3}, "n: expected an int >= 1"),
        ({"n": 2, "distance": 0}, "distance: expected 1 <= lo <= hi"),
        ({"n": 2, "distance": (5, 2)}, "distance: expected 1 <= lo <= hi"),
        ({"n": 2, "distance": 2.5}, "distance: expected an int or a pair"),
        ({"n": 2, "distance": (1, 2, 3)}, "distance: expected an int or a pair"),
        ({"n": 2, "distance": 3, "openers": ""}, "openers: expected a non-empty str"),
        ({"n": 2, "distance": 3, "openers": "(a"}, "openers: expected"),
        ({"n": 2, "distance": 3, "openers": "(("}, "openers: expected distinct"),
        ({"n": 2, "distance": 3, "fillers": "a)"}, "fillers: expected a non-empty str without"),
        ({"n": 2, "distance": 3, "fillers": ""}, "fillers: expected"),
    ],
)
def test_bracket_pairs_bad_input(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        tasks.bracket_pairs(**kwargs)


def test_bad_input_elsewhere():
    with pytest.raises(TypeError, match="text: expected a str"):
        tasks.bracket_states(["("])
    with pytest.raises(TypeError, match="text: expected a str"):
        tasks.closer_targets(None)
    with pytest.raises(ValueError, match="length: expected an int >= 1"):
        tasks.parity(3, 0)
    with pytest.raises(ValueError, match=r"p_one: expected a finite number in \[0, 1\]"):
        tasks.parity(3, 4, p_one=1.5)
    with pytest.raises(TypeError, match=r"p_one: expected a finite number in \[0, 1\], got str 'half'"):
        tasks.parity(3, 4, p_one="half")
    with pytest.raises(ValueError, match=r"seed: expected an int >= 0, got -1"):
        tasks.parity(3, 4, seed=-1)
    for fn in (tasks.bracket_states, tasks.closer_targets):
        with pytest.raises(ValueError, match=r"openers: expected a non-empty str .*, got 'x'"):
            fn("(a)", openers="x")
