from rnn_edu import versions


def test_parse():
    assert versions.parse("2.21.0") == (2, 21, 0)
    assert versions.parse("2.21.0rc1") == (2, 21, 0)
    assert versions.parse("8.1") == (8, 1)
    assert versions.parse("3.11.7+local") == (3, 11, 7)


def test_this_environment_meets_the_minimums():
    rows = versions.check()
    assert {r[0] for r in rows} >= {"python", "numpy", "matplotlib", "ipywidgets"}
    assert all(ok for *_, ok in rows), versions.report(rows)


def test_old_or_missing_versions_are_flagged():
    rows = [("numpy", "1.26", "1.21.0", False), ("tensorflow", "2.16", None, True)]
    text = versions.report(rows)
    assert "TOO OLD" in text and "missing" in text
    assert versions.parse("1.21.0") < versions.parse("1.26")
