"""The MLP page's logic through Streamlit's AppTest (fragments with run_every do not tick here)."""
from pathlib import Path

import io
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import warm_up
from engine.data import featurize
from ui import model_file

TIMEOUT = 120
APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    """The page waits for the engine's dense kernels; compile them here, not in a page run."""
    warm_up(families=("dense",))


@pytest.fixture
def page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_of(at):
    return at.session_state["mlp_run"]


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_page_loads_with_defaults(page):
    assert metric(page, "Epoch") == "0" and metric(page, "Step") == "0"
    assert run_of(page).settings.hidden == (4, 2)


def test_step_trains_one_epoch(page):
    page.button(key="mlp_step").click().run()
    assert metric(page, "Epoch") == "1" and metric(page, "Step") == "25"
    page.button(key="mlp_step").click().run()
    assert metric(page, "Epoch") == "2"


def test_reset_returns_to_the_same_start(page):
    w = run_of(page).trainer.net.flat.copy()
    page.button(key="mlp_step").click().run()
    page.button(key="mlp_reset").click().run()
    assert metric(page, "Epoch") == "0"
    assert (run_of(page).trainer.net.flat == w).all()


def test_play_and_pause_flip_the_state(page):
    page.button(key="mlp_play").click().run()
    assert run_of(page).playing
    page.button(key="mlp_play").click().run()
    assert not run_of(page).playing


@pytest.mark.parametrize("widget, key, value, check", [
    ("selectbox", "mlp_w_activation", "relu", lambda r: r.trainer.net.spec["layers"][0]["activation"] == "relu"),
    ("selectbox", "mlp_w_optimizer", "adam", lambda r: r.trainer.optimizer == "adam"),
    ("selectbox", "mlp_w_regularization", "l1", lambda r: r.settings.regularization == "l1"),
    ("selectbox", "mlp_w_loss", "cross_entropy", lambda r: r.trainer.net.loss == "binary_crossentropy"),
    ("select_slider", "mlp_w_lr", 0.3, lambda r: r.trainer.lr == 0.3),
    ("select_slider", "mlp_w_clip", 1.0, lambda r: r.trainer.clip_norm == 1.0),
    ("slider", "mlp_w_noise", 30, lambda r: r.settings.noise == 30),
    ("slider", "mlp_w_train_pct", 80, lambda r: len(r.train_xy) == 400),
    ("slider", "mlp_w_batch", 25, lambda r: r.trainer.batch_size == 25),
    ("number_input", "mlp_w_seed", 7, lambda r: r.settings.seed == 7),
    ("number_input", "mlp_w_layers", 3, lambda r: len(r.trainer.net.param_layers) == 4),
    ("number_input", "mlp_w_hidden_0", 7, lambda r: r.trainer.net.params["0.W"].shape == (2, 7)),
    ("toggle", "mlp_w_show_test", True, lambda r: r.settings.show_test),
    ("toggle", "mlp_w_discretize", True, lambda r: r.settings.discretize),
    ("selectbox", "mlp_w_speed", 5.0, lambda r: r.settings.speed == 5.0),
    ("radio", "mlp_w_init", "uniform", lambda r: r.trainer.net.spec["init"] == "uniform"),
    ("toggle", "mlp_w_present", True, lambda r: r.settings.present),
])
def test_each_control_changes_the_settings(page, widget, key, value, check):
    getattr(page, widget)(key=key).set_value(value).run()
    assert not page.exception, [e.value for e in page.exception]
    assert check(run_of(page))


def test_features_and_problem_type(page):
    page.pills(key="mlp_w_features").set_value(["x1", "x2", "x1_sq"]).run()
    assert run_of(page).trainer.net.input_shape == (3,)
    page.button_group(key="mlp_w_problem").set_value("regression").run()
    run = run_of(page)
    assert run.settings.dataset == "reg_plane" and run.trainer.net.loss == "mse" and not run.snap.classification
    assert "Test accuracy" not in [m.label for m in page.metric]       # no accuracy for a regression


def test_settings_go_into_the_link(page):
    page.select_slider(key="mlp_w_lr").set_value(0.1).run()
    page.number_input(key="mlp_w_layers").set_value(1).run()
    assert page.query_params["lr"] == "0.1" and page.query_params["net"] == "4"


def test_gradient_clipping_is_in_the_link_and_off_by_default():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params["clip"] = "0.3"
    at.run()
    assert run_of(at).trainer.clip_norm == 0.3
    at.select_slider(key="mlp_w_clip").set_value(0.0).run()
    assert run_of(at).trainer.clip_norm is None and "clip" not in at.query_params
    at.select_slider(key="mlp_w_clip").set_value(3.0).run()
    assert at.query_params["clip"] == "3"


def test_a_link_restores_settings_and_reports_bad_values():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"data": "spiral", "net": "8,8,8", "act": "relu", "noise": "99", "lr": "banana"})
    at.run()
    assert not at.exception
    s = run_of(at).settings
    assert (s.dataset, s.hidden, s.activation, s.noise, s.lr) == ("spiral", (8, 8, 8), "relu", 50, 0.03)
    warnings = " ".join(w.value for w in at.warning)
    assert "noise=99" in warnings and "banana" in warnings
    # the address bar now shows the link the page uses: repaired values, nothing it ignored
    assert {k: at.query_params[k] for k in at.query_params} == {"data": "spiral", "net": "8,8,8", "act": "relu",
                                                               "noise": "50"}


def test_divergence_shows_a_message_and_reset(page):
    page.selectbox(key="mlp_w_activation").set_value("relu").run()
    page.select_slider(key="mlp_w_lr").set_value(10.0).run()
    page.button_group(key="mlp_w_problem").set_value("regression").run()
    for _ in range(20):
        page.button(key="mlp_step").click().run()
        if run_of(page).snap.diverged:
            break
    assert run_of(page).snap.diverged
    assert any("diverged" in e.value for e in page.error)
    page.button(key="mlp_reset_diverged").click().run()
    assert not run_of(page).snap.diverged and not page.error


def test_per_layer_settings_survive_other_changes(page):
    """A change anywhere keeps the hidden layers, and a layer set "as all" follows the global activation."""
    page.selectbox(key="mlp_w_layer_acts_0").set_value("relu").run()
    assert run_of(page).settings.layer_acts == ("relu", "")
    page.selectbox(key="mlp_w_activation").set_value("relu").run()
    assert run_of(page).settings.layer_acts == ()               # every layer as all: nothing per layer
    page.select_slider(key="mlp_w_lr").set_value(0.1).run()
    assert run_of(page).settings.hidden == (4, 2)
    page.selectbox(key="mlp_w_activation").set_value("sigmoid").run()
    s = run_of(page).settings
    assert s.hidden == (4, 2) and [s.layer_activation(i) for i in range(2)] == ["sigmoid", "sigmoid"]


def test_presenter_mode_hides_what_the_teacher_picked_and_locks_it():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"present": "1", "hide": "network,features,training"})
    at.run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert not any(label.startswith("Network details") for label in labels), labels
    assert not at.pills and "Learning rate" not in [s.label for s in at.select_slider]
    from ui.mlp.views import allowed_clicks
    assert allowed_clicks(at.session_state["mlp_run"].settings, True) == ["plot_click", "edit"]


def test_a_control_change_says_nothing_when_nothing_had_to_change(page):
    """Every layer "as all" and no dropout is what the settings keep as empty lists: writing them so
    is no change worth a notice (each change of a control said two, pushing the network down)."""
    page.select_slider(key="mlp_w_lr").set_value(0.1).run()
    page.toggle(key="mlp_w_discretize").set_value(True).run()
    assert not page.warning, [w.value for w in page.warning]
    page.selectbox(key="mlp_w_layer_acts_1").set_value("relu").run()
    assert run_of(page).settings.layer_acts == ("", "relu") and not page.warning



def test_a_link_with_points_trains_on_them_and_keeps_them():
    from ui.mlp import points
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    text = points.encode(None, [(1.0, 1.0, -1.0), (2.0, -3.0, 1.0)], 2)
    at.query_params.update({"data": "xor", "pts": text})
    at.run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    run = run_of(at)
    assert run.added == [(1.0, 1.0, -1.0), (2.0, -3.0, 1.0)] and len(run.train_xy) == 252
    at.select_slider(key="mlp_w_lr").set_value(0.1).run()
    assert at.query_params["pts"] == text and at.query_params["lr"] == "0.1"
    at.button(key="mlp_step").click().run()
    assert run_of(at).added and at.query_params["pts"] == text


def test_a_link_with_bad_points_says_so_and_uses_the_data_set():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"pts": "a<script>alert(1)</script>"})
    at.run()
    assert not at.exception
    assert any("points (pts) were ignored" in w.value.replace("\u2060", "").replace("\\", "") for w in at.warning), \
        [w.value for w in at.warning]
    assert not run_of(at).custom and "pts" not in at.query_params


WIDGETS = ("button", "download_button", "toggle", "slider", "select_slider", "selectbox", "number_input", "radio",
           "button_group", "multiselect", "checkbox", "text_input")


@pytest.mark.parametrize("query", [{}, {"present": "1"}, {"problem": "regression"}, {"data": "spiral3"}])
def test_every_control_says_what_it_does(query):
    """Each widget on the page, the sidebar's included, has a help text (the '?' beside it)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update(query)
    at.run()
    at.session_state["mlp_add_mode"] = "value" if query.get("problem") else "off"
    at.run()
    missing = [f"{kind} {getattr(w, 'label', '')!r}" for kind in WIDGETS for w in at.get(kind)
               if not getattr(w, "help", None)]
    assert not missing, missing


def test_batch_norm_for_all_layers_and_per_layer_in_the_spec_and_the_link(page):
    page.number_input(key="mlp_w_layers").set_value(3).run()
    page.toggle(key="mlp_w_batchnorm").set_value(True).run()
    run = run_of(page)
    kinds = [(l["type"], l["activation"]) for l in run.trainer.net.spec["layers"]]
    assert kinds == [("dense", "linear"), ("batchnorm", "tanh")] * 3 + [("dense", "tanh")]
    assert page.query_params["bn"] == "1" and "0.moving_mean" not in run.snap.state
    assert set(run.snap.state) == {f"{i}.{n}" for i in (1, 3, 5) for n in ("moving_mean", "moving_variance")}
    page.selectbox(key="mlp_w_layer_bn_1").set_value("off").run()          # one layer's own (Network details)
    run = run_of(page)
    assert [l["type"] for l in run.trainer.net.spec["layers"]] == ["dense", "batchnorm", "dense", "dense",
                                                                   "batchnorm", "dense"]
    assert page.query_params["bns"] == ",off,"
    page.button(key="mlp_step").click().run()
    assert not page.exception and page.metric[0].value == "1"
    frame_layers = run.frame(run.snap, interactive=True)["layers"]           # the canvas marks them
    assert [l["batchnorm"] for l in frame_layers] == [True, False, True, False]
    assert frame_layers[0]["activation"] == "tanh"
    saved = json.loads(run.weights_json())                                    # the downloads carry the statistics
    assert saved["state"]["1.moving_variance"] == run.snap.state["1.moving_variance"].tolist()
    assert "state:1.moving_mean" in np.load(io.BytesIO(model_file.write(run, "mlp")))
    picture = run.picture_views()["network"].render(run.snap, 800)             # slides: the normalised maps
    assert picture.size[0] == 800


def test_batch_norm_needs_two_points_a_batch():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"batch": "1", "bn": "1"})
    at.run()
    assert run_of(at).settings.batch == 2 and run_of(at).trainer.batch_size == 2
    assert any("at least 2 points a batch" in w.value for w in at.warning)


def test_the_deep_sigmoid_preset_and_one_click_of_batch_norm(page):
    page.selectbox(key="mlp_w_preset").set_value("deep_sigmoid").run()
    s = run_of(page).settings
    assert (s.hidden, s.activation, s.optimizer, s.lr, s.batch, s.dataset) == ((8,) * 6, "sigmoid", "sgd", 0.03,
                                                                                 10, "circle")
    assert page.query_params["net"] == "8,8,8,8,8,8" and page.query_params["act"] == "sigmoid"
    page.toggle(key="mlp_w_batchnorm").set_value(True).run()
    assert page.selectbox(key="mlp_w_preset").value == "deep_sigmoid"       # still the preset, with batch norm
    assert sum(l["type"] == "batchnorm" for l in run_of(page).trainer.net.spec["layers"]) == 6
    page.selectbox(key="mlp_w_preset").set_value("playground").run()
    assert run_of(page).settings.hidden == (4, 2) and run_of(page).settings.batchnorm


def test_the_numbers_of_one_point_with_batch_norm():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"bn": "1"})
    at.run()
    run = run_of(at)
    run.advance(50)
    p = run.point_pass(run.train_xy[0], run.train_labels[0])
    first = p["layers"][0]
    assert first["dz"] is None and first["dW"] is None
    np.testing.assert_allclose(first["a"], np.tanh(first["n"]), atol=1e-5)
    out = run.trainer.net.forward(featurize(run.train_xy[:1], run.settings.features))
    assert p["loss"] == pytest.approx((float(out[0, 0]) - run.train_labels[0]) ** 2, rel=1e-5)
