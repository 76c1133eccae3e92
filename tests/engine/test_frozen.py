"""Frozen layers against the NumPy reference: no update, no L1/L2 and no moments for their
parameters, while gradients still flow through them to earlier trainable layers."""
import numpy as np
import pytest

import engine
from tests import reference

SPEC = {"input_shape": [2], "loss": "mse", "layers": [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 3, "activation": "sigmoid"},
    {"type": "dense", "units": 1}]}


def frozen_spec(frozen, spec=SPEC):
    layers = [{**layer, "trainable": i not in frozen} for i, layer in enumerate(spec["layers"])]
    return {**spec, "layers": layers}


@pytest.mark.parametrize("frozen", [(0,), (1,), (0, 2), ()])
@pytest.mark.parametrize("clip", [None, 0.3])
def test_training_with_frozen_layers_matches_the_reference(frozen, clip, rng):
    spec = frozen_spec(frozen)
    net = engine.build(spec, seed=4, dtype=np.float64)
    x, y = rng.normal(size=(12, 2)), rng.normal(size=(12, 1))
    expected = reference.adam_training(spec, net.params, x, y, steps=10, lr=0.05, l1=0.01, l2=0.1, clip=clip)
    before = {k: v.copy() for k, v in net.params.items()}
    tr = engine.Trainer(net, train=(x, y), optimizer="adam", lr=0.05, batch_size=12, l1=0.01, l2=0.1,
                        clip_norm=clip)
    tr.step(10)
    for name, value in expected.items():
        np.testing.assert_allclose(net.params[name], value, rtol=1e-6, atol=1e-8, err_msg=name)
    for layer in frozen:
        for name in ("W", "b"):
            np.testing.assert_array_equal(net.params[f"{layer}.{name}"], before[f"{layer}.{name}"])
    frozen_params = net.trainable_mask == 0
    assert frozen_params.sum() == sum(before[f"{i}.W"].size + before[f"{i}.b"].size for i in frozen)
    assert not tr._m[frozen_params].any() and not tr._v[frozen_params].any()     # moments untouched
    assert tr._m[~frozen_params].all()


def test_gradients_flow_through_a_frozen_layer(rng):
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    free = engine.build(SPEC, seed=1, dtype=np.float64)
    frozen = engine.build(frozen_spec((1,)), seed=1, dtype=np.float64)
    loss, grads = frozen.loss_and_grads(x, y)
    assert (loss, grads.keys()) == (free.loss_and_grads(x, y)[0], free.params.keys())
    for name, g in free.loss_and_grads(x, y)[1].items():       # what reaches every layer, frozen or not
        np.testing.assert_array_equal(grads[name], g)
    assert np.abs(grads["0.W"]).sum() > 0


def test_frozen_layers_are_left_out_of_the_penalties_and_the_clipping_norm(rng):
    net = engine.build(frozen_spec((0, 1)), seed=0)
    np.testing.assert_array_equal(net.decay_mask, np.r_[np.zeros(8 + 4 + 12 + 3), np.ones(3), 0])
    np.testing.assert_array_equal(net.train_runs, [[27, 31]])
    np.testing.assert_array_equal(net.layer_ranges, [[0, 12, 0], [12, 27, 0], [27, 31, 1]])
    all_frozen = engine.build(frozen_spec((0, 1, 2)), seed=0)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    tr = engine.Trainer(all_frozen, train=(x, y), optimizer="momentum", l2=1.0)
    before = all_frozen.flat.copy()
    snap = tr.step(3)
    np.testing.assert_array_equal(all_frozen.flat, before)
    assert not snap.diverged and all(v > 0 for v in snap.grad_norms.values())   # still measured
