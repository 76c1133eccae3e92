"""RNN, LSTM and GRU: NumPy reference, finite differences through time, stacking."""
import numpy as np
import pytest

import engine
from tests.helpers import labels_for
from tests.reference import forward, numeric_grads

CELLS = ["rnn", "lstm", "gru"]


def seq_spec(cell, seq, units=4, T=5, F=3, loss="mse", outputs=2):
    layers = [{"type": cell, "units": units, "return_sequences": seq}]
    if seq:
        layers.append({"type": "flatten"})
    layers.append({"type": "dense", "units": outputs})
    return {"input_shape": [T, F], "layers": layers, "loss": loss}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("seq", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_matches_reference(cell, seq, dtype, rng):
    spec = seq_spec(cell, seq, units=6, T=7)
    net = engine.build(spec, seed=0, dtype=dtype)
    x = rng.normal(size=(4, 7, 3))
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(net.forward(x), forward(spec, net.params, x), rtol=tol, atol=tol)
    hidden = net.layer_outputs(x)[0]
    assert hidden.shape == ((4, 7, 6) if seq else (4, 6))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("seq", [False, True])
def test_gradients_through_time(cell, seq, rng):
    net = engine.build(seq_spec(cell, seq), seed=1, dtype=np.float64)
    x, y = rng.normal(size=(3, 5, 3)), rng.normal(size=(3, 2))
    _, grads = net.loss_and_grads(x, y)
    num = numeric_grads(net, x, y)
    for name in num:
        np.testing.assert_allclose(grads[name], num[name], rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("loss", sorted(engine.LOSSES))
def test_stacked_cells_and_per_step_outputs(loss, rng):
    outputs = 3 if loss == "softmax_crossentropy" else 2
    spec = {"input_shape": [4, 2], "loss": loss, "layers": [
        {"type": "gru", "units": 3, "return_sequences": True},
        {"type": "lstm", "units": 4, "return_sequences": True},
        {"type": "rnn", "units": 3, "return_sequences": True},
        {"type": "dense", "units": outputs}]}            # a prediction at every step
    net = engine.build(spec, seed=2, dtype=np.float64)
    x = rng.normal(size=(3, 4, 2))
    y = labels_for(loss, rng, 3 * 4, outputs)
    y = y.reshape(3, 4) if loss == "softmax_crossentropy" else y.reshape(3, 4, outputs)
    np.testing.assert_allclose(net.forward(x), forward(spec, net.params, x), rtol=1e-10, atol=1e-12)
    _, grads = net.loss_and_grads(x, y)
    num = numeric_grads(net, x, y)
    for name in num:
        np.testing.assert_allclose(grads[name], num[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_initialisation():
    net = engine.build(seq_spec("lstm", False, units=8), seed=0)
    b = net.params["0.b"]
    np.testing.assert_array_equal(b[8:16], 1.0)                 # forget gate
    np.testing.assert_array_equal(np.delete(b, np.s_[8:16]), 0.0)
    Wh = net.params["0.Wh"][:, :8].astype(np.float64)
    np.testing.assert_allclose(Wh @ Wh.T, np.eye(8), atol=1e-6)  # orthogonal
    gru = engine.build(seq_spec("gru", False), seed=0)
    assert set(gru.params) == {"0.Wx", "0.Wh", "0.bx", "0.bh", "1.W", "1.b"}
    assert gru.params["0.Wx"].shape == (3, 12) and gru.params["0.Wh"].shape == (4, 12)


def test_recurrent_shape_errors():
    with pytest.raises(ValueError, match=r"layers\[0\] \(lstm\): expects sequences \(time, features\)"):
        engine.build({"input_shape": [3], "layers": [{"type": "lstm", "units": 2}], "loss": "mse"})
    with pytest.raises(ValueError, match="'return_sequences' must be true or false"):
        engine.build({"input_shape": [3, 2], "layers": [{"type": "gru", "units": 2, "return_sequences": 1}],
                      "loss": "mse"})
