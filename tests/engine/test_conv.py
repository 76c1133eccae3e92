"""Convolution and pooling: NumPy reference, finite differences, PyTorch."""
import numpy as np
import pytest

import engine
from tests.helpers import labels_for
from tests.reference import forward, loss as ref_loss, numeric_grads

CONFIGS = [(k, s, pad) for k in (1, 2, 3, 4, 5, 7) for s in (1, 2) for pad in ("same", "valid")]


def conv_spec(k, s, pad, size=(2, 9, 8), filters=3, pool=None, act="tanh", loss="mse", outputs=2):
    layers = [{"type": "conv2d", "filters": filters, "kernel_size": k, "stride": s, "padding": pad,
               "activation": act}]
    if pool:
        layers.append({"type": pool, "pool_size": 2})
    layers += [{"type": "flatten"}, {"type": "dense", "units": outputs}]
    return {"input_shape": list(size), "layers": layers, "loss": loss}


@pytest.mark.parametrize("k, s, pad", CONFIGS)
def test_conv_forward_matches_reference(k, s, pad, rng):
    spec = conv_spec(k, s, pad)
    net = engine.build(spec, seed=1, dtype=np.float64)
    x = rng.normal(size=(3, 2, 9, 8))
    np.testing.assert_allclose(net.forward(x), forward(spec, net.params, x), rtol=1e-10, atol=1e-12)
    outs = net.layer_outputs(x)
    H = -(-9 // s) if pad == "same" else (9 - k) // s + 1
    W = -(-8 // s) if pad == "same" else (8 - k) // s + 1
    assert outs[0].shape == (3, 3, H, W)


@pytest.mark.parametrize("k, s, pad", CONFIGS)
def test_conv_gradients(k, s, pad, rng):
    spec = conv_spec(k, s, pad, size=(2, 8, 7))
    net = engine.build(spec, seed=2, dtype=np.float64)
    x, y = rng.normal(size=(2, 2, 8, 7)), rng.normal(size=(2, 2))
    value, grads = net.loss_and_grads(x, y)
    assert value == pytest.approx(ref_loss("mse", forward(spec, net.params, x), y), rel=1e-10)
    num = numeric_grads(net, x, y)
    for name in num:
        np.testing.assert_allclose(grads[name], num[name], rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("pool", ["maxpool2d", "avgpool2d"])
@pytest.mark.parametrize("loss", sorted(engine.LOSSES))
def test_pool_and_stacked_conv_gradients(pool, loss, rng):
    outputs = 3 if loss == "softmax_crossentropy" else 2
    spec = {"input_shape": [1, 8, 8], "loss": loss, "layers": [
        {"type": "conv2d", "filters": 2, "kernel_size": 3, "activation": "relu"},
        {"type": pool, "pool_size": 2},
        {"type": "conv2d", "filters": 3, "kernel_size": 3, "activation": "sigmoid"},
        {"type": pool, "pool_size": 2, "stride": 1},
        {"type": "flatten"}, {"type": "dense", "units": outputs}]}
    net = engine.build(spec, seed=3, dtype=np.float64)
    x = rng.normal(size=(3, 1, 8, 8))
    y = labels_for(loss, rng, 3, outputs)
    np.testing.assert_allclose(net.forward(x), forward(spec, net.params, x), rtol=1e-10, atol=1e-12)
    _, grads = net.loss_and_grads(x, y)
    num = numeric_grads(net, x, y)
    for name in num:
        np.testing.assert_allclose(grads[name], num[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_shape_errors():
    with pytest.raises(ValueError, match=r"layers\[0\] \(conv2d\): expects images"):
        engine.build({"input_shape": [4], "layers": [{"type": "conv2d", "filters": 2}], "loss": "mse"})
    with pytest.raises(ValueError, match="kernel 5 is larger than the 3x3 input"):
        engine.build({"input_shape": [1, 3, 3], "layers": [
            {"type": "conv2d", "filters": 2, "kernel_size": 5, "padding": "valid"}], "loss": "mse"})
    with pytest.raises(ValueError, match=r"'kernel_size' must be in \[1, 7\]"):
        engine.build({"input_shape": [1, 9, 9], "layers": [
            {"type": "conv2d", "filters": 2, "kernel_size": 9}], "loss": "mse"})


@pytest.mark.parametrize("p, s", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_maxpool_paths_agree_with_reference_and_keep_nan(p, s, rng):
    from tests.reference import pool2d
    spec = {"input_shape": [2, 9, 8], "layers": [{"type": "maxpool2d", "pool_size": p, "stride": s}],
            "loss": "mse"}
    net = engine.build(spec, dtype=np.float64)
    x = rng.normal(size=(3, 2, 9, 8))
    np.testing.assert_array_equal(net.forward(x), pool2d(x, p, s, np.max))
    x[0, 0, 1, 1] = np.nan
    assert np.isnan(net.forward(x)[0, 0]).any()
