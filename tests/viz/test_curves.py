"""History charts: series, thinning, log-scale zeros."""
import numpy as np

import engine
from engine.data import make_2d
from viz.curves import MAX_POINTS, accuracy_chart, gradient_chart, kl_chart, loss_chart, thinned


def snapshot(steps):
    pts, labels = make_2d("circle", 100, 0.0, seed=0)
    spec = {"input_shape": [2], "loss": "mse", "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                                          {"type": "dense", "units": 1, "activation": "tanh"}]}
    tr = engine.Trainer(engine.build(spec), train=(pts[:50], labels[:50]), test=(pts[50:], labels[50:]),
                        batch_size=10, lr=0.03)
    return tr.step(steps)


def test_loss_and_accuracy_follow_the_evaluations():
    snap = snapshot(50)                      # 5 steps per epoch: 10 epochs + the start
    loss = loss_chart(snap)
    assert loss["x"] == list(range(11))
    assert [s["name"] for s in loss["series"]] == ["train", "test"]
    np.testing.assert_allclose(loss["series"][0]["values"], snap.history["evals"]["train_loss"], rtol=1e-3)
    acc = accuracy_chart(snap)
    assert acc["range"] == [0, 1] and acc["percent"]
    assert acc["series"][1]["values"][-1] == round(snap.test_acc, 4)


def test_long_histories_are_thinned_keeping_both_ends():
    snap = snapshot(5 * 400)
    chart = loss_chart(snap)
    assert len(chart["x"]) <= MAX_POINTS and chart["x"][0] == 0 and chart["x"][-1] == 400


def test_gradient_chart_is_log_and_hides_the_zero_start():
    snap = snapshot(20)
    chart = gradient_chart(snap, ["layer 1", "output"])
    assert chart["log"] and [s["name"] for s in chart["series"]] == ["layer 1", "output"]
    assert chart["series"][0]["values"][0] is None         # before the first step
    assert all(v > 0 for v in chart["series"][0]["values"][1:])


def test_kl_chart_is_the_mean_kl_of_each_epochs_steps():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6))
    spec = {"input_shape": [6], "loss": "mse", "layers": [{"type": "dense", "units": 4}, {"type": "sampling", "beta": 1.0},
                                                          {"type": "dense", "units": 6}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, x), batch_size=10, lr=0.01, classification=False)
    snap = tr.step(12)                       # 4 steps an epoch: epochs 1, 2, 3
    chart = kl_chart(snap)
    kl = np.asarray(snap.history["kl"], float)
    assert chart["x"] == [0, 1, 2, 3] and chart["series"][0]["values"][0] is None      # no step before epoch 0
    np.testing.assert_allclose(chart["series"][0]["values"][1:], kl.reshape(3, 4).mean(axis=1), rtol=1e-3)
    assert kl_chart(snapshot(5)) is None     # no sampling layer: no KL


def test_thinned_epochs_are_distinct_ordered_and_keep_both_ends():
    for points in (2, 60, MAX_POINTS):
        for n in list(range(1, 3 * points)) + [10_000, 123_457]:
            i = thinned(n, points)
            assert len(i) == min(n, points) and i[0] == 0 and i[-1] == n - 1
            assert np.all(np.diff(i) > 0)
