"""MlpRun: data, reset, live changes, own points, edits, downloads."""
import io
import json

import numpy as np

from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings


def test_reset_gives_the_same_start_and_training_moves():
    run = MlpRun(MlpSettings())
    start = run.trainer.net.flat.copy()
    run.advance(3, budget=10)
    assert run.snap.epoch == 3 and not np.array_equal(run.trainer.net.flat, start)
    run.rebuild()
    np.testing.assert_array_equal(run.trainer.net.flat, start)


def test_live_settings_do_not_reset():
    run = MlpRun(MlpSettings())
    run.advance(2, budget=10)
    assert not run.update(run.settings.with_(lr=0.3, batch=20, regularization="l2", reg_rate=0.1))
    assert run.snap.epoch == 2
    assert (run.trainer.lr, run.trainer.batch_size, run.trainer.l2) == (0.3, 20, 0.1)
    assert run.update(run.settings.with_(hidden=(3,)))
    assert run.snap.epoch == 0 and run.trainer.net.params["0.W"].shape == (2, 3)


def test_targets_follow_the_loss():
    run = MlpRun(MlpSettings(loss="cross_entropy"))
    assert set(np.unique(run.trainer.y)) == {0.0, 1.0}
    run = MlpRun(MlpSettings().with_(dataset="spiral3"))
    assert set(np.unique(run.trainer.y)) == {0.0, 1.0, 2.0}


def test_added_points_keep_the_weights():
    run = MlpRun(MlpSettings())
    run.advance(1, budget=10)
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
    assert run.frame_data(True)["layers"][1]["weights"][2][0] == 1.5


def test_downloads_load_without_pickle():
    run = MlpRun(MlpSettings())
    npz = np.load(io.BytesIO(run.weights_npz()), allow_pickle=False)
    assert json.loads(str(npz["spec"]))["loss"] == "mse"
    np.testing.assert_array_equal(npz["0.W"], run.trainer.net.params["0.W"])
    data = json.loads(run.weights_json())
    assert np.allclose(data["params"]["1.W"], run.trainer.net.params["1.W"])
    setup = json.loads(run.setup_json("http://x/mlp?lr=0.3"))
    assert setup["settings"]["hidden"] == [4, 2] and setup["link"].endswith("lr=0.3")
