"""Probabilities, predicted classes, accuracy and the confusion matrix of raw outputs: the
one home of these facts for the trainer, snapshots and every page.

Outputs are raw (logits). Softmax cross-entropy reads the last axis as the classes (pass
``classes`` when the outputs arrive flat, (N, T * classes)); every one-output loss has two
classes, 0 negative and 1 positive: a logit or an mse output above 0 is positive, a label
above 0.5 (binary cross-entropy) or above 0 (mse on -1/+1 labels) is positive.
"""
import numpy as np

SOFTMAX = "softmax_crossentropy"


def softmax(z):
    """Probabilities over the last axis of ``z``, in float64 (a vector or rows)."""
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def predicted_classes(loss, out, classes=None):
    """The class index of every prediction in ``out``: one per row of ``classes`` outputs for
    softmax (argmax), one per value for the one-output losses."""
    out = np.asarray(out)
    if loss == SOFTMAX:
        return out.reshape(-1, classes or out.shape[-1]).argmax(axis=1)
    return (out.reshape(-1) > 0).astype(np.int64)


def true_classes(loss, y):
    """The class index of every label in ``y``, aligned with ``predicted_classes``."""
    y = np.asarray(y).reshape(-1)
    if loss == SOFTMAX:
        return y.astype(np.int64)
    return (y > (0.5 if loss == "binary_crossentropy" else 0)).astype(np.int64)


def accuracy(loss, out, y, classes=None):
    """Share of correct predictions of raw outputs ``out`` for labels ``y``."""
    return float((predicted_classes(loss, out, classes) == true_classes(loss, y)).mean())


def confusion_matrix(loss, out, y, classes=None):
    """Counts (classes, classes): rows true classes, columns predictions. ``classes`` is the
    softmax width (default: the last axis of ``out``); the one-output losses have 2."""
    pred = predicted_classes(loss, out, classes)
    k = (classes or np.asarray(out).shape[-1]) if loss == SOFTMAX else 2
    true = true_classes(loss, y)
    if len(true) != len(pred):
        raise ValueError(f"{len(pred)} predictions but {len(true)} labels")
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)
