"""assets/: every file listed (README and manifest), matching its hash, loadable without pickle;
the script that makes the weights runs in a tiny configuration; the wheel's package list."""

import json
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from rnn_edu import assets, checkpoint

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "assets"
sys.path.insert(0, str(ROOT / "scripts"))
import make_assets  # noqa: E402

BOOKKEEPING = {"README.md", "manifest.json"}


def files():
    found = sorted(p for p in FOLDER.iterdir() if p.is_file() and p.name not in BOOKKEEPING)
    assert found, "assets/ is empty"  # a test over a collection must see the collection
    return found


def test_every_asset_is_listed_in_the_readme_and_the_manifest_with_its_hash():
    readme = (FOLDER / "README.md").read_text()
    manifest = json.loads((FOLDER / "manifest.json").read_text())
    for p in files():
        assert f"`{p.name}`" in readme, f"{p.name} is not in assets/README.md"
        assert p.name in manifest, f"{p.name} is not in assets/manifest.json"
        assert manifest[p.name]["sha256"] == make_assets.sha256(p), f"{p.name}: hash differs"
        assert manifest[p.name]["command"] in readme
    for name in manifest:  # and nothing listed is missing
        assert (FOLDER / name).is_file(), f"manifest.json lists {name}, which is not in assets/"
    assert "make assets" in readme and "scripts/make_assets.py" in readme


@pytest.mark.parametrize("p", files(), ids=lambda p: p.name)
def test_every_asset_loads_without_pickle(p):
    if p.suffix == ".npz":
        with np.load(p, allow_pickle=False) as f:
            assert f.files and all(f[n].dtype != object for n in f.files)
    elif p.suffix == ".svg":
        assert ET.parse(p).getroot().tag.endswith("svg")
    elif p.suffix == ".json":
        assert isinstance(json.loads(p.read_text()), dict)
    else:
        pytest.fail(f"{p.name}: no check for {p.suffix} files")


def test_the_weight_assets_load_and_record_their_training():
    pytest.importorskip("keras")
    model, vocab, config = assets.load_char_gru()
    assert model.vocab_size == vocab.size == config["vocab_size"]
    assert (model.embedding_dim, model.rnn_units) == (config["embedding_dim"], config["rnn_units"])
    params, rnn_vocab, rnn_config = assets.load_char_rnn()
    assert rnn_vocab == vocab and params.hidden_size == rnn_config["hidden_size"]
    for c in (config, rnn_config):
        assert len(c["train_sha256"]) == 64 and c["command"] == "make assets"
    assert config["threads"] == {"intra_op": 2, "inter_op": 1} and "determinism" in config


def test_the_training_text_is_the_one_recorded():
    import hashlib

    from rnn_edu import data

    train_text, _ = data.topic_split()
    config = assets.config("char_gru")
    if sys.version_info[:2] == tuple(map(int, config["versions"]["python"].split(".")[:2])):
        assert hashlib.sha256(train_text.encode()).hexdigest() == config["train_sha256"]
    else:
        pytest.skip("another Python's corpus differs from the one the assets were trained on")


def test_a_pickled_file_named_like_an_asset_is_refused(tmp_path, monkeypatch):
    with open(tmp_path / "char_rnn.npz", "wb") as f:  # a pickle in an .npy under the asset's name
        np.save(f, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "char_rnn.json").write_text("{}")
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)
    with pytest.raises(ValueError, match=r"expected an .npz \(zip\) archive"):
        assets.load_char_rnn()


def test_the_script_trains_tiny_models_into_a_folder(tmp_path):
    pytest.importorskip("keras")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")

    def make_assets(*args):
        return subprocess.run([sys.executable, str(ROOT / "scripts" / "make_assets.py"), "--out",
                               str(tmp_path), *args], capture_output=True, text=True, env=env, timeout=300)

    out = make_assets("--steps", "3", "--rnn-steps", "3")
    assert out.returncode == 0, out.stderr[-2000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(manifest) == ["char_gru.json", "char_gru.npz", "char_rnn.json", "char_rnn.npz"]
    params, vocab = checkpoint.load(tmp_path / "char_rnn.npz")
    assert json.loads((tmp_path / "char_gru.json").read_text())["steps"] == 3
    assert vocab.size == params.input_size

    # --remeasure on the split they trained on gives the figures they recorded
    recorded = {n: json.loads((tmp_path / f"{n}.json").read_text()) for n in ("char_rnn", "char_gru")}
    again = make_assets("--remeasure")
    assert again.returncode == 0, again.stderr[-2000:]
    for n, before in recorded.items():
        assert json.loads((tmp_path / f"{n}.json").read_text()) == before, n
    # and refuses weights trained on another text
    (tmp_path / "char_rnn.json").write_text(json.dumps(dict(recorded["char_rnn"], train_sha256="0" * 64)))
    refused = make_assets("--remeasure")
    assert refused.returncode != 0 and "char_rnn: the training text differs" in refused.stderr


def test_the_wheel_lists_every_subpackage_and_carries_the_assets():
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rnn_edu").rglob("__init__.py")}
    assert packages and packages | {"rnn_edu._assets"} == set(tool["packages"])
    assert tool["package-dir"]["rnn_edu._assets"] == "assets"
    suffixes = {p.suffix for p in files()} | {".md"}
    assert {f"*{s}" for s in suffixes} <= set(tool["package-data"]["rnn_edu._assets"])
    assert assets.PACKAGED_ASSETS.name == "_assets"
