import numpy as np
import pytest

from rnn_edu import data


def test_corpus_is_installed_text():
    text = data.load_corpus()
    assert len(text) > 400_000
    assert "assert" in text
    assert data.load_corpus(max_chars=100) == text[:100]


def test_split_is_contiguous_and_reproducible():
    train, val = data.train_val_split("abcdefghij", 0.2)
    assert (train, val) == ("abcdefgh", "ij")
    assert data.train_val_split("abcdefghij", 0.2) == (train, val)


def test_vocab_sorted_and_round_trip():
    v = data.Vocab.from_text("hello world")
    assert v.chars == tuple(sorted(set("hello world")))
    ids = v.encode("low")
    assert ids.dtype == np.int64
    assert v.decode(ids) == "low"
    assert v.decode([]) == ""


def test_one_hot_and_windows():
    assert data.one_hot(np.array([1, 0]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]
    ids = np.arange(21)
    chunks = list(data.batch_windows(ids, batch_size=2, seq_len=4))
    x, y = chunks[0]
    assert x.shape == y.shape == (2, 4)
    np.testing.assert_array_equal(y, x + 1)
    # stream b continues across chunks
    np.testing.assert_array_equal(chunks[1][0][:, 0], x[:, -1] + 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: data.load_corpus("shakespeare"), r"name: expected one of \('pydoc',\)"),
        (lambda: data.load_corpus(max_chars=0), "max_chars: expected an int >= 1 or None, got 0"),
        (lambda: data.train_val_split("a", 0.1), "text: expected a str of at least 2 characters"),
        (lambda: data.train_val_split("abc", 1.5), r"val_fraction: expected a finite number in \(0, 1\)"),
        (lambda: data.Vocab.from_text(""), "text: expected a non-empty str"),
        (lambda: data.Vocab.from_text("ab").encode("abc"), r"character 'c' at position 2"),
        (lambda: data.Vocab.from_text("ab").decode([0, 5]), r"ids: expected ids in \[0, 2\)"),
        (lambda: data.one_hot(np.array([3]), 3), r"ids: expected ids in \[0, 3\)"),
        (lambda: list(data.batch_windows(np.arange(5), 2, 4)), "too few"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_types():
    with pytest.raises(TypeError, match="text: expected a str, got int"):
        data.Vocab.from_text("ab").encode(3)
    with pytest.raises(TypeError, match="ids: expected an int array"):
        data.one_hot(np.array([0.5]), 3)


def test_one_hot_needs_only_the_memory_of_its_result():
    x = data.one_hot([0, 999_999], 10**6, dtype=np.float32)  # no 10**6 x 10**6 identity matrix
    assert x.shape == (2, 10**6) and x.sum() == 2 and x[1, 999_999] == 1
    with pytest.raises(ValueError, match=r"size: the result would hold 10,000,000,000 entries, "
                                         r"more than the limit of 100,000,000"):
        data.one_hot(np.zeros(10**4, dtype=int), 10**6)


def test_float_ids_and_repeated_characters_are_refused_not_truncated():
    with pytest.raises(TypeError, match=r"ids: expected an int array of shape \(n,\), got array"):
        data.batch_windows(np.arange(50) * 1.0, 2, 3)  # at the call, not at the first chunk
    with pytest.raises(TypeError, match=r"ids: expected an int array"):
        data.Vocab.from_text("ab").decode([0.0, 1.0])
    with pytest.raises(ValueError, match=r"chars: expected distinct characters, got \['a'\]"):
        data.Vocab(("a", "b", "a"))
    with pytest.raises(TypeError, match=r"chars: expected single characters, got str 'ab'"):
        data.Vocab(("ab",))
def test_elnino_shape_dates_and_values():
    months, sst = data.load_elnino()
    assert months.shape == sst.shape == (732,)
    assert months.dtype == np.dtype("datetime64[M]")
    assert months[0] == np.datetime64("1950-01") and months[-1] == np.datetime64("2010-12")
    assert np.all(np.diff(months).astype(int) == 1)  # every month once, in order
    assert sst.dtype == np.float64 and np.all(np.isfinite(sst))
    assert 17 < sst.min() < sst.max() < 30  # sea-surface temperature in degrees Celsius
    assert sst[0] == 23.11 and sst[-1] == 22.07  # first and last cells of statsmodels' CSV
    # the seasonal cycle: March is warm and September cool in the Nino 1+2 region
    by_month = sst.reshape(-1, 12).mean(axis=0)
    assert by_month.argmax() in (1, 2, 3) and by_month.argmin() in (7, 8, 9)


def test_elnino_needs_no_network_and_imports_neither_pandas_nor_statsmodels():
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from rnn_edu import data\n"
        "months, sst = data.load_elnino()\n"
        "assert len(sst) == 732\n"
        "print(sorted(m for m in ('pandas', 'statsmodels', 'scipy') if m in sys.modules))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_elnino_without_statsmodels_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "statsmodels" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="needs the statsmodels package.*pip install statsmodels"):
        data.load_elnino()


def test_topic_split_is_disjoint_by_key_about_a_twentieth_and_drops_only_copies():
    from pydoc_data.topics import topics

    val_keys = [k for k in sorted(topics) if data.is_validation_topic(k)]
    train_keys = [k for k in sorted(topics) if not data.is_validation_topic(k)]
    assert val_keys and train_keys and not set(val_keys) & set(train_keys)
    train_text, val_text = data.topic_split()
    assert 0.03 < len(val_text) / (len(train_text) + len(val_text)) < 0.15
    # The training text is every topic the key rule keeps, as before the copy rule existed.
    assert train_text == "\n\n".join(topics[k].replace("\t", "    ") for k in train_keys)
    copied = data.held_out_topics()
    assert list(copied) == val_keys
    for key in val_keys:
        held_out = topics[key].replace("\t", "    ") in val_text
        assert held_out == (copied[key] <= data.COPIED), key
        assert held_out or copied[key] > 0.5


def test_the_topics_copied_in_training_are_out_of_validation():
    # Measured on 3.11: attribute-access and context-managers are parts of specialnames (93% of
    # their 200-character windows are found in the training text); the three others, none.
    copied = data.held_out_topics()
    assert copied["attribute-access"] > 0.9 and copied["context-managers"] > 0.9
    assert all(copied[k] < 0.1 for k in ("floating", "formatstrings", "power"))
    train_text, val_text = data.topic_split()
    assert "object.__getattr__(self, name)" in train_text  # specialnames stays in training
    assert "object.__getattr__(self, name)" not in val_text
    assert data.copied_fraction(val_text, train_text) < 0.1


def test_copied_fraction_counts_the_windows_found_in_the_source():
    rng = np.random.default_rng(0)
    source = "".join(rng.choice(list("abcdefgh"), 2000))
    new = "".join(rng.choice(list("ABCDEFGH"), 1000))
    assert data.copied_fraction(source[100:1100], source) == 1.0
    assert data.copied_fraction(new, source) == 0.0
    # windows start every 50 characters, each whole: 0, 50, ..., 800 in a 1000-character text
    half = source[:500] + new[:500]
    assert data.copied_fraction(half, source) == 7 / 17  # starts 0..300 lie in the copied half
    assert data.copied_fraction("abc", "xxabcxx") == 1.0  # shorter than a span: one window
    assert data.copied_fraction(half, source, span=10, step=10) == 0.5
    for bad, match in (({"text": ""}, "text: expected a non-empty str"),
                       ({"step": 0}, "step: expected an int >= 1")):
        with pytest.raises(ValueError, match=match):
            data.copied_fraction(**{"text": "ab", "source": "ab", **bad})


def test_the_copy_rule_on_a_synthetic_corpus(monkeypatch):
    # "power", "floating", "formatstrings" are held out by their key, "assert" and "if" are not
    rng = np.random.default_rng(1)
    words = lambda n, letters: "".join(rng.choice(list(letters), n))  # noqa: E731
    train = {"assert": words(3000, "abcdefgh"), "if": words(3000, "abcdefgh")}
    topics = {**train, "power": train["if"][500:1500],                    # a copy
              "floating": words(1000, "ABCDEFGH"),                        # new text
              "formatstrings": train["assert"][:500] + words(500, "ABCDEFGH")}  # 7 of 17 copied
    monkeypatch.setattr(data, "_topics", lambda: dict(sorted(topics.items())))
    assert data.held_out_topics() == {"floating": 0.0, "formatstrings": 7 / 17, "power": 1.0}
    train_text, val_text = data.topic_split()
    assert train_text == "\n\n".join([train["assert"], train["if"]])  # unchanged by the drop
    assert val_text == "\n\n".join([topics["floating"], topics["formatstrings"]])


def test_a_given_set_of_topics_is_split_by_the_same_rules_in_its_order():
    # Another Python's topics, or a changed corpus (tests/claims): "power" and "floating" are held
    # out by their key, "power" is copied from "if" and dropped; the training topics keep their order.
    topics = {"if": "if x: y = x ** 2 else z", "power": "y = x ** 2", "assert": "assert x",
              "floating": "0.1 + 0.2"}
    assert data.held_out_topics(topics) == {"power": 1.0, "floating": 0.0}
    assert data.topic_split(topics) == ("if x: y = x ** 2 else z\n\nassert x", "0.1 + 0.2")
    assert data.topic_split(None) == data.topic_split()
    for bad, match in (([("if", "x")], "topics: expected a dict {key: text}, got list"),
                       ({"if": 3}, "topics\\['if'\\]: expected a str, got int"),
                       ({"if": ""}, "topics\\['if'\\]: expected a non-empty str"),
                       ({"": "x"}, "topics' keys: expected a non-empty str")):
        with pytest.raises((TypeError, ValueError), match=match):
            data.topic_split(bad)


def test_the_split_rule_is_stable_crc32_of_the_key():
    # CRC-32 of the key's UTF-8 bytes is fixed by its standard, unlike hash() (salted) or an
    # order-dependent rule: these are Python 3.11's held-out topics, and stay held out later.
    for key in ("attribute-access", "context-managers", "floating", "formatstrings", "power"):
        assert data.is_validation_topic(key)
    assert not any(map(data.is_validation_topic, ("assert", "if", "with")))  # crc32 % 10 = 1, 6, 6
    with pytest.raises(ValueError, match="key: expected a non-empty str"):
        data.is_validation_topic("")


def test_keep_known_drops_unseen_characters_and_counts_them():
    vocab = data.Vocab.from_text("abc")
    assert data.keep_known("abxcy", vocab) == ("abc", 2)
    assert data.keep_known("", vocab) == ("", 0)
    with pytest.raises(TypeError, match="vocab: expected Vocab"):
        data.keep_known("ab", "abc")
