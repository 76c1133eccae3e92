"""The CNN page's controls through Streamlit's AppTest (fragments with run_every do not tick here)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import engine
from ui.cnn.settings import CnnSettings

TIMEOUT = 180
APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    """The page waits for the engine's conv kernels; compile them here, not in a page run."""
    engine.warm_up(families=engine.families(CnnSettings().spec()))


def open_page(query=None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/cnn.py")
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_of(at):
    return at.session_state["cnn_run"]


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_page_loads_with_the_default_cnn():
    at = open_page()
    assert [m.label for m in at.metric][:5] == ["Epoch", "Step", "Train loss", "Test loss", "Test accuracy"]
    assert metric(at, "Epoch") == "0" and metric(at, "Step") == "0"
    kinds = [kind for _, kind, _, _ in run_of(at).snap.layers]
    assert kinds == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense"]


def test_step_trains_one_epoch_and_reset_returns():
    at = open_page({"data": "bars"})
    w = run_of(at).trainer.net.flat.copy()
    at.button(key="cnn_step").click().run()
    assert metric(at, "Epoch") == "1" and metric(at, "Step") == str(2000 // 32 + 1)
    at.button(key="cnn_reset").click().run()
    assert metric(at, "Epoch") == "0" and (run_of(at).trainer.net.flat == w).all()


def test_a_preset_changes_the_network_and_the_link():
    at = open_page()
    at.selectbox(key="cnn_w_preset").select("lenet").run()
    s = run_of(at).settings
    assert s.filters == (6, 16) and s.kernels == (5, 5) and s.dense == 120
    assert at.query_params["dense"] == "120"
    assert [kind for _, kind, _, _ in run_of(at).snap.layers].count("dense") == 2


def test_editing_a_block_makes_the_preset_custom():
    at = open_page()
    at.number_input(key="cnn_w_filters_0").set_value(4).run()
    assert run_of(at).settings.filters == (4, 16)
    assert at.selectbox(key="cnn_w_preset").value == "custom"
    at.number_input(key="cnn_w_blocks").set_value(3).run()
    assert len(run_of(at).settings.filters) == 3


def test_training_settings_apply_without_a_reset():
    at = open_page()
    at.button(key="cnn_step").click().run()
    at.selectbox(key="cnn_w_optimizer").select("sgd").run()
    assert run_of(at).trainer.optimizer == "sgd" and metric(at, "Epoch") == "1"


def test_a_link_restores_the_setup():
    at = open_page({"data": "bars", "filters": "4,8", "kernels": "5,3", "pools": "avg,none", "opt": "sgd",
                    "lr": "0.01", "seed": "7"})
    s = run_of(at).settings
    assert (s.dataset, s.filters, s.kernels, s.pools, s.optimizer, s.lr, s.seed) == \
        ("bars", (4, 8), (5, 3), ("avg", "none"), "sgd", 0.01, 7)
    assert run_of(at).trainer.net.input_shape == (1, 12, 12)


def test_bad_link_values_show_notices_not_errors():
    at = open_page({"filters": "99,x", "kernels": "9", "data": "cats"})
    text = " ".join(w.value for w in at.warning)
    assert "data" in text and "filters" in text
    assert run_of(at).settings.dataset == "mnist"


def test_play_and_pause_flip_the_state():
    at = open_page({"data": "bars"})
    at.button(key="cnn_play").click().run()
    assert run_of(at).playing
    at.button(key="cnn_play").click().run()
    assert not run_of(at).playing


def shown_parts(at):
    labels = {w.label for w in at.selectbox} | {e.proto.label for e in at.get("download_button")}
    return {"Optimizer", "Network", "Weights (.npz)"} & labels, any(h.value == "Your own digit" for h in at.header)


def test_presenter_mode_hides_what_the_teacher_picked():
    assert shown_parts(open_page()) == ({"Optimizer", "Network", "Weights (.npz)"}, True)
    at = open_page({"present": "1", "hide": "network,training,digit,downloads"})
    assert shown_parts(at) == (set(), False)
    assert any(e.label == "Presenter mode" for e in at.expander)


def test_the_kernel_gradient_switch_is_in_the_link():
    at = open_page({"data": "bars"})
    at.toggle(key="cnn_w_kernel_grads").set_value(True).run()
    assert run_of(at).settings.kernel_grads and at.query_params["kgrad"] == "1"


def test_the_home_page_links_to_the_cnn_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("Convolutional network" == h.value for h in at.header)


def test_rewind_shows_an_earlier_epoch_and_play_continues_from_it():
    at = open_page({"data": "bars"})
    for _ in range(3):
        at.button(key="cnn_step").click().run()
    run = run_of(at)
    run.rewind_to(1)
    at.run()
    assert metric(at, "Epoch") == "1" and "Showing epoch 1 of 3" in " ".join(i.value for i in at.info)
    at.button(key="cnn_play").click().run()
    assert run.rewound is None and run.playing          # the run went on from there (tests/ui/core: rewind)
    at.button(key="cnn_play").click().run()


def test_a_block_edit_that_would_shrink_a_map_below_one_pixel_is_refused_by_name():
    at = open_page({"filters": "8,16,16", "kernels": "3,3,3", "pad": "same,same,valid"})
    assert len(run_of(at).settings.filters) == 3
    at.selectbox(key="cnn_w_kernels_2").select(7).run()          # 7 x 7 maps -> 1 x 1, and then a 2 x 2 pool
    s = run_of(at).settings
    assert s.kernels == (3, 3, 3) and len(s.filters) == 3         # block 3 and its settings stay
    words = [w.value for w in at.warning]
    assert any("Block 3 would shrink its maps below 1 × 1" in w for w in words), words
    assert at.selectbox(key="cnn_w_kernels_2").value == 3         # the widget shows what the run uses


def test_a_link_whose_blocks_do_not_fit_says_which_and_why():
    at = open_page({"kernels": "7,7,7", "pad": "valid,valid,valid", "strides": "2,2,2"})
    assert len(run_of(at).settings.filters) == 1
    words = [w.value for w in at.warning]
    assert any("Blocks 2 and 3 removed" in w and "5×5 maps" in w for w in words), words      # shown as plain text


def test_a_bad_filters_item_keeps_the_good_one():
    at = open_page({"filters": "999,abc"})
    assert run_of(at).settings.filters == (16, 8)


def test_the_dense_help_counts_the_outputs_of_the_data():
    assert "10 outputs" in open_page().number_input(key="cnn_w_dense").help
    assert "4 outputs" in open_page({"data": "bars"}).number_input(key="cnn_w_dense").help


def test_every_control_has_help():
    at = open_page()
    widgets = list(at.selectbox) + list(at.number_input) + list(at.slider) + list(at.select_slider) + list(at.toggle)
    missing = [w.label for w in widgets if not w.help and (w.key or "").startswith("cnn_w_")]     # the settings'
    assert not missing, missing


def test_gradient_clipping_is_a_training_control_in_the_link():
    at = open_page({"data": "bars", "clip": "1"})
    assert run_of(at).trainer.clip_norm == 1.0
    at.select_slider(key="cnn_w_clip").set_value(0.1).run()
    assert run_of(at).trainer.clip_norm == 0.1 and at.query_params["clip"] == "0.1"
    assert at.select_slider(key="cnn_w_clip").help
    at.select_slider(key="cnn_w_clip").set_value(0.0).run()
    assert run_of(at).trainer.clip_norm is None and "clip" not in at.query_params


def test_batch_norm_per_conv_block_in_the_editor_and_the_link():
    at = open_page({"data": "bars", "bn": "on"})
    run = run_of(at)
    assert run.settings.norms == ("on", "off")                                  # one block named; the other off
    assert [l["type"] for l in run.trainer.net.spec["layers"]][:3] == ["conv2d", "batchnorm", "maxpool2d"]
    assert run.trainer.net.spec["layers"][0]["activation"] == "linear"          # the activation after the norm
    at.selectbox(key="cnn_w_norms_1").set_value("on").run()                     # the block editor
    run = run_of(at)
    assert run.settings.norms == ("on", "on") and at.query_params["bn"] == "on,on"
    assert sorted(run.snap.state) == ["1.moving_mean", "1.moving_variance", "4.moving_mean", "4.moving_variance"]
    at.button(key="cnn_step").click().run()
    assert not at.exception and metric(at, "Epoch") == "1"
    titles = [c["title"] for c in run_of(at).frame(run_of(at).snap)["overview"]["columns"]]
    assert titles == ["input", "conv", "BN relu", "max pool", "conv", "BN relu", "max pool"]
    at.selectbox(key="cnn_w_preset").select("lenet").run()                      # a preset keeps the norms
    assert run_of(at).settings.norms == ("on", "on") and run_of(at).settings.kernels == (5, 5)
