"""The paused MLP page's charts each have a 'Show ... as a table' toggle (issue 22: a text alternative
for every chart): off, nothing is computed; on, a table with the chart's numbers (the timeline's rows
are the run's history, the confusion table is run.confusion(), the histograms count every weight)."""
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import engine

APP = str(Path(__file__).resolve().parents[3] / "app.py")


def toggle(at, label):
    found = [t for t in at.toggle if t.label == label]
    assert found, (label, [t.label for t in at.toggle], [e.value for e in at.exception])
    return found[0]


def test_the_paused_mlp_pages_charts_show_their_numbers_as_tables():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"net": "4,4", "act": "tanh"})
    at.run()
    engine.warm_up(families=engine.families(at.session_state["mlp_run"].settings.spec()))
    at.run()                                                                  # the engine ready: the network built
    for _ in range(3):
        at.button(key="mlp_step").click().run()
    at.session_state["mlp_look_closer"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [t.label for t in at.toggle]
    for label in ("Show the timeline as a table", "Show the histograms as a table",
                  "Show the confusion matrix as a table", "Show the pre-activations as a table"):
        assert labels.count(label) == 1 and toggle(at, label).help, labels
    assert not at.dataframe and not at.table                                  # off: nothing made

    toggle(at, "Show the timeline as a table").set_value(True)
    toggle(at, "Show the confusion matrix as a table").set_value(True)
    toggle(at, "Show the histograms as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["mlp_run"]
    evals = run.snap.history["evals"]
    frames = [d.value for d in at.dataframe]
    timeline = next(f for f in frames if "epoch" in f.columns)
    np.testing.assert_array_equal(timeline["epoch"], evals["epoch"])
    np.testing.assert_allclose(timeline["test loss"], evals["test_loss"], rtol=1e-3)      # 4 significant digits
    assert all(len(f"{v:g}".lstrip("-0.").replace(".", "")) <= 4 for v in timeline["train loss"])
    assert list(timeline["epoch"])[-1] == 3
    hist = next(f for f in frames if "bin from" in f.columns)
    weights = hist[hist["of"] == "weights"]
    assert weights["count"].sum() == sum(v.size for k, v in run.shown.params.items() if k.endswith(".W"))
    confusion = at.table[0].value
    np.testing.assert_array_equal(confusion.filter(like="predicted").to_numpy(), run.confusion())

    toggle(at, "Show the pre-activations as a table").set_value(True)
    toggle(at, "Show the timeline as a table").set_value(False)
    at.run()
    frames = [d.value for d in at.dataframe]
    assert not any("epoch" in f.columns for f in frames)
    pre = next(f for f in frames if "flat" in f.columns)
    per_layer = pre.groupby("layer", sort=False)["count"].sum()
    assert list(per_layer.index) == ["layer 1", "layer 2", "output"]
    probe = min(256, len(run.trainer.x))                                      # every unit's value on the probe batch
    assert list(per_layer) == [4 * probe, 4 * probe, probe]


def paused_after_a_step(page):
    """``page`` on the bars data, its engine warm, paused after one Step."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params.update({"data": "bars"})
    at.run()
    engine.warm_up(families=engine.families(at.session_state[f"{page}_run"].settings.spec()))
    at.run()
    at.button(key=f"{page}_step").click().run()
    return at


def test_the_paused_autoencoder_page_shows_its_reconstruction_errors_as_a_table():
    at = paused_after_a_step("autoencoder")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.dataframe
    toggle(at, "Show the reconstruction errors as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["autoencoder_run"]
    frames = [d.value for d in at.dataframe]
    table = next((f for f in frames if "test images" in f.columns), None)
    assert table is not None, ([list(f.columns) for f in frames], [(t.label, t.value) for t in at.toggle])
    assert table["test images"].sum() == len(run.views(run.shown)["errors"]) == len(run.xt_flat)

    toggle(at, "Show the code plane as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    views = run.views(run.shown)
    plane = next(d.value for d in at.dataframe if "label" in d.value.columns)
    np.testing.assert_array_equal(plane["label"], views["labels"])
    np.testing.assert_allclose(plane.iloc[:, 2:].to_numpy(), views["points"], rtol=1e-3, atol=1e-6)


def test_the_paused_cnn_pages_confusion_matrix_shows_as_a_table():
    at = paused_after_a_step("cnn")
    assert not at.table
    toggle(at, "Show the confusion matrix as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["cnn_run"]
    table = at.table[0].value
    np.testing.assert_array_equal(table.filter(like="predicted").to_numpy(), run.shown.confusion)
    assert list(table.index) == [f"true {c}" for c in run.class_names]

    toggle(at, "Show the probabilities as a table").set_value(True)
    toggle(at, "Show the feature maps as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from viz import cnn
    snap, (image, _) = run.shown, run.probe()
    ov = cnn.overview(snap.layers, image, run.outputs_for(snap, image), run.class_names)   # what the canvas draws
    probs = next(t.value for t in at.table if "probability" in t.value.columns)
    assert list(probs.index) == [str(c) for c in run.class_names]
    np.testing.assert_allclose(probs["probability"], ov["probs"])
    maps = next(d.value for d in at.dataframe if "map" in d.value.columns)
    first = ov["columns"][1]
    rows = maps[maps["layer"] == f"1: {first['title']}"].filter(like="column").to_numpy(float)[:, :first["w"]]
    np.testing.assert_allclose(rows.reshape(first["c"], first["h"], first["w"]), cnn.map_values(first),
                               rtol=5e-3, atol=1e-9)     # 3 significant digits
    assert len(maps) == sum(c["c"] * c["h"] for c in ov["columns"][1:])


def test_the_paused_rnn_pages_hidden_unit_maps_show_as_a_table():
    at = AppTest.from_file(APP, default_timeout=240)
    at.switch_page("app_pages/rnn.py")
    at.run()
    engine.warm_up(families=engine.families(at.session_state["rnn_run"].settings.spec()))
    at.run()
    at.button(key="rnn_step").click().run()
    assert not at.dataframe
    toggle(at, "Show the hidden-unit maps as a table").set_value(True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    from viz import rnn
    run = at.session_state["rnn_run"]
    panel = rnn.heatmaps_panel(run.views(run.shown).trace, run.cell)
    table = next(d.value for d in at.dataframe if "unit" in d.value.columns)
    assert list(table["map"].unique()) == [m["title"] for m in panel["maps"]]
    first = panel["maps"][0]
    np.testing.assert_allclose(table[table["map"] == first["title"]].filter(like="step").to_numpy(float),
                               rnn.heatmap_values(first), atol=0.005)
