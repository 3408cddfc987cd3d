import math

import numpy as np
import pytest

from rnn_edu import data, losses, optim, rnn, train

TEXT = "the cat sat on the mat. the dog sat on the log. " * 40


def tiny():
    vocab = data.Vocab.from_text(TEXT)
    ids = vocab.encode(TEXT)
    return vocab, ids[:1600], ids[1600:]


def test_training_lowers_the_loss_on_a_tiny_corpus():
    vocab, tr, va = tiny()
    params = rnn.init_params(vocab.size, 32, vocab.size, seed=0)
    before = train.bits_per_char(params, va)
    hist = train.train(params, tr, va, optimizer=optim.Adam(lr=1e-2), steps=150, batch_size=8,
                       seq_len=20, eval_every=50, progress=False)
    assert len(hist.loss) == 150 and hist.val_steps == [50, 100, 150]
    assert np.mean(hist.loss[-10:]) < 0.5 * np.mean(hist.loss[:10])
    assert hist.val_bpc[-1] < 0.5 * before
    assert hist.chars == 150 * 8 * 20 and hist.chars_per_second > 0


def test_training_is_reproducible_with_a_seed():
    vocab, tr, va = tiny()
    runs = []
    for _ in range(2):
        params = rnn.init_params(vocab.size, 16, vocab.size, seed=1)
        hist = train.train(params, tr, None, optimizer=optim.Adagrad(lr=0.1), steps=30,
                           batch_size=4, seq_len=10, clip_value=5.0, seed=3, progress=False)
        runs.append((hist.loss, params.W_hh))
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])


def test_lr_end_decays_the_learning_rate():
    vocab, tr, _ = tiny()
    params = rnn.init_params(vocab.size, 8, vocab.size)
    opt = optim.SGD(lr=0.1)
    train.train(params, tr, steps=5, batch_size=4, seq_len=10, optimizer=opt, lr_end=0.001,
                progress=False)
    assert opt.lr == pytest.approx(0.001)


def test_clipping_bounds_the_update():
    vocab, tr, _ = tiny()
    params = rnn.init_params(vocab.size, 8, vocab.size)
    before = params.copy()
    train.train(params, tr, steps=1, batch_size=4, seq_len=10, optimizer=optim.SGD(lr=1.0),
                clip_norm=1e-3, progress=False)
    step = np.sqrt(sum(((params.as_dict()[k] - v) ** 2).sum() for k, v in before.as_dict().items()))
    assert step == pytest.approx(1e-3)


def test_bits_per_char_matches_the_cross_entropy():
    vocab, _, va = tiny()
    params = rnn.init_params(vocab.size, 8, vocab.size, seed=2)
    x, y = va[:-1][None], va[1:][None]
    loss, _ = losses.cross_entropy(rnn.forward(params, x).y, y)
    assert train.bits_per_char(params, va, streams=1) == pytest.approx(loss / math.log(2))
    lp = train.log2_probs(params, va, streams=3)
    n = (len(va) - 1) // 3
    assert lp.shape == (3 * n,)
    for i in (0, n - 1, n, 3 * n - 1):  # the first of each piece sees no context
        piece, t = divmod(i, n)
        ctx = va[piece * n : piece * n + t + 1]
        p = losses.softmax(rnn.forward(params, ctx[None]).y[0, -1])
        assert lp[i] == pytest.approx(np.log2(p[va[i + 1]]), rel=1e-6)
    uniform = rnn.RNNParams(**{k: np.zeros_like(v) for k, v in params.as_dict().items()})
    assert train.bits_per_char(uniform, va) == pytest.approx(math.log2(vocab.size))


def test_bad_inputs_raise_clear_errors():
    vocab, tr, va = tiny()
    params = rnn.init_params(vocab.size, 8, vocab.size)
    with pytest.raises(ValueError, match=r"train_ids: expected ids in \[0, "):
        train.train(params, tr + 100, batch_size=4, progress=False)
    with pytest.raises(ValueError, match=r"train_ids: expected at least 2001 ids"):
        train.train(params, tr, batch_size=40, seq_len=25, progress=False)
    with pytest.raises(TypeError, match=r"train_ids: expected an int array with 1 axis"):
        train.train(params, TEXT, progress=False)
    with pytest.raises(ValueError, match=r"steps: expected an int in \[1, 1000000\]"):
        train.train(params, tr, steps=0, progress=False)
    with pytest.raises(ValueError, match=r"clip_norm: expected a finite number > 0 or None"):
        train.train(params, tr, clip_norm=-1, progress=False)
    with pytest.raises(ValueError, match=r"vocab_size: expected an int >= 1, got 0"):
        train.init_char_params(0, 8)
    with pytest.raises(ValueError, match=r"seed: expected an int >= 0"):
        train.train(params, tr, seed=-1, batch_size=4, progress=False)
    with pytest.raises(ValueError, match=r"input size == output size"):
        train.train(rnn.init_params(vocab.size, 8, 3), tr, progress=False)
    with pytest.raises(TypeError, match=r"optimizer: expected an optimizer object .* the class "
                                        r"Adam \(call it\)"):
        train.train(params, tr, optimizer=optim.Adam, batch_size=4, progress=False)
    with pytest.raises(TypeError, match=r"optimizer: expected an optimizer object .* got str"):
        train.train(params, tr, optimizer="adam", batch_size=4, progress=False)
    with pytest.raises(ValueError, match=r"streams: expected an int >= 1"):
        train.bits_per_char(params, va, streams=0)
    with pytest.raises(ValueError, match=r"blas_threads: expected an int in \[1, 1024\] or None, got 0"):
        train.log2_probs(params, va, blas_threads=0)


def test_blas_threads_is_validated_and_restored():
    from threadpoolctl import threadpool_info

    vocab, tr, _ = tiny()
    params = rnn.init_params(vocab.size, 8, vocab.size)
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    train.train(params, tr, steps=2, batch_size=4, seq_len=10, blas_threads=1, progress=False)
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
    with pytest.raises(ValueError, match=r"blas_threads: expected an int in \[1, 1024\] or None"):
        train.train(params, tr, steps=2, batch_size=4, seq_len=10, blas_threads=0,
                    progress=False)


def test_init_char_params_gives_unit_variance_input_rows():
    params = train.init_char_params(100, 64, seed=0)
    assert params.dtype == np.float32 and params.W_xh.shape == (100, 64)
    assert 0.9 < params.W_xh.std() < 1.1
