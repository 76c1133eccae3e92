"""Checks against made-up runs: thresholds, "for N epochs", trends, settings, compare mode, the panel's text."""
from types import SimpleNamespace

import numpy as np
import pytest

from ui.lessons.checks import evaluate, fmt
from ui.lessons.metrics import METRICS, Subject, line_match
from ui.lessons.model import parse_lesson
from ui.mlp.settings import MlpSettings


def snap(test_loss, train_loss=None, acc=None, grads=None, epochs=None, diverged=False):
    """A snapshot whose history is ``test_loss`` (one value per epoch), the last value its latest."""
    test_loss = np.asarray(test_loss, float)
    n = len(test_loss)
    train_loss = np.asarray(train_loss if train_loss is not None else test_loss, float)
    acc = np.asarray(acc if acc is not None else np.full(n, 0.5), float)
    epochs = np.asarray(epochs if epochs is not None else np.arange(n), float)
    evals = {"epoch": epochs, "step": epochs * 10, "test_loss": test_loss, "train_loss": train_loss,
             "test_acc": acc, "train_acc": acc}
    return SimpleNamespace(epoch=int(epochs[-1]), step=int(epochs[-1] * 10), test_loss=test_loss[-1],
                           train_loss=train_loss[-1], test_acc=acc[-1], train_acc=acc[-1], diverged=diverged,
                           history={"evals": evals, "grad_norms": np.asarray(grads if grads is not None else
                                                                           np.ones((n, 2)), float)})


class FakeRun:
    def __init__(self, settings, snaps, titles=("",)):
        self.settings = settings
        self.runs = [SimpleNamespace(title=t, shown=s, settings=settings) for t, s in zip(titles, snaps)]


def lesson(checks, page="mlp", preset=None):
    return parse_lesson({"title": "t", "concept": "c", "page": page, "minutes": 1, "goal": "g", "tasks": ["t"],
                         "preset": preset or {}, "checks": checks, "solution": {"steps": 1}}, "t")


def results(checks, run, page="mlp"):
    return evaluate(lesson(checks, page), run)


def test_a_threshold_reads_the_latest_value_and_says_so():
    run = FakeRun(MlpSettings(), [snap([0.9, 0.5, 0.142])])
    r, = results([{"text": "x", "metric": "test_loss", "op": "<", "value": 0.1}], run)
    assert not r.met
    part, = r.parts
    assert (part.label, part.value, part.target) == ("test loss", "0.142", "below 0.1")
    run = FakeRun(MlpSettings(), [snap([0.9, 0.5, 0.09])])
    assert results([{"text": "x", "metric": "test_loss", "op": "<", "value": 0.1}], run)[0].met


def test_for_n_epochs_needs_the_whole_window():
    check = [{"text": "x", "metric": "test_acc", "op": "<", "value": 0.8, "epochs": 50}]
    young = FakeRun(MlpSettings(), [snap(np.ones(30), acc=np.full(30, 0.6))])
    r, = results(check, young)
    assert not r.met and r.parts[0].value == "60.0 %, for 29 of 50 epochs"
    old = FakeRun(MlpSettings(), [snap(np.ones(80), acc=np.full(80, 0.6))])
    assert results(check, old)[0].met
    broke = np.full(80, 0.6)
    broke[60] = 0.9                    # above 80 % at epoch 60: held only since epoch 61
    r, = results(check, FakeRun(MlpSettings(), [snap(np.ones(80), acc=broke)]))
    assert not r.met and "for 18 of 50" in r.parts[0].value


def test_rising_while_falling_over_n_epochs():
    epochs = np.arange(120)
    test = np.r_[np.linspace(1, 0.5, 20), np.linspace(0.5, 1.2, 100)]
    train = np.linspace(1, 0.1, 120)
    check = [{"text": "x", "metric": "test_loss", "op": "rising", "epochs": 50,
              "also": [{"metric": "train_loss", "op": "falling", "epochs": 50}]}]
    r, = results(check, FakeRun(MlpSettings(), [snap(test, train, epochs=epochs)]))
    assert r.met and r.parts[0].target == "rising over 50 epochs" and r.parts[0].value.startswith("from 0.")
    r, = results(check, FakeRun(MlpSettings(), [snap(test[:40], train[:40], epochs=epochs[:40])]))
    assert not r.met and "needs 50 epochs" in r.parts[0].value
    r, = results(check, FakeRun(MlpSettings(), [snap(train, train, epochs=epochs)]))
    assert not r.met


def test_a_check_counts_only_with_its_settings():
    check = [{"text": "x", "metric": "test_loss", "op": "<", "value": 1, "settings": {"activation": ["relu", "tanh"]}}]
    r, = results(check, FakeRun(MlpSettings(activation="sigmoid"), [snap([0.5])]))
    assert not r.met and r.note == "Counts with activation ReLU or Tanh (now Sigmoid)."
    assert results(check, FakeRun(MlpSettings(activation="tanh"), [snap([0.5])]))[0].met


def test_settings_metrics_and_their_words():
    check = [{"text": "x", "metric": "test_loss", "op": "<", "value": 0.1,
              "also": [{"metric": "hidden_neurons", "op": "<=", "value": 4},
                       {"metric": "setting", "field": "lr", "op": ">=", "value": 0.1}]}]
    r, = results(check, FakeRun(MlpSettings(hidden=(4, 2), lr=0.3), [snap([0.05])]))
    assert [(p.label, p.value, p.target, p.ok) for p in r.parts] == [
        ("test loss", "0.05", "below 0.1", True), ("hidden neurons", "6", "at most 4", False),
        ("learning rate", "0.3", "at least 0.1", True)]


def test_compare_mode_reads_the_named_run():
    from ui.rnn.settings import RnnSettings
    s = RnnSettings.for_task("delayed_recall", compare="rnn")
    run = FakeRun(s, [snap([1.0], acc=[0.99]), snap([1.0], acc=[0.3])], titles=("LSTM", "RNN"))
    check = [{"text": "x", "metric": "test_acc", "run": "lstm", "op": ">=", "value": 0.95,
              "also": [{"metric": "test_acc", "run": "RNN", "op": "<", "value": 0.5}]}]
    r, = results(check, run, "rnn")
    assert r.met and r.parts[0].label == "LSTM: test accuracy" and r.parts[1].value == "30.0 %"
    alone = FakeRun(s, [snap([1.0], acc=[0.99])], titles=("LSTM",))
    r, = results(check, alone, "rnn")
    assert not r.met and r.parts[1].value == "no RNN run (compare mode)"


def test_gradient_ratio_rebound_and_jitter():
    grads = np.array([[np.nan, np.nan], [1e-4, 1.0], [2e-4, 1.0]])
    s = Subject(None, snap([1.0, 0.5, 1.6], grads=grads), MlpSettings())
    assert METRICS["grad_ratio"].value(s) == pytest.approx(2e-4)
    assert METRICS["test_loss_rebound"].value(s) == pytest.approx(3.2)
    assert fmt(2e-4, "fraction") == "1/5,000" and fmt(1 / 6667, "fraction") == "1/6,700"
    flat = Subject(None, snap(np.full(30, 0.5)), MlpSettings())
    assert METRICS["test_loss_jitter"].value(flat) == 0
    zigzag = Subject(None, snap(np.tile([0.4, 0.6], 15)), MlpSettings())
    assert METRICS["test_loss_jitter"].value(zigzag) == pytest.approx(0.2 / 0.5, rel=0.02)   # 0.2 a step, on 0.5
    assert METRICS["test_loss_jitter"].value(Subject(None, snap(np.ones(5)), MlpSettings())) is None


def test_nan_never_meets_a_check():
    r, = results([{"text": "x", "metric": "test_acc", "op": "<", "value": 0.5}],
                 FakeRun(MlpSettings(problem="regression", dataset="reg_plane"), [snap([0.3], acc=[np.nan])]))
    assert not r.met and r.parts[0].value == "—"


def test_a_line_kernel_matches_its_orientation():
    k = 5
    vertical = np.zeros((k, k))
    vertical[:, 2] = 1.0
    match = line_match(np.stack([vertical, np.eye(k), np.random.default_rng(0).normal(size=(k, k))]))
    assert match[0].argmax() == 1 and match[0, 1] == pytest.approx(1.0)
    assert match[1].argmax() == 2 and match[1, 2] == pytest.approx(1.0)
    assert match[2].max() < 0.8
