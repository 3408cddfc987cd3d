"""Train the weights in assets/ from the course's own code, deterministically, and write the manifest.

    python scripts/make_assets.py                 # both models (about 10 min on 2 cores alone), manifest
    python scripts/make_assets.py --steps 5 --rnn-steps 5 --out /tmp/a   # a tiny run (tests)
    python scripts/make_assets.py --only rnn      # one of the two models, then the manifest
    python scripts/make_assets.py --manifest      # only re-hash what is in assets/ (after diagrams)
    python scripts/make_assets.py --remeasure     # the weights as they are, on today's validation text

Run it through `make assets` (which also draws the diagrams first). Both models train on the
training topics of `data.topic_split()` with the vocabulary of that text:

- char_gru.npz: notebook 08's Embedding(V, 32) -> GRU(256) -> Dense(V) (`rnn_edu.textgen`),
  batch 64 x 100 characters, Adam from 1e-2 decaying to 5e-4, global-norm clipping at 5;
- char_rnn.npz: notebook 04's NumPy RNN (`rnn_edu.train`), its recipe of section 7 (256 units,
  Adam, the same decay and clipping) run for 6000 updates instead of 1500: with 1500 it is only
  level with the order-4 Markov chain on the validation topics of the time, before the copy rule
  of `data.topic_split` (2.055 against 2.059 bits/char).

Each .npz holds plain arrays (loaded with allow_pickle=False); its .json beside it records the
configuration, the seeds, the thread count, the versions, the sha256 of the training text and
the validation bits/char. Keras training is bit-identical on the same machine and thread count
(`keras.utils.set_random_seed`, `enable_op_determinism`); another CPU gives other bits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREADS = 2  # intra-op threads of TensorFlow (inter-op: 1); the bits depend on it
COMMAND = "make assets"
#: Every asset: what it is and what makes it.
ASSETS = {
    "char_gru.npz": ("notebook 08's character GRU (Keras): weights and vocabulary",
                     "scripts/make_assets.py"),
    "char_gru.json": ("char_gru.npz's training configuration, versions, text hash, bits/char",
                      "scripts/make_assets.py"),
    "char_rnn.npz": ("notebook 04's NumPy character RNN: weights and vocabulary (checkpoint.save)",
                     "scripts/make_assets.py"),
    "char_rnn.json": ("char_rnn.npz's training configuration, versions, text hash, bits/char",
                      "scripts/make_assets.py"),
    "unrolled_rnn.svg": ("diagram: the RNN unrolled over time (notebook 03)",
                         "scripts/draw_diagrams.py"),
    "gru_cell.svg": ("diagram: the GRU cell (notebook 07)", "scripts/draw_diagrams.py"),
}
GRU_CONFIG = dict(embedding_dim=32, rnn_units=256, batch_size=64, seq_len=100, learning_rate=1e-2,
                  lr_end=5e-4, clip_norm=5.0, seed=0)
RNN_CONFIG = dict(hidden_size=256, batch_size=32, seq_len=25, learning_rate=1e-2, beta2=0.99,
                  lr_end=3e-4, clip_norm=5.0, seed=0)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def versions() -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__, "machine": platform.machine()}


def corpus():
    """``(train_text, val_text, vocab, facts)``: the split, the training text's vocabulary."""
    from rnn_edu import data

    train_text, val_text = data.topic_split()
    vocab = data.Vocab.from_text(train_text)
    val_text, dropped = data.keep_known(val_text, vocab)
    facts = {"split": "data.topic_split(): a topic is held out when zlib.crc32(key) % 10 == 0, "
                      "and left out of validation too when more than half of its 200-character "
                      "windows (one every 50) occur in the training text",
             "train_chars": len(train_text), "val_chars": len(val_text),
             "val_chars_dropped": dropped, "vocab_size": vocab.size,
             "train_sha256": hashlib.sha256(train_text.encode()).hexdigest()}
    return train_text, val_text, vocab, facts


def make_gru(out: Path, steps: int, train_text, val_text, vocab, facts) -> None:
    import keras
    import tensorflow as tf

    from rnn_edu import textgen

    c = GRU_CONFIG
    keras.utils.set_random_seed(c["seed"])
    tf.config.experimental.enable_op_determinism()
    model = textgen.build(vocab.size, c["embedding_dim"], c["rnn_units"], seed=c["seed"])
    batches = textgen.dataset(vocab.encode(train_text), c["seq_len"], c["batch_size"], seed=c["seed"])
    run = textgen.train(model, batches, steps, learning_rate=c["learning_rate"], lr_end=c["lr_end"],
                        clip_norm=c["clip_norm"])
    bpc = textgen.bits_per_char(model, vocab, val_text)
    print(f"char_gru: {steps} steps in {run['seconds']:.0f} s ({steps / run['seconds']:.1f} steps/s), "
          f"validation {bpc:.3f} bits/char")
    textgen.save(out / "char_gru.npz", model, vocab)
    write_json(out / "char_gru.json", dict(
        c, steps=steps, **facts, seconds=round(run["seconds"], 1),
        final_train_loss_nats=round(float(run["loss"][-50:].mean()), 3), val_bits_per_char=round(bpc, 3),
        threads={"intra_op": THREADS, "inter_op": 1}, determinism="keras.utils.set_random_seed("
        f"{c['seed']}), tf.config.experimental.enable_op_determinism()", versions=versions(),
        command=COMMAND))


def make_rnn(out: Path, steps: int, train_text, val_text, vocab, facts) -> None:
    import numpy as np

    from rnn_edu import checkpoint, optim, train

    c = RNN_CONFIG
    params = train.init_char_params(vocab.size, c["hidden_size"], seed=c["seed"], dtype=np.float32)
    history = train.train(
        params, vocab.encode(train_text), vocab.encode(val_text),
        optimizer=optim.Adam(lr=c["learning_rate"], beta2=c["beta2"]), lr_end=c["lr_end"],
        steps=steps, batch_size=c["batch_size"], seq_len=c["seq_len"], clip_norm=c["clip_norm"],
        eval_every=steps, seed=c["seed"])
    bpc = history.val_bpc[-1]
    print(f"char_rnn: {steps} steps in {history.seconds:.0f} s, validation {bpc:.3f} bits/char")
    checkpoint.save(out / "char_rnn.npz", params, vocab)
    write_json(out / "char_rnn.json", dict(
        c, steps=steps, **facts, seconds=round(history.seconds, 1), val_bits_per_char=round(bpc, 3),
        recipe="notebook 04, section 7 (train.train with these arguments)", versions=versions(),
        command=COMMAND))


def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=1, sort_keys=True) + "\n")


def write_manifest(out: Path) -> dict:
    """``manifest.json``: every listed asset present in ``out`` -> sha256, what, command."""
    unknown = sorted(p.name for p in out.iterdir()
                     if p.is_file() and p.name not in ASSETS and p.name not in ("README.md",
                                                                                 "manifest.json"))
    if unknown:
        raise SystemExit(f"{out}: files not listed in make_assets.ASSETS: {unknown}")
    manifest = {name: {"sha256": sha256(out / name), "what": what, "made_by": script,
                       "command": COMMAND}
                for name, (what, script) in ASSETS.items() if (out / name).is_file()}
    write_json(out / "manifest.json", manifest)
    return manifest


def remeasure(out: Path, train_text, val_text, vocab, facts) -> None:
    """Rewrite each .json's split and validation figures for the weights as they are.

    For a change of the validation rule alone (``data.topic_split``): the training text must be
    the one recorded (its sha256), or the weights need training again.
    """
    from rnn_edu import checkpoint, textgen, train

    for name in ("char_rnn", "char_gru"):
        record = json.loads((out / f"{name}.json").read_text())
        if record["train_sha256"] != facts["train_sha256"]:
            raise SystemExit(f"{name}: the training text differs from the one its weights were "
                             "trained on (train_sha256): run make assets to train them again")
        if name == "char_rnn":
            params, saved_vocab = checkpoint.load(out / f"{name}.npz")
            bpc = train.bits_per_char(params, saved_vocab.encode(val_text))
        else:
            model, saved_vocab = textgen.load(out / f"{name}.npz")
            bpc = textgen.bits_per_char(model, saved_vocab, val_text)
        if saved_vocab != vocab:
            raise SystemExit(f"{name}: its vocabulary is not the training text's")
        record.update(facts, val_bits_per_char=round(bpc, 3))
        write_json(out / f"{name}.json", record)
        print(f"{name}: validation {bpc:.3f} bits/char on {facts['val_chars']:,} characters")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets")
    parser.add_argument("--steps", type=int, default=1500, help="GRU updates (default 1500)")
    parser.add_argument("--rnn-steps", type=int, default=6000, help="NumPy RNN updates (default 6000)")
    parser.add_argument("--only", choices=("gru", "rnn"), help="train one of the two models")
    parser.add_argument("--manifest", action="store_true", help="only rewrite manifest.json")
    parser.add_argument("--remeasure", action="store_true",
                        help="keep the weights; re-measure the split and validation bits/char")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.remeasure:
        remeasure(args.out, *corpus())
    elif not args.manifest:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(THREADS)  # before any op runs
        tf.config.threading.set_inter_op_parallelism_threads(1)
        start = time.perf_counter()
        split = corpus()
        if args.only != "gru":
            make_rnn(args.out, args.rnn_steps, *split)
        if args.only != "rnn":
            make_gru(args.out, args.steps, *split)
        print(f"assets trained in {time.perf_counter() - start:.0f} s")
    for name, entry in write_manifest(args.out).items():
        print(f"{name}: sha256 {entry['sha256'][:16]}...")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # the checkout's rnn_edu, even without an install
    main()
