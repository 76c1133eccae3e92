"""One user's run of a page: settings -> trainer, the latest snapshot, downloads.

No Streamlit here. A page subclasses ``Run`` with ``build()`` (a new
``engine.Trainer`` for the current settings) and, where it needs them, hooks
for its data. The live scheduler (ui/live.py) calls ``train_slice`` from a
worker thread while the page's callbacks change the run from the script
thread, so both go through ``self.lock``; a new snapshot is published by
replacing ``self.snap`` (one reference: readers never see half an update).
"""
import io
import json
import threading
from dataclasses import replace

import numpy as np

from .history import ParamHistory
from .url import bounded

SLICE_SECONDS = 0.03        # training per scheduler slice at most: bounds a Pause or an edit's wait


class Run:
    def __init__(self, settings, build=True):
        """``build=False`` defers the engine until ``ensure_built`` (the page waits for the compile)."""
        self.settings, self.notices = bounded(settings)     # notices: what bounding changed, for the page
        self.lock = threading.RLock()
        self.playing = False
        self.visible = True
        self.version = 0          # bumped with every published snapshot
        self.trainer = self.snap = self.history = None
        self.rewound = None       # (Moment, Snapshot) while the page shows an earlier epoch
        if build:
            self.rebuild()

    @property
    def built(self):
        return self.trainer is not None

    def ensure_built(self):
        if not self.built:
            self.rebuild()

    # -- page hooks ---------------------------------------------------------
    def build(self):
        """A new engine.Trainer for ``self.settings`` (data and fresh weights)."""
        raise NotImplementedError

    def steps_per_second(self):
        """The pace the user asked for while playing, or None for as fast as the share allows."""
        return None

    # -- building -----------------------------------------------------------
    def rebuild(self):
        """New data and freshly initialised weights (Reset): the same seed gives the same start."""
        with self.lock:
            self.trainer = self.build()
            self._run_key = self.run_key()
            self.history = ParamHistory()
            self.rewound = None
            self.publish(self.trainer.snapshot())

    def run_key(self):
        return self.settings.run_key()

    def update(self, settings):
        """Apply new settings: rebuild when they define a new run, else change the live trainer.
        Values outside their fields' bounds (a crafted message can send any widget value) are
        clamped or reset first, with a notice (``ui.url.bounded``)."""
        settings, notices = bounded(settings)
        with self.lock:
            self.notices += notices
            self.settings = settings
            if not self.built:
                return True
            if self.run_key() != self._run_key:
                self.rebuild()
                return True
            for name, value in settings.trainer_options().items():
                setattr(self.trainer, name, value)
            self.publish(self.trainer.snapshot())
            return False

    def publish(self, snap):
        """Make ``snap`` the one the page draws; remember the weights for rewinding."""
        self.history.record(snap)
        self.snap = snap
        self.version += 1

    # -- training -----------------------------------------------------------
    def train_slice(self, steps, seconds=SLICE_SECONDS):
        """Train up to ``steps`` steps or ``seconds``, whichever comes first (the scheduler's unit)."""
        with self.lock:
            tr = self.trainer
            if tr.diverged:
                return 0
            before = tr.step_count
            self.publish(tr.step(steps, budget=seconds))
            if tr.diverged:
                self.playing = False
            return tr.step_count - before

    def step_epoch(self):
        """One epoch now (the Step button), however long it takes."""
        self.playing = False
        with self.lock:
            self.trainer.step(self.trainer.steps_per_epoch)
            self.publish(self.trainer.snapshot())

    def edit_param(self, name, index, value):
        """Set one parameter value (``name`` like "0.W", ``index`` a tuple)."""
        with self.lock:
            self.trainer.net.params[name][index] = value
            self.trainer.refresh()                  # the losses and accuracy of the edited network
            self.publish(self.trainer.snapshot())

    # -- rewinding -----------------------------------------------------------
    @property
    def shown(self):
        """The snapshot the page draws: an earlier epoch's while rewound, else the latest."""
        return self.rewound[1] if self.rewound else self.snap

    def rewind_to(self, epoch):
        """Show the network as it was at the kept epoch nearest ``epoch`` (the run is paused)."""
        with self.lock:
            moment = self.history.at(epoch)
            if moment is None or moment.epoch == self.snap.epoch:
                self.rewound = None
                return
            self.playing = False
            self.rewound = (moment, snapshot_at(self.snap, moment, self.trainer.net))
            self.version += 1

    def back_to_latest(self):
        self.rewound = None
        self.version += 1

    def continue_from_rewound(self):
        """Make the shown earlier epoch the run's present: later history is dropped."""
        with self.lock:
            if not self.rewound:
                return
            moment = self.rewound[0]
            self.trainer.rewind(moment.flat, moment.step, moment.epoch)
            self.history.drop_after(moment.epoch)
            self.rewound = None
            self.publish(self.trainer.snapshot())

    # -- paused views ---------------------------------------------------------
    def gradients(self, samples=512):
        """The loss gradient of every parameter at the shown weights, on up to ``samples`` training points."""
        with self.lock:
            net, shown = self.trainer.net, self.shown
            x, y = self.trainer.x[:samples], self.trainer.y[:samples]
            current = net.flat.copy()
            try:
                net.set_params(shown.params)
                return net.loss_and_grads(x, y)[1]
            finally:
                net.flat[:] = current

    def confusion(self):
        """(matrix, classes) of the shown weights on the test data (the training data if there is none)."""
        snap, tr = self.shown, self.trainer
        x, y = (tr.xt, tr.yt) if tr.xt is not None and len(tr.xt) else (tr.x, tr.y)
        return confusion_matrix(tr.net.loss, snap.predict(x), y)

    # -- downloads ----------------------------------------------------------
    def weights_npz(self):
        snap, spec = self.snap, self.trainer.net.spec
        buf = io.BytesIO()
        np.savez(buf, spec=np.array(json.dumps(spec)), **snap.params)
        return buf.getvalue()

    def weights_json(self):
        snap = self.snap
        return json.dumps({"spec": self.trainer.net.spec, "step": snap.step, "epoch": snap.epoch,
                           "params": {k: v.tolist() for k, v in snap.params.items()}}, indent=1)

    def setup_json(self, link=""):
        return json.dumps({"settings": self.settings.as_dict(), "link": link,
                           "spec": self.trainer.net.spec}, indent=1)


def snapshot_at(latest, moment, net):
    """``latest`` as it was at ``moment``: that epoch's weights, numbers and history up to it."""
    evals = latest.history["evals"]
    row = int(np.searchsorted(evals["epoch"], moment.epoch, side="right")) - 1
    flat = moment.flat.astype(net.dtype)
    history = dict(latest.history, evals={k: v[:row + 1] for k, v in evals.items()},
                   grad_norms=latest.history["grad_norms"][:row + 1])
    numbers = {k: float(evals[k][row]) for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    return replace(latest, step=moment.step, epoch=moment.epoch, params=net.unflatten(flat), _flat=flat,
                   history=history, diverged=False, reason="", **numbers)


def predicted_classes(loss, out):
    """Class indices from raw outputs: argmax for softmax, the sign or logit for one output."""
    out = np.asarray(out).reshape(len(out), -1)
    if loss == "softmax_crossentropy":
        return out.argmax(axis=1)
    return (out[:, 0] > 0).astype(int)


def confusion_matrix(loss, out, y):
    """Rows are true classes, columns predictions. Labels: class indices, 0/1, or -1/+1 (mse)."""
    pred = predicted_classes(loss, out)
    y = np.asarray(y).reshape(len(pred), -1)[:, 0]
    true = y.astype(int) if loss == "softmax_crossentropy" else (y > (0 if loss == "mse" else 0.5)).astype(int)
    k = np.asarray(out).reshape(len(pred), -1).shape[1] if loss == "softmax_crossentropy" else 2
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)
