"""The CNN run: frames, a cell's arithmetic against NumPy, the confusion matrix's cells."""
import json
import threading
import time

import numpy as np
import pytest

from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings
from ui.controls import _toggle_play


@pytest.fixture(scope="module")
def run():
    r = CnnRun(CnnSettings(dataset="bars", filters=(4, 6), kernels=(5, 3), strides=(1, 2),
                           paddings=("same", "valid"), pools=("max", "avg"), acts=("relu", "tanh"), seed=3))
    r.advance(40)
    return r


def numpy_conv_cell(x, W, b, stride, pad, f, y, xx, act):
    """One output cell of a convolution, the textbook way: zero-pad, take the window, multiply, add."""
    k = W.shape[-1]
    padded = np.pad(x, ((0, 0), (pad, pad + k), (pad, pad + k)))
    window = padded[:, y * stride:y * stride + k, xx * stride:xx * stride + k]
    z = float((window * W[f]).sum() + b[f])
    return z, {"relu": max(z, 0.0), "tanh": np.tanh(z)}[act]


@pytest.mark.parametrize("pos, act", [(0, "relu"), (2, "tanh")])
def test_the_arithmetic_of_a_conv_cell_equals_numpy_and_the_engine(run, pos, act):
    layer = run.trainer.net.layers[pos]
    image, _ = run.probe()
    outs = run.outputs_for(run.snap, image)
    below = image if pos == 0 else outs[pos - 1]
    params = run.snap.params
    for f, y, x in [(0, 0, 0), (1, 3, 2), (1, 1, 0), (9, 99, 99)]:
        run.select_cell(pos, f, y, x)
        _, f, y, x = run.cell                         # clamped into the map
        n = run.arithmetic()
        z, result = numpy_conv_cell(np.asarray(below, float), params[f"{pos}.W"].astype(float),
                                    params[f"{pos}.b"].astype(float), layer.cfg["stride"], layer.pt, f, y, x, act)
        assert n["z"] == pytest.approx(z, abs=1e-5)
        assert n["result"] == pytest.approx(result, abs=1e-4)
        assert n["result"] == pytest.approx(n["value"], abs=1e-4)        # what the engine's map holds
        assert n["products"].sum() + n["bias"] == pytest.approx(n["z"], abs=1e-9)


def test_the_arithmetic_of_a_pooling_cell(run):
    image, _ = run.probe()
    outs = run.outputs_for(run.snap, image)
    run.select_cell(1, 2, 3, 4)                       # max pool after conv 1
    n = run.arithmetic()
    window = outs[0][2, 6:8, 8:10]
    assert n["result"] == pytest.approx(window.max()) == pytest.approx(n["value"])
    assert window[n["winner"]] == window.max()
    run.select_cell(3, 1, 0, 0)                       # average pool after conv 2 (2 x 2 maps)
    n = run.arithmetic()
    assert n["result"] == pytest.approx(outs[2][1].mean(), abs=1e-6) == pytest.approx(n["value"], abs=1e-6)


def test_a_click_outside_a_map_selects_nothing(run):
    run.select_cell(4, 0, 0, 0)                       # the flatten layer has no cells to explain
    assert run.cell is None and run.arithmetic() is None
    run.select_cell(0, 99, 99, -5)                    # clamped into the map
    assert run.cell == (0, 3, 11, 0)


def test_the_frame_is_json_and_small(run):
    full = json.dumps(run.frame(run.snap, full=True))
    part = json.dumps(run.frame(run.snap, full=False, kernel_grads=True))
    assert len(part) < len(full) < 60_000
    frame = json.loads(part)
    assert frame["kernel_grads"] and [k["f"] for k in frame["kernels"]] == [4, 6]
    titles = [c["title"] for c in frame["overview"]["columns"]]
    assert titles == ["input", "conv relu", "max pool", "conv tanh", "avg pool"]
    assert abs(sum(frame["overview"]["probs"]) - 1) < 1e-3


def test_confusion_cells_hold_the_images_the_matrix_counts(run):
    snap = run.snap
    m = snap.confusion
    for t in range(4):
        for p in range(4):
            rows, images = run.cell_images(t, p, snap)
            assert len(rows) == min(m[t, p], 40)
            assert (run.yt[rows] == t).all() and len(images) == len(rows)


def test_pause_shows_the_weights_the_run_holds():
    """A slice in flight when Pause is pressed used to publish after the page had drawn: the paused
    page showed Step 3,400 while the run held 3,412 (and an edit or a download acted on those)."""
    run = CnnRun(CnnSettings.from_values({"dataset": "bars"}))
    inside, step = threading.Event(), run.trainer.step

    def slow_step(n, budget=None):                    # a slice that is still running at the click
        inside.set()
        time.sleep(0.3)
        return step(20, budget=10)
    run.trainer.step = slow_step
    run.playing = True
    worker = threading.Thread(target=run.train_slice, args=(10**6, 0.03))
    worker.start()
    assert inside.wait(5)
    _toggle_play(run)                                 # Pause
    shown = run.shown.step                            # what the page draws right after the click
    worker.join()
    assert not run.playing and shown == run.snap.step == run.trainer.step_count == 20
    assert run.train_slice(10**6, 0.03) == 0 and run.snap.step == 20      # a slice picked before: nothing


def test_the_confusion_matrix_counts_the_test_images_its_caption_names(run):
    """On MNIST the matrix counts a fixed sample of the 2,000 test digits (its caption said "test
    data" and the help promised all 2,000); Test accuracy is measured on the same images."""
    from ui.cnn.views import confusion_words, evaluated
    mnist = CnnRun(CnnSettings(seed=1))
    n, total = evaluated(mnist)
    m = mnist.snap.confusion
    assert m.sum() == n == len(mnist.snap.confusion_rows) < total == len(mnist.xt) == 2000
    assert f"It counts {n:,} of the 2,000 test images" in confusion_words(n, total)
    assert abs(np.trace(m) / m.sum() - mnist.snap.test_acc) < 1e-6
    assert "It counts all 500 test images" in confusion_words(*evaluated(run))       # the bars: every one


def test_a_typed_kernel_is_kept_within_bounds_and_one_that_names_nothing_is_refused():
    """A kernel typed in the cell view (or crafted: the editor's event is browser input) is clamped
    within ±WEIGHT_LIMIT and says which values changed; a layer, filter, channel or size that does not
    exist, and weights that are no finite numbers, are refused."""
    from ui.canvas import BadEvent
    from ui.cnn.run import WEIGHT_LIMIT
    from ui.cnn.views import typed_weights
    r = CnnRun(CnnSettings(dataset="bars", seed=4))
    W = r.trainer.net.params["0.W"]
    k = W.shape[-1]
    changed = r.edit_kernel(0, 1, 0, [25.0] + [0.5] * (k * k - 1), -30.0)
    assert changed == [(25.0, WEIGHT_LIMIT), (-30.0, -WEIGHT_LIMIT)]
    np.testing.assert_array_equal(r.trainer.net.params["0.W"][1, 0].ravel(), [WEIGHT_LIMIT] + [0.5] * (k * k - 1))
    assert r.trainer.net.params["0.b"][1] == -WEIGHT_LIMIT and r.snap.params["0.W"][1, 0, 0, 0] == WEIGHT_LIMIT
    before = r.trainer.net.flat.copy()
    for pos, f, c, n in [(1, 0, 0, k * k), (0, W.shape[0], 0, k * k), (0, 0, W.shape[1], k * k), (0, 0, 0, k * k + 1)]:
        with pytest.raises(ValueError):
            r.edit_kernel(pos, f, c, [0.0] * n, 0.0)
    np.testing.assert_array_equal(r.trainer.net.flat, before)                    # nothing written
    for text in ["1,nan", "1e400", "", "1,,2", "x", ",".join(["1"] * 200)]:
        with pytest.raises(BadEvent):
            typed_weights(text)
    assert typed_weights("-1,0,1.5") == [-1.0, 0.0, 1.5]
