"""The RNN page's sequence tasks: shapes, label balance, each marked item where the task says."""
import numpy as np
import pytest

from engine.data import SEQUENCE_TASKS
from engine.data.sequences import TEXTS, char_text, wave_series


@pytest.mark.parametrize("task, x_shape, y_shape", [
    ("waves", (300, 40, 1), (300, 1)), ("delayed_recall", (300, 21, 8), (300,)),
    ("text", (300, 32, None), (300,)), ("parity", (300, 12, 1), (300,)), ("adding", (300, 40, 2), (300, 1))])
def test_shapes(task, x_shape, y_shape):
    params = {"waves": {"length": 40}, "delayed_recall": {"delay": 20}, "text": {"text": "kjv"},
              "parity": {"length": 12}, "adding": {"length": 40}}[task]
    x, y, xt, yt = SEQUENCE_TASKS[task].load(seed=1, n=300, n_test=100, **params)
    assert x.shape[:2] == x_shape[:2] and (x_shape[2] is None or x.shape[2] == x_shape[2])
    assert y.shape == y_shape and len(xt) == len(yt) == 100 and xt.shape[1:] == x.shape[1:]


@pytest.mark.parametrize("task, classes", [("delayed_recall", 4), ("parity", 2)])
def test_labels_are_balanced(task, classes):
    _, y, _, yt = SEQUENCE_TASKS[task].load(seed=0, n=4000, n_test=500)
    counts = np.bincount(np.concatenate([y, yt]).astype(int), minlength=classes)
    assert len(counts) == classes and counts.min() > 0.8 * counts.mean()


def test_recall_places_the_symbol_first_and_only_distractors_after():
    x, y, _, _ = SEQUENCE_TASKS["delayed_recall"].load(seed=3, n=500, n_test=50, delay=30, symbols=4, distractors=4)
    assert (x.sum(axis=2) == 1).all()                          # one-hot at every step
    codes = x.argmax(axis=2)
    assert (codes[:, 0] == y).all() and (codes[:, 0] < 4).all()
    assert (codes[:, 1:] >= 4).all()                           # nothing after the symbol looks like a symbol


def test_parity_and_adding_labels_follow_their_inputs():
    x, y, _, _ = SEQUENCE_TASKS["parity"].load(seed=2, n=200, n_test=50, length=9)
    assert set(np.unique(x)) <= {0.0, 1.0} and (y == x[:, :, 0].sum(axis=1) % 2).all()
    x, y, _, _ = SEQUENCE_TASKS["adding"].load(seed=2, n=200, n_test=50, length=20)
    marks = x[:, :, 1]
    assert (marks.sum(axis=1) == 2).all()
    assert (marks[:, :10].sum(axis=1) == 1).all()             # one mark in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * marks).sum(axis=1))


def test_waves_continue_the_window():
    x, y, _, _ = SEQUENCE_TASKS["waves"].load(seed=0, n=100, n_test=50, kind="sine", length=30, noise=0.0)
    step = np.abs(np.diff(np.concatenate([x[:, :, 0], y], axis=1), axis=1))
    assert step.max() < 2 * np.pi * 0.08 + 1e-6                # smooth: the target is the next value
    noisy, clean = wave_series("square", 50, 0.05, 0.0, noise=0.1, seed=1)
    assert noisy.shape == clean.shape == (50,) and set(np.round(clean, 3)) == {-0.8, 0.8}
    assert 0.03 < np.std(noisy - clean) < 0.2


def test_text_trains_on_the_start_and_tests_on_the_held_out_end():
    chars = char_text("kjv")
    assert 30_000 < len(chars.text) < 60_000 and "In the beginning God created" in chars.text
    x, y, xt, yt = SEQUENCE_TASKS["text"].load(seed=0, n=200, n_test=50, length=20, every_step=True, text="kjv")
    assert x.shape == (200, 20, chars.vocab) and y.shape == (200, 20)
    decode = lambda window: "".join(chars.chars[c] for c in window.argmax(axis=1))  # noqa: E731
    cut = len(chars.text) - len(chars.text) // 10
    for window, labels in zip(x[:20], y[:20]):
        start = chars.text.find(decode(window) + chars.chars[int(labels[-1])])
        assert 0 <= start < cut and decode(window)[1:] == "".join(chars.chars[int(c)] for c in labels[:-1])
    assert all(decode(w) in chars.text[cut - 1:] for w in xt[:20])
    assert set(TEXTS) == {"zen", "kjv"}
    with pytest.raises(ValueError):
        SEQUENCE_TASKS["text"].load(text="hamlet")
