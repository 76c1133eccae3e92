"""Transfer learning: engine.build(spec, init_from=net, layers=[...]) starts the named layers from
another network's parameters and state; a frozen base keeps them (and gets no optimizer moments)
while a new head trains, exactly as PyTorch with requires_grad=False on the same layers."""
import numpy as np
import pytest

import engine
from tests.engine.test_torch_frozen import TorchTwin


def base(classes, trainable=True, bn=False):
    layers = [{"type": "conv2d", "filters": 3, "kernel_size": 3, "activation": "relu" if not bn else "linear",
               "trainable": trainable}]
    if bn:
        layers.append({"type": "batchnorm", "activation": "relu", "momentum": 0.9, "trainable": trainable})
    return {"input_shape": [1, 6, 6], "loss": "softmax_crossentropy", "layers": layers + [
        {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"},
        {"type": "dense", "units": classes}]}


def test_init_from_copies_the_named_layers_and_nothing_else(rng):
    first = engine.build(base(5, bn=True), seed=1)
    x = rng.normal(size=(20, 1, 6, 6))
    engine.Trainer(first, train=(x, rng.integers(0, 5, 20)), batch_size=10).step(6)
    second = engine.build(base(3, trainable=False, bn=True), seed=2, init_from=first, layers=[0, 1])
    fresh = engine.build(base(3, trainable=False, bn=True), seed=2)
    for name in ("0.W", "0.b", "1.gamma", "1.beta"):
        np.testing.assert_array_equal(second.params[name], first.params[name])
    for name in ("1.moving_mean", "1.moving_variance"):
        np.testing.assert_array_equal(second.state[name], first.state[name])
        assert not np.array_equal(second.state[name], fresh.state[name])
    for name in ("4.W", "4.b"):                              # the new head: its own seed's start
        np.testing.assert_array_equal(second.params[name], fresh.params[name])
    np.testing.assert_array_equal(second.layer_outputs(x)[2], first.layer_outputs(x)[2])
    as64 = engine.build(base(3), seed=0, dtype=np.float64, init_from=engine.build(base(5), seed=1), layers=(0,))
    np.testing.assert_array_equal(as64.params["0.W"], engine.build(base(5), seed=1).params["0.W"])


def test_mismatches_and_bad_indices_are_clear_errors():
    src = engine.build(base(5), seed=0)
    with pytest.raises(ValueError, match=r"layers\[3\]: this network's dense has W \(27, 3\), b \(3,\) "
                                         r"but init_from's dense has W \(27, 5\), b \(5,\)"):
        engine.build(base(3), init_from=src, layers=[0, 3])
    wide = {**base(5), "layers": [{**base(5)["layers"][0], "filters": 4}] + base(5)["layers"][1:]}
    with pytest.raises(ValueError, match=r"layers\[0\]: .*W \(4, 1, 3, 3\), b \(4,\) but .*W \(3, 1, 3, 3\)"):
        engine.build(wide, init_from=src, layers=[0])
    with pytest.raises(ValueError, match=r"index 7 is out of range: this network has layers 0-3"):
        engine.build(base(3), init_from=src, layers=[7])
    with pytest.raises(ValueError, match=r"index -1 is out of range"):
        engine.build(base(3), init_from=src, layers=[-1])
    with pytest.raises(ValueError, match=r"layers\[1\] \(maxpool2d\) has no parameters to copy"):
        engine.build(base(3), init_from=src, layers=[1])
    with pytest.raises(ValueError, match=r"this network's batchnorm has gamma \(3,\), beta \(3,\), moving_mean "
                                         r"\(3,\), moving_variance \(3,\) but init_from's maxpool2d has no parameters"):
        engine.build(base(3, bn=True), init_from=src, layers=[1])
    with pytest.raises(ValueError, match="init_from must be a Network"):
        engine.build(base(3), init_from={"0.W": 1}, layers=[0])
    with pytest.raises(ValueError, match="layers must be a list"):
        engine.build(base(3), init_from=src, layers=0)
    with pytest.raises(ValueError, match="must be an integer"):
        engine.build(base(3), init_from=src, layers=["0"])
    mixed = engine.build(base(5), seed=3)
    before = mixed.flat.copy()
    with pytest.raises(ValueError):
        mixed.copy_layers(engine.build(base(3), seed=4), [0, 3])      # layer 0 fits, 3 does not
    np.testing.assert_array_equal(mixed.flat, before)                  # nothing copied


def test_a_frozen_base_keeps_its_weights_and_gets_no_moments(rng):
    first = engine.build(base(5, bn=True), seed=1)
    x = rng.normal(size=(24, 1, 6, 6))
    engine.Trainer(first, train=(x, rng.integers(0, 5, 24)), batch_size=8).step(9)
    second = engine.build(base(3, trainable=False, bn=True), seed=2, init_from=first, layers=[0, 1])
    before, state = second.flat.copy(), second.state_flat.copy()
    tr = engine.Trainer(second, train=(x, rng.integers(0, 3, 24)), optimizer="adam", batch_size=8, l2=0.1)
    tr.step(12)
    frozen = second.trainable_mask == 0
    assert frozen.sum() == 3 * 9 + 3 + 3 + 3
    np.testing.assert_array_equal(second.flat[frozen], before[frozen])
    np.testing.assert_array_equal(second.state_flat, state)           # a frozen batchnorm's statistics too
    assert not tr._m[frozen].any() and not tr._v[frozen].any()
    assert (second.flat[~frozen] != before[~frozen]).all() and tr._m[~frozen].all()


@pytest.mark.parametrize("fine_tune", [False, True])
def test_a_reused_base_with_a_new_head_trains_as_in_torch(fine_tune, rng):
    torch = pytest.importorskip("torch")
    first = engine.build(base(5), seed=1, dtype=np.float64)
    x = rng.normal(size=(10, 1, 6, 6))
    engine.Trainer(first, train=(x, rng.integers(0, 5, 10)), batch_size=5).step(5)
    net = engine.build(base(3, trainable=fine_tune), seed=2, dtype=np.float64, init_from=first, layers=[0])
    np.testing.assert_array_equal(net.params["0.W"], first.params["0.W"])
    y = rng.integers(0, 3, 10)
    twin = TorchTwin(net)
    ref = twin.loss(x, y)
    ref.backward()
    np.testing.assert_allclose(net.forward(x), twin.forward(x).detach().numpy(), rtol=1e-10, atol=1e-12)
    loss, grads = net.loss_and_grads(x, y)
    assert loss == pytest.approx(ref.item(), rel=1e-10)
    for name in net.params:
        if twin.grad(name) is not None:
            np.testing.assert_allclose(grads[name], twin.grad(name), rtol=1e-9, atol=1e-12, err_msg=name)
    assert (twin.grad("0.W") is None) != fine_tune
    tr = engine.Trainer(net, train=(x, y), optimizer="adam", lr=0.01, batch_size=len(x))
    tr.step(10)
    leaves = [t for _, t in twin.trained()]
    opt = torch.optim.Adam(leaves, lr=0.01)
    for _ in range(10):
        opt.zero_grad()
        twin.loss(x, y).backward()
        opt.step()
    for name in net.params:
        np.testing.assert_allclose(net.params[name], twin.value(name), rtol=1e-8, atol=1e-11, err_msg=name)
    if not fine_tune:
        np.testing.assert_array_equal(net.params["0.W"], first.params["0.W"])
