"""What a Snapshot gives the CNN and RNN pages."""
import numpy as np

import engine
from engine.data.images import bars
from engine.data.sequences import delayed_recall


def test_cnn_snapshot():
    x, y = bars(200, seed=0)
    xt, yt = bars(60, seed=1)
    spec = {"input_shape": [1, 12, 12], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 3, "activation": "relu"}, {"type": "maxpool2d"},
        {"type": "flatten"}, {"type": "dense", "units": 4}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), test=(xt, yt), lr=0.01)
    snap = tr.step(200)
    assert snap.kernels[0].shape == (4, 1, 3, 3)
    assert [o.shape for o in snap.probe_outputs] == [(4, 12, 12), (4, 6, 6), (144,), (4,)]
    np.testing.assert_allclose(snap.probe_outputs[0], tr.net.layer_outputs(xt[:1])[0][0], rtol=1e-6)
    p = snap.class_probabilities(5)
    assert p.shape == (5, 4) and np.allclose(p.sum(axis=1), 1)
    c = snap.confusion
    assert c.shape == (4, 4) and c.sum() == 60
    assert np.trace(c) / 60 == snap.test_acc                # agrees with the evaluation
    assert snap.grad_norms.keys() == {0, 3}


def test_rnn_snapshot_trace_and_vanishing_gradient():
    x, y = delayed_recall(n=100, delay=20, seed=0)
    for cell in ("rnn", "lstm", "gru"):
        spec = {"input_shape": [21, 8], "loss": "softmax_crossentropy",
                "layers": [{"type": cell, "units": 6}, {"type": "dense", "units": 4}]}
        net = engine.build(spec, seed=0, dtype=np.float64)
        tr = engine.Trainer(net, train=(x, y), test=(x[:10], y[:10]))
        trace = tr.snapshot().recurrent_trace[0]
        assert trace["hidden"].shape == (21, 6) and trace["grad_norm"].shape == (21,)
        hidden = net.layer_outputs(x[:1])[0][0]
        np.testing.assert_allclose(trace["hidden"][-1], hidden, rtol=1e-10)
        if cell == "rnn":
            assert "gates" not in trace and trace["grad_norm"][0] < trace["grad_norm"][-1]
        else:
            assert trace["gates"].shape == (21, 4 if cell == "lstm" else 3, 6)
            assert ((trace["gates"][:, 0] >= 0) & (trace["gates"][:, 0] <= 1)).all()   # a sigmoid gate
        assert trace["grad_norm"][-1] > 0
