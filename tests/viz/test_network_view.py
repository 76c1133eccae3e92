"""The network frame: what the canvas draws, checked against the snapshot."""
import base64

import numpy as np
import pytest

import engine
from engine.data import FEATURES, Plane, featurize, make_2d
from engine.plane import PlaneMaps
from viz.network_view import (THUMB_CELLS, feature_maps, loss_curve, network_frame, output_values, quantise,
                               static_frame, unpack)


def trainer(spec_layers, features=("x1", "x2"), loss="mse", y=None, resolution=101):
    pts, labels = make_2d("spiral3" if loss == "softmax_crossentropy" else "xor", 150, 0.0, seed=0)
    spec = {"input_shape": [len(features)], "layers": spec_layers, "loss": loss}
    y = labels if y is None else y(labels)
    tr = engine.Trainer(engine.build(spec, seed=0), train=(featurize(pts, features), y))
    tr.plane = Plane(tuple(features), resolution=resolution)      # the test's own note of its plane
    return tr, pts, labels


def plane_maps(tr, snap):
    return PlaneMaps(snap, tr.plane)


def decode(b64):
    return np.frombuffer(base64.b64decode(b64), np.uint8)


@pytest.mark.parametrize("resolution, stride", [(121, 10), (49, 4)])   # the page's paused and playing grids
def test_frame_matches_the_snapshot(resolution, stride):
    layers = [{"type": "dense", "units": 5, "activation": "relu"}, {"type": "dropout", "rate": 0.2},
              {"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1, "activation": "tanh"}]
    tr, pts, labels = trainer(layers, features=("x1", "x2", "x1_x2"), resolution=resolution)
    snap = tr.step(30)
    m = plane_maps(tr, snap)
    f = network_frame(snap, m, features=("x1", "x2", "x1_x2"), loss="mse", classes=2, train=(pts, labels),
                      dropout=[0.2, 0.0])
    thumb = len(range(0, resolution, stride))
    assert (f["res"], f["thumb"]) == (resolution, thumb) == (resolution, THUMB_CELLS)
    assert [l["units"] for l in f["layers"]] == [5, 3, 1]
    assert [l["dropout"] for l in f["layers"]] == [0.2, 0.0, 0.0]
    np.testing.assert_allclose(f["layers"][1]["weights"], snap.params["2.W"], atol=5e-5)
    np.testing.assert_allclose(f["layers"][2]["biases"], snap.params["3.b"], atol=5e-5)
    assert [i["active"] for i in f["inputs"]] == [k in ("x1", "x2", "x1_x2") for k in FEATURES]
    maps = unpack(f["maps"], (-1, thumb, thumb))
    assert maps.shape[0] == 5 + 3                       # hidden neurons only
    expected = quantise(m.neuron_maps[2][1, ::stride, ::stride])
    np.testing.assert_array_equal(maps[5 + 1], expected)
    assert decode(f["input_maps"]).size == len(FEATURES) * thumb * thumb
    out = unpack(f["output"], (resolution, resolution))
    np.testing.assert_array_equal(out, quantise(m.output_map[0]))
    assert len(f["train"]) == len(pts) and f["test"] == []
    assert f["layers"][0]["dead"] == [bool(v) for v in snap.dead_units[0]]


def test_partial_frames_leave_out_what_does_not_change():
    tr, pts, labels = trainer([{"type": "dense", "units": 1, "activation": "tanh"}])
    snap = tr.snapshot()
    f = network_frame(snap, plane_maps(tr, snap), features=("x1", "x2"), loss="mse", classes=2, train=(pts, labels),
                      full=False)
    assert not {"input_maps", "train", "test"} & set(f)


def test_frame_size_of_a_six_by_eight_net_stays_small():
    import json
    layers = [{"type": "dense", "units": 8, "activation": "tanh"}] * 6 + [{"type": "dense", "units": 1}]
    tr, pts, labels = trainer(layers)
    snap = tr.step(10)
    f = network_frame(snap, plane_maps(tr, snap), features=("x1", "x2"), loss="mse", classes=2, full=False)
    # 18.2 KB with raw 49 x 49 and 13 x 13 maps; packed 14.4 KB at zlib level 6, 15.5 KB at level 1 (in
    # half the time: 0.48 against 1.06 ms a frame)
    assert len(json.dumps(f)) < 16_000


def test_output_values_per_loss():
    tr, _, _ = trainer([{"type": "dense", "units": 1}], loss="binary_crossentropy", y=lambda l: (l > 0) * 1.0)
    snap = tr.snapshot()
    v = output_values(plane_maps(tr, snap), "binary_crossentropy", 2)
    np.testing.assert_allclose(v, 2 / (1 + np.exp(-plane_maps(tr, snap).output_map[0].astype(float))) - 1)
    tr, _, _ = trainer([{"type": "dense", "units": 3}], loss="softmax_crossentropy", y=lambda l: l.astype(int))
    p = output_values(plane_maps(tr, tr.snapshot()), "softmax_crossentropy", 3)
    assert p.shape == (3, 101, 101)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    snap = tr.snapshot()
    f = network_frame(snap, plane_maps(tr, snap), features=("x1", "x2"), loss="softmax_crossentropy", classes=3)
    assert f["output_channels"] == 3 and len(f["palette"]["classes"]) == 3


def test_quantise_and_feature_maps():
    np.testing.assert_array_equal(quantise(np.array([-5, -1, 0, 1, 5])), [0, 0, 128, 255, 255])
    maps = feature_maps(6.0, 9)
    assert maps.shape == (len(FEATURES), 9, 9) and np.abs(maps).max() == pytest.approx(1.0)
    # row index follows x2: the x2 map grows down the rows, x1 along the columns
    x1, x2 = list(FEATURES).index("x1"), list(FEATURES).index("x2")
    assert maps[x2][0, 0] == -1 and maps[x2][-1, 0] == 1 and maps[x1][0, -1] == 1


def test_the_shared_feature_maps_cannot_be_changed_by_one_session():
    import pytest
    from viz.network_view import feature_maps
    maps = feature_maps(6.0, 13)
    with pytest.raises(ValueError):
        maps[0, 0, 0] = 99.0


def test_a_hovered_tile_comes_in_full_and_the_loss_curve_is_thinned():
    layers = [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1, "activation": "tanh"}]
    tr, pts, labels = trainer(layers)
    for _ in range(80):
        snap = tr.step(tr.steps_per_epoch)
    m = plane_maps(tr, snap)
    f = network_frame(snap, m, features=("x1", "x2"), loss="mse", classes=2, focus=(0, 2), curve=True)
    np.testing.assert_array_equal(unpack(f["focus"]["map"], (101, 101)), quantise(m.neuron_maps[0][2]))
    f = network_frame(snap, m, features=("x1", "x2"), loss="mse", classes=2, focus=(-1, 4))
    np.testing.assert_array_equal(unpack(f["focus"]["map"], (101, 101)), quantise(feature_maps(6.0, 101)[4]))
    for missing in ((0, 3), (1, 0), (5, 0), (-1, 7)):                # no such neuron, the output, no such feature
        assert "focus" not in network_frame(snap, m, features=("x1", "x2"), loss="mse", classes=2, focus=missing)
    curve = loss_curve(snap, points=20)
    assert len(curve["epoch"]) == 20 and curve["epoch"][0] == 0 and curve["epoch"][-1] == snap.epoch
    assert curve["train"][-1] == pytest.approx(snap.history["evals"]["train_loss"][-1], rel=1e-2)


def test_the_static_part_names_the_curve_colours():
    tr, pts, labels = trainer([{"type": "dense", "units": 1, "activation": "tanh"}])
    part = static_frame(tr.plane, features=("x1",), classes=2, train=(pts, labels))
    assert {"train", "test"} <= set(part["palette"]) and [i["active"] for i in part["inputs"]][:2] == [True, False]
