"""Bounded evaluation, time budgets and cheap snapshots."""
import time

import numpy as np
import pytest

import engine
from engine.data import make_2d, split
from engine.data.images import bars
from engine.kernels import program as P
from engine.trainer import EVAL_MAX, default_eval_size
from tests.helpers import dense_spec

BARS_CNN = {"input_shape": [1, 12, 12], "loss": "softmax_crossentropy", "layers": [
    {"type": "conv2d", "filters": 4, "kernel_size": 3, "activation": "relu"}, {"type": "maxpool2d"},
    {"type": "flatten"}, {"type": "dense", "units": 4}]}
MNIST_CNN = {"input_shape": [1, 28, 28], "loss": "softmax_crossentropy", "layers": [
    {"type": "conv2d", "filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool2d", "pool_size": 2},
    {"type": "conv2d", "filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"}, {"type": "dense", "units": 10}]}


def bars_trainer(n=300, n_test=200, seed=0, **kw):
    x, y = bars(n, seed=0)
    xt, yt = bars(n_test, seed=1)
    return engine.Trainer(engine.build(BARS_CNN, seed=0), train=(x, y), test=(xt, yt), lr=0.01,
                          seed=seed, **kw)


def mlp_trainer(n=3000, seed=0, **kw):
    x, y, xt, yt = split(*make_2d("circle", n, 0.1, seed=1), train_fraction=0.5)
    return engine.Trainer(engine.build(dense_spec([8]), seed=0), train=(x, y), test=(xt, yt),
                          batch_size=10, seed=seed, **kw)


def forbid_forward(monkeypatch, net):
    """Make every forward pass of ``net`` (and every compiled prediction) raise."""
    def boom(*args, **kwargs):
        raise AssertionError("a forward pass ran")
    for name in ("forward", "layer_outputs", "_forward_all", "recurrent_trace"):
        monkeypatch.setattr(net, name, boom)
    monkeypatch.setattr(P, "_predict", boom)


def test_default_eval_size_follows_the_cost():
    assert default_eval_size(engine.build(dense_spec([8] * 6))) == EVAL_MAX      # the MLP: whole sets
    assert 400 <= default_eval_size(engine.build(MNIST_CNN)) <= 600


def test_evaluation_uses_a_fixed_seeded_subset():
    tr = mlp_trainer(eval_size=300)
    rows = tr.eval_rows["train"]
    assert len(rows) == 300 and len(set(rows)) == 300 and (np.diff(rows) > 0).all()
    np.testing.assert_array_equal(mlp_trainer(eval_size=300).eval_rows["train"], rows)
    assert not np.array_equal(mlp_trainer(eval_size=300, seed=1).eval_rows["train"], rows)
    tr.step(tr.steps_per_epoch)                              # one epoch: one more row
    loss, acc = tr.loss_and_accuracy(tr.x[rows], tr.y[rows])
    assert tr.evals["train_loss"].values[-1] == pytest.approx(loss, rel=1e-6)
    assert tr.evals["train_acc"].values[-1] == acc
    test_rows = tr.eval_rows["test"]
    loss, _ = tr.loss_and_accuracy(tr.xt[test_rows], tr.yt[test_rows])
    assert tr.evals["test_loss"].values[-1] == pytest.approx(loss, rel=1e-6)


def test_small_sets_are_evaluated_whole():
    tr = mlp_trainer(n=500)
    assert tr.eval_rows == {"train": None, "test": None}
    loss, _ = tr.loss_and_accuracy(tr.x, tr.y)
    assert tr.evals["train_loss"].values[-1] == pytest.approx(loss, rel=1e-6)


def test_evaluation_does_not_reallocate_the_training_workspace():
    tr = bars_trainer(eval_size=50)
    tr.step(1)
    acts, d_acts, cache = tr.net.workspace(tr.batch_size)
    snap = tr.step(3 * tr.steps_per_epoch)                   # three evaluations
    snap.confusion, snap.class_probabilities(5), snap.predict(tr.xt[:100]), snap.probe_outputs
    tr.loss_and_accuracy(tr.xt, tr.yt)
    again = tr.net.workspace(tr.batch_size)
    assert again[0] is acts and again[1] is d_acts and again[2] is cache


def test_budget_stops_a_long_call_early():
    tr = bars_trainer()
    tr.step(1)
    start = time.perf_counter()
    snap = tr.step(10**7, budget=0.05)
    assert time.perf_counter() - start < 1.0
    assert 1 < snap.step < 10**7
    done = tr.step(0).step                                   # finish a pending evaluation
    assert tr.step(10**7, budget=0.0).step == done + 1       # budget 0: exactly one step


def test_an_evaluation_cut_short_resumes_and_changes_nothing():
    a = mlp_trainer(n=400, eval_every=5)
    a.step(1)
    a.step(4, budget=0.0)            # budget 0: one unit of work per call
    while a.step_count < 5 or a.evaluating:
        a.step(5 - a.step_count, budget=0.0)
    b = mlp_trainer(n=400, eval_every=5)
    b.step(5)
    np.testing.assert_array_equal(a.net.flat, b.net.flat)
    for k in b.evals:
        np.testing.assert_array_equal(a.evals[k].values, b.evals[k].values)


def test_a_pending_evaluation_is_finished_by_the_next_call():
    tr = mlp_trainer(n=400, eval_every=1)
    tr.step(1)
    snap = tr.step(1, budget=0.0)                            # the step runs, its evaluation waits
    assert snap.step == 2 and snap.evaluating and tr.evaluating
    assert snap.eval_step == 1 and tr.evals["step"].values.tolist() == [0, 1]
    snap = tr.step(0)
    assert not snap.evaluating and snap.eval_step == 2
    assert tr.evals["step"].values.tolist() == [0, 1, 2]


def test_snapshot_creation_runs_no_forward_pass(monkeypatch):
    tr = bars_trainer()
    tr.step(tr.steps_per_epoch)
    forbid_forward(monkeypatch, tr.net)
    snap = tr.snapshot()
    assert snap.step == tr.steps_per_epoch and snap.test_acc == tr.evals["test_acc"].values[-1]
    assert snap.dead_units == {}                             # no ReLU dense layer: no pass either
    assert snap.confusion.sum() == 200                       # read from the evaluation's pass
    assert snap.kernels[0].shape == (4, 1, 3, 3)


def test_dead_units_cover_the_training_subset():
    x = np.random.default_rng(0).normal(size=(600, 2))
    net = engine.build(dense_spec([4], activation="relu"), seed=0)
    net.params["0.b"][:2] = -100.0
    tr = engine.Trainer(net, train=(x, x[:, :1]), eval_size=200)
    snap = tr.snapshot()
    assert snap.dead_units[0].tolist() == [True, True, False, False]
    rows = tr.eval_rows["train"]
    hidden = net.layer_outputs(x[rows])[0]
    np.testing.assert_array_equal(snap.dead_units[0], (hidden <= 0).all(axis=0))


def test_confusion_is_the_evaluation_pass_on_the_documented_subset(monkeypatch):
    tr = bars_trainer(eval_size=80)
    snap = tr.step(2 * tr.steps_per_epoch)                   # ends on an evaluation
    assert snap.eval_step == snap.step
    rows = snap.confusion_rows
    np.testing.assert_array_equal(rows, tr.eval_rows["test"])
    assert len(rows) == 80
    pred = snap.predict(tr.xt[rows]).argmax(axis=1)
    true = tr.yt[rows, 0].astype(int)
    expected = np.zeros((4, 4), int)
    np.add.at(expected, (true, pred), 1)
    forbid_forward(monkeypatch, tr.net)                      # no second forward pass
    np.testing.assert_array_equal(snap.confusion, expected)
    assert np.trace(snap.confusion) / 80 == snap.test_acc


def test_binary_confusion_agrees_with_the_accuracy():
    tr = mlp_trainer(n=600)
    snap = tr.step(3 * tr.steps_per_epoch)
    c = snap.confusion
    assert c.shape == (2, 2) and c.sum() == 300
    assert np.trace(c) / 300 == pytest.approx(snap.test_acc)
    assert c[1].sum() == (tr.yt > 0).sum()                   # row 1: the +1 labels


def test_bad_budget_and_eval_size_are_refused():
    with pytest.raises(ValueError, match="eval_size"):
        mlp_trainer(n=100, eval_size=0)
    with pytest.raises(ValueError, match="budget"):
        mlp_trainer(n=100).step(1, budget=-1)
