"""The kernels' fast paths (engine/kernels) give what the plain definitions give."""
import numpy as np
import pytest

import engine
from tests.helpers import dense_spec
from tests.reference import forward, loss as ref_loss, numeric_grads


def test_relu_keeps_nan_and_infinities():
    x = np.array([np.nan, -np.inf, np.inf, -1.5, 0.0, 2.0], np.float32)
    np.testing.assert_array_equal(engine.kernels.activations.activate("relu", x),
                                  [np.nan, 0, np.inf, 0, 0, 2])
    np.testing.assert_allclose(engine.kernels.activations.activate("leaky_relu", x),
                               [np.nan, -np.inf, np.inf, -0.015, 0, 2], rtol=1e-6)


@pytest.mark.parametrize("inputs, outputs", [(70, 3), (64, 15), (63, 3), (70, 16)])
def test_narrow_and_wide_dense_layers_match_reference(inputs, outputs, rng):
    """Few outputs and many inputs take the transposed path; the others the row path."""
    spec = dense_spec([], inputs=inputs, outputs=outputs, loss="mse")
    net = engine.build(spec, seed=1, dtype=np.float64)
    x, y = rng.normal(size=(7, inputs)), rng.normal(size=(7, outputs))
    x[:, :8] = 0                                       # a zero block, as after a ReLU
    np.testing.assert_allclose(net.forward(x), forward(spec, net.params, x), rtol=1e-12, atol=1e-12)
    value, grads = net.loss_and_grads(x, y)
    assert value == pytest.approx(ref_loss("mse", forward(spec, net.params, x), y), rel=1e-12)
    numeric = numeric_grads(net, x, y)
    for name in numeric:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("rows, inputs, outputs", [(4, 1, 20), (8, 5, 17), (9, 33, 40), (12, 7, 16)])
def test_dense_backward_with_odd_widths_and_row_counts_matches_numpy(rows, inputs, outputs, rng):
    """The input gradient goes four rows against two weight rows a pass: an odd last weight row
    pairs with itself, rows beyond a multiple of four go one by one."""
    from engine.kernels.dense import _dense_backward
    x, W, g = rng.normal(size=(rows, inputs)), rng.normal(size=(inputs, outputs)), rng.normal(size=(rows, outputs))
    d_W, d_b, d_x = np.empty_like(W), np.empty(outputs), np.empty((rows, inputs))
    _dense_backward(x, W, g, d_W, d_b, d_x, False)
    np.testing.assert_allclose(d_x, g @ W.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_W, x.T @ g, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_b, g.sum(axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, inputs, outputs", [(1, 1, 20), (5, 7, 17), (64, 128, 30), (9, 33, 70), (3, 2, 64)])
@pytest.mark.parametrize("zeros", [0.0, 0.5, 0.9, 1.0])
def test_dense_products_of_inputs_with_zeros_match_numpy(rows, inputs, outputs, zeros, rng):
    """Mostly zero inputs take the sparse products (two rows over their non-zero inputs, two
    inputs over their non-zero rows, four a pass, odd ends padded): equal to NumPy's at every share."""
    from engine.kernels.dense import _dense_backward, _dense_forward
    x = rng.normal(size=(rows, inputs)) * (rng.random((rows, inputs)) >= zeros)
    W, b, g = rng.normal(size=(inputs, outputs)), rng.normal(size=outputs), rng.normal(size=(rows, outputs))
    out, d_W, d_b, d_x = np.empty((rows, outputs)), np.full_like(W, np.nan), np.empty(outputs), np.empty((rows, inputs))
    _dense_forward(x, W, b, out)
    _dense_backward(x, W, g, d_W, d_b, d_x, False)
    np.testing.assert_allclose(out, b + x @ W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_W, x.T @ g, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_x, g @ W.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rows, inputs, outputs", [(1, 1, 16), (5, 7, 16), (64, 128, 30), (9, 33, 40)])
def test_the_input_gradient_of_a_relu_output_is_computed_where_it_is_positive(rows, inputs, outputs, rng):
    """After a ReLU, d_x counts only where x > 0: there it equals NumPy's, elsewhere 0 (mostly zero
    inputs take the path that skips the rest, positive ones go four at a time)."""
    from engine.kernels.dense import _dense_backward
    x = np.maximum(rng.normal(size=(rows, inputs)) - 0.6, 0)
    W, g = rng.normal(size=(inputs, outputs)), rng.normal(size=(rows, outputs))
    d_W, d_b, d_x = np.empty_like(W), np.empty(outputs), np.full((rows, inputs), np.nan)
    _dense_backward(x, W, g, d_W, d_b, d_x, True)
    np.testing.assert_allclose(d_x, np.where(x > 0, g @ W.T, 0.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d_W, x.T @ g, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("batch, units, gates", [(1, 3, 1), (5, 4, 4), (16, 32, 4), (7, 9, 3)])
def test_the_gradient_through_the_recurrent_weights_matches_numpy(batch, units, gates, rng):
    """Two samples against four rows of Wh a pass: an odd last sample pairs with itself (and is
    added once), units beyond a multiple of four go one by one."""
    from engine.kernels.recurrent import _back_through_wh
    da, Wh = rng.normal(size=(batch, gates * units)), rng.normal(size=(units, gates * units))
    d_h = rng.normal(size=(batch, units))
    expected = d_h + da @ Wh.T
    _back_through_wh(da, Wh, d_h)
    np.testing.assert_allclose(d_h, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_maxpool_2x2_ties_go_to_the_first_entry_as_in_torch(dtype, rng):
    """An identity 1x1 convolution before the pool shows where the pool sends the gradient."""
    torch = pytest.importorskip("torch")
    spec = {"input_shape": [3, 8, 6], "loss": "mse", "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 1}, {"type": "maxpool2d", "pool_size": 2},
        {"type": "flatten"}]}
    net = engine.build(spec, dtype=dtype)
    net.set_params({"0.W": np.eye(3).reshape(3, 3, 1, 1), "0.b": np.zeros(3)})
    x = np.maximum(np.round(rng.normal(size=(4, 3, 8, 6))), 0)     # many ties, many zeros
    y = rng.normal(size=(4, 36))
    W = torch.tensor(np.eye(3).reshape(3, 3, 1, 1), requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(torch.tensor(x), W, b), 2)
    torch.nn.functional.mse_loss(out.flatten(1), torch.tensor(y)).backward()
    np.testing.assert_array_equal(net.forward(x).reshape(out.shape), out.detach().numpy())
    _, grads = net.loss_and_grads(x, y)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(grads["0.W"], W.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(grads["0.b"], b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("k, s, pad", [(3, 1, "same"), (3, 2, "same"), (3, 1, "valid"), (5, 1, "same")])
def test_stacked_convolutions_in_fours_match_torch(k, s, pad, rng):
    """Six filters then five: 3x3 kernels run four filters, and in the input gradient four
    channels, at a time with the rest one by one."""
    torch = pytest.importorskip("torch")
    F_ = torch.nn.functional
    spec = {"input_shape": [2, 11, 10], "loss": "mse", "layers": [
        {"type": "conv2d", "filters": 6, "kernel_size": k, "padding": pad, "activation": "tanh"},
        {"type": "conv2d", "filters": 5, "kernel_size": k, "stride": s, "padding": pad, "activation": "relu"},
        {"type": "flatten"}]}
    net = engine.build(spec, seed=0, dtype=np.float64)
    for name in net.params:
        net.params[name][...] = rng.normal(scale=0.3, size=net.params[name].shape)
    x = rng.normal(size=(3, 2, 11, 10))
    tw = {n: torch.tensor(v, requires_grad=True) for n, v in net.params.items()}

    def conv(h, W, b, stride):
        if pad == "same":
            H, Wd = h.shape[2:]
            th = max((-(-H // stride) - 1) * stride + k - H, 0)
            tw_ = max((-(-Wd // stride) - 1) * stride + k - Wd, 0)
            h = F_.pad(h, (tw_ // 2, tw_ - tw_ // 2, th // 2, th - th // 2))
        return F_.conv2d(h, W, b, stride=stride)

    h = torch.tanh(conv(torch.tensor(x), tw["0.W"], tw["0.b"], 1))
    out = F_.relu(conv(h, tw["1.W"], tw["1.b"], s)).flatten(1)
    y = rng.normal(size=tuple(out.shape))
    F_.mse_loss(out, torch.tensor(y)).backward()
    np.testing.assert_allclose(net.forward(x), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    _, grads = net.loss_and_grads(x, y)
    for name, tensor in tw.items():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_float32_cross_entropy_matches_the_exact_float64_one(rng):
    """binary_crossentropy on float32 outputs uses a vectorised sigmoid and log series
    (engine/kernels/losses.py): the loss within 1e-7 of the exact float64 one, each element's
    sigmoid (the gradient times the element count) within 3e-7, for logits from -40 to 40; a
    NaN still makes the loss NaN (divergence detection)."""
    from engine.kernels.losses import BINARY_CROSSENTROPY, _loss_forward_backward
    z = np.concatenate([np.linspace(-40, 40, 801), rng.normal(scale=3, size=1199)]).reshape(40, 50)
    y = rng.uniform(size=z.shape)
    y[::3] = np.round(y[::3])                          # hard targets as well as soft ones
    z32, y32 = z.astype(np.float32), y.astype(np.float32)
    d32, d64 = np.empty_like(z32), np.empty_like(z)
    got = _loss_forward_backward(BINARY_CROSSENTROPY, z32, y32, d32, True)
    exact = _loss_forward_backward(BINARY_CROSSENTROPY, z32.astype(np.float64), y32.astype(np.float64), d64, True)
    z64 = z32.astype(np.float64)
    by_hand = np.mean(np.maximum(z64, 0) - z64 * y32 + np.log1p(np.exp(-np.abs(z64))))
    assert exact == pytest.approx(by_hand, rel=1e-12)
    assert abs(got - exact) < 1e-7
    assert np.abs(d32 * z.size - d64 * z.size).max() < 3e-7
    z32[3, 7] = np.nan
    assert np.isnan(_loss_forward_backward(BINARY_CROSSENTROPY, z32, y32, d32, True))
