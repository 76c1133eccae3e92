"""Batch normalization against the NumPy reference, finite differences and PyTorch's
BatchNorm1d/2d (momentum = 1 - ours): forward, loss, gradients, 10 optimizer steps and the
moving statistics after them; a batch of one refused; a frozen one as Keras freezes it."""
import numpy as np
import pytest

import engine
from tests import reference
from tests.reference import same_padding

MOMENTUM, EPS = 0.9, 0.001


def mlp(momentum=MOMENTUM, frozen=(), loss="softmax_crossentropy"):
    return {"input_shape": [3], "loss": loss, "layers": [
        {"type": "dense", "units": 5, "activation": "linear", "trainable": 0 not in frozen},
        {"type": "batchnorm", "momentum": momentum, "epsilon": EPS, "activation": "relu",
         "trainable": 1 not in frozen},
        {"type": "dense", "units": 4, "activation": "tanh"},
        {"type": "batchnorm", "momentum": momentum, "epsilon": 0.01, "trainable": 3 not in frozen},
        {"type": "dense", "units": 3 if loss == "softmax_crossentropy" else 2}]}


def cnn(momentum=MOMENTUM, frozen=()):
    return {"input_shape": [2, 6, 6], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 3, "trainable": 0 not in frozen},
        {"type": "batchnorm", "momentum": momentum, "epsilon": EPS, "activation": "relu",
         "trainable": 1 not in frozen},
        {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"},
        {"type": "dense", "units": 4}, {"type": "batchnorm", "momentum": momentum, "trainable": 5 not in frozen},
        {"type": "dense", "units": 3}]}


def data(spec, rng, n=8):
    x = rng.normal(size=(n, *spec["input_shape"]))
    outputs = spec["layers"][-1]["units"]
    if spec["loss"] == "mse":
        return x, rng.normal(size=(n, outputs))
    return x, rng.integers(0, outputs, n)


def randomise(net, rng):
    """Non-trivial parameters and moving statistics (gamma away from 1, variances positive)."""
    for name in net.params:
        net.params[name][...] = rng.normal(scale=0.6, size=net.params[name].shape)
    for name in net.state:
        shape = net.state[name].shape
        net.state[name][...] = rng.uniform(0.5, 2.0, shape) if "variance" in name else rng.normal(size=shape)


@pytest.mark.parametrize("make", [mlp, cnn])
def test_forward_matches_the_reference_in_training_and_inference(make, rng):
    spec = make()
    net = engine.build(spec, seed=0, dtype=np.float64)
    randomise(net, rng)
    x, _ = data(spec, rng)
    state = {k: v.copy() for k, v in net.state.items()}
    np.testing.assert_allclose(net.forward(x), reference.forward(spec, net.params, x, state), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.forward(x, training=True),
                               reference.forward(spec, net.params, x, state, training=True), rtol=1e-10, atol=1e-12)
    for name, value in state.items():                   # forward never moves the statistics
        np.testing.assert_array_equal(net.state[name], value)
    outs = net.layer_outputs(x)
    h = reference.forward({**spec, "layers": spec["layers"][:2]}, net.params, x, state)
    np.testing.assert_allclose(outs[1], h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make", [mlp, cnn])
def test_gradients_match_finite_differences(make, rng):
    spec = make()
    net = engine.build(spec, seed=1, dtype=np.float64)
    randomise(net, rng)
    x, y = data(spec, rng, n=6)
    value, grads = net.loss_and_grads(x, y)
    state = dict(net.state)
    assert value == pytest.approx(reference.loss(spec["loss"], reference.forward(spec, net.params, x, state,
                                                                                  training=True), y), rel=1e-10)
    numeric = reference.numeric_grads(net, x, y)
    for name in numeric:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-8, err_msg=name)
    assert np.abs(grads["0.W"]).sum() > 0 and np.abs(grads["1.gamma"]).sum() > 0


def test_training_updates_the_moving_statistics_once_per_step(rng):
    spec = mlp(momentum=0.8, frozen=(0,), loss="mse")
    net = engine.build(spec, seed=2, dtype=np.float64)
    x, y = data(spec, rng, n=12)
    mean, var = net.state["1.moving_mean"].copy(), net.state["1.moving_variance"].copy()
    tr = engine.Trainer(net, train=(x, y), optimizer="sgd", lr=0.1, batch_size=12)
    tr.step(3)                                          # layer 0 frozen: the same batch statistics each step
    h = x @ net.params["0.W"] + net.params["0.b"]
    for _ in range(3):
        mean, var = reference.moving_stats(h, mean, var, 0.8)
    np.testing.assert_allclose(net.state["1.moving_mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(net.state["1.moving_variance"], var, rtol=1e-12)
    tr.snapshot()
    net.loss_and_grads(x, y)                            # gradients and evaluation leave them alone
    net.forward(x, training=True)
    np.testing.assert_allclose(net.state["1.moving_mean"], mean, rtol=1e-12)


def test_a_batch_of_one_is_refused_and_a_last_batch_of_one_is_skipped(rng):
    spec = mlp(loss="mse")
    net = engine.build(spec)
    x, y = data(spec, rng, n=9)
    with pytest.raises(ValueError, match="batch_size 1: has 1 sample, but batch normalization needs at least 2"):
        engine.Trainer(net, train=(x, y), batch_size=1)
    with pytest.raises(ValueError, match="needs at least 2"):
        net.forward(x[:1], training=True)
    with pytest.raises(ValueError, match="needs at least 2"):
        net.loss_and_grads(x[:1], y[:1])
    with pytest.raises(ValueError, match="train has 1 sample"):
        engine.Trainer(net, train=(x[:1], y[:1]), batch_size=4)
    assert net.forward(x[:1]).shape == (1, 2)           # inference takes one
    tr = engine.Trainer(net, train=(x, y), batch_size=4)
    with pytest.raises(ValueError, match="needs at least 2"):
        tr.batch_size = 1
    assert tr.steps_per_epoch == 2                       # 4 + 4, and the ninth sample waits
    snap = tr.step(6)
    assert (snap.step, snap.epoch, tr._loop[0]) == (6, 3, 0)
    assert np.isfinite(net.state_flat).all() and not snap.diverged
    tr.batch_size = 3                                    # 9 = 3 x 3: nothing to skip
    assert tr.steps_per_epoch == 3
    # images normalise each channel over the batch and the plane: one image is enough
    conv = engine.build(cnn(frozen=(5,)))                # the dense batchnorm frozen: moving statistics
    xc, yc = data(cnn(), rng, n=5)
    assert conv.min_batch == 1
    tr = engine.Trainer(conv, train=(xc, yc), batch_size=1)
    assert not tr.step(7).diverged and np.isfinite(conv.state_flat).all()


def test_gamma_and_beta_are_trained_without_l1_or_l2(rng):
    net = engine.build(mlp(), seed=0)
    start = int(net.prog[1][engine.network.P.P_OFF])
    assert not net.decay_mask[start:start + 10].any() and net.trainable_mask[start:start + 10].all()
    assert list(net.state) == ["1.moving_mean", "1.moving_variance", "3.moving_mean", "3.moving_variance"]
    np.testing.assert_array_equal(net.params["1.gamma"], 1)
    np.testing.assert_array_equal(net.state["1.moving_variance"], 1)


def test_bad_specs_say_what_is_wrong():
    seq = {"input_shape": [5, 2], "loss": "mse", "layers": [{"type": "batchnorm"}, {"type": "dense", "units": 1}]}
    with pytest.raises(ValueError, match=r"layers\[0\] \(batchnorm\): expects features .* got sequences"):
        engine.build(seq)
    for field, value in (("momentum", 1.0), ("epsilon", 0.0), ("activation", "swish")):
        with pytest.raises(ValueError, match=field):
            engine.build({"input_shape": [3], "loss": "mse", "layers": [{"type": "batchnorm", field: value}]})


def test_float32_follows_float64(rng):
    spec = cnn()
    x, y = data(spec, rng, n=16)
    runs = []
    for dtype in (np.float32, np.float64):
        net = engine.build(spec, seed=3, dtype=dtype)
        # SGD: a bias before a batch normalization has a gradient of 0 up to rounding, which Adam
        # would scale up to full steps (in PyTorch too), and float32 rounds differently
        engine.Trainer(net, train=(x, y), optimizer="sgd", lr=0.1, batch_size=8, seed=1).step(10)
        runs.append((net.flat.astype(np.float64), net.state_flat.astype(np.float64), net.forward(x)))
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_state_travels_with_snapshots_rewind_and_init_from(rng):
    spec = mlp(loss="mse")
    net = engine.build(spec, seed=0)
    x, y = data(spec, rng, n=16)
    tr = engine.Trainer(net, train=(x, y), batch_size=8)
    first = tr.step(4)
    tr.step(4)
    assert not np.array_equal(first._state, net.state_flat)
    np.testing.assert_array_equal(first.predict(x), net.forward(x, flat=first._flat, state=first._state))
    assert not np.array_equal(first.predict(x), net.forward(x, flat=first._flat))
    tr.rewind(first._flat, first.step, first.epoch, state=first._state)
    np.testing.assert_array_equal(net.state_flat, first._state)
    copy = engine.build(spec, seed=5, init_from=net, layers=[0, 1])
    np.testing.assert_array_equal(copy.state["1.moving_mean"], net.state["1.moving_mean"])
    np.testing.assert_array_equal(copy.params["1.gamma"], net.params["1.gamma"])
    assert not np.array_equal(copy.params["2.W"], net.params["2.W"])
    np.testing.assert_array_equal(copy.state["3.moving_mean"], 0)


# -- PyTorch ---------------------------------------------------------------------------------
class TorchTwin:
    """The engine net's dense / conv / pool / flatten / batchnorm layers in PyTorch (float64):
    BatchNorm1d / 2d with momentum 1 - ours; a frozen one in eval mode without gradients."""

    def __init__(self, net):
        import torch
        self.torch, self.net, self.mods = torch, net, []
        for layer in net.layers:
            i, kind = layer.index, layer.cfg["type"]
            if kind == "dense":
                mod = torch.nn.Linear(*layer.param_shapes["W"]).double()
                self._put(mod.weight, net.params[f"{i}.W"].T)
                self._put(mod.bias, net.params[f"{i}.b"])
            elif kind == "conv2d":
                F_, C, k, _ = layer.param_shapes["W"]
                mod = torch.nn.Conv2d(C, F_, k).double()
                self._put(mod.weight, net.params[f"{i}.W"])
                self._put(mod.bias, net.params[f"{i}.b"])
            elif kind == "batchnorm":
                cls = torch.nn.BatchNorm1d if len(layer.in_shape) == 1 else torch.nn.BatchNorm2d
                mod = cls(layer.channels, eps=layer.cfg["epsilon"], momentum=1 - layer.cfg["momentum"]).double()
                self._put(mod.weight, net.params[f"{i}.gamma"])
                self._put(mod.bias, net.params[f"{i}.beta"])
                with torch.no_grad():
                    mod.running_mean.copy_(torch.tensor(net.state[f"{i}.moving_mean"], dtype=torch.float64))
                    mod.running_var.copy_(torch.tensor(net.state[f"{i}.moving_variance"], dtype=torch.float64))
            elif kind == "maxpool2d":
                mod = torch.nn.MaxPool2d(layer.cfg["pool_size"])
            elif kind == "flatten":
                mod = torch.nn.Flatten()
            else:
                raise KeyError(kind)
            for p in mod.parameters():
                p.requires_grad_(layer.trainable)
            self.mods.append(mod)

    def _put(self, param, value):
        with self.torch.no_grad():
            param.copy_(self.torch.tensor(np.asarray(value, np.float64)))

    def train(self, training=True):
        for layer, mod in zip(self.net.layers, self.mods):
            mod.train(training and layer.trainable if layer.cfg["type"] == "batchnorm" else training)

    def forward(self, x):
        F = self.torch.nn.functional
        h = self.torch.tensor(np.asarray(x, np.float64))
        for layer, mod in zip(self.net.layers, self.mods):
            if layer.cfg["type"] == "conv2d":
                k = layer.cfg["kernel_size"]
                (t, b), (l, r) = same_padding(h.shape[2], k, 1), same_padding(h.shape[3], k, 1)
                h = F.pad(h, (l, r, t, b))
            h = mod(h)
            h = {"tanh": self.torch.tanh, "relu": F.relu, "linear": lambda z: z}[layer.activation](h)
        return h

    def loss(self, x, y):
        F = self.torch.nn.functional
        out = self.forward(x)
        if self.net.loss == "mse":
            return F.mse_loss(out, self.torch.tensor(y))
        return F.cross_entropy(out, self.torch.tensor(y))

    def parameters(self, weights):
        """Trainable parameters: the weights (decayed) or the rest (biases, gamma, beta)."""
        out = []
        for layer, mod in zip(self.net.layers, self.mods):
            for name, p in mod.named_parameters():
                decayed = layer.cfg["type"] in ("dense", "conv2d") and name == "weight"
                if p.requires_grad and decayed == weights:
                    out.append(p)
        return out

    def named(self):
        """engine name -> (torch tensor, transposed) for every parameter and moving statistic."""
        out = {}
        for layer, mod in zip(self.net.layers, self.mods):
            i, kind = layer.index, layer.cfg["type"]
            if kind == "dense":
                out.update({f"{i}.W": (mod.weight, True), f"{i}.b": (mod.bias, False)})
            elif kind == "conv2d":
                out.update({f"{i}.W": (mod.weight, False), f"{i}.b": (mod.bias, False)})
            elif kind == "batchnorm":
                out.update({f"{i}.gamma": (mod.weight, False), f"{i}.beta": (mod.bias, False),
                            f"{i}.moving_mean": (mod.running_mean, False),
                            f"{i}.moving_variance": (mod.running_var, False)})
        return out


TORCH_CASES = [(mlp, ()), (mlp, (1,)), (cnn, ()), (cnn, (0, 1))]


@pytest.mark.parametrize("make, frozen", TORCH_CASES, ids=[f"{m.__name__}-{f}" for m, f in TORCH_CASES])
@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_matches_torch_batchnorm(make, frozen, optimizer, rng):
    torch = pytest.importorskip("torch")
    spec = make(frozen=frozen)
    net = engine.build(spec, seed=4, dtype=np.float64)
    randomise(net, rng)
    x, y = data(spec, rng, n=10)
    twin = TorchTwin(net)
    named = twin.named()

    twin.train(False)
    np.testing.assert_allclose(net.forward(x), twin.forward(x).detach().numpy(), rtol=1e-10, atol=1e-12)
    def reset_moving():                                   # a training forward in torch moves them
        for name, (tensor, _) in named.items():
            if "moving" in name:
                with torch.no_grad():
                    tensor.copy_(torch.tensor(net.state[name]))

    twin.train(True)
    np.testing.assert_allclose(net.forward(x, training=True), twin.forward(x).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    reset_moving()
    ref = twin.loss(x, y)
    ref.backward()
    reset_moving()
    loss, grads = net.loss_and_grads(x, y)
    assert loss == pytest.approx(ref.item(), rel=1e-10)
    for name, (tensor, transposed) in named.items():
        if "moving" in name:
            continue
        if tensor.grad is not None:
            g = tensor.grad.numpy()
            np.testing.assert_allclose(grads[name], g.T if transposed else g, rtol=1e-9, atol=1e-11, err_msg=name)
        else:
            assert not net.layers[int(name.split(".")[0])].trainable, name

    steps, lr, l2, clip = 10, 0.01, 0.05, 0.5
    tr = engine.Trainer(net, train=(x, y), optimizer=optimizer, lr=lr, batch_size=len(x), l2=l2, clip_norm=clip)
    tr.step(steps)
    make_opt = (torch.optim.Adam if optimizer == "adam"
                else lambda groups, lr: torch.optim.SGD(groups, lr=lr, momentum=0.9))
    opt = make_opt([{"params": twin.parameters(True), "weight_decay": l2},
                    {"params": twin.parameters(False), "weight_decay": 0.0}], lr=lr)
    trained = twin.parameters(True) + twin.parameters(False)
    for _ in range(steps):
        opt.zero_grad()
        twin.loss(x, y).backward()
        torch.nn.utils.clip_grad_norm_(trained, clip)
        opt.step()
    for name, (tensor, transposed) in named.items():
        value = tensor.detach().numpy()
        np.testing.assert_allclose(net.params.get(name, net.state.get(name)), value.T if transposed else value,
                                   rtol=1e-8, atol=1e-10, err_msg=name)
    twin.train(False)
    np.testing.assert_allclose(net.forward(x), twin.forward(x).detach().numpy(), rtol=1e-8, atol=1e-10)
