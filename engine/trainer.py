"""Trainer: n minibatch steps per call, history, evaluation, divergence.

Evaluation runs once per epoch (or every ``eval_every`` steps) on fixed, seeded subsets of
at most ``eval_size`` samples of each set, in its own forward-only Workspace (training's
buffers stay put), on a copy of the weights and in pieces, so ``step(n, budget=...)`` can
pause it between pieces and resume it on the next call.
"""
import math
import time

import numpy as np

from .kernels import program as P
from .kernels.optim import OPTIMIZERS
from .kernels.rng import new_state
from .snapshot import Snapshot, Workspace

EVAL_MAX = 2000         # samples of each set evaluated at most (small sets are used whole)
EVAL_MIN = 200          # ... and at least, however costly the net
EVAL_WORK = 160e6       # multiply-adds per set per evaluation: about 500 samples of the MNIST CNN


def forward_work(net):
    """Rough multiply-adds per sample of one forward pass: each weight times the number of
    places it is applied at (pixels for conv2d, time steps for recurrent cells)."""
    total = 0
    for layer in net.layers:
        weights = sum(math.prod(shape) for shape in layer.param_shapes.values())
        if layer.cfg["type"] == "conv2d":
            places = math.prod(layer.out_shape[1:])
        elif layer.kind == P.RECURRENT:
            places = layer.in_shape[0]
        else:
            places = math.prod(layer.out_shape[:-1])        # a dense layer on sequences: per step
        total += weights * places + layer.out_size
    return total


def default_eval_size(net):
    """Samples per set for one evaluation: as many as ``EVAL_WORK`` allows, within
    [EVAL_MIN, EVAL_MAX] (2000 for the MLP playground, about 500 for the MNIST CNN)."""
    return int(min(EVAL_MAX, max(EVAL_MIN, EVAL_WORK // forward_work(net))))


class Trainer:
    def __init__(self, net, train, test=None, optimizer="adam", lr=1e-3, batch_size=32,
                 l1=0.0, l2=0.0, clip_norm=None, seed=0, eval_every=None, plane=None,
                 classification=None):
        self.net = net
        self.x, self.y = self._dataset(train, "train")
        if len(self.x) == 0:
            raise ValueError("train: needs at least one sample")
        self.xt, self.yt = self._dataset(test, "test") if test is not None else (None, None)
        self.optimizer = optimizer
        self.lr, self.l1, self.l2, self.clip_norm = lr, l1, l2, clip_norm
        self.batch_size = batch_size
        self.eval_every = eval_every
        self.plane = plane
        self.classification = self._is_classification() if classification is None else classification
        rng = np.random.default_rng(seed)
        self._rng_state = new_state(rng)
        self._eval_rows = {"train": self._eval_subset(rng, len(self.x)),
                           "test": None if self.xt is None else self._eval_subset(rng, len(self.xt))}
        self._order = np.arange(len(self.x), dtype=np.int64)
        P._shuffle(self._rng_state, self._order)
        self._loop = np.zeros(3, np.int64)
        self._grads = np.zeros_like(net.flat)
        self._m = np.zeros_like(net.flat)
        self._v = np.zeros_like(net.flat)
        self.step_loss = _Growing()
        self.evals = {k: _Growing() for k in ("step", "epoch", "train_loss", "test_loss",
                                               "train_acc", "test_acc")}
        self.eval_grad_norms = _Growing(len(net.param_layers))
        self._norm_sum = np.zeros(len(net.param_layers))
        self._norm_count = 0
        self.last_grad_norms = np.zeros(len(net.param_layers))
        self.diverged = False
        self.reason = ""
        self._next_eval = 0
        self._evaluate()

    # -- settings that may change mid-run ---------------------------------
    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, name):
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
        if getattr(self, "_optimizer", name) != name:
            self._m[:] = 0                          # moments of one optimizer mean nothing to another
            self._v[:] = 0
        self._optimizer = name

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"lr must be a positive number, got {value!r}")
        self._lr = float(value)

    @property
    def batch_size(self):
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"batch_size must be a positive integer, got {value!r}")
        self._batch_size = int(min(value, len(self.x)))

    @property
    def step_count(self):
        return int(self._loop[P.STEP])

    @property
    def epoch(self):
        return int(self._loop[P.EPOCH])

    @property
    def steps_per_epoch(self):
        return math.ceil(len(self.x) / self.batch_size)

    def set_data(self, train, test=None):
        """Replace the data, keeping the weights, optimizer state and history."""
        self.x, self.y = self._dataset(train, "train")
        if len(self.x) == 0:
            raise ValueError("train: needs at least one sample")
        self.xt, self.yt = self._dataset(test, "test") if test is not None else (None, None)
        rng = np.random.default_rng(int(self._rng_state[0] % (2**32)))
        self._eval_rows = {"train": self._eval_subset(rng, len(self.x)),
                           "test": None if self.xt is None else self._eval_subset(rng, len(self.xt))}
        self._order = np.arange(len(self.x), dtype=np.int64)
        P._shuffle(self._rng_state, self._order)
        self._loop[P.CURSOR] = 0
        self.batch_size = self._batch_size
        self._evaluate()

    # -- training ---------------------------------------------------------
    def step(self, n=1):
        """Run ``n`` minibatch updates and return a Snapshot. Never raises on NaN."""
        n = int(n)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        for name, value in (("l1", self.l1), ("l2", self.l2)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        while n > 0 and not self.diverged:
            chunk = min(n, max(self._next_eval - self.step_count, 1))
            self._run(chunk)
            n -= chunk
            if self.step_count >= self._next_eval and not self.diverged:
                self._evaluate()
        return self.snapshot()

    def _run(self, n):
        net = self.net
        acts, d_acts, cache = net.workspace(self.batch_size)
        ybuf = np.zeros(self.batch_size * self.y.shape[1], net.dtype)
        losses = np.zeros(n)
        norms = np.zeros((n, len(net.param_layers)))
        clip = 0.0 if self.clip_norm is None else float(self.clip_norm)
        done = P._train_steps(net.prog, net.fprog, net.flat, self._grads, self._m, self._v,
                              net.decay_mask, net.layer_ranges, self.x, self.y, self._order,
                              self._loop, self._rng_state, acts, d_acts, cache, ybuf, n,
                              self.batch_size, net.loss_code, net.loss_cols,
                              OPTIMIZERS[self.optimizer], self.lr, float(self.l1), float(self.l2),
                              clip, True, losses, norms)
        self.step_loss.extend(losses[:done])
        if done:
            self._norm_sum += norms[:done].sum(axis=0)
            self._norm_count += done
            self.last_grad_norms = norms[done - 1].copy()
        if done < n:
            bad = losses[done]
            what = "the loss" if not np.isfinite(bad) else "the gradient"
            value = bad if not np.isfinite(bad) else "NaN or Inf"
            self._diverge(f"{what} became {value} at step {self.step_count + 1}")

    def _diverge(self, what):
        self.diverged = True
        self.reason = (f"Training diverged: {what}. The weights blew up; lower the learning "
                       "rate (or add clipping) and press Reset.")

    # -- evaluation -------------------------------------------------------
    def _dataset(self, pair, name):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (x, y)") from None
        x = self.net.inputs(x)
        if not np.isfinite(x).all():
            raise ValueError(f"{name}: x contains NaN or Inf")
        return x, self.net.targets(y, len(x))

    @staticmethod
    def _eval_subset(rng, n):
        return None if n <= EVAL_SIZE else np.sort(rng.choice(n, EVAL_SIZE, replace=False))

    def _is_classification(self):
        if self.net.loss != "mse":
            return True
        return bool(np.isin(self.y, (-1.0, 1.0)).all())    # TF Playground's +-1 labels

    def _subset(self, which):
        rows = self._eval_rows[which]
        x, y = (self.x, self.y) if which == "train" else (self.xt, self.yt)
        return (x, y) if rows is None else (x[rows], y[rows])

    def loss_and_accuracy(self, x, y):
        """Mean loss and accuracy (None for regression) of the net on (x, y)."""
        net = self.net
        out = net.forward(x).reshape(-1, net.loss_cols)
        loss = P._loss_forward_backward(net.loss_code, out, y.reshape(len(out), -1),
                                        out, False)
        return float(loss), (accuracy(net.loss, out, y) if self.classification else None)

    def _evaluate(self):
        row = {"step": self.step_count, "epoch": self.epoch}
        for which in ("train", "test"):
            if which == "test" and self.xt is None:
                row["test_loss"] = row["test_acc"] = np.nan
                continue
            loss, acc = self.loss_and_accuracy(*self._subset(which))
            row[f"{which}_loss"], row[f"{which}_acc"] = loss, np.nan if acc is None else acc
        for k, v in row.items():
            self.evals[k].extend([v])
        mean_norms = self._norm_sum / max(self._norm_count, 1)
        self.eval_grad_norms.extend(mean_norms[None])
        self._norm_sum[:] = 0
        self._norm_count = 0
        every = self.eval_every or self.steps_per_epoch
        self._next_eval = self.step_count + every
        if not np.isfinite(row["train_loss"]) and not self.diverged:
            self._diverge(f"the training loss became {row['train_loss']} at step {self.step_count}")

    def snapshot(self):
        return Snapshot.of(self)

    def rewind(self, flat, step, epoch):
        """Go back to an earlier point of this run: its weights, counters and history up to it.
        The optimizer's moments restart from zero (they are not kept per epoch)."""
        self.net.flat[:] = flat
        self._loop[P.STEP], self._loop[P.EPOCH], self._loop[P.CURSOR] = step, epoch, 0
        self._m[:] = 0
        self._v[:] = 0
        rows = int(np.searchsorted(self.evals["epoch"].values, epoch, side="right"))
        for growing in (*self.evals.values(), self.eval_grad_norms):
            growing.n = rows
        self.step_loss.n = min(self.step_loss.n, step)
        self.diverged, self.reason = False, ""
        self._next_eval = step + (self.eval_every or self.steps_per_epoch)


def accuracy(loss, out, y):
    """Share of correct predictions; out (rows, cols) raw outputs."""
    y = y.reshape(len(out), -1)
    if loss == "softmax_crossentropy":
        return float((out.argmax(axis=1) == y[:, 0]).mean())
    if loss == "binary_crossentropy":
        return float(((out > 0) == (y > 0.5)).mean())
    return float((np.sign(out) == np.sign(y)).mean())
