"""Snapshot: everything a page draws, frozen at one step of a run.

``Snapshot.of`` only copies the parameters and the latest numbers: no forward pass.
Everything that costs more (dead units, probe feature maps, hidden-state traces) is
computed on first access from the snapshot's own copy of the weights, on a bounded
sample; the 2-D plane's neuron maps live beside it (engine/plane.py). The confusion matrix needs no pass of
its own: it reads the test outputs that the latest evaluation kept.
"""
import math
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .buffers import aligned_zeros
from .kernels import program as P
from .kernels.activations import CAN_DIE
from .kernels.rng import new_state
from .metrics import confusion_matrix, softmax

PREDICT_CHUNK = 64      # samples per compiled forward call in a Workspace


class Workspace:
    """Forward-only buffers for up to ``chunk`` samples of ``net``, apart from training's.

    ``Network.forward`` goes through ``Network.workspace``, which keeps one batch size:
    predicting through it between training calls would reallocate training's buffers
    each time. A Workspace also learns the time per sample, so callers can size pieces
    of work to a deadline.
    """

    def __init__(self, net, chunk=PREDICT_CHUNK):
        last = net.prog[-1]
        self.net, self.chunk = net, int(chunk)
        self.acts = aligned_zeros(self.chunk * int(last[P.A_OUT] + last[P.OUT_SIZE]), net.dtype)
        self.cache = aligned_zeros(self.chunk * max(int(last[P.C_OFF] + last[P.C_SIZE]), 1), net.dtype)
        self._rng_state = new_state(np.random.default_rng(0))   # unused: no dropout when predicting
        self.sample_seconds = None

    def predict(self, flat, x, out=None, state=None):
        """Raw outputs (N, output size) for x (N, input size) as ``net.inputs`` gives it, with
        the parameters ``flat`` and the state ``state`` (default: the net's own)."""
        net = self.net
        if out is None:
            out = np.empty((len(x), net.prog[-1][P.OUT_SIZE]), net.dtype)
        if len(x):
            start = time.perf_counter()
            P._predict(net.model(flat, state), net.flags, x, out, self.acts, self.cache, self.chunk,
                       False, self._rng_state)
            self.sample_seconds = (time.perf_counter() - start) / len(x)
        return out


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
    history: dict = field(repr=False)   # step_loss, evals (dict of arrays), grad_norms; "kl" (per step) with a sampling layer
    _net: object = field(repr=False)
    _flat: np.ndarray = field(repr=False)
    _x: np.ndarray = field(repr=False)
    _test: tuple = field(default=None, repr=False)        # (x, y) of the test set, or None
    eval_step: int = 0               # the step the losses and accuracies were measured at
    evaluating: bool = False         # an evaluation cut short by a time budget is pending
    _eval: object = field(default=None, repr=False)       # that latest finished Evaluation
    state: dict = field(default_factory=dict)             # a copy of the net's state, keyed like params
    _state: np.ndarray = field(default=None, repr=False)  # ... flat (None: the net's own)

    @classmethod
    def of(cls, trainer):
        """The trainer's state now: copies of the params and the latest numbers, nothing more."""
        net, ev = trainer.net, trainer.evals
        last = {k: float(v.values[-1]) for k, v in ev.items()}
        flat, state = net.flat.copy(), net.state_flat.copy()
        history = {"step_loss": trainer.step_loss.values,
                   "evals": {k: v.values for k, v in ev.items()},
                   "grad_norms": trainer.eval_grad_norms.values,
                   "param_layers": list(net.param_layers)}
        if trainer.step_kl is not None:
            history["kl"] = trainer.step_kl.values      # per step, beside step_loss: a VAE's KL term
        return cls(step=trainer.step_count, epoch=trainer.epoch,
                   train_loss=last["train_loss"], test_loss=last["test_loss"],
                   train_acc=last["train_acc"], test_acc=last["test_acc"],
                   params=net.unflatten(flat),
                   grad_norms=dict(zip(net.param_layers, map(float, trainer.last_grad_norms))),
                   diverged=trainer.diverged, reason=trainer.reason, lr=trainer.lr,
                   classification=trainer.classification, history=history,
                   _net=net, _flat=flat, _x=trainer.x,
                   _test=None if trainer.xt is None else (trainer.xt, trainer.yt),
                   eval_step=int(last["step"]), evaluating=trainer.evaluating,
                   _eval=trainer.last_eval, state=net.unflatten_state(state), _state=state)

    @property
    def layers(self):
        """(index, type, activation, output shape) of every layer."""
        return [(l.index, l.cfg["type"], l.activation, l.out_shape) for l in self._net.layers]

    @property
    def input_shape(self):
        return self._net.input_shape

    # -- diagnostics ------------------------------------------------------
    @cached_property
    def dead_units(self):
        """For each dense layer whose units can die (ReLU: ``CAN_DIE``), a bool per unit: never
        positive on the training evaluation subset (all training points when there are at most
        ``eval_size``). A Leaky ReLU unit below 0 everywhere still learns: not dead.
        Without such layers: {} and no forward pass."""
        relu = [layer.index for layer in self._net.layers
                if layer.activation in CAN_DIE and layer.cfg["type"] == "dense"]
        if not relu:
            return {}
        x = self._eval.train_inputs
        outs = self.layer_outputs(x)
        return {i: (outs[i].reshape(len(x), -1) <= 0).all(axis=0) for i in relu}

    # -- images and sequences -------------------------------------------
    @property
    def kernels(self):
        """Every conv layer's kernels: layer index -> W (filters, channels, k, k)."""
        return {l.index: self.params[f"{l.index}.W"] for l in self._net.layers if l.cfg["type"] == "conv2d"}

    def _probe_set(self):
        return self._test if self._test is not None else (self._x, None)

    def layer_outputs(self, x):
        """Every layer's output for the inputs x (N, ...), with this snapshot's weights."""
        return self._net.layer_outputs(x, flat=self._flat, state=self._state)

    @cached_property
    def probe_outputs(self):
        """Every layer's output for the probe (the first test sample): feature maps of a CNN."""
        x, _ = self._probe_set()
        return [out[0] for out in self.layer_outputs(x[:1])]

    def predict(self, x):
        """Raw outputs for x with this snapshot's weights (own small buffers: training's
        workspace is left alone)."""
        net = self._net
        x = net.inputs(x)
        out = Workspace(net, min(max(len(x), 1), PREDICT_CHUNK)).predict(self._flat, x, state=self._state)
        return out.reshape((len(x),) + net.output_shape)

    def class_probabilities(self, n=16):
        """Softmax outputs (n, classes) for the first n test samples."""
        x, _ = self._probe_set()
        return softmax(self.predict(x[:n]).reshape(min(n, len(x)), -1))

    @property
    def confusion_rows(self):
        """Indices into the test set of the samples the confusion matrix counts: the
        trainer's fixed, seeded test evaluation subset (every test sample when the test set
        has at most ``eval_size``)."""
        if self._test is None:
            return None
        rows = self._eval.test_rows
        return np.arange(len(self._test[0])) if rows is None else rows

    @cached_property
    def confusion(self):
        """Confusion matrix (rows true classes, columns predictions) of the latest evaluation
        (at ``eval_step``) on the test evaluation subset (``confusion_rows``): the same
        forward pass as ``test_acc``, so trace / total == test_acc, and no new pass.
        A net with one output per sample (mse on +-1 labels, binary cross-entropy) has two
        classes: 0 negative, 1 positive."""
        if self._test is None or not self.classification:
            raise ValueError("a confusion matrix needs test data and a classification net")
        net = self._net
        return confusion_matrix(net.loss, self._eval.test_outputs, self._eval.test_labels,
                                net.output_shape[-1])

    @cached_property
    def recurrent_trace(self):
        """Hidden states, gates and |d loss / d h_t| of every recurrent layer for the probe
        sequence (see Network.recurrent_trace)."""
        x, y = self._probe_set()
        label = y[0] if y is not None else self._net.targets(np.zeros(1), 1)[0]
        return self._net.recurrent_trace(x[0], label, flat=self._flat, state=self._state)

    @property
    def n_params(self):
        return int(sum(math.prod(v.shape) for v in self.params.values()))

