"""Activation statistics (viz/activations.py): pre-activations against the engine's own outputs,
percentiles against NumPy, the band charts' and histograms' shapes."""
import numpy as np
import pytest

import engine
from viz.activations import (FLAT, PERCENTILES, band_charts, histogram_figure, percentiles_of,
                             pre_activations, shown_layers)

ACTS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
        "linear": lambda z: z}


def _snap(spec, steps=20, x=None, y=None, seed=0):
    net = engine.build(spec, seed=seed)
    rng = np.random.default_rng(seed)
    n = 64
    x = rng.normal(size=(n,) + tuple(spec["input_shape"])).astype(np.float32) if x is None else x
    y = rng.normal(size=(n, net.output_shape[-1])) if y is None else y
    tr = engine.Trainer(net, train=(x, y), optimizer="sgd", lr=0.05, batch_size=8, seed=seed)
    return tr.step(steps), x


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_dense_pre_activations_give_the_layer_outputs(act):
    spec = {"input_shape": [3], "loss": "mse", "layers": [
        {"type": "dense", "units": 5, "activation": act}, {"type": "dropout", "rate": 0.2},
        {"type": "dense", "units": 4, "activation": act}, {"type": "dense", "units": 2, "activation": "linear"}]}
    snap, x = _snap(spec)
    z = pre_activations(snap, x)
    assert sorted(z) == [0, 2]                                          # not the linear output
    outs = snap.layer_outputs(x)
    for i in z:
        np.testing.assert_allclose(ACTS[snap.layers[i][2]](z[i]), outs[i], atol=2e-6)
    np.testing.assert_allclose(z[2], outs[1] @ snap.params["2.W"] + snap.params["2.b"], rtol=1e-5, atol=1e-6)


def test_a_big_dense_layer_and_a_conv_layer_go_through_their_linear_twins():
    spec = {"input_shape": [1, 8, 8], "loss": "mse", "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"},
        {"type": "dense", "units": 600, "activation": "relu"}, {"type": "dense", "units": 1}]}
    snap, x = _snap(spec)
    twins = {}
    z = pre_activations(snap, x, twins)
    assert sorted(z) == [0, 3] and sorted(twins) == [0, 3]          # 64 x 64 x 600: past one BLAS thread
    outs = snap.layer_outputs(x)
    assert (z[0] < 0).any()                                              # the sums ReLU cut off are there
    np.testing.assert_allclose(np.maximum(z[0], 0), outs[0], atol=1e-5)
    np.testing.assert_allclose(z[3], outs[2] @ snap.params["3.W"] + snap.params["3.b"], rtol=1e-4, atol=1e-4)
    assert pre_activations(snap, x, twins)[0] is not z[0] and len(twins) == 2      # kept, not rebuilt


def test_shown_layers_stand_a_batchnorm_for_its_block():
    layers = [(0, "dense", "linear", (8,)), (1, "batchnorm", "sigmoid", (8,)), (2, "dense", "tanh", (8,)),
              (3, "dropout", "linear", (8,)), (4, "conv2d", "linear", (8,)), (5, "batchnorm", "relu", (8,)),
              (6, "dense", "linear", (1,))]
    assert shown_layers(layers) == [(1, 0), (2, 2), (5, 4)]
    assert shown_layers(layers[:-1] + [(6, "dense", "tanh", (1,))])[-1] == (6, 6)


def test_percentiles_are_numpys():
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=(250, 8)), 3 * rng.normal(size=(250, 8)), rng.normal(size=7), rng.normal(size=10**5)]
    got = percentiles_of(arrays)
    for a, row in zip(arrays[:3], got):
        np.testing.assert_allclose(row, np.percentile(a, PERCENTILES), rtol=1e-12)
    np.testing.assert_allclose(got[3], np.percentile(arrays[3], PERCENTILES), atol=0.03)    # a subsample
    assert np.isnan(percentiles_of([np.zeros(0), np.array([1.0, np.inf])])).all()


def test_band_charts_share_one_range_and_shade_the_flat_parts():
    epochs = np.arange(0, 200, 5)
    stats = np.sort(np.random.default_rng(2).normal(size=(40, 3, 5)), axis=2)
    stats[:, 0] *= 8                                                    # a layer far out
    charts = band_charts(epochs, stats, ["layer 1", "layer 2", "output"], ["sigmoid", "relu", "tanh"])
    assert [c["title"] for c in charts] == ["layer 1 (sigmoid)", "layer 2 (relu)", "output (tanh)"]
    assert len({tuple(c["range"]) for c in charts}) == 1
    lo, hi = charts[0]["range"]
    assert lo <= stats[:, :, 0].min() and hi >= stats[:, :, 4].max()
    assert charts[0]["x"] == list(range(0, 200, 5)) and len(charts[0]["band"]["p"]) == 4
    assert len(band_charts(np.arange(500), np.zeros((500, 1, 5)), ["a"], ["relu"])[0]["x"]) == 40   # thinned
    assert charts[0]["flat"] == [[lo, -FLAT["sigmoid"]], [FLAT["sigmoid"], hi]]
    assert charts[1]["flat"] == [[lo, 0.0]] and charts[2]["flat"][1][0] == FLAT["tanh"]
    k = charts[0]["x"].index(50)
    assert charts[0]["series"][0]["values"][k] == pytest.approx(stats[10, 0, 2], rel=5e-3)
    assert charts[0]["band"]["p"][0][k] == pytest.approx(stats[10, 0, 0], rel=5e-3)


def test_flat_parts_are_where_the_slope_falls_below_a_tenth():
    for act, slope in (("sigmoid", lambda z: ACTS["sigmoid"](z) * (1 - ACTS["sigmoid"](z)) / 0.25),
                       ("tanh", lambda z: 1 - np.tanh(z) ** 2)):
        assert slope(FLAT[act]) == pytest.approx(0.1)


def test_the_histogram_has_a_row_per_layer_on_one_axis():
    rng = np.random.default_rng(3)
    fig = histogram_figure([rng.normal(size=500), 5 * rng.normal(size=(100, 4))], ["layer 1", "output"],
                           ["sigmoid", "tanh"], epoch=12)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 2 and sum(bars[0].y) == pytest.approx(1.0)
    assert list(bars[0].x) == list(bars[1].x)                            # one shared set of bins
    assert "epoch 12" in fig.layout.title.text


def test_the_histogram_rows_stand_far_enough_apart_for_their_tick_labels():
    rng = np.random.default_rng(4)
    for rows in range(1, 9):
        fig = histogram_figure([rng.normal(size=200) for _ in range(rows)], [f"layer {k}" for k in range(rows)],
                               ["tanh"] * rows)
        domains = sorted((fig.layout[f"yaxis{'' if k == 1 else k}"].domain for k in range(1, rows + 1)), reverse=True)
        plot_px = fig.layout.height - 95            # less the margins and the x axis' ticks and title
        gaps = [(upper[0] - lower[1]) * plot_px for upper, lower in zip(domains, domains[1:])]
        assert all(g >= 20 for g in gaps), (rows, gaps)       # 24 px: a tick label is 12-16 px high
        assert all((d[1] - d[0]) * plot_px >= 40 for d in domains)
