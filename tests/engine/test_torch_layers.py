"""PyTorch as an oracle for the convolutional and recurrent layers, with DESIGN.md's layouts."""
import numpy as np
import pytest

import engine
from tests.reference import same_padding

torch = pytest.importorskip("torch")
F = torch.nn.functional


def t(a):
    return torch.tensor(np.asarray(a, np.float64), requires_grad=True)


@pytest.mark.parametrize("k, s, pad", [(3, 1, "same"), (4, 2, "same"), (5, 2, "valid"), (2, 1, "same")])
@pytest.mark.parametrize("pool", ["maxpool2d", "avgpool2d"])
def test_conv_and_pool_match_torch(k, s, pad, pool, rng):
    spec = {"input_shape": [2, 10, 9], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": k, "stride": s, "padding": pad, "activation": "relu"},
        {"type": pool, "pool_size": 2}, {"type": "flatten"}, {"type": "dense", "units": 3}]}
    net = engine.build(spec, seed=0, dtype=np.float64)
    x, y = rng.normal(size=(5, 2, 10, 9)), rng.integers(0, 3, 5)
    W, b, W2, b2 = (t(net.params[n]) for n in ("0.W", "0.b", "3.W", "3.b"))
    xt = torch.tensor(x)
    if pad == "same":
        (top, bottom), (left, right) = same_padding(10, k, s), same_padding(9, k, s)
        xt = F.pad(xt, (left, right, top, bottom))
    h = F.relu(F.conv2d(xt, W, b, stride=s))
    h = F.max_pool2d(h, 2) if pool == "maxpool2d" else F.avg_pool2d(h, 2)
    out = h.flatten(1) @ W2 + b2
    ref = F.cross_entropy(out, torch.tensor(y))
    ref.backward()
    np.testing.assert_allclose(net.forward(x), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    loss, grads = net.loss_and_grads(x, y)
    assert loss == pytest.approx(ref.item(), rel=1e-10)
    for name, tensor in zip(("0.W", "0.b", "3.W", "3.b"), (W, b, W2, b2)):
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


TORCH_CELLS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("cell", sorted(TORCH_CELLS))
@pytest.mark.parametrize("seq", [False, True])
def test_recurrent_cells_match_torch(cell, seq, rng):
    layers = [{"type": cell, "units": 5, "return_sequences": seq}]
    layers += [{"type": "flatten"}] if seq else []
    spec = {"input_shape": [6, 3], "loss": "mse", "layers": layers + [{"type": "dense", "units": 2}]}
    net = engine.build(spec, seed=0, dtype=np.float64)
    rng.normal(size=1)
    for name in net.params:                                   # non-trivial biases too
        net.params[name][...] = rng.normal(scale=0.4, size=net.params[name].shape)
    x, y = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 2))
    mod = TORCH_CELLS[cell](3, 5, batch_first=True).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.tensor(net.params["0.Wx"].T))
        mod.weight_hh_l0.copy_(torch.tensor(net.params["0.Wh"].T))
        if cell == "gru":
            mod.bias_ih_l0.copy_(torch.tensor(net.params["0.bx"]))
            mod.bias_hh_l0.copy_(torch.tensor(net.params["0.bh"]))
        else:
            mod.bias_ih_l0.copy_(torch.tensor(net.params["0.b"]))
            mod.bias_hh_l0.zero_()
    dense = 2 if seq else 1
    W, b = t(net.params[f"{dense}.W"]), t(net.params[f"{dense}.b"])
    hs, _ = mod(torch.tensor(x))
    h = hs.flatten(1) if seq else hs[:, -1]
    out = h @ W + b
    ref = F.mse_loss(out, torch.tensor(y))
    ref.backward()
    np.testing.assert_allclose(net.forward(x), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    _, grads = net.loss_and_grads(x, y)
    np.testing.assert_allclose(grads["0.Wx"], mod.weight_ih_l0.grad.numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grads["0.Wh"], mod.weight_hh_l0.grad.numpy().T, rtol=1e-9, atol=1e-12)
    bias = grads["0.bx"] if cell == "gru" else grads["0.b"]
    np.testing.assert_allclose(bias, mod.bias_ih_l0.grad.numpy(), rtol=1e-9, atol=1e-12)
    if cell == "gru":
        np.testing.assert_allclose(grads["0.bh"], mod.bias_hh_l0.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grads[f"{dense}.W"], W.grad.numpy(), rtol=1e-9, atol=1e-12)
