"""Finite-difference checks (float64) for every layer x activation x loss."""
import numpy as np
import pytest

import engine
from tests.helpers import dense_spec, labels_for
from tests.reference import forward, loss as ref_loss, numeric_grads

ACTS = sorted(engine.ACTIVATIONS)
LOSS_NAMES = sorted(engine.LOSSES)


def assert_grads_close(analytic, numeric, rtol=1e-5, atol=1e-8):
    for name in numeric:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_dense_gradients(activation, loss, rng):
    outputs = 3 if loss == "softmax_crossentropy" else 2
    spec = dense_spec([4, 3], activation=activation, loss=loss, inputs=3, outputs=outputs)
    net = engine.build(spec, seed=1, dtype=np.float64)
    x = rng.normal(size=(5, 3))
    y = labels_for(loss, rng, 5, outputs)
    value, grads = net.loss_and_grads(x, y)
    assert value == pytest.approx(ref_loss(loss, forward(spec, net.params, x), y), rel=1e-10)
    assert_grads_close(grads, numeric_grads(net, x, y))


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_dropout_and_flatten_gradients(loss, rng):
    outputs = 3 if loss == "softmax_crossentropy" else 1
    spec = {"input_shape": [2, 3], "layers": [
        {"type": "dense", "units": 4, "activation": "tanh"},   # acts on every row of (2, 3)
        {"type": "dropout", "rate": 0.5},
        {"type": "flatten"},
        {"type": "dense", "units": outputs}], "loss": loss}
    net = engine.build(spec, seed=2, dtype=np.float64)
    x = rng.normal(size=(4, 2, 3))
    y = labels_for(loss, rng, 4, outputs)
    value, grads = net.loss_and_grads(x, y)
    assert value == pytest.approx(ref_loss(loss, forward(spec, net.params, x), y), rel=1e-10)
    assert_grads_close(grads, numeric_grads(net, x, y))


def test_gradients_do_not_depend_on_batch_split(rng):
    """The mean-loss gradient of a batch is the mean of its halves' gradients."""
    net = engine.build(dense_spec([5], loss="mse"), seed=3, dtype=np.float64)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    _, whole = net.loss_and_grads(x, y)
    _, a = net.loss_and_grads(x[:4], y[:4])
    _, b = net.loss_and_grads(x[4:], y[4:])
    for name in whole:
        np.testing.assert_allclose(whole[name], (a[name] + b[name]) / 2, rtol=1e-10, atol=1e-14)


def test_large_logits_are_stable(rng):
    """Cross-entropies on logits of +-1e4 give finite losses and gradients."""
    # One sample right with a margin of 1e4 (loss 0), one wrong by as much.
    for loss, y, expected in (("binary_crossentropy", np.array([[1.0], [0.0]]), 5e3),
                              ("softmax_crossentropy", np.array([0, 1]), 1e4)):
        outputs = 1 if loss == "binary_crossentropy" else 2
        net = engine.build(dense_spec([], loss=loss, outputs=outputs), dtype=np.float64)
        net.set_params({"0.W": np.full((2, outputs), 0.0), "0.b": np.array([1e4, -1e4][:outputs])})
        value, grads = net.loss_and_grads(np.zeros((2, 2)), y)
        assert np.isfinite(value) and all(np.isfinite(g).all() for g in grads.values())
        assert value == pytest.approx(expected, rel=1e-9)
