"""Every paused chart's table (issue 22, a text alternative for each chart): the same numbers as the
figure, with named columns and at most a few hundred rows."""
import numpy as np
import pytest

from viz import activations as A
from viz.charts import (HIST_BINS, confusion_figure, confusion_table, histogram_figure, histogram_table,
                        timeline_figure, timeline_table)


def evals(n, seed=0):
    rng = np.random.default_rng(seed)
    return {"epoch": np.arange(n) * 3, "train_loss": rng.random(n), "test_loss": rng.random(n),
            "train_acc": rng.random(n), "test_acc": rng.random(n)}


def test_the_timeline_table_is_the_history_with_named_columns():
    ev = evals(30)
    table = timeline_table(ev, classification=True)
    assert list(table.columns) == ["epoch", "train loss", "test loss", "train accuracy", "test accuracy"]
    np.testing.assert_array_equal(table["epoch"], ev["epoch"])
    for column, k in (("train loss", "train_loss"), ("test loss", "test_loss"), ("test accuracy", "test_acc")):
        np.testing.assert_array_equal(table[column], ev[k])
    fig = timeline_figure(ev, True)                                       # the figure draws the same points
    np.testing.assert_array_equal(fig.data[0].x, table["epoch"])
    np.testing.assert_array_equal(fig.data[1].y, table["test loss"])
    assert list(timeline_table(ev, classification=False).columns) == ["epoch", "train loss", "test loss"]


def test_a_long_timeline_is_thinned_keeping_the_ends_and_the_epoch_shown():
    ev = evals(5000, seed=1)
    shown = int(ev["epoch"][1234])
    table = timeline_table(ev, True, selected=shown, max_rows=200)
    assert len(table) == 200 and table["epoch"].is_monotonic_increasing
    assert table["epoch"].iloc[0] == 0 and table["epoch"].iloc[-1] == ev["epoch"][-1] and shown in set(table["epoch"])
    at = ev["epoch"].searchsorted(table["epoch"].to_numpy())               # every row is the history's at its epoch
    np.testing.assert_array_equal(table["train loss"], ev["train_loss"][at])
    np.testing.assert_array_equal(table["test accuracy"], ev["test_acc"][at])
    assert np.diff(table["epoch"]).max() <= 3 * 2 * 5000 / 200            # evenly spread


def layers(rng, shapes=((2, 8), (8, 8), (8, 1))):
    return [(f"layer {k}", rng.normal(size=s), 1e-3 * rng.normal(size=s)) for k, s in enumerate(shapes, 1)]


def test_the_histograms_table_counts_every_weight_and_gradient_as_the_figure_does():
    rng = np.random.default_rng(2)
    ls = layers(rng)
    ls[2] = (ls[2][0], ls[2][1], None)                                     # a layer without gradients
    table = histogram_table(ls, keep_empty=True)
    assert list(table.columns) == ["layer", "of", "bin from", "bin to", "count"]
    assert len(table) == 5 * HIST_BINS
    fig = histogram_figure(ls)
    for (name, weights, grads), trace in zip(ls, [t for t in fig.data if t.name == "weights"]):
        rows = table[(table["layer"] == name) & (table["of"] == "weights")]
        assert rows["count"].sum() == weights.size                        # every weight in one bin
        np.testing.assert_array_equal(rows["count"], trace.y)               # the figure's bars
        np.testing.assert_allclose(rows["bin from"], np.asarray(trace.customdata)[:, 0])
        assert rows["bin from"].iloc[0] == weights.min() and rows["bin to"].iloc[-1] == weights.max()
        inside = ((weights >= rows["bin from"].iloc[5]) & (weights < rows["bin to"].iloc[5])).sum()
        assert rows["count"].iloc[5] == inside
    grads = table[table["of"] == "gradients"]
    assert grads["count"].sum() == ls[0][2].size + ls[1][2].size and set(grads["layer"]) == {"layer 1", "layer 2"}
    short = histogram_table(ls)                                             # the default: no empty bin
    assert (short["count"] > 0).all() and len(short) == (table["count"] > 0).sum() < len(table)
    np.testing.assert_array_equal(short["bin from"], table[table["count"] > 0]["bin from"])


def test_many_layers_merge_adjacent_bins_and_keep_every_count():
    rng = np.random.default_rng(3)
    ls = layers(rng, [(6, 6)] * 6)                                          # 12 histograms x 40 bins = 480 rows
    full, merged = histogram_table(ls, 10_000, keep_empty=True), histogram_table(ls, 300, keep_empty=True)
    assert len(full) == 480 and len(merged) == 240                         # 2 bins as one
    np.testing.assert_array_equal(merged["count"], full["count"].to_numpy().reshape(-1, 2).sum(axis=1))
    np.testing.assert_array_equal(merged["bin to"], full["bin to"].to_numpy()[1::2])


def test_non_finite_weights_are_left_out_and_a_constant_layer_has_one_full_bin():
    w = np.array([np.nan, 1.0, 2.0, np.inf, 3.0])
    table = histogram_table([("a", w, None), ("b", np.zeros(7), None)], keep_empty=True)
    assert table[table["layer"] == "a"]["count"].sum() == 3
    b = table[table["layer"] == "b"]
    assert b["count"].sum() == 7 and (b["count"] > 0).sum() == 1


def test_the_confusion_table_is_the_matrix_true_rows_by_predicted_columns():
    matrix = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 0]])
    labels = ["cat", "dog", "eel"]
    table = confusion_table(matrix, labels)
    assert list(table.index) == ["true cat", "true dog", "true eel"] and table.index.name == "true class"
    counts = table[[f"predicted {c}" for c in labels]]
    np.testing.assert_array_equal(counts.to_numpy(), matrix)
    np.testing.assert_array_equal(counts.to_numpy(), confusion_figure(matrix, labels).data[0].customdata)
    assert list(table["share right"]) == ["83%", "70%", "–"]


def test_the_pre_activation_table_is_the_figures_bars():
    rng = np.random.default_rng(4)
    values = [rng.normal(size=500), 5 * rng.normal(size=(100, 4))]
    names, acts = ["layer 1", "output"], ["sigmoid", "tanh"]
    table = A.histogram_table(values, names, acts, keep_empty=True)
    assert list(table.columns) == ["layer", "bin from", "bin to", "count", "share", "flat"]
    fig = A.histogram_figure(values, names, acts)
    for name, v, bar in zip(names, values, [t for t in fig.data if t.type == "bar"]):
        rows = table[table["layer"] == name]
        assert rows["count"].sum() == v.size
        np.testing.assert_array_equal(rows["count"], np.asarray(bar.customdata)[:, 2])
        np.testing.assert_allclose(rows["share"], bar.y)
    out = table[table["layer"] == "output"]                                  # tanh: flat beyond |z| = 1.82
    assert set(out[out["bin to"] < -A.FLAT["tanh"]]["flat"]) == {"yes"}
    assert set(out[(out["bin from"] > -1) & (out["bin to"] < 1)]["flat"]) == {""}
    assert (out["flat"] == "partly").sum() == 2
    short = A.histogram_table(values, names, acts)                          # the default: no empty bin
    assert (short["count"] > 0).all() and len(short) == (table["count"] > 0).sum() < len(table)
    many = A.histogram_table([rng.normal(size=50)] * 7, [f"l{k}" for k in range(7)], ["relu"] * 7, max_rows=300,
                             keep_empty=True)
    assert len(many) == 7 * A.HIST_BINS // 2 and many.groupby("layer")["count"].sum().eq(50).all()


@pytest.mark.parametrize("n", [1, 3])
def test_tiny_histories_and_networks(n):
    assert len(timeline_table(evals(n), True)) == n
    assert len(histogram_table([("x", np.ones(n), None)], keep_empty=True)) == HIST_BINS
    assert histogram_table([("x", np.ones(n), None)])["count"].tolist() == [n]


def test_the_reconstruction_error_table_is_the_histograms_bins_and_marks_your_input():
    from viz.autoencoder import error_histogram, error_table
    rng = np.random.default_rng(5)
    errors = rng.gamma(2.0, 0.01, 2000)
    table = error_table(errors)
    assert list(table.columns) == ["error from", "error to", "test images"]
    assert table["test images"].sum() == errors.size and (table["test images"] > 0).all()
    edges, counts = error_histogram(errors)
    np.testing.assert_array_equal(table["test images"], counts[counts > 0])
    np.testing.assert_array_equal(table["error from"], edges[:-1][counts > 0])
    own = errors.max() * 3                                                   # far out: its own bin, empty of test images
    mine = error_table(errors, own)
    assert mine["test images"].sum() == errors.size
    row = mine[mine["your input"] == "here"]
    assert len(row) == 1 and row["error from"].iloc[0] <= own <= row["error to"].iloc[0]
    assert row.index[0] == len(mine) - 1 and row["test images"].iloc[0] == 0
    inside = error_table(errors, float(np.median(errors)))
    r = inside[inside["your input"] == "here"]
    assert r["error from"].iloc[0] <= np.median(errors) < r["error to"].iloc[0] and r["test images"].iloc[0] > 0


def test_the_cnn_probability_and_feature_map_tables_are_what_the_overview_draws():
    from viz import cnn
    rng = np.random.default_rng(3)
    layers = [("c", "conv2d", "relu", (2, 4, 4)), ("p", "maxpool2d", None, (2, 2, 2)),
              ("f", "flatten", None, (8,)), ("d", "dense", "linear", (3,))]
    outputs = [np.abs(rng.normal(size=32)), np.abs(rng.normal(size=8)), rng.normal(size=8), rng.normal(size=3)]
    ov = cnn.overview(layers, rng.random((1, 4, 4)), outputs, ["a", "b", "c"])
    probs = cnn.probability_table(ov)
    assert list(probs["class"]) == ["a", "b", "c"] and list(probs["probability"]) == ov["probs"]
    assert list(probs["most likely"]).count("yes") == 1
    assert probs["most likely"][int(np.argmax(ov["probs"]))] == "yes"
    np.testing.assert_allclose(probs["probability"], cnn.softmax(outputs[3]), atol=1e-4)
    maps = cnn.maps_table(ov)
    assert list(maps.columns[:3]) == ["layer", "map", "row"] and len(maps) == 2 * 4 + 2 * 2
    for k, col in enumerate(ov["columns"][1:], 1):
        rows = maps[maps["layer"] == f"{k}: {col['title']}"]
        values = rows.filter(like="column").to_numpy(float)[:, :col["w"]].reshape(col["c"], col["h"], col["w"])
        drawn = np.frombuffer(__import__("base64").b64decode(col["data"]), np.uint8).reshape(values.shape)
        np.testing.assert_array_equal(cnn.signed_codes(values, col["scale"]), drawn)     # the drawn codes back
        np.testing.assert_allclose(values, outputs[k - 1].reshape(values.shape), atol=col["scale"] / 127)
    assert maps.filter(like="column")[maps["layer"].str.startswith("2")].iloc[:, 2:].isna().all().all()


def test_the_rnn_hidden_unit_table_is_what_the_heatmaps_draw():
    from viz import rnn
    rng = np.random.default_rng(4)
    T, units = 6, 3
    trace = {0: {"hidden": np.tanh(rng.normal(size=(T, units))), "cell": rng.normal(size=(T, units)) * 2,
                 "gates": np.concatenate([1 / (1 + np.exp(-rng.normal(size=(T, 3, units)))),
                                          np.tanh(rng.normal(size=(T, 1, units)))], axis=1)[:, [0, 1, 3, 2]]}}
    panel = rnn.heatmaps_panel(trace, "lstm")
    table = rnn.heatmaps_table(panel)
    assert list(table.columns) == ["map", "unit"] + [f"step {t}" for t in range(1, T + 1)]
    assert len(table) == len(panel["maps"]) * units == 6 * units
    for m in panel["maps"]:
        values = table[table["map"] == m["title"]].filter(like="step").to_numpy(float)
        assert rnn.quantized(rnn.heatmap_values(m), m["lo"], m["hi"]) == m["data"]
        np.testing.assert_allclose(values, rnn.heatmap_values(m), atol=0.005)            # 2 decimals of the drawn
    hidden = table[table["map"] == "hidden state h"].filter(like="step").to_numpy(float)
    np.testing.assert_allclose(hidden, trace[0]["hidden"].T, atol=2 / 255 + 0.005)


def test_the_code_plane_table_is_each_test_images_label_and_place():
    from viz import autoencoder as ae
    rng = np.random.default_rng(5)
    points, labels = rng.normal(size=(50, 2)), rng.integers(0, 10, 50)
    table = ae.plane_table(points, labels, principal=False)
    assert list(table.columns) == ["test image", "label", "code 1", "code 2"]
    np.testing.assert_array_equal(table["label"], labels)
    np.testing.assert_allclose(table[["code 1", "code 2"]].to_numpy(), points, rtol=1e-3)
    extent = ae.plane_range(points)              # the dots drawn from the table land where the page's do
    a = np.frombuffer(__import__("base64").b64decode(ae.points_bytes(points, extent)), np.uint16).astype(int)
    b = np.frombuffer(__import__("base64").b64decode(ae.points_bytes(table[["code 1", "code 2"]].to_numpy(), extent)),
                      np.uint16).astype(int)
    assert np.abs(a - b).max() <= 20            # of 65535: within a tenth of a pixel on a 300 px plane
    assert list(ae.plane_table(points, labels, principal=True).columns)[2:] == ["component 1", "component 2"]
