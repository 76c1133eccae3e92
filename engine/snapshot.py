"""Snapshot: everything a page draws, frozen at one step of a run.

Cheap fields are filled at once; anything that costs more than a training step
(neuron maps over the input plane, dead-unit counts) is computed on first
access from a private copy of the parameters, so ``Trainer.step`` stays fast.
"""
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .kernels.activations import RELU_FAMILY

DEAD_UNIT_SAMPLES = 1000   # training points used to decide whether a ReLU unit is dead


@dataclass(eq=False)
class Snapshot:
    step: int
    epoch: int
    train_loss: float
    test_loss: float
    train_acc: float
    test_acc: float
    params: dict
    grad_norms: dict                 # layer index -> |grad| at the last step
    diverged: bool
    reason: str
    lr: float
    classification: bool
    history: dict = field(repr=False)   # step_loss, evals (dict of arrays), grad_norms
    _net: object = field(repr=False)
    _flat: np.ndarray = field(repr=False)
    _x: np.ndarray = field(repr=False)
    plane: object = None
    _test: tuple = field(default=None, repr=False)        # (x, y) of the test set, or None

    @classmethod
    def of(cls, trainer):
        net, ev = trainer.net, trainer.evals
        last = {k: float(v.values[-1]) for k, v in ev.items()}
        flat = net.flat.copy()
        history = {"step_loss": trainer.step_loss.values,
                   "evals": {k: v.values for k, v in ev.items()},
                   "grad_norms": trainer.eval_grad_norms.values,
                   "param_layers": list(net.param_layers)}
        return cls(step=trainer.step_count, epoch=trainer.epoch,
                   train_loss=last["train_loss"], test_loss=last["test_loss"],
                   train_acc=last["train_acc"], test_acc=last["test_acc"],
                   params=net.unflatten(flat),
                   grad_norms=dict(zip(net.param_layers, map(float, trainer.last_grad_norms))),
                   diverged=trainer.diverged, reason=trainer.reason, lr=trainer.lr,
                   classification=trainer.classification, history=history,
                   _net=net, _flat=flat, _x=trainer.x, plane=trainer.plane,
                   _test=None if trainer.xt is None else (trainer.xt, trainer.yt))

    @property
    def layers(self):
        """(index, type, activation, output shape) of every layer."""
        return [(l.index, l.cfg["type"], l.activation, l.out_shape) for l in self._net.layers]

    # -- the input plane (2-D data) --------------------------------------
    @cached_property
    def _plane_outputs(self):
        if self.plane is None:
            raise ValueError("this run has no input plane (plane=None): only 2-D data has neuron maps")
        return self._net.layer_outputs(self.plane.inputs(), flat=self._flat)

    @cached_property
    def input_maps(self):
        """Each input feature over the plane: (features, R, R), row = y index."""
        r = self.plane.resolution
        return self.plane.inputs().T.reshape(-1, r, r)

    @cached_property
    def neuron_maps(self):
        """Every layer's output over the plane: a list of (units, R, R) arrays."""
        r = self.plane.resolution
        return [out.reshape(r * r, -1).T.reshape(-1, r, r) for out in self._plane_outputs]

    @property
    def output_map(self):
        """The network's raw output over the plane: (outputs, R, R)."""
        return self.neuron_maps[-1]

    # -- diagnostics ------------------------------------------------------
    @cached_property
    def dead_units(self):
        """For each ReLU-family dense layer, a bool per unit: never positive on the training data."""
        x = self._x[:DEAD_UNIT_SAMPLES]
        outs = self._net.layer_outputs(x, flat=self._flat)
        return {layer.index: (outs[layer.index].reshape(len(x), -1) <= 0).all(axis=0)
                for layer in self._net.layers
                if layer.activation in RELU_FAMILY and layer.cfg["type"] == "dense"}

    # -- images and sequences -------------------------------------------
    @property
    def kernels(self):
        """Every conv layer's kernels: layer index -> W (filters, channels, k, k)."""
        return {l.index: self.params[f"{l.index}.W"] for l in self._net.layers if l.cfg["type"] == "conv2d"}

    def _probe_set(self):
        return self._test if self._test is not None else (self._x, None)

    def layer_outputs(self, x):
        """Every layer's output for the inputs x (N, ...), with this snapshot's weights."""
        return self._net.layer_outputs(x, flat=self._flat)

    @cached_property
    def probe_outputs(self):
        """Every layer's output for the probe (the first test sample): feature maps of a CNN."""
        x, _ = self._probe_set()
        return [out[0] for out in self.layer_outputs(x[:1])]

    def predict(self, x):
        """Raw outputs for x with this snapshot's weights."""
        return self._net.forward(x, flat=self._flat)

    def class_probabilities(self, n=16):
        """Softmax outputs (n, classes) for the first n test samples."""
        x, _ = self._probe_set()
        return _softmax(self.predict(x[:n]).reshape(min(n, len(x)), -1))

    @cached_property
    def confusion(self):
        """Confusion matrix on the test set: rows are true classes, columns predictions."""
        x, y = self._probe_set()
        if y is None or self._net.loss != "softmax_crossentropy":
            raise ValueError("a confusion matrix needs test data and a softmax_crossentropy net")
        classes = self._net.output_shape[-1]
        pred = self.predict(x).reshape(-1, classes).argmax(axis=1)
        true = y.reshape(-1).astype(int)
        return np.bincount(true * classes + pred, minlength=classes * classes).reshape(classes, classes)

    @cached_property
    def recurrent_trace(self):
        """Hidden states, gates and |d loss / d h_t| of every recurrent layer for the probe
        sequence (see Network.recurrent_trace)."""
        x, y = self._probe_set()
        label = y[0] if y is not None else self._net.targets(np.zeros(1), 1)[0]
        return self._net.recurrent_trace(x[0], label, flat=self._flat)

    @property
    def n_params(self):
        return int(sum(math.prod(v.shape) for v in self.params.values()))


def _softmax(z):
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
