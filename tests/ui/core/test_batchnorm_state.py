"""Batch normalization's moving statistics (the network's state) travel with the weights: the
model file (.npz) and the JSON weights carry them, a restored run predicts exactly as the saved
one, and rewinding shows (and continues from) that epoch's statistics."""
import io
import json

import numpy as np

from ui import model_file
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings


class BnSettings(MlpSettings):
    """The MLP page's network with a batch normalization after each hidden layer."""

    def spec(self):
        spec = super().spec()
        layers = []
        for layer in spec["layers"][:-1]:
            layers += [{**layer, "activation": "linear"},
                       {"type": "batchnorm", "momentum": 0.9, "activation": layer["activation"]}]
        return {**spec, "layers": layers + spec["layers"][-1:]}


class BnRun(MlpRun):
    pass


def trained():
    run = BnRun(BnSettings(dataset="circle", hidden=(5, 3), optimizer="adam", lr=0.01, batch=10))
    for _ in range(3):
        run.step_epoch()
    return run


def test_a_saved_batchnorm_net_comes_back_with_its_moving_statistics():
    run = trained()
    state = run.snap.state
    assert set(state) == {"1.moving_mean", "1.moving_variance", "3.moving_mean", "3.moving_variance"}
    assert not np.allclose(state["1.moving_mean"], 0)
    data = model_file.write(run, "mlp")
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    np.testing.assert_array_equal(npz["state:1.moving_variance"], state["1.moving_variance"])
    back = model_file.restore(BnRun, model_file.read(data, "mlp", BnSettings))
    for name, value in state.items():
        np.testing.assert_array_equal(back.trainer.net.state[name], value)
    np.testing.assert_array_equal(back.snap.predict(run.trainer.xt), run.snap.predict(run.trainer.xt))
    assert back.snap.test_loss == run.snap.test_loss
    as_json = json.loads(run.weights_json())
    np.testing.assert_allclose(as_json["state"]["3.moving_mean"], state["3.moving_mean"])
    legacy = np.load(io.BytesIO(run.weights_npz()), allow_pickle=False)
    np.testing.assert_array_equal(legacy["state:3.moving_mean"], state["3.moving_mean"])


def test_rewinding_shows_and_continues_from_that_epochs_statistics():
    run = trained()
    early = run.history.at(1)
    assert early.state is not None and early.epoch == 1
    run.rewind_to(1)
    shown = run.shown
    np.testing.assert_array_equal(shown._state, early.state)
    net = run.trainer.net
    np.testing.assert_array_equal(shown.predict(run.trainer.xt), net.forward(run.trainer.xt, flat=early.flat,
                                                                            state=early.state))
    assert not np.array_equal(shown._state, net.state_flat)
    run.continue_from_rewound()
    np.testing.assert_array_equal(net.state_flat, early.state)
