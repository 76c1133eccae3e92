"""The autoencoder's layers: a VAE's sampling layer (the reparameterised code in training, the
mean otherwise, beta times its KL divergence to N(0, 1) in the loss) and Gaussian input noise
for a denoising autoencoder, against the NumPy reference, finite differences with the noise
held fixed, and PyTorch fed the same noise (forward, loss, gradients, 10 Adam steps)."""
import numpy as np
import pytest

import engine
from engine.kernels import program as P
from tests import reference

BETA = 0.7


def vae(loss="binary_crossentropy", beta=BETA, noise=None, code=2):
    layers = [{"type": "noise", "stddev": noise}] if noise is not None else []
    layers += [{"type": "dense", "units": 7, "activation": "tanh"},
               {"type": "dense", "units": 2 * code},                    # means, then log-variances
               {"type": "sampling", "beta": beta},
               {"type": "dense", "units": 7, "activation": "tanh"},
               {"type": "dense", "units": 6}]
    return {"input_shape": [6], "loss": loss, "layers": layers}


def sampling_index(net):
    return next(layer.index for layer in net.layers if layer.cfg["type"] == "sampling")


def eps_of(net, cache, B):
    """The normals the sampling layer drew for a batch of B, read from its cache."""
    row = net.prog[sampling_index(net)]
    k = row[P.X0]
    return cache[B * row[P.C_OFF]:B * (row[P.C_OFF] + row[P.C_SIZE])].reshape(B, k + 1)[:, :k].astype(np.float64)


def reference_loss(spec, params, x, y, eps=None):
    """(data loss, KL averaged over the batch, the whole loss) as the engine defines them."""
    i = next(i for i, layer in enumerate(spec["layers"]) if layer["type"] == "sampling")
    code = reference.forward({**spec, "layers": spec["layers"][:i]}, params, x)
    k = code.shape[1] // 2
    kl = reference.kl_to_standard_normal(code[:, :k], code[:, k:])
    out = reference.forward(spec, params, x, training=eps is not None, eps={i: eps})
    data = reference.loss(spec["loss"], out, y)
    per_sample = out.size // len(x) if spec["loss"] != "softmax_crossentropy" else 1
    return data, kl.mean(), data + spec["layers"][i]["beta"] * kl.mean() / per_sample


def randomise(net, rng):
    for name in net.params:
        net.params[name][...] = rng.normal(scale=0.5, size=net.params[name].shape)


@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse"])
def test_inference_uses_the_mean_and_the_loss_adds_the_kl_term(loss, rng):
    spec = vae(loss)
    net = engine.build(spec, seed=0, dtype=np.float64)
    randomise(net, rng)
    x = rng.uniform(size=(9, 6))
    np.testing.assert_allclose(net.forward(x), reference.forward(spec, net.params, x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.layer_outputs(x)[2], reference.forward(
        {**spec, "layers": spec["layers"][:2]}, net.params, x)[:, :2], rtol=1e-10)
    value, grads = net.loss_and_grads(x, x)                  # no draw: the code is the mean
    data, kl, whole = reference_loss(spec, net.params, x, x)
    assert kl > 0.1 and value == pytest.approx(whole, rel=1e-10)
    numeric = reference.numeric_grads(net, x, x)
    for name in numeric:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-8, err_msg=name)


def loss_with_fixed_noise(net, x, y, start):
    """loss_and_grads in training mode, the net's random stream reset to ``start`` first: every
    call draws the same normals."""
    net._rng_state[:] = start
    return net.loss_and_grads(x, y, training=True)


@pytest.mark.parametrize("noise", [None, 0.3])
def test_training_gradients_with_the_noise_held_fixed(noise, rng):
    spec = vae("mse", noise=noise)
    net = engine.build(spec, seed=1, dtype=np.float64)
    randomise(net, rng)
    x = rng.uniform(size=(5, 6))
    start = net._rng_state.copy()
    value, grads = loss_with_fixed_noise(net, x, x, start)
    assert value != net.loss_and_grads(x, x)[0]              # the draw changes the loss
    assert loss_with_fixed_noise(net, x, x, start)[0] == value   # the same stream, the same draw
    if noise is None:
        net._rng_state[:] = start
        _, _, cache = net._backprop(x, x, net.model(), training=True)
        eps = eps_of(net, cache, len(x))
        assert value == pytest.approx(reference_loss(spec, net.params, x, x, eps)[2], rel=1e-10)
    for name, p in net.params.items():
        numeric = np.zeros_like(p)
        for k in range(p.size):
            old = p.flat[k]
            p.flat[k] = old + 1e-6
            up = loss_with_fixed_noise(net, x, x, start)[0]
            p.flat[k] = old - 1e-6
            down = loss_with_fixed_noise(net, x, x, start)[0]
            p.flat[k] = old
            numeric.flat[k] = (up - down) / 2e-6
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_the_sample_is_mean_plus_spread_times_normal_noise(rng):
    spec = {"input_shape": [4], "loss": "mse", "layers": [{"type": "sampling"}]}
    net = engine.build(spec, seed=0, dtype=np.float64)
    mean, log_var = np.array([1.0, -2.0]), np.log(np.array([0.25, 4.0]))
    x = np.tile(np.r_[mean, log_var], (20000, 1))
    z = net.forward(x, training=True)
    np.testing.assert_allclose(z.mean(axis=0), mean, atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), [0.5, 2.0], rtol=0.03)
    assert abs(np.corrcoef(z.T)[0, 1]) < 0.03
    np.testing.assert_array_equal(net.forward(x[:3]), np.tile(mean, (3, 1)))
    with pytest.raises(ValueError, match=r"layers\[0\] \(sampling\): expects an even number of features"):
        engine.build({"input_shape": [3], "loss": "mse", "layers": [{"type": "sampling"}]})
    with pytest.raises(ValueError, match="beta"):
        engine.build({"input_shape": [4], "loss": "mse", "layers": [{"type": "sampling", "beta": 5}]})


def test_noise_is_gaussian_in_training_only_and_targets_stay_clean(rng):
    spec = {"input_shape": [3], "loss": "mse", "layers": [{"type": "noise", "stddev": 0.2},
                                                          {"type": "dense", "units": 3}]}
    net = engine.build(spec, seed=0, dtype=np.float64)
    x = rng.uniform(size=(30000, 3))
    noisy = net.layer_outputs(x)[0]
    np.testing.assert_array_equal(noisy, x)                  # inference: the identity
    drawn = net._forward_all(net.inputs(x), net.model(), training=True)[0] - x
    assert abs(drawn.mean()) < 0.005 and drawn.std() == pytest.approx(0.2, rel=0.02)
    small = x[:8]
    tr = engine.Trainer(net, train=(small, small), optimizer="sgd", lr=0.1, batch_size=8)
    before = {k: v.copy() for k, v in net.params.items()}
    order = tr._order.copy()
    tr.step(1)
    acts = net.workspace(8)[0]
    inputs, noisy = acts[:24].reshape(8, 3), acts[24:48].reshape(8, 3)
    np.testing.assert_array_equal(inputs, small[order])
    assert np.abs(noisy - inputs).max() > 0.05
    expected = reference.loss("mse", noisy @ before["1.W"] + before["1.b"], inputs)   # clean targets
    assert tr.step_loss.values[0] == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match="stddev"):
        engine.build({"input_shape": [3], "loss": "mse", "layers": [{"type": "noise"}]})


def test_training_is_reproducible_and_records_the_kl(rng):
    x = rng.uniform(size=(40, 6))
    runs = []
    for _ in range(2):
        net = engine.build(vae(noise=0.2), seed=3)
        tr = engine.Trainer(net, train=(x, x), batch_size=8, seed=5)
        snap = tr.step(12)
        runs.append((net.flat.copy(), snap.history["kl"].copy(), snap.history["step_loss"].copy()))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    kl, step_loss = runs[0][1], runs[0][2]
    assert kl.shape == step_loss.shape == (12,) and (kl > 0).all()
    plain = engine.Trainer(engine.build(vae(beta=0.0)), train=(x, x)).step(2)
    assert "kl" in plain.history and "kl" not in engine.Trainer(
        engine.build({"input_shape": [6], "loss": "mse", "layers": [{"type": "dense", "units": 6}]}),
        train=(x, x)).step(1).history


def test_kl_history_and_losses_match_torch_fed_the_same_noise(rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    spec = vae("binary_crossentropy", beta=1.5)
    net = engine.build(spec, seed=4, dtype=np.float64)
    randomise(net, rng)
    x = rng.uniform(size=(10, 6))
    names = [name for name in net.params]
    leaves = {name: torch.tensor(net.params[name].copy(), requires_grad=True) for name in names}

    def torch_loss(xb, eps):
        h = torch.tanh(torch.tensor(xb) @ leaves["0.W"] + leaves["0.b"])
        code = h @ leaves["1.W"] + leaves["1.b"]
        mu, log_var = code[:, :2], code[:, 2:]
        z = mu + torch.exp(log_var / 2) * torch.tensor(eps)
        out = torch.tanh(z @ leaves["3.W"] + leaves["3.b"]) @ leaves["4.W"] + leaves["4.b"]
        kl = (-0.5 * (1 + log_var - mu ** 2 - log_var.exp()).sum(dim=1)).mean()
        return F.binary_cross_entropy_with_logits(out, torch.tensor(xb)) + 1.5 * kl / 6, out, kl

    start = net._rng_state.copy()
    value, grads = loss_with_fixed_noise(net, x, x, start)
    net._rng_state[:] = start
    _, _, cache = net._backprop(x, x, net.model(), training=True)
    eps = eps_of(net, cache, len(x))
    ref, out, _ = torch_loss(x, eps)
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=1e-10)
    for name in names:
        np.testing.assert_allclose(grads[name], leaves[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(net.forward(x), torch_loss(x, np.zeros_like(eps))[1].detach().numpy(), rtol=1e-10)

    tr = engine.Trainer(net, train=(x, x), optimizer="adam", lr=0.01, batch_size=len(x))
    opt = torch.optim.Adam(leaves.values(), lr=0.01)
    kls, datas = [], []
    for _ in range(10):
        order = tr._order.copy()
        tr.step(1)
        eps = eps_of(net, net.workspace(len(x))[2], len(x))
        opt.zero_grad()
        loss, out, kl = torch_loss(x[order], eps)
        loss.backward()
        opt.step()
        kls.append(kl.item())
        datas.append(F.binary_cross_entropy_with_logits(out, torch.tensor(x[order])).item())
    np.testing.assert_allclose(tr.step_kl.values, kls, rtol=1e-9)
    np.testing.assert_allclose(tr.step_loss.values, datas, rtol=1e-9)     # the data (reconstruction) loss
    for name in names:
        np.testing.assert_allclose(net.params[name], leaves[name].detach().numpy(), rtol=1e-8, atol=1e-10,
                                   err_msg=name)
