"""MlpRun: data, reset, live changes, own points, edits, downloads."""
import io
import json

import numpy as np
import pytest

from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings


def advance(run, epochs):
    return run.advance(epochs * run.trainer.steps_per_epoch)


def test_reset_gives_the_same_start_and_training_moves():
    run = MlpRun(MlpSettings())
    start = run.trainer.net.flat.copy()
    advance(run, 3)
    assert run.snap.epoch == 3 and not np.array_equal(run.trainer.net.flat, start)
    run.rebuild()
    np.testing.assert_array_equal(run.trainer.net.flat, start)


def test_live_settings_do_not_reset():
    run = MlpRun(MlpSettings())
    advance(run, 2)
    assert run.update(run.settings.with_(lr=0.3, batch=20, regularization="l2", reg_rate=0.1)) == []
    assert run.snap.epoch == 2
    assert (run.trainer.lr, run.trainer.batch_size, run.trainer.l2) == (0.3, 20, 0.1)
    run.update(run.settings.with_(hidden=(3,)))
    assert run.snap.epoch == 0 and run.trainer.net.params["0.W"].shape == (2, 3)


def test_targets_follow_the_loss():
    run = MlpRun(MlpSettings(loss="cross_entropy"))
    assert set(np.unique(run.trainer.y)) == {0.0, 1.0}
    run = MlpRun(MlpSettings().with_(dataset="spiral3"))
    assert set(np.unique(run.trainer.y)) == {0.0, 1.0, 2.0}


def test_added_points_keep_the_weights():
    run = MlpRun(MlpSettings())
    advance(run, 1)
    weights = run.trainer.net.flat.copy()
    n = len(run.train_xy)
    run.add_point(1.0, 2.0, -1.0)
    assert len(run.train_xy) == n + 1 and run.train_xy[-1].tolist() == [1.0, 2.0]
    np.testing.assert_array_equal(run.trainer.net.flat, weights)
    assert run.snap.epoch == 1
    run.forget_points()
    assert len(run.train_xy) == n


def test_edit_weight_and_bias():
    run = MlpRun(MlpSettings())
    run.edit_weight(1, "W", 2, 0, 1.5)
    run.edit_weight(2, "b", 0, 0, -0.25)
    assert run.trainer.net.params["1.W"][2, 0] == 1.5
    assert run.trainer.net.params["2.b"][0] == -0.25
    assert run.frame(run.snap, True)["layers"][1]["weights"][2][0] == 1.5
    before = run.snap.train_loss
    run.edit_weight(2, "b", 0, 0, 5.0)                       # a huge output bias: the loss must show it
    assert run.snap.train_loss != before and run.snap.epoch == 0


def test_downloads_load_without_pickle():
    run = MlpRun(MlpSettings())
    npz = np.load(io.BytesIO(run.weights_npz()), allow_pickle=False)
    assert json.loads(str(npz["spec"]))["loss"] == "mse"
    np.testing.assert_array_equal(npz["0.W"], run.trainer.net.params["0.W"])
    data = json.loads(run.weights_json())
    assert np.allclose(data["params"]["1.W"], run.trainer.net.params["1.W"])
    setup = json.loads(run.setup_json("http://x/mlp?lr=0.3"))
    assert setup["settings"]["hidden"] == [4, 2] and setup["link"].endswith("lr=0.3")


def test_a_points_numbers_equal_a_numpy_pass():
    run = MlpRun(MlpSettings(hidden=(3, 2), activation="tanh"))
    advance(run, 2)
    xy, label = run.nearest_point(1.0, -2.0)
    p = run.point_pass(xy, label)
    params = {k: v.astype(np.float64) for k, v in run.snap.params.items()}
    a0 = np.asarray(xy, float)
    z1 = a0 @ params["0.W"] + params["0.b"]; a1 = np.tanh(z1)
    z2 = a1 @ params["1.W"] + params["1.b"]; a2 = np.tanh(z2)
    z3 = a2 @ params["2.W"] + params["2.b"]; out = np.tanh(z3)
    y = label
    loss = ((out - y) ** 2).mean()
    dz3 = 2 * (out - y) * (1 - out ** 2)
    dz2 = (dz3 @ params["2.W"].T) * (1 - a2 ** 2)
    dz1 = (dz2 @ params["1.W"].T) * (1 - a1 ** 2)
    assert p["loss"] == pytest.approx(loss, rel=1e-4)
    for layer, z, a, dz, inputs in zip(p["layers"], (z1, z2, z3), (a1, a2, out), (dz1, dz2, dz3), (a0, a1, a2)):
        np.testing.assert_allclose(layer["z"], z, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(layer["a"], a, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(layer["dz"], dz, rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(layer["dW"], np.outer(inputs, dz), rtol=1e-3, atol=1e-6)


def test_rewind_shows_an_earlier_epoch_and_play_continues_from_it():
    run = MlpRun(MlpSettings())
    start = run.trainer.net.flat.copy()
    advance(run, 5)
    after5 = run.trainer.net.flat.copy()
    advance(run, 5)
    run.rewind_to(0)
    assert run.shown.epoch == 0 and run.snap.epoch == 10
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in run.shown.params.values()]), start)
    assert len(run.shown.history["evals"]["epoch"]) == 1
    run.rewind_to(5)
    run.continue_from_rewound()
    assert run.snap.epoch == 5 and run.rewound is None
    np.testing.assert_array_equal(run.trainer.net.flat, after5)
    assert run.history.epochs[-1] == 5
    advance(run, 1)
    assert run.snap.epoch == 6 and list(run.snap.history["evals"]["epoch"])[-2:] == [5, 6]


def test_confusion_matrix_counts_the_test_points():
    run = MlpRun(MlpSettings())
    advance(run, 3)
    matrix = run.confusion()
    assert matrix.shape == (2, 2) and matrix.sum() == len(run.test_xy)
    out = run.snap.predict(run.trainer.xt).ravel()
    assert matrix[1, 1] == int(((out > 0) & (run.test_labels > 0)).sum())


def test_points_added_by_clicking_stop_at_the_limit():
    """Clicks on the output add training points up to MAX_OWN_POINTS, as many as a CSV holds (each
    click added one, without a limit: a crafted stream of clicks grew the data and the frames)."""
    from ui.mlp.run import MAX_OWN_POINTS
    run = MlpRun(MlpSettings())
    generated = len(run.train_xy)
    run.use_points(None, None, added=[(1.0, 1.0, 1.0)] * (MAX_OWN_POINTS - generated - 1))
    assert run.add_point(-2.0, 3.0, -1.0) and len(run.train_xy) == MAX_OWN_POINTS
    assert not run.add_point(4.0, 4.0, 1.0)
    assert len(run.train_xy) == MAX_OWN_POINTS and run.added[-1] == (-2.0, 3.0, -1.0)
    run.forget_points()
    assert len(run.train_xy) == generated and run.add_point(4.0, 4.0, 1.0)
