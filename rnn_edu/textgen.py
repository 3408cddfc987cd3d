"""A character GRU text generator in Keras: the source article's model, corrected.

The model is the source article's ``RNN``: ``Embedding -> GRU(return_sequences=True,
return_state=True) -> Dense(V)`` with ``call(self, inputs, state)``. Shapes, with ``B``
sequences of ``T`` characters, ``E`` embedding size, ``H`` units, ``V`` characters::

    inputs (B, T) int ids -> embedding (B, T, E) -> GRU output (B, T, H), state (B, H)
                          -> logits (B, T, V)

What the source article got wrong, and the fix of each (4 is a choice rather than an error):

1. the training step calls ``rnn(inputs, initial_state=None)``, but ``call`` takes ``state``:
   Keras raises ``TypeError: missing a required argument: 'state'``. Here ``call`` has
   ``state=None`` and the step passes it by its own name.
2. ``train_dataset``, ``train_labels``, ``vocab_size``, ``embedding_dim``, ``rnn_units``,
   ``batch_size`` and ``epochs`` are never defined: :func:`dataset` builds the data with
   ``tf.data``, and the sizes are arguments.
3. ``__init__`` takes a ``batch_size`` it never uses: dropped (the model takes any batch).
4. plain Adam at its default rate and no clipping: here notebook 04's choices instead,
   :func:`make_train_step` clips the gradient's global norm and :func:`train` decays the rate.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from rnn_edu import _checks as C
from rnn_edu import checkpoint
from rnn_edu.data import Vocab

MAX_SIZE = 100_000  # of the vocabulary, the embedding and the units
MAX_SEED = 2**31 - 1  # TensorFlow's stateless seeds are int32


def _seed(seed) -> int:
    return C.require_int("seed", seed, min=0, max=MAX_SEED, why="TensorFlow's int32 seeds")


class RNN(keras.Model):
    """The source article's model: ``inputs (B, T)`` ids -> ``(logits (B, T, V), state (B, H))``."""

    def __init__(self, vocab_size: int, embedding_dim: int, rnn_units: int, **kwargs):
        V, E, H = (C.require_int(name, value, min=1, max=MAX_SIZE, why="a model of a GB or more")
                   for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                                       ("rnn_units", rnn_units)))
        C.require_size("rnn_units", V * E + 3 * H * (E + H + 2) + H * V + V, what="weights")
        super().__init__(**kwargs)
        self.vocab_size, self.embedding_dim, self.rnn_units = V, E, H
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = keras.layers.Dense(vocab_size)

    def call(self, inputs, state=None):
        embedding = self.embedding(inputs)
        output, state = self.gru(embedding, initial_state=state)
        output = self.dense(output)
        return output, state


def build(vocab_size: int, embedding_dim: int = 32, rnn_units: int = 256, *,
          seed: int | None = 0) -> RNN:
    """A built :class:`RNN`, ready for ``get_weights``.

    seed: ``keras.utils.set_random_seed(seed)`` first (Python's, NumPy's and TensorFlow's global
    seeds: the initial weights and what follows are reproducible); ``None`` leaves them alone.
    """
    if seed is not None:
        keras.utils.set_random_seed(_seed(seed))
    model = RNN(vocab_size, embedding_dim, rnn_units)
    model(tf.zeros((1, 1), tf.int32))
    return model


def dataset(ids, seq_len: int = 100, batch_size: int = 64, *, seed: int = 0) -> tf.data.Dataset:
    """Endless batches ``(inputs, targets)``, both ``(batch_size, seq_len)`` int32.

    ids: 1-D int array, the encoded training text (``vocab.encode(train_text)``). Each example is
    a window of ``seq_len + 1`` characters cut at a random position drawn from ``seed``:
    ``inputs = window[:-1]``, ``targets = window[1:]`` (the next character of each input).
    Random cuts instead of fixed ones, so that a long run sees new window boundaries.
    """
    ids = C.require_array("ids", ids, kind="int", shape=("n",))
    seq_len = C.require_int("seq_len", seq_len, min=1)
    batch_size = C.require_int("batch_size", batch_size, min=1, max=100_000)
    seed = _seed(seed)
    if len(ids) < seq_len + 1:
        raise ValueError(f"ids: expected at least seq_len + 1 = {seq_len + 1} ids, got {len(ids)}")
    stream = tf.constant(ids, tf.int32)
    starts = len(ids) - seq_len  # windows [s, s + seq_len] for s in [0, starts)

    def window(r):
        s = tf.math.floormod(r, starts)
        chunk = stream[s:s + seq_len + 1]
        return chunk[:-1], chunk[1:]

    return (tf.data.Dataset.random(seed=seed).map(window)
            .batch(batch_size, drop_remainder=True).prefetch(2))


def loss_fn():
    """The source article's loss: mean cross-entropy in nats of logits ``(B, T, V)``."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def make_train_step(model: RNN, optimizer, clip_norm: float | None = 5.0):
    """The source article's ``@tf.function`` step, corrected; returns ``train_step``.

    ``train_step(inputs (B, T), targets (B, T)) -> (loss, gradient norm)``, loss in nats
    (mean over the batch), the global norm before clipping to ``clip_norm`` (``None``: none).
    """
    C.require_instance("model", model, RNN)
    C.require_instance("optimizer", optimizer, keras.optimizers.Optimizer, "a Keras optimizer")
    clip_norm = C.require_real("clip_norm", clip_norm, above=0, optional=True)
    loss = loss_fn()

    @tf.function
    def train_step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions, state = model(inputs, state=None, training=True)  # fix 1
            loss_value = loss(targets, predictions)
        gradients = tape.gradient(loss_value, model.trainable_variables)
        norm = tf.linalg.global_norm(gradients)
        if clip_norm is not None:  # fix 4
            gradients, _ = tf.clip_by_global_norm(gradients, clip_norm, use_norm=norm)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss_value, norm

    return train_step


def adam(steps: int, learning_rate: float = 1e-2, lr_end: float | None = None):
    """Adam whose rate decays geometrically from ``learning_rate`` to ``lr_end`` over ``steps``."""
    steps = C.require_int("steps", steps, min=1, max=C.MAX_STEPS, why="more would take days")
    # Keras runs the optimizer and its schedule in float32: the rate and the decay's ratio must be
    # float32 numbers (3.4e38 would be inf; a ratio of 1e-42 a subnormal TF refuses).
    learning_rate = C.require_real("learning_rate", learning_rate, above=0, max=1e38)
    lr_end = C.require_real("lr_end", lr_end, above=0, optional=True)
    if lr_end is not None:
        if not 1e-30 <= lr_end / learning_rate <= 1e30:
            raise ValueError(f"lr_end: expected 1e-30 to 1e30 times learning_rate "
                             f"({learning_rate:g}), got {lr_end:g}")
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps=max(steps - 1, 1), decay_rate=lr_end / learning_rate)
    return keras.optimizers.Adam(learning_rate)


def train(model: RNN, data: tf.data.Dataset, steps: int, *, learning_rate: float = 1e-2,
          lr_end: float | None = None, clip_norm: float | None = 5.0,
          progress: bool = True) -> dict:
    """Train ``model`` in place for ``steps`` batches of ``data`` (from :func:`dataset`).

    Returns ``{"loss": (steps,) nats, "grad_norm": (steps,), "seconds": float}``; the first
    step includes tracing the ``tf.function`` (1-3 s). ``progress``: Keras' progress bar.
    """
    C.require_instance("model", model, RNN)
    C.require_instance("data", data, tf.data.Dataset, "a tf.data.Dataset (textgen.dataset)")
    steps = C.require_int("steps", steps, min=1, max=C.MAX_STEPS, why="more would take days")
    C.require_bool("progress", progress)
    train_step = make_train_step(model, adam(steps, learning_rate, lr_end), clip_norm)
    bar = keras.utils.Progbar(steps, stateful_metrics=["loss"], verbose=1 if progress else 0)
    losses, norms = np.zeros(steps), np.zeros(steps)
    start = time.perf_counter()
    for step, (inputs, targets) in enumerate(data.take(steps)):
        loss_value, norm = train_step(inputs, targets)
        losses[step], norms[step] = float(loss_value), float(norm)
        if (step + 1) % 10 == 0 or step + 1 == steps:
            bar.update(step + 1, [("loss", float(np.mean(losses[max(step - 9, 0):step + 1])))])
    if step + 1 != steps:
        raise ValueError(f"data: expected at least {steps} batches, got {step + 1}")
    return {"loss": losses, "grad_norm": norms, "seconds": time.perf_counter() - start}


def log2_probs(model: RNN, ids, streams: int = 16, chunk: int = 500) -> np.ndarray:
    """``log2 p(ids[t] | ids[:t])`` for ``t = 1 .. n-1``, shape ``(n - 1,)`` float64.

    The text is cut into ``streams`` parallel pieces run as one batch, each carrying its state
    over chunks of ``chunk`` characters; the first character of each piece is predicted from a
    zero state (the last ``n - 1 - streams * per`` characters, fewer than ``streams``, are
    skipped), as :func:`rnn_edu.train.log2_probs` does.
    """
    C.require_instance("model", model, RNN)
    streams = C.require_int("streams", streams, min=1)
    chunk = C.require_int("chunk", chunk, min=1)
    ids = C.require_ids("ids", ids, model.vocab_size, ndim=1)
    if len(ids) < streams + 1:
        raise ValueError(f"ids: expected at least streams + 1 = {streams + 1} ids, got {len(ids)}")
    per = (len(ids) - 1) // streams
    x = ids[:per * streams].reshape(streams, per)
    y = ids[1:per * streams + 1].reshape(streams, per)
    out, state = [], tf.zeros((streams, model.rnn_units))
    forward = _forward(model)
    for s in range(0, per, chunk):
        logits, state = forward(tf.constant(x[:, s:s + chunk], tf.int32), state)
        logp = tf.nn.log_softmax(tf.cast(logits, tf.float64)).numpy()
        out.append(np.take_along_axis(logp, y[:, s:s + chunk, None], axis=-1)[..., 0])
    return np.concatenate(out, axis=1).reshape(-1) / math.log(2)


def _state_spec(model: RNN) -> tf.TensorSpec:
    return tf.TensorSpec((None, model.rnn_units), tf.float32)


def _forward(model: RNN):
    """``model(x, state=state)`` as a ``tf.function``, made once per model: eager Keras runs a
    GRU's loop over time step by step in Python (about 10 ms a step here), a graph does not."""
    if "_forward" not in model.__dict__:
        # Any batch and length: traced once, not once per prompt length (TF warns on retracing).
        signature = [tf.TensorSpec((None, None), tf.int32), _state_spec(model)]
        object.__setattr__(model, "_forward", tf.function(lambda x, state: model(x, state=state),
                                                         input_signature=signature))
    return model.__dict__["_forward"]


def bits_per_char(model: RNN, vocab: Vocab, text: str) -> float:
    """Held-out bits per character of ``text`` (same units as ``markov.bits_per_char``)."""
    C.require_instance("vocab", vocab, Vocab)
    C.require_text("text", text, min_len=2)
    _check_vocab(model, vocab)
    return float(-log2_probs(model, vocab._encode(text, "text")).mean())


def one_step(model: RNN):
    """``step(ids (B,), state (B, H), temperature, seed (2,)) -> (next ids (B,), state)``.

    One character per sequence, the state fed back by the caller; a ``tf.function`` made once
    per model (about 1 ms per character on 2 cores, against about 50 ms with ``model.predict``).
    ``temperature`` 0 picks the most likely character; otherwise ``softmax(logits / T)`` is
    sampled with ``tf.random.stateless_categorical`` (the same ``seed``, the same draw).
    """
    C.require_instance("model", model, RNN)
    if "_one_step" not in model.__dict__:

        @tf.function(input_signature=[tf.TensorSpec((None,), tf.int32), _state_spec(model),
                                      tf.TensorSpec((), tf.float32), tf.TensorSpec((2,), tf.int32)])
        def step(ids, state, temperature, seed):
            logits, state = model(ids[:, None], state=state)
            logits = logits[:, -1]
            drawn = tf.random.stateless_categorical(
                logits / tf.maximum(temperature, 1e-6), 1, seed, dtype=tf.int32)[:, 0]
            greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
            return tf.where(temperature > 0, drawn, greedy), state

        object.__setattr__(model, "_one_step", step)  # not a tracked attribute of the model
    return model.__dict__["_one_step"]


def generate(model: RNN, vocab: Vocab, prompt: str, length: int = 200, *,
             temperature: float = 0.5, samples: int = 1, seed: int = 0) -> list[str]:
    """``samples`` continuations of ``prompt`` of ``length`` characters each, in one batch.

    The prompt runs through the model once (its state warms up); then :func:`one_step` feeds each
    drawn character and the state back. temperature: >= 0 (0: greedy, the same text in every
    sample). A prompt with characters outside ``vocab`` raises ``ValueError`` naming them.
    """
    C.require_instance("vocab", vocab, Vocab)
    _check_vocab(model, vocab)
    C.require_text("prompt", prompt, min_len=1)
    length = C.require_int("length", length, min=0, max=100_000, why="about 1 ms per character")
    temperature = C.require_real("temperature", temperature, min=0, max=100)
    samples = C.require_int("samples", samples, min=1, max=1024)
    seed = _seed(seed)
    unseen = sorted({c for c in prompt if c not in vocab})
    if unseen:
        raise ValueError(f"prompt: the characters {unseen} are not in the model's vocabulary "
                         f"({vocab.size} characters); remove or replace them")
    ids = np.tile(vocab.encode(prompt), (samples, 1))
    state = tf.zeros((samples, model.rnn_units))
    if ids.shape[1] > 1:  # warm up on all but the last character, which the first step reads
        _, state = _forward(model)(tf.constant(ids[:, :-1], tf.int32), state)
    step = one_step(model)
    last = tf.constant(ids[:, -1], tf.int32)
    t = tf.constant(temperature, tf.float32)
    out = np.zeros((samples, length), np.int64)
    for i in range(length):
        last, state = step(last, state, t, tf.constant([seed, i], tf.int32))
        out[:, i] = last.numpy()
    return [vocab.decode(row) for row in out]


_WORD = re.compile(r"[A-Za-z]+")


def words(text: str) -> set[str]:
    """The distinct words of ``text``: its runs of ASCII letters, lowercased."""
    return {w.lower() for w in _WORD.findall(C.require_text("text", text))}


def word_fraction(texts: list[str], known: set[str]) -> float:
    """The fraction of the words in ``texts`` (runs of letters) that are in ``known``.

    The last word of each text is left out: generation may have stopped inside it.
    """
    C.require_instance("texts", texts, (list, tuple), "a list of str")
    C.require_instance("known", known, (set, frozenset), "a set of words (textgen.words)")
    found = [w.lower() for t in texts for w in _WORD.findall(C.require_text("texts[i]", t))[:-1]]
    if not found:
        raise ValueError("texts: expected at least one complete word, got none")
    return sum(w in known for w in found) / len(found)


def weights(model: RNN) -> dict[str, np.ndarray]:
    """The model's arrays by name: ``embedding (V, E)``, ``kernel (E, 3H)``, ``recurrent_kernel
    (H, 3H)``, ``bias (2, 3H)``, ``dense_kernel (H, V)``, ``dense_bias (V,)``."""
    C.require_instance("model", model, RNN)
    (E,), (K, R, b), (W, c) = (layer.get_weights() for layer in (model.embedding, model.gru,
                                                                  model.dense))
    return {"embedding": E, "kernel": K, "recurrent_kernel": R, "bias": b, "dense_kernel": W,
            "dense_bias": c}


WEIGHT_NAMES = ("embedding", "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")


def from_weights(arrays: dict) -> RNN:
    """A built :class:`RNN` holding ``arrays`` (the names of :func:`weights`), sizes read off them."""
    C.require_instance("arrays", arrays, dict, "a dict of arrays (textgen.weights)")
    missing = [n for n in WEIGHT_NAMES if n not in arrays]
    if missing:
        raise ValueError(f"arrays: expected the weights {list(WEIGHT_NAMES)}, missing {missing}")
    a = {n: C.require_array(f"arrays[{n!r}]", arrays[n], kind="float", nonempty=True,
                            ndim=1 if n == "dense_bias" else 2) for n in WEIGHT_NAMES}
    V, E = a["embedding"].shape
    H = a["recurrent_kernel"].shape[0]
    try:
        model = build(V, E, H, seed=None)  # the weights are overwritten: no seeding
        model.embedding.set_weights([a["embedding"]])
        model.gru.set_weights([a["kernel"], a["recurrent_kernel"], a["bias"]])
        model.dense.set_weights([a["dense_kernel"], a["dense_bias"]])
    except ValueError as exc:
        raise ValueError(f"arrays: shapes do not fit an Embedding({V}, {E}) -> GRU({H}) -> "
                         f"Dense({V}): {exc}") from None
    return model


def _check_vocab(model, vocab: Vocab) -> None:
    C.require_instance("model", model, RNN)
    if vocab.size != model.vocab_size:
        raise ValueError(f"vocab: expected {model.vocab_size} characters (the model's "
                         f"vocabulary), got {vocab.size}")


FORMAT = 1  # bumped if the layout of the file ever changes


def save(path, model: RNN, vocab: Vocab) -> Path:
    """Write the model's arrays (:func:`weights`) and ``vocab`` (code points) to an ``.npz``.

    Plain arrays only: :func:`load` reads them with ``allow_pickle=False``. Returns the path.
    """
    path = checkpoint._path(path)
    C.require_instance("vocab", vocab, Vocab)
    _check_vocab(model, vocab)
    path = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
    np.savez(path, **weights(model), vocab=np.array([ord(c) for c in vocab.chars], np.int32),
             format=np.array(FORMAT))
    return path


def load(path) -> tuple[RNN, Vocab]:
    """Read a file written by :func:`save`: ``(model, vocab)``, the model built. Never unpickles."""
    path = checkpoint._path(path)
    with checkpoint._open_npz(path, (*WEIGHT_NAMES, "vocab", "format"), FORMAT) as f:
        try:
            vocab = Vocab(tuple(chr(c) for c in C.require_array("vocab", f["vocab"], kind="int",
                                                                ndim=1)))
            arrays = {n: C.require_finite(n, f[n]) for n in WEIGHT_NAMES}  # named in the message
            model = from_weights(arrays)
            _check_vocab(model, vocab)
        except (TypeError, ValueError) as exc:  # name the argument the caller passed
            raise ValueError(f"path: {str(path)!r} holds a broken model file: {exc}") from None
    return model, vocab
