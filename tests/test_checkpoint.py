import numpy as np
import pytest

from rnn_edu import checkpoint, data, rnn


def test_round_trip_keeps_weights_dtype_and_vocabulary(tmp_path):
    vocab = data.Vocab.from_text("hello\x00 wörld\n")
    params = rnn.init_params(vocab.size, 7, vocab.size, seed=3, dtype=np.float32)
    params.b_h[:] = np.arange(7)
    written = checkpoint.save(tmp_path / "model", params, vocab)
    assert written.name == "model.npz" and written.exists()
    loaded, loaded_vocab = checkpoint.load(written)
    for name in rnn.PARAM_NAMES:
        assert np.array_equal(getattr(loaded, name), getattr(params, name))
        assert getattr(loaded, name).dtype == np.float32
    assert loaded_vocab == vocab


def test_vocabulary_is_optional_and_the_file_needs_no_pickle(tmp_path):
    params = rnn.init_params(3, 2, 1)
    path = checkpoint.save(tmp_path / "m.npz", params)
    _, vocab = checkpoint.load(path)
    assert vocab is None
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == {*rnn.PARAM_NAMES, "format"}


def test_bad_inputs_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path: no such file"):
        checkpoint.load(tmp_path / "missing.npz")
    (tmp_path / "notes.npz").write_text("not an archive")
    with pytest.raises(ValueError, match=r"not an rnn_edu checkpoint: expected an .npz \(zip\)"):
        checkpoint.load(tmp_path / "notes.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"expected an .npz \(zip\) archive"):
        checkpoint.load(tmp_path / "single.npy")
    np.savez(tmp_path / "other.npz", W_xh=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"not an rnn_edu checkpoint: missing \['W_hh'"):
        checkpoint.load(tmp_path / "other.npz")
    arrays = dict(rnn.init_params(2, 2, 2).as_dict(), format=np.array(1))
    arrays["W_xh"] = np.array([{"a": 1}], dtype=object)  # would need pickle to load
    np.savez(tmp_path / "obj.npz", **arrays)
    with pytest.raises(ValueError, match=r"(?i)pickle"):
        checkpoint.load(tmp_path / "obj.npz")
    with pytest.raises(TypeError, match=r"params: expected RNNParams"):
        checkpoint.save(tmp_path / "x", {"W_xh": np.zeros(2)})


def test_a_vocabulary_with_repeated_characters_is_refused(tmp_path):
    params = rnn.init_params(3, 2, 3)
    arrays = dict(params.as_dict(), format=np.array(checkpoint.FORMAT),
                  vocab=np.array([ord(c) for c in "aab"], dtype=np.int32))
    np.savez(tmp_path / "dup.npz", **arrays)
    with pytest.raises(ValueError, match=r"path: .* broken checkpoint: chars: expected distinct "
                                         r"characters, got \['a'\] more than once"):
        checkpoint.load(tmp_path / "dup.npz")
    arrays = dict(params.as_dict(), format=np.array(checkpoint.FORMAT))
    arrays["W_hh"] = np.full((2, 2), np.nan)
    np.savez(tmp_path / "nan.npz", **arrays)
    with pytest.raises(ValueError, match=r"path: .* broken checkpoint: path.W_hh: expected finite"):
        checkpoint.load(tmp_path / "nan.npz")
    with pytest.raises(TypeError, match=r"path: expected a file name"):
        checkpoint.load(None)
