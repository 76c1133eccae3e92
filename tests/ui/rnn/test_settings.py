"""The RNN page's settings: per-task defaults, the link round trip, consistency rules."""
from dataclasses import replace

import pytest

import engine
from engine.data import SEQUENCE_TASKS
from ui.rnn.settings import FIELDS, TASK_DEFAULTS, TASKS, RnnSettings
from ui.url import decode, encode, settle


def test_defaults_make_an_empty_link():
    assert encode(RnnSettings()) == {}
    assert decode({}, RnnSettings) == (RnnSettings(), [])


@pytest.mark.parametrize("task", TASKS)
def test_a_task_link_names_only_the_task(task):
    s = RnnSettings.for_task(task)
    assert encode(s) == ({} if task == RnnSettings.task else {"task": task})
    assert decode(encode(s), RnnSettings)[0] == s
    for name, value in TASK_DEFAULTS[task].items():
        assert getattr(s, name) == value


def test_every_field_round_trips_compare_mode_included():
    s = RnnSettings.for_task("delayed_recall", delay=100, compare="rnn", cell="lstm", units=24, layers=2,
                             lr=0.01, clip=0.0, batch=64, seed=42, optimizer="sgd", present=True,
                             hide=("network", "curves"))
    query = encode(s)
    assert query["vs"] == "rnn" and query["delay"] == "100" and query["clip"] == "0"
    assert decode(query, RnnSettings) == (s, [])
    text = RnnSettings.for_task("text", text="zen", temperature=1.3, length=32)
    assert decode(encode(text), RnnSettings) == (text, [])


def test_a_field_equal_to_its_task_default_is_left_out():
    s = RnnSettings.for_task("text")
    assert "units" not in encode(s) and encode(replace(s, units=8))["units"] == "8"
    assert encode(RnnSettings.for_task("waves", units=64))["units"] == "64"     # 64 is text's default, not waves'


def test_bad_links_are_clamped_or_ignored_with_notices():
    s, notices = decode({"task": "text", "len": "500", "units": "0", "vs": "transformer", "temp": "9"}, RnnSettings)
    assert s.task == "text" and s.length == 128 and s.units == 1 and s.compare == "off" and s.temperature == 2.0
    assert len(notices) == 5, notices


def test_compare_with_the_same_cell_is_off():
    s, notices = decode({"cell": "gru", "vs": "gru"}, RnnSettings)
    assert s.compare == "off" and s.cells == ("gru",) and notices
    assert RnnSettings(compare="rnn").cells == ("lstm", "rnn")


def test_the_spec_fits_the_task_and_its_data():
    recall = RnnSettings.for_task("delayed_recall", delay=30, layers=2)
    spec = recall.cell_spec("gru")
    assert spec["input_shape"] == [31, 8] and spec["loss"] == "softmax_crossentropy"
    assert spec["layers"][0]["type"] == "gru" and spec["layers"][-1]["units"] == 4
    assert [l["return_sequences"] for l in spec["layers"][:2]] == [True, False]
    text = RnnSettings.for_task("text")
    assert text.spec()["layers"][0]["return_sequences"] and text.spec()["layers"][0]["type"] == "lstm"
    assert RnnSettings().cell_spec("rnn")["loss"] == "mse"
    for task in ("waves", "delayed_recall", "text", "parity", "adding"):
        s = RnnSettings.for_task(task)
        x, y, _, _ = SEQUENCE_TASKS[task].load(seed=0, **dict(s.task_params(), n=100, n_test=50))
        assert s.spec()["input_shape"] == list(x.shape[1:]), task
        net = engine.build(s.spec())
        engine.Trainer(net, train=(x, y))                      # the labels fit the outputs


def test_only_network_and_data_fields_reset_the_run():
    resets = {name for name, f in FIELDS.items() if f.resets}
    assert {"task", "cell", "units", "compare", "seed", "delay"} <= resets
    assert not {"lr", "clip", "batch", "optimizer", "temperature", "present"} & resets
    assert RnnSettings().trainer_options()["clip_norm"] == 1.0 and RnnSettings(clip=0.0).trainer_options()["clip_norm"] is None


def test_picking_the_compared_cell_as_the_cell_swaps_the_two():
    """Choosing RNN as the cell while comparing with RNN used to turn compare mode off."""
    before = RnnSettings.for_task("delayed_recall", delay=100, compare="rnn")          # LSTM against RNN
    after, notices = settle(replace(before, cell="rnn"), before)
    assert (after.cell, after.compare) == ("rnn", "lstm")
    assert len(notices) == 1 and "swapped" in notices[0] and "RNN" in notices[0] and "LSTM" in notices[0]
    assert "does not fit" not in notices[0]                                           # the page's words


def test_comparing_the_cell_with_itself_keeps_the_comparison():
    before = RnnSettings(compare="gru")                                               # LSTM against GRU
    after, notices = settle(replace(before, compare="lstm"), before)
    assert (after.cell, after.compare) == ("lstm", "gru")
    assert notices == ["LSTM is the cell already: compare it with one of the other cells (comparing a cell with "
                       "itself would show the same network twice)."]
    alone = RnnSettings()
    assert settle(replace(alone, compare="lstm"), alone)[0].compare == "off"


def test_a_new_task_keeps_the_comparison_and_the_presenters_look():
    """A new task brings its cell (LSTM): a comparison of RNN against LSTM stays a comparison, and the
    projector's size, contrast and the log scale stay as the teacher set them."""
    before = RnnSettings(cell="rnn", compare="lstm", present=True, zoom=1.75, contrast=True, loss_log=True)
    after, notices = settle(replace(before, task="parity"), before)
    assert (after.task, after.cell, after.compare) == ("parity", "lstm", "rnn") and not notices
    assert (after.present, after.zoom, after.contrast, after.loss_log) == (True, 1.75, True, True)


def test_every_control_has_help():
    missing = [name for name, f in FIELDS.items() if f.widget and not f.help]
    assert not missing, missing


def test_the_log_scale_of_the_loss_is_in_the_link():
    s = RnnSettings(loss_log=True)
    assert encode(s) == {"logloss": "1"} and decode(encode(s), RnnSettings) == (s, [])
    assert "loss_log" not in {name for name, f in FIELDS.items() if f.resets}


def test_each_task_says_its_input_target_and_chance():
    """The tasks had only their name as a caption."""
    from ui.rnn.explain import task_caption
    captions = {task: task_caption(RnnSettings.for_task(task)) for task in TASKS}
    assert all("**Input:**" in c and "**Target:**" in c for c in captions.values())
    assert "Chance is 25 %" in captions["delayed_recall"] and "Chance is 50 %" in captions["parity"]
    assert "Chance is 1 in 69" in captions["text"] and "right 19 % of the time" in captions["text"]
    assert "1 in 45" in task_caption(RnnSettings.for_task("text", text="zen"))
    assert "about 0.64" in task_caption(RnnSettings(wave="square")) and "about 0.17" in captions["adding"]
