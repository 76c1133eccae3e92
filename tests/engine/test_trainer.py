"""Trainer: epochs, history, determinism, divergence, mid-run changes."""
import numpy as np
import pytest

import engine
from engine.plane import PlaneMaps
from engine.data import Plane, make_2d, split
from tests.helpers import dense_spec


def circle_trainer(seed=0, **kw):
    pts, labels = make_2d("circle", 200, 0.0, seed=1)
    xtr, ytr, xte, yte = split(pts, labels, 0.5, seed=1)
    spec = {"input_shape": [2], "layers": [
        {"type": "dense", "units": 8, "activation": "tanh"},
        {"type": "dropout", "rate": 0.1},
        {"type": "dense", "units": 1, "activation": "tanh"}], "loss": "mse"}
    net = engine.build(spec, seed=seed)
    args = dict(optimizer="adam", lr=0.03, batch_size=10, seed=seed)
    args.update(kw)
    return engine.Trainer(net, train=(xtr, ytr), test=(xte, yte), **args)


def test_learns_the_circle():
    snap = circle_trainer().step(600)
    assert not snap.diverged
    assert snap.test_acc >= 0.93 and snap.train_acc > 0.97 and snap.train_loss < 0.1
    assert snap.classification


def test_epochs_and_partial_last_batch():
    x = np.random.default_rng(0).normal(size=(25, 2))
    net = engine.build(dense_spec([3]), seed=0)
    tr = engine.Trainer(net, train=(x, x[:, :1]), batch_size=10, optimizer="sgd", lr=0.01)
    assert tr.steps_per_epoch == 3
    tr.step(3)
    assert (tr.epoch, tr.step_count) == (1, 3)
    tr.step(4)
    assert (tr.epoch, tr.step_count) == (2, 7)
    # one evaluation at the start and one per epoch
    np.testing.assert_array_equal(tr.evals["step"].values, [0, 3, 6])
    np.testing.assert_array_equal(tr.evals["epoch"].values, [0, 1, 2])
    assert len(tr.step_loss.values) == 7


def test_eval_every_sets_the_cadence():
    tr = circle_trainer(eval_every=7)
    tr.step(30)
    np.testing.assert_array_equal(tr.evals["step"].values, [0, 7, 14, 21, 28])
    assert tr.eval_grad_norms.values.shape == (5, 2)
    assert (tr.eval_grad_norms.values[1:] > 0).all()


def test_same_seed_same_run_bit_for_bit():
    a, b = circle_trainer(seed=4), circle_trainer(seed=4)
    a.step(100)
    b.step(60)
    b.step(40)                 # split calls change nothing
    for name in a.net.params:
        np.testing.assert_array_equal(a.net.params[name], b.net.params[name])
    c = circle_trainer(seed=5)
    c.step(100)
    assert not np.array_equal(a.net.params["0.W"], c.net.params["0.W"])


def test_divergence_is_reported_not_raised():
    pts, labels = make_2d("reg_plane", 200, 0.0, seed=1)
    net = engine.build(dense_spec([8, 8], activation="relu"), seed=0)
    tr = engine.Trainer(net, train=(pts, labels), optimizer="sgd", lr=100.0, batch_size=10)
    snap = tr.step(500)
    assert snap.diverged
    assert "diverged" in snap.reason and "learning rate" in snap.reason
    stopped_at = snap.step
    assert stopped_at < 500
    assert tr.step(10).step == stopped_at          # a diverged run stays stopped


def test_relu_regression_divergence_names_the_value():
    x = np.random.default_rng(0).normal(size=(64, 2)) * 100
    net = engine.build(dense_spec([16, 16], activation="relu"), seed=0)
    tr = engine.Trainer(net, train=(x, x[:, :1] * 1e3), optimizer="sgd", lr=100.0, batch_size=8)
    snap = tr.step(200)
    assert snap.diverged and ("inf" in snap.reason or "nan" in snap.reason.lower())


def test_learning_rate_changes_mid_run_without_reset():
    tr = circle_trainer(optimizer="sgd", lr=0.01)
    tr.step(20)
    before = tr.net.flat.copy()
    tr.lr = 0.0001
    tr.step(1)
    small = np.abs(tr.net.flat - before).max()
    tr.lr = 1.0
    before = tr.net.flat.copy()
    tr.step(1)
    assert np.abs(tr.net.flat - before).max() > 100 * small > 0
    assert tr.step_count == 22
    with pytest.raises(ValueError, match="lr must be a positive number"):
        tr.lr = -1


def test_bad_training_data_is_refused():
    net = engine.build(dense_spec([3]), seed=0)
    x = np.zeros((4, 2))
    x[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf"):
        engine.Trainer(net, train=(x, np.zeros(4)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\)"):
        engine.Trainer(net, train=(np.zeros((4, 3)), np.zeros(4)))
    with pytest.raises(ValueError, match="samples"):
        engine.Trainer(net, train=(np.zeros((4, 2)), np.zeros(5)))
    soft = engine.build(dense_spec([3], loss="softmax_crossentropy", outputs=3), seed=0)
    with pytest.raises(ValueError, match="class indices 0..2"):
        engine.Trainer(soft, train=(np.zeros((2, 2)), [0, 3]))


def test_plane_maps_of_a_snapshot_and_lazy_cost():
    tr = circle_trainer()
    snap = tr.step(50)
    plane = PlaneMaps(snap, Plane(resolution=20))
    assert "neuron_maps" not in plane.__dict__          # nothing computed yet
    maps = plane.neuron_maps
    assert [m.shape for m in maps] == [(8, 20, 20), (8, 20, 20), (1, 20, 20)]
    assert plane.input_maps.shape == (2, 20, 20)
    # the map is the net's output on the grid, the grid's row index following x2
    grid = Plane(resolution=20).inputs()
    np.testing.assert_allclose(plane.output_map[0].ravel(), tr.net.forward(grid)[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(plane.input_maps[1][:, 0], Plane(resolution=20).axis)
    # the snapshot is frozen: more training leaves it unchanged
    w = snap.params["0.W"].copy()
    tr.step(50)
    np.testing.assert_array_equal(snap.params["0.W"], w)


def test_dead_relu_units_are_counted():
    x = np.random.default_rng(0).normal(size=(100, 2))
    net = engine.build(dense_spec([4], activation="relu"), seed=0)
    net.params["0.b"][:2] = -100.0                      # two units can never fire
    tr = engine.Trainer(net, train=(x, x[:, :1]))
    dead = tr.snapshot().dead_units
    assert list(dead) == [0] and dead[0].tolist() == [True, True, False, False]


def test_snapshot_reports_gradient_norm_per_layer():
    snap = circle_trainer().step(5)
    assert set(snap.grad_norms) == {0, 2}
    assert all(v > 0 for v in snap.grad_norms.values())


def test_leaky_relu_units_below_zero_are_not_dead():
    """A Leaky ReLU unit negative on every point still has a gradient (slope 0.01): it is not dead
    (the MLP page crossed such units out at epoch 0)."""
    x = np.random.default_rng(0).normal(size=(100, 2))
    net = engine.build(dense_spec([4], activation="leaky_relu"), seed=0)
    net.params["0.b"][:2] = -100.0
    assert engine.Trainer(net, train=(x, x[:, :1])).snapshot().dead_units == {}
