import numpy as np
import pytest

from rnn_edu import data, gru, units

TEXT = 'Say "f(a)" twice (or more).\n   Then 42 (x)'


@pytest.mark.parametrize("feature, expected", [
    (units.paren_depth, "000000110000000001111111100000000000000110"),
    (units.in_parentheses, "000000110000000001111111100000000000000110"),
    (units.in_quotes, "000011111000000000000000000000000000000000"),
    (units.in_word, "111001010001111100110111100000011110000010"),
    (units.word_start, "100001010001000000100100000000010000000010"),
    (units.newline, "000000000000000000000000000100000000000000"),
    (units.digit, "000000000000000000000000000000000000110000"),
    (units.upper_case, "100000000000000000000000000000010000000000"),
])
def test_binary_features_on_a_known_text(feature, expected):
    assert len(TEXT) == len(expected)
    np.testing.assert_array_equal(feature(TEXT), [float(e) for e in expected])


def test_counting_features_on_a_known_text():
    text = "ab\n  c d\n\n x"
    np.testing.assert_array_equal(units.position_in_line(text), [1, 2, 0, 1, 2, 3, 4, 5, 0, 0, 1, 2])
    np.testing.assert_array_equal(units.indentation(text), [0, 0, 0, 1, 2, 2, 2, 2, 0, 0, 1, 1])
    np.testing.assert_array_equal(units.paren_depth("((a)b))(c"), [1, 2, 2, 1, 1, 0, 0, 1, 1])


def test_every_feature_gives_one_float_per_character_even_for_empty_text():
    feats = units.features(TEXT)
    assert list(feats) == list(units.FEATURES) and len(feats) >= 8
    assert all(f.shape == (len(TEXT),) and f.dtype == np.float64 for f in feats.values())
    assert all(f.shape == (0,) for f in units.features("").values())


def test_correlations_are_pearson_and_zero_for_constants():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(50)
    H = np.stack([2 * f + 1, -f, rng.standard_normal(50), np.full(50, 0.3),
                  np.full(50, 1.0) + 1e-17 * rng.standard_normal(50)], axis=1)
    r = units.correlations(H, f)
    assert r[0] == pytest.approx(1.0) and r[1] == pytest.approx(-1.0)
    assert r[2] == pytest.approx(np.corrcoef(H[:, 2], f)[0, 1])
    assert r[3] == 0.0 and r[4] == 0.0  # constant, and constant up to rounding
    np.testing.assert_array_equal(units.correlations(H, np.ones(50)), np.zeros(5))
    np.testing.assert_array_equal(units.correlations(H[:1], f[:1]), np.zeros(5))
    assert not np.isnan(units.correlations(np.full((3, 2), 1e300) * [[1], [-1], [1]],
                                           np.array([1.0, -1.0, 1.0]))).any()
    assert units.rank_units(H, f)[:2].tolist() == [0, 1]  # |r| = 1 both: the lower id first


VOCAB = data.Vocab.from_text("()ab \n")


def planted(hidden: int = 4, seed: int = 0) -> gru.GRUParams:
    """A GRU whose unit 2 is set by hand to be a parenthesis latch: it writes +1 at "(" and -1 at
    ")" (update gate z = 0 there, candidate n = +-1) and holds its value on every other character
    (z = 1). The other units keep their random weights."""
    p = gru.init_params(VOCAB.size, hidden, VOCAB.size, seed=seed)
    H, j = hidden, 2
    p.W_hh[j, :] = 0.0
    p.W_hh[:, [j, H + j, 2 * H + j]] = 0.0  # unit 2 ignores the state but through z
    for c in VOCAB.chars:
        i = VOCAB.encode(c)[0]
        p.W_xh[i, j] = -12.0 if c in "()" else 12.0  # z: write at a parenthesis, else hold
        p.W_xh[i, 2 * H + j] = {"(": 12.0, ")": -12.0}.get(c, 0.0)  # n: +1 opens, -1 closes
    return p


def bracket_text(n: int = 400, seed: int = 1) -> str:
    rng = np.random.default_rng(seed)
    out, inside = [], False
    for _ in range(n):
        if rng.random() < 0.15:
            out.append(")" if inside else "(")
            inside = not inside
        else:
            out.append(rng.choice(list("ab \n")))
    return "".join(out)


def test_the_search_finds_the_planted_unit():
    text = bracket_text()
    H, P = units.hidden_states(planted(), VOCAB, text)
    assert H.shape == (len(text), 4) and P.shape == (len(text), VOCAB.size)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    best = {m.feature: m for m in units.best_units(H, units.features(text))}
    assert best["inside parentheses"].unit == 2 and best["inside parentheses"].r > 0.99
    assert units.rank_units(H, units.in_parentheses(text))[0] == 2


@pytest.mark.parametrize("seed", range(5))
def test_an_untrained_model_has_no_parenthesis_unit(seed):
    text = bracket_text(seed=seed + 1)
    parens = {"inside parentheses": units.in_parentheses(text)}
    H_untrained, _ = units.hidden_states(gru.init_params(VOCAB.size, 4, VOCAB.size, seed=seed),
                                         VOCAB, text)
    H_planted, _ = units.hidden_states(planted(seed=seed), VOCAB, text)
    assert units.count_interpretable(H_untrained, parens, 0.5) == 0
    assert units.count_interpretable(H_planted, parens, 0.9) == 1


def test_count_interpretable_counts_units_not_features():
    f = np.arange(10.0)
    H = np.stack([f, f**2, np.sin(f), np.zeros(10)], axis=1)
    assert units.count_interpretable(H, {"a": f, "b": -f}, 0.5) == 2  # units 0 and 1, each once
    assert units.count_interpretable(H, {"a": f}, 1.0) == 1
    assert units.count_interpretable(H, {}, 0.5) == 0


def test_hidden_states_match_gru_forward_and_refuse_unknown_characters():
    p = planted()
    H, P = units.hidden_states(p, VOCAB, "(ab)")
    cache = gru.forward(p, VOCAB.encode("(ab)")[None])
    np.testing.assert_array_equal(H, cache.h[0])
    assert units.hidden_states(p, VOCAB, "")[0].shape == (0, 4)
    with pytest.raises(ValueError, match="text: character 'z' at position 1 is not in the vocab"):
        units.hidden_states(p, VOCAB, "(z")
    with pytest.raises(ValueError, match=r"vocab: expected 6 characters"):
        units.hidden_states(p, data.Vocab.from_text("ab"), "a")
    with pytest.raises(TypeError, match="params: expected GRUParams"):
        units.hidden_states(None, VOCAB, "a")
    with pytest.raises(ValueError, match="f: expected an array of real numbers of shape"):
        units.correlations(H, np.zeros(3))
    with pytest.raises(ValueError, match=r"threshold: expected a finite number in \(0, 1\]"):
        units.count_interpretable(H, {}, 0.0)


def test_given_the_current_character_an_echo_of_the_input_scores_zero():
    text = bracket_text()
    ids = VOCAB.encode(text)
    echo = (ids == VOCAB.encode("a")[0]).astype(float)  # a "unit" that is 1 on every "a"
    latch, _ = units.hidden_states(planted(), VOCAB, text)
    H = np.stack([echo, latch[:, 2]], axis=1)
    assert units.correlations(H, echo)[0] == pytest.approx(1.0)
    np.testing.assert_array_equal(units.correlations(H, echo, given=ids), [0.0, 0.0])
    # The latch is memory, not the current character: its partial r stays near 1.
    assert units.correlations(H, units.in_parentheses(text), given=ids)[1] > 0.95
    assert units.count_interpretable(H, {"a": echo}, 0.5) == 1
    assert units.count_interpretable(H, {"a": echo}, 0.5, given=ids) == 0
    assert units.best_units(H, {"a": echo}, given=ids)[0].r == 0.0
    np.testing.assert_array_equal(units.correlations(H, echo, given=ids + 10**12), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"given: expected an int array of shape \(T,\)"):
        units.correlations(H, echo, given=ids[:5])
