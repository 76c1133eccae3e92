"""Forward passes and activations against the NumPy reference."""
import numpy as np
import pytest

import engine
from engine.kernels.activations import activate
from tests.helpers import dense_spec
from tests.reference import activation as ref_activation, forward


@pytest.mark.parametrize("name", sorted(engine.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_matches_reference(name, dtype):
    x = np.linspace(-30, 30, 200_001).astype(dtype)
    got = activate(name, x)
    ref = ref_activation(name, x.astype(np.float64))
    assert got.dtype == dtype
    if name == "tanh":            # the float32 rational approximation: 1e-6 relative
        nz = ref != 0
        rel = np.abs(got[nz] - ref[nz]) / np.abs(ref[nz])
        assert rel.max() < (1e-6 if dtype == np.float32 else 1e-15)
    else:
        np.testing.assert_allclose(got, ref, rtol=1e-6 if dtype == np.float32 else 1e-15, atol=2e-7)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_fast_activations_keep_nan_and_saturate(name):
    got = activate(name, np.array([np.nan, np.inf, -np.inf, 0.0], np.float32))
    assert np.isnan(got[0])
    low = -1.0 if name == "tanh" else 0.0
    np.testing.assert_allclose(got[1:], [1.0, low, 0.0 if name == "tanh" else 0.5], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", sorted(engine.ACTIVATIONS))
def test_forward_matches_reference(dtype, activation, rng):
    spec = dense_spec([7, 5], activation=activation, inputs=4, outputs=3)
    net = engine.build(spec, seed=5, dtype=dtype)
    x = rng.normal(size=(600, 4))       # more than one prediction chunk
    out = net.forward(x)
    assert out.shape == (600, 3) and out.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, forward(spec, net.params, x), rtol=tol, atol=tol)


def test_layer_outputs_end_with_forward(rng):
    net = engine.build(dense_spec([3, 2]), seed=0)
    x = rng.normal(size=(10, 2))
    outs = net.layer_outputs(x)
    assert [o.shape for o in outs] == [(10, 3), (10, 2), (10, 1)]
    np.testing.assert_allclose(outs[-1], net.forward(x), rtol=1e-6)


def test_dropout_is_inverted_and_only_in_training(rng):
    spec = {"input_shape": [1000], "layers": [{"type": "dropout", "rate": 0.3}], "loss": "mse"}
    net = engine.build(spec, seed=0)
    x = np.ones((20, 1000), np.float32)
    np.testing.assert_array_equal(net.forward(x), x)
    y = net.forward(x, training=True)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_initialisation_schemes(rng):
    relu = engine.build(dense_spec([400], activation="relu", inputs=300), seed=0)
    assert relu.params["0.W"].std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    tanh = engine.build(dense_spec([400], activation="tanh", inputs=300), seed=0)
    limit = np.sqrt(6 / 700)
    assert np.abs(tanh.params["0.W"]).max() <= limit
    assert tanh.params["0.W"].std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    spec = dict(dense_spec([400], inputs=300), init="uniform")
    tf = engine.build(spec, seed=0)
    assert np.abs(tf.params["0.W"]).max() <= 0.5 and tf.params["0.W"].std() > 0.28
    np.testing.assert_array_equal(tf.params["0.b"], np.float32(0.1))
    np.testing.assert_array_equal(tanh.params["0.b"], 0)
    same = engine.build(dense_spec([400], activation="tanh", inputs=300), seed=0, dtype=np.float64)
    np.testing.assert_allclose(same.params["0.W"], tanh.params["0.W"], rtol=1e-7)


def test_set_params_checks_shapes():
    net = engine.build(dense_spec([3]), seed=0)
    with pytest.raises(ValueError, match="0.W must have shape"):
        net.set_params({"0.W": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="unknown parameter"):
        net.set_params({"9.W": np.zeros((3, 3))})
    net.set_params({"0.b": np.arange(3.0)})
    np.testing.assert_array_equal(net.params["0.b"], [0, 1, 2])
