"""Generating text from a trained character RNN, with temperature.

The model gives logits ``y_t`` for the next character. Temperature ``T`` rescales them before the
softmax::

    p = softmax(y_t / T)

``T = 1`` samples from the model as trained; ``T < 1`` sharpens the distribution (safer, more
repetitive text); ``T > 1`` flattens it (more surprising, more misspelled). ``T = 0`` is the
limit: always the most likely character (greedy decoding).

The model is a vanilla RNN (:class:`~rnn_edu.rnn.RNNParams`, notebook 04) or a GRU
(:class:`~rnn_edu.gru.GRUParams`, e.g. notebook 08's Keras model through
:func:`rnn_edu.keras_bridge.gru_from_keras`): both give logits over the vocabulary at each step.
"""

from __future__ import annotations

import numpy as np

from rnn_edu import _checks as C
from rnn_edu import gru, rnn
from rnn_edu.data import Vocab
from rnn_edu.gru import GRUParams
from rnn_edu.losses import softmax
from rnn_edu.rnn import RNNParams

#: The longest sample :func:`sample` generates (a few seconds for a small model).
MAX_SAMPLE_LENGTH = 100_000


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis; ``temperature = 0`` is greedy.

    A temperature so small that ``logits / temperature`` overflows also gives the greedy
    one-hot distribution (the limit), never NaN. ``logits`` must be finite (a model's are).
    """
    temperature = _check_temperature(temperature)
    logits = C.require_array("logits", logits)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits: expected numbers of shape (..., V) with V >= 1, got shape "
                         f"{logits.shape}")
    if temperature > 0:
        with np.errstate(over="ignore"):
            z = logits / temperature
        if np.all(np.isfinite(z)):
            return softmax(z)
    greedy = np.zeros_like(logits)
    np.put_along_axis(greedy, logits.argmax(axis=-1)[..., None], 1.0, axis=-1)
    return greedy


def warm_up(params: RNNParams | GRUParams, vocab: Vocab, prompt: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Run the model over ``prompt``; return ``(h, logits)`` for the next character.

    h: ``(1, hidden)``; logits: ``(V,)``. An empty prompt starts from the zero state, where the
    logits are ``b_y``: the model's guess with no context.
    """
    _check_model(params, vocab)
    ids = vocab._encode(prompt, "prompt")
    if not prompt:
        return np.zeros((1, params.hidden_size), params.dtype), params.b_y.astype(np.float64)
    cache = _kind(params).forward(params, ids[None, :])
    return cache.h_last, cache.y[0, -1].astype(np.float64)


def sample(
    params: RNNParams | GRUParams,
    vocab: Vocab,
    length: int,
    prompt: str = "",
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """Generate ``length`` characters that follow ``prompt`` (the prompt is not repeated).

    Characters of the prompt must be in ``vocab`` (``ValueError`` names the first one that is
    not). The same ``seed`` gives the same text. length: 0 to :data:`MAX_SAMPLE_LENGTH`.
    """
    length = C.require_int("length", length, min=0, max=MAX_SAMPLE_LENGTH,
                           why="longer samples take minutes")
    _check_temperature(temperature)
    rng = np.random.default_rng(C.require_seed("seed", seed))
    h, logits = warm_up(params, vocab, prompt)
    out, step = [], _kind(params)._step
    for _ in range(length):
        p = apply_temperature(logits, temperature)
        i = int(rng.choice(vocab.size, p=p))
        out.append(i)
        h, y = step(params, np.array([[i]]), h)  # the model was checked once, in warm_up
        logits = y[0].astype(np.float64)
    return vocab.decode(np.array(out, dtype=np.int64))


def _check_temperature(temperature) -> float:
    return C.require_real("temperature", temperature, min=0)


def _kind(params: RNNParams | GRUParams):
    """The module that runs ``params``: :mod:`rnn_edu.gru` or :mod:`rnn_edu.rnn`."""
    return gru if isinstance(params, GRUParams) else rnn


def _check_model(params, vocab: Vocab) -> None:
    C.require_instance("params", params, (RNNParams, GRUParams)).require_finite()
    C.require_instance("vocab", vocab, Vocab, "a data.Vocab")
    if params.input_size != vocab.size or params.output_size != vocab.size:
        raise ValueError(
            f"vocab: expected {params.input_size} characters to match the model's input and "
            f"output size ({params.input_size}, {params.output_size}), got {vocab.size}"
        )
