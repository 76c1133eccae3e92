"""engine.metrics: the one home of softmax, predicted classes, accuracy and the confusion matrix."""
import numpy as np
import pytest

import engine
from engine import trainer


def test_softmax_over_the_last_axis():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    p = engine.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(engine.softmax(z[0]), p[0])          # one vector
    assert engine.softmax(np.float32([0, 0])).dtype == np.float64


def test_predicted_classes_and_confusion_for_each_loss():
    out = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0], [1.0, 4.0, 0.0]])
    y = np.array([1, 0, 1, 1])
    assert engine.predicted_classes("softmax_crossentropy", out).tolist() == [1, 0, 2, 1]
    m = engine.confusion_matrix("softmax_crossentropy", out, y)
    assert m.tolist() == [[1, 0, 0], [0, 2, 1], [0, 0, 0]]
    assert engine.accuracy("softmax_crossentropy", out, y) == 0.75 == np.trace(m) / m.sum()
    flat = out.reshape(2, 6)                                       # sequences: (N, T * classes)
    assert engine.confusion_matrix("softmax_crossentropy", flat, y.reshape(2, 2), classes=3).tolist() == m.tolist()
    logits, labels = np.array([[2.0], [-1.0], [0.5]]), np.array([[1.0], [1.0], [0.0]])
    assert engine.predicted_classes("binary_crossentropy", logits).tolist() == [1, 0, 1]
    assert engine.confusion_matrix("binary_crossentropy", logits, labels).tolist() == [[0, 1], [1, 1]]
    signs = np.array([[0.3], [-0.2], [0.0]])                        # mse on -1/+1 labels
    assert engine.confusion_matrix("mse", signs, np.array([1.0, -1.0, -1.0])).tolist() == [[2, 0], [0, 1]]
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        engine.confusion_matrix("mse", signs, np.array([1.0, -1.0]))


def test_the_trainer_and_snapshots_use_them(rng):
    assert trainer.accuracy is engine.accuracy
    spec = {"input_shape": [4], "loss": "softmax_crossentropy", "layers": [{"type": "dense", "units": 3}]}
    x, y = rng.normal(size=(40, 4)), rng.integers(0, 3, 40)
    tr = engine.Trainer(engine.build(spec), train=(x[:30], y[:30]), test=(x[30:], y[30:]))
    snap = tr.step(5)
    out = snap.predict(x[30:])
    np.testing.assert_array_equal(snap.confusion, engine.confusion_matrix(spec["loss"], out, y[30:]))
    assert snap.test_acc == pytest.approx(np.trace(snap.confusion) / 10)
    np.testing.assert_array_equal(snap.class_probabilities(4), engine.softmax(out[:4]))


def test_loss_and_grads_takes_other_weights_without_touching_the_nets(rng):
    spec = {"input_shape": [3], "loss": "mse", "layers": [{"type": "dense", "units": 2, "activation": "tanh"},
                                                          {"type": "dense", "units": 1}]}
    net, other = engine.build(spec, seed=0), engine.build(spec, seed=1)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 1))
    mine = net.flat.copy()
    loss, grads = net.loss_and_grads(x, y, flat=other.flat)
    expected_loss, expected = other.loss_and_grads(x, y)
    assert loss == expected_loss and all(np.array_equal(grads[k], expected[k]) for k in expected)
    np.testing.assert_array_equal(net.flat, mine)
    assert net.loss_and_grads(x, y, flat=other.flat.astype(np.float64))[0] == pytest.approx(loss, rel=1e-6)
    with pytest.raises(ValueError, match=r"flat must have shape \(11,\)"):
        net.loss_and_grads(x, y, flat=np.zeros(3))
