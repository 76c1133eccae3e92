"""The RNN page's settings: per-task defaults, the link round trip, consistency rules."""
from dataclasses import replace

import pytest

import engine
from engine.data import SEQUENCE_TASKS
from ui.rnn.settings import FIELDS, TASK_DEFAULTS, TASKS, RnnSettings
from ui.url import decode, encode


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
