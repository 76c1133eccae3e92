"""The RNN page's controls through Streamlit's AppTest (fragments with run_every do not tick here)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import warm_up

TIMEOUT = 120
APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up(families=("dense", "recurrent"))


def open_page(query=None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.switch_page("app_pages/rnn.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def page():
    return open_page()


def run_of(at):
    return at.session_state["rnn_run"]


def metrics(at):
    return [(m.label, m.value) for m in at.metric]


def metric(at, label, row=0):
    return [value for name, value in metrics(at) if name == label][row]


def test_page_loads_with_the_waves_task(page):
    assert metric(page, "Epoch") == "0" and metric(page, "Step") == "0"
    assert [name for name, _ in metrics(page)] == ["Epoch", "Step", "Train loss", "Test loss"]   # regression
    assert run_of(page).trainer.net.spec["layers"][0]["type"] == "lstm"


def test_step_trains_one_epoch_and_reset_restarts(page):
    start = run_of(page).trainer.net.flat.copy()
    page.button(key="rnn_step").click().run()
    assert metric(page, "Epoch") == "1" and int(metric(page, "Step")) == run_of(page).trainer.steps_per_epoch
    page.button(key="rnn_reset").click().run()
    assert metric(page, "Epoch") == "0" and (run_of(page).trainer.net.flat == start).all()


def test_play_and_pause_flip_the_state(page):
    page.button(key="rnn_play").click().run()
    assert run_of(page).playing
    page.button(key="rnn_play").click().run()
    assert not run_of(page).playing


def test_a_classification_task_shows_test_accuracy_and_its_defaults(page):
    page.selectbox(key="rnn_w_task").select("delayed_recall").run()
    assert metric(page, "Test accuracy").endswith("%")
    run = run_of(page)
    assert run.settings.units == 16 and run.trainer.net.input_shape == (21, 8)
    assert page.query_params["task"] == "delayed_recall" and "units" not in page.query_params
    page.slider(key="rnn_w_delay").set_value(50).run()
    assert run_of(page).trainer.net.input_shape == (51, 8) and page.query_params["delay"] == "50"


@pytest.mark.parametrize("widget, key, value, check", [
    ("segmented_control", "rnn_w_cell", "gru", lambda r: r.trainer.net.spec["layers"][0]["type"] == "gru"),
    ("slider", "rnn_w_units", 5, lambda r: r.trainer.net.params["0.Wh"].shape == (5, 20)),
    ("slider", "rnn_w_layers", 2, lambda r: len(r.trainer.net.param_layers) == 3),
    ("selectbox", "rnn_w_optimizer", "sgd", lambda r: r.trainer.optimizer == "sgd"),
    ("select_slider", "rnn_w_lr", 0.001, lambda r: r.trainer.lr == 0.001),
    ("select_slider", "rnn_w_clip", 0.0, lambda r: r.trainer.clip_norm is None),
    ("number_input", "rnn_w_batch", 8, lambda r: r.trainer.batch_size == 8),
    ("number_input", "rnn_w_seed", 9, lambda r: r.settings.seed == 9),
    ("slider", "rnn_w_noise", 20, lambda r: r.settings.noise == 20),
    ("slider", "rnn_w_length", 25, lambda r: r.trainer.net.input_shape == (25, 1)),
    ("segmented_control", "rnn_w_wave", "square", lambda r: r.settings.wave == "square"),
    ("toggle", "rnn_w_present", True, lambda r: r.settings.present),
])
def test_each_control_reaches_the_run_and_the_link(page, widget, key, value, check):
    getattr(page, widget)(key=key).set_value(value).run()
    assert not page.exception, [e.value for e in page.exception]
    assert check(run_of(page))
    assert page.query_params, "the link should name the changed setting"


def test_compare_mode_shows_two_rows_of_metrics_and_steps_both(page):
    page.selectbox(key="rnn_w_compare").select("rnn").run()
    assert page.query_params["vs"] == "rnn"
    assert [name for name, _ in metrics(page)].count("Step") == 2
    page.button(key="rnn_step").click().run()
    assert metric(page, "Epoch", 0) == metric(page, "Epoch", 1) == "1"
    assert run_of(page).partners[0].trainer.net.spec["layers"][0]["type"] == "rnn"


def test_a_link_restores_the_setup_compare_mode_included():
    at = open_page({"task": "text", "text": "zen", "vs": "gru", "units": "12", "temp": "1.2", "lr": "0.01"})
    run = run_of(at)
    s = run.settings
    assert (s.task, s.text, s.compare, s.units, s.temperature, s.lr) == ("text", "zen", "gru", 12, 1.2, 0.01)
    assert run.partners[0].cell == "gru" and run.trainer.net.params["0.Wh"].shape == (12, 48)
    assert at.slider(key="rnn_w_temperature").value == 1.2
    assert at.selectbox(key="rnn_w_compare").value == "gru"
    texts = [m.value for m in at.markdown if "rnn-text" in m.value]
    assert len(texts) == 2                                     # one sample per cell


def test_temperature_changes_the_text_without_a_reset():
    at = open_page({"task": "text", "text": "zen", "units": "8"})
    at.button(key="rnn_step").click().run()
    before = [m.value for m in at.markdown if "rnn-text" in m.value]
    at.slider(key="rnn_w_temperature").set_value(1.5).run()
    after = [m.value for m in at.markdown if "rnn-text" in m.value]
    assert before and after and before != after
    assert metric(at, "Epoch") == "1"                         # the same run, trained on


def test_bad_link_values_show_a_notice():
    at = open_page({"delay": "5000", "cell": "transformer"})
    text = " ".join(w.value for w in at.warning)
    assert "delay" in text and "transformer" in text


def test_presenter_mode_hides_what_the_teacher_picks():
    at = open_page({"present": "1", "hide": "network,training"})
    assert not [s for s in at.slider if s.key == "rnn_w_units"]
    assert not [s for s in at.select_slider if s.key == "rnn_w_lr"]
    assert [s for s in at.selectbox if s.key == "rnn_w_task"]


def test_picking_the_compared_cell_keeps_compare_mode_and_says_so():
    at = open_page({"task": "delayed_recall", "vs": "rnn"})
    at.segmented_control(key="rnn_w_cell").set_value("rnn").run()
    run = run_of(at)
    assert (run.settings.cell, run.settings.compare) == ("rnn", "lstm") and run.partners[0].cell == "lstm"
    assert at.query_params["cell"] == "rnn" and at.query_params["vs"] == "lstm"
    assert at.selectbox(key="rnn_w_compare").value == "lstm"
    said = " ".join(w.value for w in at.warning)
    assert "RNN is now the cell" in said and "does not fit" not in said


def test_step_while_rewound_trains_on_from_the_epoch_shown_in_both_cells():
    at = open_page({"task": "parity", "units": "4", "vs": "gru"})
    for _ in range(3):
        at.button(key="rnn_step").click().run()
    at.select_slider(key="rnn_rewind").set_value(1).run()
    assert run_of(at).shown.epoch == 1 and run_of(at).snap.epoch == 3
    at.button(key="rnn_step").click().run()
    assert [m for name, m in metrics(at) if name == "Epoch"] == ["2", "2"]
    assert all(r.snap.epoch == 2 and not r.rewound for r in run_of(at).runs)


def look_closer(at):
    at.session_state["rnn_look_closer"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_text_task_looks_closer_with_a_confusion_matrix():
    at = open_page({"task": "text", "text": "zen", "units": "8", "len": "16"})
    at.button(key="rnn_step").click().run()
    at = look_closer(at)
    assert [t.label for t in at.tabs] == ["Timeline (rewind)", "Weights and gradients", "Confusion matrix"]
    assert "rnn_confusion_LSTM" in [c.key for c in at.get("plotly_chart")] or len(at.get("plotly_chart")) == 3


def test_compare_mode_looks_closer_at_both_cells():
    at = open_page({"task": "delayed_recall", "delay": "5", "vs": "rnn"})
    at.button(key="rnn_step").click().run()
    at = look_closer(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 6                       # a timeline, histograms and a confusion matrix for each cell
    titles = " ".join(str(c.proto.spec) for c in charts)
    for cell in ("lstm", "rnn"):
        assert f"{cell} 1: input weights Wx" in titles and f"{cell} 1: recurrent weights Wh" in titles
    names = [m.value for m in at.markdown]
    assert names.count("**LSTM**") == names.count("**RNN**") == 4     # its metrics, timeline, histograms, confusion


def test_the_loss_can_go_on_a_log_scale_from_its_toggle_and_the_link():
    at = open_page({"task": "parity", "units": "4"})
    at.toggle(key="rnn_w_loss_log").set_value(True).run()
    assert run_of(at).settings.loss_log and at.query_params["logloss"] == "1"
    assert open_page({"logloss": "1"}).toggle(key="rnn_w_loss_log").value
