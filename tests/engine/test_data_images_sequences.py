"""MNIST loader, the bar images and the sequence tasks."""
import gzip

import numpy as np
import pytest

import engine
from engine.data.images import bars, load_mnist, mnist, read_idx, stratified_order
from engine.data.sequences import (CharText, adding, delayed_recall, free_run, parity, pick, waves,
                                   zen_of_python)
from engine.kernels import program as P

MNIST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_loader_shapes_dtype_and_label_counts():
    images, labels = load_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == MNIST_COUNTS
    assert images.max() == 255 and images.mean() > 20


def test_mnist_split_is_stratified_and_fixed():
    x, y, xt, yt = mnist()
    assert x.shape == (8000, 1, 28, 28) and xt.shape == (2000, 1, 28, 28) and x.dtype == np.float32
    assert 0 <= x.min() and x.max() <= 1
    np.testing.assert_allclose(np.bincount(yt) / 2000, np.array(MNIST_COUNTS) / 10000, atol=0.0006)
    assert np.bincount(y).sum() + np.bincount(yt).sum() == 10000
    np.testing.assert_array_equal(mnist(seed=1)[3], yt)           # the same for every seed
    for n_test in (500, 1234, 5000):                                # every size is stratified
        counts = np.bincount(mnist(n_test=n_test)[3], minlength=10)
        assert np.abs(counts - np.array(MNIST_COUNTS) * n_test / 10000).max() < 1


def test_mnist_is_one_read_only_copy_shared_by_every_call():
    a, b = mnist(seed=0), mnist(seed=5, n_test=500)
    for arr in a + b:
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr.flat[0] = 0
    assert np.shares_memory(a[2], b[2]) and np.shares_memory(a[0], b[0]) and a[0].base is b[0].base


def test_stratified_order_keeps_every_prefix_stratified():
    labels = np.repeat([0, 1, 2], [7, 11, 13])
    order = stratified_order(labels, seed=3)
    assert sorted(order) == list(range(31))
    for n in range(1, 32):
        counts = np.bincount(labels[order[:n]], minlength=3)
        assert np.abs(counts - np.array([7, 11, 13]) * n / 31).max() < 1
    assert not np.array_equal(order, stratified_order(labels, seed=4))


def test_idx_reader_refuses_bad_files(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"\x01\x02\x03\x04garbage"))
    with pytest.raises(ValueError, match="not an idx file"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"abc")
    with pytest.raises(ValueError, match="header says"):
        read_idx(short)


def test_bars_are_balanced_and_oriented():
    x, y = bars(400, size=12, noise=0.0, seed=0)
    assert x.shape == (400, 1, 12, 12) and np.bincount(y).tolist() == [100] * 4
    img = x[np.flatnonzero(y == 0)[0], 0]                 # horizontal: one full row lit
    assert (img.sum(axis=1) == 12).sum() == 1
    img = x[np.flatnonzero(y == 1)[0], 0]
    assert (img.sum(axis=0) == 12).sum() == 1


@pytest.mark.parametrize("kind", ["sine", "sines", "square", "sawtooth"])
def test_waves_predict_the_next_clean_value(kind):
    x, y = waves(kind, n=50, length=30, noise=0.0, seed=1)
    assert x.shape == (50, 30, 1) and y.shape == (50, 1)
    assert np.abs(x).max() <= 1.0 + 1e-9
    x2, y2 = waves(kind, n=50, length=31, noise=0.0, seed=1)
    np.testing.assert_allclose(x2[:, 30, 0], y[:, 0], atol=1e-12)   # the target is the next step
    with pytest.raises(ValueError, match="wave must be one of"):
        waves("triangle")


def test_free_run_feeds_predictions_back():
    class Echo:                                           # predicts the last value it saw
        def forward(self, x):
            return x[:, -1, :]
    out = free_run(Echo(), np.arange(5.0), 3)
    np.testing.assert_array_equal(out, [4.0, 4.0, 4.0])


def test_delayed_recall_places_the_symbol_first():
    x, y = delayed_recall(n=400, delay=40, seed=2)
    assert x.shape == (400, 41, 8) and (x.sum(axis=2) == 1).all()
    np.testing.assert_array_equal(x[:, 0, :4].argmax(axis=1), y)
    assert x[:, 1:, :4].sum() == 0                        # the rest are distractors only
    assert np.bincount(y).min() > 70


def test_char_text_windows_and_temperature():
    text = CharText()
    assert "Beautiful is better than ugly." in zen_of_python() and text.vocab > 20
    x, y = text.windows(length=16, n=10, seed=0)
    assert x.shape == (10, 16, text.vocab) and y.shape == (10,)
    decoded = "".join(text.chars[i] for i in x[0].argmax(axis=1))
    assert decoded + text.chars[y[0]] in text.text
    rng = np.random.default_rng(0)
    logits = np.array([1.0, 3.0, 2.0])
    assert {pick(logits, 0, rng) for _ in range(20)} == {1}
    hot = [pick(logits, 5.0, rng) for _ in range(600)]
    cold = [pick(logits, 0.2, rng) for _ in range(600)]
    assert len(set(hot)) == 3 and hot.count(1) < cold.count(1)
    with pytest.raises(ValueError, match="temperature"):
        text.sample(None, "a", 1, temperature=-1)


def test_parity_and_adding():
    x, y = parity(n=500, length=8, seed=0)
    np.testing.assert_array_equal(y, x[:, :, 0].sum(axis=1) % 2)
    assert 200 < y.sum() < 300
    x, y = adding(n=100, length=20, seed=0)
    assert (x[:, :, 1].sum(axis=1) == 2).all()
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1))


def test_a_trainer_reads_the_shared_mnist_without_copying_it():
    x, y, xt, yt = mnist()
    spec = {"input_shape": [1, 28, 28], "loss": "softmax_crossentropy",
            "layers": [{"type": "flatten"}, {"type": "dense", "units": 10}]}
    tr = engine.Trainer(engine.build(spec), train=(x, y), test=(xt, yt), batch_size=64, seed=1)
    assert np.shares_memory(tr.x, x) and np.shares_memory(tr.xt, xt) and not tr.x.flags.writeable
    assert np.isfinite(tr.step(20).train_loss)
    inputs = [P.RUN_ARGS.index("X"), P.RUN_ARGS.index("Y")]
    for sig in P._run.signatures:        # read-only inputs always: shared and private data, one program
        assert not any(sig[k].mutable for k in inputs), sig
    other = engine.Trainer(engine.build(spec), train=(x, y), batch_size=64, seed=2)
    assert other._order.tolist() != tr._order.tolist()               # the seed still shuffles
