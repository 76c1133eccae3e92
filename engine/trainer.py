"""Trainer: n minibatch steps per call, history, evaluation, divergence.

Evaluation runs once per epoch (or every ``eval_every`` steps) on fixed, seeded subsets of
at most ``eval_size`` samples of each set, in its own forward-only Workspace (training's
buffers stay put), on a copy of the weights and in pieces, so ``step(n, budget=...)`` can
pause it between pieces and resume it on the next call.
"""
import math
import time

import numpy as np

from .buffers import aligned_zeros_like
from .kernels import program as P
from .kernels.optim import OPTIMIZERS
from .kernels.rng import new_state
from .metrics import accuracy
from .snapshot import Snapshot, Workspace

EVAL_MAX = 2000         # samples of each set evaluated at most (small sets are used whole)
EVAL_MIN = 200          # ... and at least, however costly the net
EVAL_WORK = 160e6       # multiply-adds per set per evaluation: about 500 samples of the MNIST CNN


def forward_work(net):
    """Rough multiply-adds per sample of one forward pass (each layer's ``work``)."""
    return sum(layer.work() for layer in net.layers)


def default_eval_size(net):
    """Samples per set for one evaluation: as many as ``EVAL_WORK`` allows, within
    [EVAL_MIN, EVAL_MAX] (2000 for the MLP playground, about 500 for the MNIST CNN)."""
    return int(min(EVAL_MAX, max(EVAL_MIN, EVAL_WORK // forward_work(net))))


class _Growing:
    """An append-only float array with amortised doubling."""

    def __init__(self, width=None):
        self._shape = () if width is None else (width,)
        self._buf = np.zeros((64,) + self._shape)
        self.n = 0

    def extend(self, values):
        k = len(values)
        if self.n + k > len(self._buf):
            grown = np.zeros((max(2 * len(self._buf), self.n + k),) + self._shape)
            grown[:self.n] = self._buf[:self.n]
            self._buf = grown
        self._buf[self.n:self.n + k] = values
        self.n += k

    @property
    def values(self):
        return self._buf[:self.n]



class Evaluation:
    """Loss and accuracy of the weights at one step on the trainer's evaluation subsets.

    It works on a copy of the weights, so training may go on before it finishes, and
    keeps its raw test outputs: the snapshot's confusion matrix comes from this pass.
    """

    def __init__(self, trainer, grad_norms):
        self.step, self.epoch = trainer.step_count, trainer.epoch
        self.grad_norms = grad_norms            # mean per-layer |grad| since the last evaluation
        self._flat = trainer.net.flat.copy()
        self._state = trainer.net.state_flat.copy()
        self._x, self._y, self._n_train = trainer._eval_data
        self.test_rows = trainer.eval_rows["test"]
        self._out = np.empty((len(self._x), trainer.net.prog[-1][P.OUT_SIZE]), trainer.net.dtype)
        self._done = 0

    @property
    def finished(self):
        return self._done == len(self._x)

    def advance(self, ws, deadline=None):
        """Predict the next pieces in ``ws``; stop after the piece that crosses ``deadline``
        (perf_counter seconds). Returns True when every sample is done."""
        while not self.finished:
            end = self._done + self._piece(ws, deadline)
            ws.predict(self._flat, self._x[self._done:end], self._out[self._done:end], self._state)
            self._done = end
            if deadline is not None and time.perf_counter() >= deadline:
                break
        return self.finished

    def _piece(self, ws, deadline):
        left = len(self._x) - self._done
        if deadline is None:
            return left
        if ws.sample_seconds is None:
            return min(left, ws.chunk)
        fit = (deadline - time.perf_counter()) / ws.sample_seconds / 2   # half: timing drifts
        return min(left, max(ws.chunk, int(fit)))

    @property
    def train_inputs(self):
        return self._x[:self._n_train]

    @property
    def test_outputs(self):
        """Raw outputs (n, output size) on the test evaluation subset."""
        return self._out[self._n_train:]

    @property
    def test_labels(self):
        return self._y[self._n_train:]

    def row(self, net, classification):
        """The history row: step, epoch, losses and accuracies (NaN where there is none)."""
        row = {"step": self.step, "epoch": self.epoch}
        parts = {"train": slice(0, self._n_train), "test": slice(self._n_train, None)}
        for which, rows in parts.items():
            out, y = self._out[rows].reshape(-1, net.loss_cols), self._y[rows]
            if len(y) == 0:
                row[f"{which}_loss"] = row[f"{which}_acc"] = np.nan
                continue
            loss = P._loss_forward_backward(net.loss_code, out, y.reshape(len(out), -1), out, False)
            row[f"{which}_loss"] = float(loss)
            row[f"{which}_acc"] = accuracy(net.loss, out, y, net.loss_cols) if classification else np.nan
        return row


class Trainer:
    def __init__(self, net, train, test=None, optimizer="adam", lr=1e-3, batch_size=32,
                 l1=0.0, l2=0.0, clip_norm=None, seed=0, eval_every=None,
                 classification=None, eval_size=None):
        self.net = net
        self._use_data(train, test)
        self.optimizer = optimizer
        self.lr, self.l1, self.l2, self.clip_norm = lr, l1, l2, clip_norm
        self.batch_size = batch_size
        self.eval_every = eval_every
        self.classification = self._is_classification() if classification is None else classification
        if eval_size is None:
            eval_size = default_eval_size(net)
        if isinstance(eval_size, bool) or not isinstance(eval_size, (int, np.integer)) or eval_size < 1:
            raise ValueError(f"eval_size must be a positive integer, got {eval_size!r}")
        self._eval_size = int(eval_size)
        rng = np.random.default_rng(seed)
        self._rng_state = new_state(rng)
        self._choose_eval_rows(rng)
        self._order = np.arange(len(self.x), dtype=np.int64)
        P._shuffle(self._rng_state, self._order)
        self._loop = np.zeros(3, np.int64)
        self._grads = aligned_zeros_like(net.flat)
        self._m = aligned_zeros_like(net.flat)
        self._v = aligned_zeros_like(net.flat)
        self._training = P.Training(self._grads, self._m, self._v, net.decay_mask, net.layer_ranges,
                                    net.train_runs)
        self._eval_ws = Workspace(net)
        self._step_seconds = None
        self.step_loss = _Growing()
        self.step_kl = _Growing() if net.has_kl else None
        self.evals = {k: _Growing() for k in ("step", "epoch", "train_loss", "test_loss",
                                               "train_acc", "test_acc")}
        self.eval_grad_norms = _Growing(len(net.param_layers))
        self._norm_sum = np.zeros(len(net.param_layers))
        self._norm_count = 0
        self.last_grad_norms = np.zeros(len(net.param_layers))
        self.diverged = False
        self.reason = ""
        self._pending = None
        self.last_eval = None
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
        self.net.check_batch(int(value), f"batch_size {value}:")
        self._batch_size = int(min(value, len(self.x)))

    @property
    def eval_size(self):
        """Samples of each set one evaluation uses at most (fixed when the trainer is made)."""
        return self._eval_size


    @property
    def step_count(self):
        return int(self._loop[P.STEP])

    @property
    def epoch(self):
        return int(self._loop[P.EPOCH])

    @property
    def steps_per_epoch(self):
        """Batches per epoch; the last may be smaller, but not smaller than ``net.min_batch``
        (a batch normalization skips a last batch of one sample)."""
        full, rest = divmod(len(self.x), self.batch_size)
        return full + (rest >= self.net.min_batch)

    @property
    def evaluating(self):
        """True while an evaluation cut short by a time budget waits for the next call."""
        return self._pending is not None

    def set_data(self, train, test=None):
        """Replace the data, keeping the weights, optimizer state and history."""
        self._use_data(train, test)
        self._choose_eval_rows(np.random.default_rng(int(self._rng_state[0] % (2**32))))
        self._order = np.arange(len(self.x), dtype=np.int64)
        P._shuffle(self._rng_state, self._order)
        self._loop[P.CURSOR] = 0
        self.batch_size = self._batch_size
        self._pending = None
        self._evaluate()

    # -- training ---------------------------------------------------------
    def step(self, n=1, budget=None):
        """Run ``n`` minibatch updates, with the evaluations they reach, and return a Snapshot.

        With ``budget`` (seconds) it stops after the training step or evaluation piece that
        crosses the budget: fewer than ``n`` steps may be done (``snapshot.step`` says how
        many) and an evaluation cut short resumes on the next call (``step(0)`` finishes it).
        Never raises on NaN: a diverged run stops and says so in the snapshot.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if budget is not None and not (isinstance(budget, (int, float)) and budget >= 0):
            raise ValueError(f"budget must be a number of seconds >= 0 or None, got {budget!r}")
        for name, value in (("l1", self.l1), ("l2", self.l2)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        deadline = None if budget is None else time.perf_counter() + budget
        first = True
        while not self.diverged and (n > 0 or self._pending is not None):
            if not first and deadline is not None and time.perf_counter() >= deadline:
                break
            first = False
            if self._pending is not None:
                self._continue_eval(deadline)
                continue
            n -= self._run(min(n, self._next_eval - self.step_count, self._steps_fitting(deadline)))
            if self.step_count >= self._next_eval and not self.diverged:
                self._start_eval()
        return self.snapshot()

    def _steps_fitting(self, deadline):
        """Steps to run in one compiled call: half the time left, from the last time per step."""
        if deadline is None:
            return math.inf
        if self._step_seconds is None:
            return 1
        return max(1, int((deadline - time.perf_counter()) / self._step_seconds / 2))

    def _run(self, n):
        """Up to n minibatch updates in one compiled call; returns the steps done."""
        net = self.net
        acts, d_acts, cache = net.workspace(self.batch_size)
        ybuf = np.zeros(self.batch_size * self.y.shape[1], net.dtype)
        losses = np.zeros((n, 3))
        norms = np.zeros((n, len(net.param_layers)))
        hyper = P.Hyper.of(n, self.batch_size, net.loss_code, net.loss_cols, OPTIMIZERS[self.optimizer],
                           self.lr, self.l1, self.l2, 0.0 if self.clip_norm is None else self.clip_norm,
                           training=True)
        data = P.Data(*self._inputs, self._order, self._loop, self._rng_state)
        start = time.perf_counter()
        done = P._train_steps(net.model(), net.flags, self._training, data, hyper,
                              acts, d_acts, cache, ybuf, losses, norms)
        self.step_loss.extend(losses[:done, 0])
        if self.step_kl is not None:
            self.step_kl.extend(losses[:done, 1])
        if done:
            self._step_seconds = (time.perf_counter() - start) / done
            self._norm_sum += norms[:done].sum(axis=0)
            self._norm_count += done
            self.last_grad_norms = norms[done - 1].copy()
        if done < n:
            bad = losses[done, 0] + losses[done, 1]
            what = "the loss" if not np.isfinite(bad) else "the gradient"
            value = bad if not np.isfinite(bad) else "NaN or Inf"
            self._diverge(f"{what} became {value} at step {self.step_count + 1}")
        return done

    def _diverge(self, what):
        self.diverged = True
        self.reason = (f"Training diverged: {what}. The weights blew up; lower the learning "
                       "rate and press Reset.")

    # -- evaluation -------------------------------------------------------
    def _use_data(self, train, test):
        self.x, self.y = self._dataset(train, "train")
        if len(self.x) == 0:
            raise ValueError("train: needs at least one sample")
        self.net.check_batch(len(self.x), "train")
        self.xt, self.yt = self._dataset(test, "test") if test is not None else (None, None)
        self._inputs = (P.read_only(self.x), P.read_only(self.y))    # as the program reads them, once

    def _dataset(self, pair, name):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (x, y)") from None
        x = self.net.inputs(x)
        if not np.isfinite(x).all():
            raise ValueError(f"{name}: x contains NaN or Inf")
        return x, self.net.targets(y, len(x))

    def _choose_eval_rows(self, rng):
        """Fix the evaluation subsets (sorted indices, None for a whole set) and gather them
        once into one array, train rows first."""
        self.eval_rows = {"train": self._eval_subset(rng, len(self.x)),
                          "test": None if self.xt is None else self._eval_subset(rng, len(self.xt))}
        xs, ys = [], []
        for which, (x, y) in (("train", (self.x, self.y)), ("test", (self.xt, self.yt))):
            rows = self.eval_rows[which]
            if x is not None:
                xs.append(x if rows is None else x[rows])
                ys.append(y if rows is None else y[rows])
        self._eval_data = (np.concatenate(xs), np.concatenate(ys), len(xs[0]))

    def _eval_subset(self, rng, n):
        if n <= self.eval_size:
            return None
        return np.sort(rng.choice(n, self.eval_size, replace=False))

    def _is_classification(self):
        if self.net.loss != "mse":
            return True
        return bool(np.isin(self.y, (-1.0, 1.0)).all())    # TF Playground's +-1 labels

    def loss_and_accuracy(self, x, y):
        """Mean loss and accuracy (None for regression) of the current weights on (x, y)."""
        net = self.net
        x = net.inputs(x)
        y = net.targets(y, len(x))
        out = self._eval_ws.predict(net.flat, x, state=net.state_flat).reshape(-1, net.loss_cols)
        loss = P._loss_forward_backward(net.loss_code, out, y.reshape(len(out), -1), out, False)
        return float(loss), (accuracy(net.loss, out, y, net.loss_cols) if self.classification else None)

    def _start_eval(self):
        mean_norms = self._norm_sum / max(self._norm_count, 1)
        self._norm_sum[:] = 0
        self._norm_count = 0
        self._pending = Evaluation(self, mean_norms)
        self._next_eval = self.step_count + (self.eval_every or self.steps_per_epoch)

    def _continue_eval(self, deadline=None):
        if self._pending.advance(self._eval_ws, deadline):
            ev, self._pending = self._pending, None
            self._record(ev)

    def _evaluate(self):
        """A whole evaluation now, with no budget."""
        self._start_eval()
        self._continue_eval()

    def _record(self, ev):
        row = ev.row(self.net, self.classification)
        for k, v in row.items():
            self.evals[k].extend([v])
        self.eval_grad_norms.extend(ev.grad_norms[None])
        self.last_eval = ev
        if not np.isfinite(row["train_loss"]) and not self.diverged:
            self._diverge(f"the training loss became {row['train_loss']} at step {ev.step}")

    def snapshot(self):
        return Snapshot.of(self)

    def refresh(self):
        """Measure again after the weights were changed by hand: the latest history row (and so
        the snapshot's losses and accuracy) shows the numbers of the weights as they are now."""
        ev = Evaluation(self, self.eval_grad_norms.values[-1].copy())
        ev.advance(self._eval_ws)
        for k, v in ev.row(self.net, self.classification).items():
            self.evals[k].values[-1] = v
        self.last_eval = ev

    def rewind(self, flat, step, epoch, state=None):
        """Go back to an earlier point of this run: its weights (and state, when given: a flat
        vector like ``net.state_flat``), counters and history up to it. The optimizer's moments
        restart from zero (they are not kept per epoch); the kept evaluation (the confusion
        matrix's pass) is redone at those weights, adding no row."""
        self.net.flat[:] = flat
        if state is not None:
            self.net.state_flat[:] = state
        self._loop[P.STEP], self._loop[P.EPOCH], self._loop[P.CURSOR] = step, epoch, 0
        self._m[:] = 0
        self._v[:] = 0
        rows = int(np.searchsorted(self.evals["epoch"].values, epoch, side="right"))
        for growing in (*self.evals.values(), self.eval_grad_norms):
            growing.n = rows
        self.step_loss.n = min(self.step_loss.n, step)
        if self.step_kl is not None:
            self.step_kl.n = min(self.step_kl.n, step)
        self.diverged, self.reason = False, ""
        self._norm_sum[:] = 0
        self._norm_count = 0
        self._pending = None
        self.last_eval = Evaluation(self, self._norm_sum.copy())
        self.last_eval.advance(self._eval_ws)
        self._next_eval = step + (self.eval_every or self.steps_per_epoch)

