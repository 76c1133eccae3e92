"""Frozen layers ("trainable": false) against PyTorch with requires_grad=False on the same
layers: forward, gradients, and 10 Adam steps with weight decay on the weights and clipping."""
import numpy as np
import pytest

import engine
from tests.reference import same_padding

torch = pytest.importorskip("torch")
F = torch.nn.functional

STEPS, LR, L2, CLIP = 10, 0.01, 0.1, 0.5


def mlp(frozen):
    widths = [(5, "tanh"), (4, "relu"), (2, "linear")]
    return {"input_shape": [3], "loss": "softmax_crossentropy",
            "layers": [{"type": "dense", "units": u, "activation": a, "trainable": i not in frozen}
                       for i, (u, a) in enumerate(widths)]}


def cnn(frozen):
    return {"input_shape": [2, 6, 6], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 3, "activation": "relu", "trainable": 0 not in frozen},
        {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"},
        {"type": "dense", "units": 3, "trainable": 3 not in frozen}]}


def lstm(frozen):
    return {"input_shape": [5, 2], "loss": "mse", "layers": [
        {"type": "lstm", "units": 4, "trainable": 0 not in frozen},
        {"type": "dense", "units": 2, "trainable": 1 not in frozen}]}


class TorchTwin:
    """The engine net's layers as PyTorch leaf tensors; a frozen layer's have requires_grad=False."""

    def __init__(self, net):
        self.net = net
        self.tensors = {name: torch.tensor(np.asarray(v, np.float64), requires_grad=self._trainable(name))
                        for name, v in net.params.items()}
        self.cells = {}
        for layer in net.layers:
            if layer.cfg["type"] == "lstm":
                self.cells[layer.index] = self._lstm(layer)

    def _trainable(self, name):
        return self.net.layers[int(name.split(".")[0])].trainable

    def _lstm(self, layer):
        i, (F_, U) = layer.index, (layer.in_shape[1], layer.cfg["units"])
        mod = torch.nn.LSTM(F_, U, batch_first=True).double()
        with torch.no_grad():
            mod.weight_ih_l0.copy_(self.tensors[f"{i}.Wx"].T)
            mod.weight_hh_l0.copy_(self.tensors[f"{i}.Wh"].T)
            mod.bias_ih_l0.copy_(self.tensors[f"{i}.b"])
            mod.bias_hh_l0.zero_()
        mod.bias_hh_l0.requires_grad_(False)                  # the engine's LSTM has one bias
        for p in (mod.weight_ih_l0, mod.weight_hh_l0, mod.bias_ih_l0):
            p.requires_grad_(layer.trainable)
        return mod

    def forward(self, x):
        h = torch.tensor(x)
        for layer in self.net.layers:
            i, kind, P = layer.index, layer.cfg["type"], self.tensors
            if kind == "dense":
                h = h @ P[f"{i}.W"] + P[f"{i}.b"]
            elif kind == "conv2d":
                k = layer.cfg["kernel_size"]
                (t, b), (l, r) = same_padding(h.shape[2], k, 1), same_padding(h.shape[3], k, 1)
                h = F.conv2d(F.pad(h, (l, r, t, b)), P[f"{i}.W"], P[f"{i}.b"])
            elif kind == "maxpool2d":
                h = F.max_pool2d(h, layer.cfg["pool_size"])
            elif kind == "flatten":
                h = h.flatten(1)
            elif kind == "lstm":
                h = self.cells[i](h)[0][:, -1]
            h = {"tanh": torch.tanh, "relu": F.relu, "linear": lambda z: z}[layer.activation](h)
        return h

    def loss(self, x, y):
        out = self.forward(x)
        if self.net.loss == "mse":
            return F.mse_loss(out, torch.tensor(y))
        return F.cross_entropy(out, torch.tensor(y))

    def trained(self):
        """The trainable leaves, split into weights (decayed) and biases, as torch sees them."""
        leaves = []
        for name, tensor in self.tensors.items():
            layer = int(name.split(".")[0])
            if layer in self.cells:
                continue
            leaves.append((name.split(".")[1] in self.net.layers[layer].penalized, tensor))
        for mod in self.cells.values():
            leaves += [(True, mod.weight_ih_l0), (True, mod.weight_hh_l0), (False, mod.bias_ih_l0)]
        return [(w, t) for w, t in leaves if t.requires_grad]

    def leaf(self, name):
        """(the torch tensor behind ``name``, whether it is the engine's layout transposed)."""
        i, p = name.split(".")
        mod = self.cells.get(int(i))
        if mod is None:
            return self.tensors[name], False
        return {"Wx": (mod.weight_ih_l0, True), "Wh": (mod.weight_hh_l0, True), "b": (mod.bias_ih_l0, False)}[p]

    def value(self, name):
        tensor, transposed = self.leaf(name)
        return (tensor.T if transposed else tensor).detach().numpy()

    def grad(self, name):
        """Torch's gradient in the engine's layout; None for a frozen tensor."""
        tensor, transposed = self.leaf(name)
        return None if tensor.grad is None else (tensor.grad.T if transposed else tensor.grad).numpy()


def data(spec, rng):
    x = rng.normal(size=(8, *spec["input_shape"]))
    if spec["loss"] == "mse":
        return x, rng.normal(size=(8, 2))
    return x, rng.integers(0, spec["layers"][-1]["units"], 8)


CASES = [(mlp, (0,)), (mlp, (1,)), (mlp, (0, 2)), (cnn, (0,)), (cnn, (3,)), (lstm, (0,)), (lstm, (1,))]


@pytest.mark.parametrize("make, frozen", CASES, ids=[f"{m.__name__}-{f}" for m, f in CASES])
def test_frozen_layers_match_torch(make, frozen, rng):
    spec = make(frozen)
    net = engine.build(spec, seed=2, dtype=np.float64)
    for name in net.params:                                  # non-trivial biases too
        net.params[name][...] = rng.normal(scale=0.5, size=net.params[name].shape)
    x, y = data(spec, rng)
    twin = TorchTwin(net)
    ref = twin.loss(x, y)
    ref.backward()
    np.testing.assert_allclose(net.forward(x), twin.forward(x).detach().numpy(), rtol=1e-10, atol=1e-12)
    loss, grads = net.loss_and_grads(x, y)
    assert loss == pytest.approx(ref.item(), rel=1e-10)
    for name in net.params:
        frozen_layer = not net.layers[int(name.split(".")[0])].trainable
        assert (twin.grad(name) is None) == frozen_layer, name
        if not frozen_layer:
            np.testing.assert_allclose(grads[name], twin.grad(name), rtol=1e-9, atol=1e-12, err_msg=name)

    before = {name: v.copy() for name, v in net.params.items()}
    tr = engine.Trainer(net, train=(x, y), optimizer="adam", lr=LR, batch_size=len(x), l2=L2, clip_norm=CLIP)
    tr.step(STEPS)
    leaves = twin.trained()
    opt = torch.optim.Adam([{"params": [t for w, t in leaves if w], "weight_decay": L2},
                            {"params": [t for w, t in leaves if not w], "weight_decay": 0.0}], lr=LR)
    for _ in range(STEPS):
        opt.zero_grad()
        twin.loss(x, y).backward()
        torch.nn.utils.clip_grad_norm_([t for _, t in leaves], CLIP)
        opt.step()
    for name in net.params:
        np.testing.assert_allclose(net.params[name], twin.value(name), rtol=1e-8, atol=1e-11, err_msg=name)
        if not net.layers[int(name.split(".")[0])].trainable:
            np.testing.assert_array_equal(net.params[name], before[name])
