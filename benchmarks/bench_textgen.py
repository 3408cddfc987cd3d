"""Notebook 08's character GRU: training steps per second, and generation per character.

    make setup-test   # once
    TF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/bench_textgen.py

Embedding(V, 32) -> GRU(256) -> Dense(V) (``rnn_edu.textgen``), batches of 64 x 100 characters
of the training topics. Rows:

- ``train``: ``textgen.train`` (the clipped ``GradientTape`` step in a ``tf.function``), steps
  per second after the first (tracing) step;
- ``one_step``: ``textgen.one_step``, the state fed back, milliseconds per character (batch 1);
- ``predict``: ``model.predict`` on one character, milliseconds per call.

Prints a table; asserts nothing (speed is not a test).
"""

from __future__ import annotations

import argparse
import time

import tensorflow as tf

from rnn_edu import data, textgen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    train_text, _ = data.topic_split()
    vocab = data.Vocab.from_text(train_text)
    model = textgen.build(vocab.size, 32, 256, seed=0)
    batches = textgen.dataset(vocab.encode(train_text), 100, 64, seed=0)
    textgen.train(model, batches, 1, progress=False)  # trace
    run = textgen.train(model, batches, args.steps, progress=False)
    step = textgen.one_step(model)
    ids, state = tf.constant([1]), tf.zeros((1, 256))
    t, seed = tf.constant(0.5), tf.constant([0, 0])
    step(ids, state, t, seed)
    start = time.perf_counter()
    for _ in range(500):
        ids, state = step(ids, state, t, seed)
    per_char = (time.perf_counter() - start) / 500
    model.predict(ids[:, None], verbose=0)
    start = time.perf_counter()
    for _ in range(10):
        model.predict(ids[:, None], verbose=0)
    per_predict = (time.perf_counter() - start) / 10
    print(f"{'train':10s} {args.steps / run['seconds']:8.1f} steps/s (64 x 100 characters)")
    print(f"{'one_step':10s} {per_char * 1e3:8.2f} ms per character")
    print(f"{'predict':10s} {per_predict * 1e3:8.2f} ms per call")


if __name__ == "__main__":
    main()
