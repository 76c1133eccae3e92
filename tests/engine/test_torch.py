"""PyTorch as a third oracle: same weights, same outputs, grads and updates."""
import numpy as np
import pytest

import engine
from tests.helpers import dense_spec, labels_for

torch = pytest.importorskip("torch")

TORCH_ACT = {"linear": torch.nn.Identity, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh,
             "relu": torch.nn.ReLU, "leaky_relu": lambda: torch.nn.LeakyReLU(0.01)}


def torch_mlp(net):
    """A torch Sequential holding ``net``'s dense weights (float64)."""
    mods = []
    for layer in net.layers:
        i = layer.index
        if layer.cfg["type"] == "dense":
            lin = torch.nn.Linear(*net.params[f"{i}.W"].shape).double()
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(net.params[f"{i}.W"].T.astype(np.float64)))
                lin.bias.copy_(torch.from_numpy(net.params[f"{i}.b"].astype(np.float64)))
            mods += [lin, TORCH_ACT[layer.activation]()]
    return torch.nn.Sequential(*mods)


def torch_loss(name, out, y):
    if name == "mse":
        return torch.nn.functional.mse_loss(out, torch.as_tensor(y, dtype=torch.float64).reshape(out.shape))
    if name == "binary_crossentropy":
        return torch.nn.functional.binary_cross_entropy_with_logits(
            out, torch.as_tensor(y, dtype=torch.float64).reshape(out.shape))
    return torch.nn.functional.cross_entropy(out, torch.as_tensor(y, dtype=torch.long))


@pytest.mark.parametrize("loss", sorted(engine.LOSSES))
@pytest.mark.parametrize("activation", sorted(engine.ACTIVATIONS))
def test_outputs_and_grads_match_torch(loss, activation, rng):
    outputs = 4 if loss == "softmax_crossentropy" else 2
    net = engine.build(dense_spec([6, 5], activation=activation, loss=loss, inputs=3,
                                  outputs=outputs), seed=7, dtype=np.float64)
    x = rng.normal(size=(9, 3))
    y = labels_for(loss, rng, 9, outputs)
    model = torch_mlp(net)
    out = model(torch.from_numpy(x))
    ref = torch_loss(loss, out, y)
    ref.backward()
    np.testing.assert_allclose(net.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-12)
    value, grads = net.loss_and_grads(x, y)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    lins = [m for m in model if isinstance(m, torch.nn.Linear)]
    for idx, lin in zip([l.index for l in net.layers], lins):
        np.testing.assert_allclose(grads[f"{idx}.W"], lin.weight.grad.numpy().T, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(grads[f"{idx}.b"], lin.bias.grad.numpy(), rtol=1e-10, atol=1e-13)


TORCH_OPT = {"sgd": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd),
             "momentum": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd),
             "adam": lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd),
             "rmsprop": lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd)}


@pytest.mark.parametrize("optimizer", sorted(engine.OPTIMIZERS))
@pytest.mark.parametrize("clip", [None, 0.05])
def test_training_trajectory_matches_torch(optimizer, clip, rng):
    """Full-batch steps, so the shuffled order cannot matter."""
    net = engine.build(dense_spec([8], activation="tanh", inputs=2, outputs=1), seed=3, dtype=np.float64)
    x, y = rng.normal(size=(16, 2)), rng.normal(size=(16, 1))
    model = torch_mlp(net)
    opt = TORCH_OPT[optimizer](model.parameters(), 0.01, 0.0)
    tr = engine.Trainer(net, train=(x, y), optimizer=optimizer, lr=0.01, batch_size=16, clip_norm=clip)
    tr.step(25)
    for _ in range(25):
        opt.zero_grad()
        torch_loss("mse", model(torch.from_numpy(x)), y).backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
    np.testing.assert_allclose(net.params["0.W"], model[0].weight.detach().numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(net.params["1.b"], model[2].bias.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("optimizer", sorted(engine.OPTIMIZERS))
def test_l2_matches_torch_weight_decay_on_weights_only(optimizer, rng):
    net = engine.build(dense_spec([4], inputs=3, outputs=2), seed=0, dtype=np.float64)
    x, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    model = torch_mlp(net)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, torch.nn.Linear)]
    opt = TORCH_OPT[optimizer]([{"params": weights, "weight_decay": 0.1},
                                {"params": biases, "weight_decay": 0.0}], 0.05, 0.0)
    tr = engine.Trainer(net, train=(x, y), optimizer=optimizer, lr=0.05, batch_size=10, l2=0.1)
    tr.step(20)
    for _ in range(20):
        opt.zero_grad()
        torch_loss("mse", model(torch.from_numpy(x)), y).backward()
        opt.step()
    np.testing.assert_allclose(net.params["0.W"], weights[0].detach().numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(net.params["1.b"], biases[1].detach().numpy(), rtol=1e-9, atol=1e-12)
