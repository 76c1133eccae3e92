"""The Transfer comparison without Streamlit: settings and links, the base (the user's network, or one
trained for a link), the two networks on the same examples, frozen layers, and the words."""
import json
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from ui.cnn import transfer
from ui.cnn.data import PAGE_IMAGES, few_per_class
from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings
from ui.url import decode, encode

SMALL = {"dataset": "digits04", "filters": (2, 4), "kernels": (3, 3), "batch": 16}


def small(**values):
    return CnnSettings.from_values({**SMALL, **values}).normalise()


def test_digit_halves_are_the_mnist_split_with_labels_from_zero():
    x, y, xt, yt = PAGE_IMAGES["digits59"].load()
    mx, my, mxt, myt = PAGE_IMAGES["mnist"].load()
    assert len(x) == (my >= 5).sum() and len(xt) == (myt >= 5).sum()
    assert set(np.unique(y)) == set(range(5)) and PAGE_IMAGES["digits59"].facts().class_names == tuple("56789")
    np.testing.assert_array_equal(x[0], mx[my >= 5][0])


def test_few_per_class_draws_n_of_each_class_by_seed():
    y = np.repeat(np.arange(5), 40)
    rows = few_per_class(y, 5, seed=3)
    assert np.bincount(y[rows]).tolist() == [5] * 5
    np.testing.assert_array_equal(rows, few_per_class(y, 5, seed=3))
    assert not np.array_equal(rows, few_per_class(y, 5, seed=4))


def test_a_link_with_a_second_task_starts_from_digits_0_4_with_its_defaults():
    s, notices = decode({"tl": "digits59"}, CnnSettings)
    assert (s.dataset, s.transfer, s.filters, s.lr, s.shots, s.reuse) == ("digits04", "digits59", (8, 16, 16), 0.003,
                                                                          5, "fine")
    assert encode(s) == {"data": "digits04", "tl": "digits59"} and not notices
    s, notices = decode({"tl": "digits59", "tn": "7", "reuse": "melted"}, CnnSettings)
    assert s.shots in (5, 10) and s.reuse == "fine" and len(notices) == 2


def test_picking_a_second_task_or_another_data_set_keeps_the_settings_consistent():
    mnist = CnnSettings()
    picked = replace(mnist, transfer="bars").after_change(mnist).normalise()       # as a widget sends it
    assert picked.dataset == "digits04" and picked.transfer == "bars"
    assert "reuses a network trained on digits 0-4" in " ".join(replace(mnist, transfer="bars").change_notes(mnist))
    back = replace(picked, dataset="mnist").after_change(picked).normalise()
    assert back.transfer == "off" and back.filters == (8, 16)      # MNIST's own network again


def test_the_second_task_network_has_its_classes_and_frozen_layers_only_when_frozen():
    s = small(transfer="bars")
    spec, base = s.spec(), s.base_spec()
    assert spec["input_shape"] == [1, 12, 12] and spec["layers"][-1]["units"] == 4
    assert base["input_shape"] == [1, 28, 28] and base["layers"][-1]["units"] == 5
    layers = transfer.reused_layers(base)
    assert layers == [0, 2]                                      # the two convolutions (pools have no weights)
    frozen = transfer.with_frozen(spec, layers)
    assert [layer.get("trainable", True) for layer in frozen["layers"]][:3] == [False, True, False]


def test_the_users_network_becomes_the_base_and_comes_back_after():
    run = CnnRun(small())
    run.advance(30)
    trained = {k: v.copy() for k, v in run.snap.params.items()}
    run.update(run.settings.with_(transfer="digits59"))
    assert run.built and run.base.yours and run.base.steps == 30
    reused, scratch = run.runs
    assert (reused.title, scratch.title) == ("Reused", "From scratch")
    np.testing.assert_array_equal(reused.snap.params["0.W"], trained["0.W"])      # the conv layers reused
    assert not np.array_equal(scratch.snap.params["0.W"], trained["0.W"])
    np.testing.assert_array_equal(reused.x, scratch.x)                            # the same examples
    assert len(reused.x) == 25 and np.bincount(reused.y).tolist() == [5] * 5
    run.playing = True
    for _ in range(20):
        run.train_slice(5)
    assert abs(reused.snap.step - scratch.snap.step) <= 5
    assert not np.array_equal(reused.snap.params["0.W"], trained["0.W"])         # fine-tuned: they learn
    run.update(run.settings.with_(transfer="off"))
    assert len(run.runs) == 1 and run.snap.step == 30                             # the first task as it was
    np.testing.assert_array_equal(run.snap.params["0.W"], trained["0.W"])


def test_frozen_reused_layers_keep_their_weights_while_the_head_learns():
    run = CnnRun(small())
    run.advance(20)
    run.update(run.settings.with_(transfer="digits59", reuse="frozen"))
    reused = run.runs[0]
    before = {k: v.copy() for k, v in reused.snap.params.items()}
    run.advance(15)
    np.testing.assert_array_equal(reused.snap.params["0.W"], before["0.W"])
    np.testing.assert_array_equal(reused.snap.params["2.W"], before["2.W"])
    last = max(int(k.split(".")[0]) for k in before)
    assert not np.array_equal(reused.snap.params[f"{last}.W"], before[f"{last}.W"])


def test_a_link_waits_for_a_base_trained_once_per_process():
    run = CnnRun(small(transfer="digits59", seed=11), build=False)
    run.ensure_built()
    assert run.needs_base and not run.built
    seen = []
    run.train_base(lambda done, steps: seen.append((done, steps)))
    assert run.built and not run.base.yours and seen[-1] == (transfer.BASE_STEPS, transfer.BASE_STEPS)
    assert run.base.test_acc > 0.8
    again = CnnRun(small(transfer="digits59", seed=11), build=False)
    again.ensure_built()
    assert again.built and again.base is run.base                  # the same settings: no second training
    other = CnnRun(small(transfer="digits59", seed=12), build=False)
    other.ensure_built()
    assert other.needs_base


def _snap(steps, accs):
    return SimpleNamespace(history={"evals": {"step": np.asarray(steps, float), "test_acc": np.asarray(accs, float)}})


def test_the_words_name_the_gap_and_how_much_sooner():
    steps = [0, 10, 20, 30, 40, 50]
    reused = _snap(steps, [0.2, 0.6, 0.75, 0.8, 0.81, 0.82])
    scratch = _snap(steps, [0.2, 0.4, 0.5, 0.6, 0.68, 0.75])
    words = transfer.comparison_words(reused, scratch, 5.0, 5.0, "fine", 5, 5)
    assert "After 50 steps" in words and "**81 %**" in words and "**68 %**" in words     # the last 3 averaged
    assert "**13 points** for the reused layers" in words
    assert "got to 68 % at step 20" in words and "from scratch at step 40" in words and "2.0 times as many steps" in words


def test_the_words_say_no_clear_benefit_and_when_transfer_hurts():
    steps = [0, 10, 20]
    same = transfer.comparison_words(_snap(steps, [0.2, 0.7, 0.8]), _snap(steps, [0.2, 0.71, 0.79]), 1, 1, "frozen",
                                     10, 5)
    assert "No clear benefit here" in same and "frozen reused layers" in same
    worse = transfer.comparison_words(_snap(steps, [0.25, 0.3, 0.4]), _snap(steps, [0.25, 0.6, 0.8]), 1, 1, "fine",
                                      5, 4)
    assert "for the network from scratch" in worse and "hold it back" in worse
    start = transfer.comparison_words(_snap([0], [0.2]), _snap([0], [0.2]), 0, 0, "fine", 1, 5)
    assert start.startswith("Press Play") and "20 %" in start and "1 example per class" in start


def test_the_comparison_frame_is_small_json():
    run = CnnRun(small())
    run.advance(5)
    run.update(run.settings.with_(transfer="digits59"))
    run.advance(12)
    from viz.curves import compared_accuracy_chart
    chart = compared_accuracy_chart([r.snap for r in run.runs], ["Reused", "From scratch"])
    assert chart["xlabel"] == "Step" and [s["name"] for s in chart["series"]] == ["Reused", "From scratch"]
    assert len(json.dumps(chart)) < 2000


def test_a_comparison_saved_as_a_model_opens_again_even_where_no_base_was_trained():
    from ui import model_file
    run = CnnRun(small(transfer="digits59", reuse="frozen", seed=21), build=False)
    run.prepare()
    run.ensure_built()
    run.advance(20)
    data = model_file.write(run, "cnn")
    transfer._BASES.clear()                                    # a fresh process: no base for these settings
    model = model_file.read(data, "cnn", CnnSettings)
    back = model_file.restore(CnnRun, model)
    assert back.snap.step == 20 and [r.title for r in back.runs] == ["Reused", "From scratch"]
    np.testing.assert_array_equal(back.snap.params["0.W"], run.snap.params["0.W"])
    assert back.trainer.net.spec["layers"][0]["trainable"] is False
