"""A downloaded model goes back in: the .npz carries its setup; a checked file restores the run exactly
(the same predictions and numbers) and it trains on; every kind of bad file is refused with a sentence."""
import io
import json
import zipfile

import numpy as np
import pytest

from ui import model_file
from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings
from ui.rnn.run import RnnRun
from ui.rnn.settings import RnnSettings


def trained_mlp():
    run = MlpRun(MlpSettings(dataset="xor", hidden=(5, 3), optimizer="adam", lr=0.01, noise=10))
    for _ in range(3):
        run.step_epoch()
    return run


def test_a_saved_mlp_comes_back_exactly_and_trains_on():
    run = trained_mlp()
    data = model_file.write(run, "mlp")
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    setup = json.loads(str(npz["setup"]))
    assert setup["page"] == "mlp" and setup["settings"]["hidden"] == [5, 3] and setup["epoch"] == 3
    np.testing.assert_array_equal(npz["0.W"], run.snap.params["0.W"])       # the scripts' names
    model = model_file.read(data, "mlp", MlpSettings)
    back = model_file.restore(MlpRun, model)
    a, b = run.snap, back.snap
    assert (b.step, b.epoch) == (a.step, a.epoch)
    assert (b.test_acc, b.test_loss, b.train_loss) == (a.test_acc, a.test_loss, a.train_loss)
    np.testing.assert_array_equal(b.predict(run.trainer.xt), a.predict(run.trainer.xt))
    for k in a.history["evals"]:
        np.testing.assert_array_equal(b.history["evals"][k], a.history["evals"][k])
    np.testing.assert_array_equal(back.confusion(), run.confusion())
    back.step_epoch()
    assert back.snap.epoch == 4 and np.isfinite(back.snap.train_loss)


def test_the_numbers_are_measured_again_from_the_restored_weights(monkeypatch):
    run = trained_mlp()
    data = model_file.write(run, "mlp")
    model = model_file.read(data, "mlp", MlpSettings)
    model.params["2.b"] = model.params["2.b"] + np.float32(3.0)          # other weights than the ones saved
    back = model_file.restore(MlpRun, model)
    assert back.snap.train_loss != run.snap.train_loss


def test_a_cnn_and_a_compared_rnn_come_back():
    cnn = CnnRun(CnnSettings(dataset="bars", filters=(4,), kernels=(3,), strides=(2,), paddings=("same",),
                             acts=("relu",), pools=("none",), dense=8, dropout=0.2))
    cnn.advance(40)
    back = model_file.restore(CnnRun, model_file.read(model_file.write(cnn, "cnn"), "cnn", CnnSettings))
    np.testing.assert_array_equal(back.snap.predict(cnn.xt[:50]), cnn.snap.predict(cnn.xt[:50]))
    rnn = RnnRun(RnnSettings.for_task("parity", length=6, units=4, compare="gru"))
    rnn.advance(30)
    partner = rnn.runs[1]
    model = model_file.read(model_file.write(partner, "rnn"), "rnn", RnnSettings)
    assert model.run == 1
    back = model_file.restore(RnnRun, model)
    x = rnn.data.arrays[2][:20]
    np.testing.assert_array_equal(back.runs[1].snap.predict(x), partner.snap.predict(x))
    assert back.runs[1].snap.step == partner.snap.step


def resave(data, change=None, drop=(), add=None):
    npz = np.load(io.BytesIO(data), allow_pickle=False)
    arrays = {k: npz[k] for k in npz.files if k not in drop}
    if change:
        change(arrays)
    arrays.update(add or {})
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def with_setup(data, **changes):
    def change(arrays):
        setup = json.loads(str(arrays["setup"]))
        for k, v in changes.items():
            if k.startswith("settings."):
                setup["settings"][k.split(".", 1)[1]] = v
            else:
                setup[k] = v
        arrays["setup"] = np.array(json.dumps(setup))
    return resave(data, change)


@pytest.fixture(scope="module")
def saved():
    return model_file.write(trained_mlp(), "mlp")


def refused(data, match, page="mlp", settings_class=MlpSettings):
    with pytest.raises(ValueError, match=match):
        model_file.read(data, page, settings_class)


def test_a_model_from_another_page_is_refused(saved):
    refused(saved, "saved on the mlp page; open it there", page="cnn", settings_class=CnnSettings)


def test_damaged_and_oversized_files_are_refused(saved):
    refused(b"not a zip at all", "not a model file")
    refused(saved[:len(saved) // 2], "not a model file|damaged")
    refused(b"x" * (model_file.MAX_BYTES + 1), "at most 8 MB")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("setup.npy", b"\0" * (model_file.MAX_UNPACKED + 1))
    refused(bomb.getvalue(), "unpacks to")


def test_an_old_weights_file_without_its_setup_says_so(saved):
    refused(resave(saved, drop=("setup",)), "no setup inside")


def test_settings_outside_the_bounds_or_unknown_are_refused(saved):
    refused(with_setup(saved, **{"settings.hidden": [5, 99]}), "outside the page's bounds")
    refused(with_setup(saved, **{"settings.lr": 1e9}), "outside the page's bounds")
    refused(with_setup(saved, **{"settings.rogue": 1}), "does not know: rogue")
    refused(with_setup(saved, step=-4), "step is not a whole number")


def test_arrays_that_do_not_fit_are_refused(saved):
    refused(resave(saved, add={"0.W": np.zeros((2, 5), np.float64)}), "float64 values")
    refused(resave(saved, add={"0.W": np.zeros((3, 5), np.float32)}), "shape")
    refused(resave(saved, add={"0.W": np.full((2, 5), np.nan, np.float32)}), "NaN")
    refused(resave(saved, drop=("1.b",)), "missing 1.b")
    refused(resave(saved, add={"evil": np.zeros(3, np.float32)}), "unknown evil")
    refused(with_setup(saved, **{"settings.hidden": [4, 3]}), "missing|shape|does not match")


def test_a_pickled_array_is_never_loaded(saved):
    buf = io.BytesIO()
    np.savez(buf, **{k: v for k, v in np.load(io.BytesIO(saved)).items() if k != "0.W"},
             **{"0.W": np.array([object()], dtype=object)})
    refused(buf.getvalue(), "damaged")


def test_shipped_models_are_named_never_paths():
    with pytest.raises(ValueError, match="no shipped model"):
        model_file.shipped("../../etc/passwd")
    for name, path in model_file.shipped_models().items():
        assert path.parent == model_file.MODELS and model_file.shipped(name)


def test_a_setup_nested_past_pythons_limit_is_damaged(saved):
    refused(resave(saved, add={"setup": np.array("[" * 60_000)}), "damaged")        # within its size
