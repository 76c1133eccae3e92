"""One user's run of a page: settings -> trainer, the latest snapshot, rewinding, downloads.

No Streamlit here. A page subclasses ``Run`` with ``build()`` (a new
``engine.Trainer`` for the current settings). The live scheduler (ui/live.py)
calls ``train_slice`` from a worker thread while the page's callbacks change the
run from the script thread, so both go through ``self.lock``; a new snapshot is
published by replacing ``self.snap`` (one reference: readers never see half an
update).

Compare mode is composition: a run may have *partners* (``make_partners``),
runs of their own that share its lock, train beside it in lock step from the
same settings, and rewind with it. To the scheduler and the page they are one
run: one Play, one version; ``runs`` lists them for the views.
"""
import io
import json
import threading
from abc import ABC, abstractmethod
from dataclasses import replace

import numpy as np

from engine.metrics import confusion_matrix

from .history import ParamHistory
from .url import settle

SLICE_SECONDS = 0.03        # training per scheduler slice at most: bounds a Pause or an edit's wait


class Run(ABC):
    title = ""              # its name beside its metrics, curves and downloads when a page trains several

    def __init__(self, settings, build=True, lead=None):
        """``build=False`` defers the engine until ``ensure_built`` (the page waits for the compile).
        ``lead``: the run this one is a partner of (it shares its lock and settings)."""
        if lead is None:
            self.settings, self.notices = settle(settings)      # notices: what bounding changed
        else:
            self.settings, self.notices = settings, []
        self.lead = lead
        self.lock = lead.lock if lead is not None else threading.RLock()
        self.playing = False
        self.visible = True
        self.version = 0          # bumped with every published snapshot
        self.trainer = self.snap = self.history = None
        self.rewound = None       # (Moment, Snapshot) while the page shows an earlier epoch
        self.partners = []
        self.failure = None       # why training stopped, when a slice raised (the scheduler says)
        self._quiet = False       # inside a lock-step slice: one version bump, at its end
        if build:
            self.rebuild()

    # -- what a page provides ------------------------------------------------------------
    @abstractmethod
    def build(self):
        """A new engine.Trainer for ``self.settings`` (data and fresh weights)."""

    def make_partners(self):
        """Runs trained beside this one in lock step (compare mode); none by default."""
        return []

    def prepare(self, progress=None):
        """Slow work this run needs before it can be built (a base network trained first, say), with
        ``progress(done, total)`` as it goes; nothing by default. The page calls it (``Page.prepare``)
        before ``ensure_built``, and so do the lessons' solver and the tests."""

    def steps_per_second(self):
        """The pace the user asked for while playing, or None for as fast as the share allows."""
        return None

    def trainer_options(self):
        """What the running trainer takes from the settings without a reset."""
        return self.settings.trainer_options()

    def run_key(self):
        """What defines a new run: a change to it resets the network and data."""
        return self.settings.run_key()

    # -- building ------------------------------------------------------------------------
    @property
    def built(self):
        return self.trainer is not None

    @property
    def runs(self):
        """This run and its partners, in the order the page shows them."""
        return [self] + self.partners

    def ensure_built(self):
        if not self.built:
            self.rebuild()

    def rebuild(self):
        """New data and freshly initialised weights (Reset): the same seed gives the same start."""
        with self.lock:
            self.trainer = self.build()
            self._run_key = self.run_key()
            self.history = ParamHistory()
            self.rewound = None
            self.publish(self.trainer.snapshot())
            self.partners = self.make_partners()
            for partner in self.partners:
                partner.rebuild()
            self.version += 1

    def update(self, settings):
        """Apply new settings: rebuild when they define a new run, else change the live trainers.
        Values outside their fields' bounds (a crafted message can send any widget value) are
        clamped or reset first; returns what was changed in words (``ui.url.settle``)."""
        settings, notices = settle(settings, self.settings)
        with self.lock:
            self.settings = settings
            for partner in self.partners:
                partner.settings = settings
            if not self.built:
                return notices
            if self.run_key() != self._run_key:
                self.rebuild()
                return notices
            for run in self.runs:
                for name, value in run.trainer_options().items():
                    setattr(run.trainer, name, value)
                run.publish(run.trainer.snapshot())
            self.version += 1
            return notices

    def publish(self, snap):
        """Make ``snap`` the one the page draws; remember the weights for rewinding."""
        self.history.record(snap)
        self.snap = snap
        if not self._quiet:
            self.version += 1

    # -- training ------------------------------------------------------------------------
    @property
    def diverged(self):
        """True when every run of the page has diverged (a partner may go on alone)."""
        return all(run.snap is not None and run.snap.diverged for run in self.runs)

    def train_slice(self, steps, seconds=SLICE_SECONDS):
        """Train a playing run up to ``steps`` steps or ``seconds``, whichever comes first (the
        scheduler's unit); a paused one not at all (a slice picked before the Pause). With partners,
        the run furthest behind trains first, so all stand at the same step."""
        with self.lock:
            if not self.playing:
                return 0
            if not self.partners:
                done = self._train(steps, seconds)
            else:
                done, self._quiet = 0, True       # the page draws every run's progress, not half of it
                try:
                    for _ in range(len(self.runs)):
                        live = [r for r in self.runs if not r.trainer.diverged]
                        if not live:
                            break
                        behind = min(live, key=lambda r: r.trainer.step_count)
                        lead = max(r.trainer.step_count for r in live) - behind.trainer.step_count
                        done += behind._train(lead or steps, seconds / len(self.runs))
                finally:
                    self._quiet = False
                self.version += 1
            if self.diverged:
                self.playing = False
            return done

    def _train(self, steps, seconds):
        tr = self.trainer
        if tr.diverged:
            return 0
        before = tr.step_count
        self.publish(tr.step(steps, budget=seconds))
        return tr.step_count - before

    def pause(self):
        """Stop playing once the slice in flight has published (it holds the lock): the paused page
        then draws the weights the run holds, not those of a frame before."""
        with self.lock:
            self.playing = False

    def step_epoch(self):
        """One epoch of every run now (the Step button), however long it takes."""
        self.playing = False
        with self.lock:
            self.continue_from_rewound()
            for run in self.runs:
                run.trainer.step(run.trainer.steps_per_epoch)
                run.publish(run.trainer.snapshot())
            self.version += 1

    def advance(self, steps, budget=10.0):
        """Train ``steps`` steps of every run now (tests and benchmarks; the page plays through ui/live.py)."""
        with self.lock:
            for run in self.runs:
                run.trainer.step(steps, budget=budget)
                run.publish(run.trainer.snapshot())
            self.version += 1
        return self.snap

    def edit_param(self, name, index, value):
        """Set one parameter value (``name`` like "0.W", ``index`` a tuple) of this run."""
        with self.lock:
            self.continue_from_rewound()
            self.trainer.net.params[name][index] = value
            self.trainer.refresh()                  # the losses and accuracy of the edited network
            self.publish(self.trainer.snapshot())

    # -- rewinding: every run to the same epoch ------------------------------------------------
    @property
    def shown(self):
        """The snapshot the page draws: an earlier epoch's while rewound, else the latest."""
        return self.rewound[1] if self.rewound else self.snap

    @property
    def epochs_kept(self):
        """The epochs one can rewind to (the history thins out long runs)."""
        return self.history.epochs if self.history else []

    def rewind_to(self, epoch):
        """Show the networks as they were at the kept epoch nearest ``epoch`` (the run is paused)."""
        with self.lock:
            self.playing = False
            for run in self.runs:
                run._rewind_one(epoch)
            self.version += 1

    def _rewind_one(self, epoch):
        moment = self.history.at(epoch)
        if moment is None or moment.epoch == self.snap.epoch:
            self.rewound = None
        else:
            self.rewound = (moment, snapshot_at(self.snap, moment, self.trainer.net))

    def back_to_latest(self):
        for run in self.runs:
            run.rewound = None
        self.version += 1

    def continue_from_rewound(self):
        """Make the shown earlier epoch the runs' present: later history is dropped."""
        with self.lock:
            for run in self.runs:
                if run.rewound:
                    moment = run.rewound[0]
                    run.trainer.rewind(moment.flat, moment.step, moment.epoch, moment.state)
                    run.history.drop_after(moment.epoch)
                    run.rewound = None
                    run.publish(run.trainer.snapshot())
            self.version += 1

    # -- paused views --------------------------------------------------------------------------
    def gradients(self, samples=512):
        """The loss gradient of every parameter at the shown weights, on up to ``samples`` training points."""
        with self.lock:
            tr = self.trainer
            return tr.net.loss_and_grads(tr.x[:samples], tr.y[:samples], flat=self.shown._flat)[1]

    def confusion(self):
        """The confusion matrix of the shown weights on the test data (the training data if there is none)."""
        snap, tr = self.shown, self.trainer
        x, y = (tr.xt, tr.yt) if tr.xt is not None and len(tr.xt) else (tr.x, tr.y)
        return confusion_matrix(tr.net.loss, snap.predict(x), y)

    # -- take it with you (ui/take_away.py): what only the page knows ----------------------------
    def data_recipe(self):
        """How the exported scripts make this page's data (export/data.py); by default the arrays
        themselves travel with the scripts (data.npz)."""
        return {"source": "arrays"}

    def probe_sample(self):
        """(x, label) of the sample the pictures follow: the first test sample by default."""
        tr = self.trainer
        x, y = (tr.xt, tr.yt) if tr.xt is not None and len(tr.xt) else (tr.x, tr.y)
        return x[0].reshape(tr.net.input_shape), y[0]

    def picture_views(self):
        """{name: viz.pictures.View} of what this run saves as pictures and animations: the shared
        ones by default (ui/pictures.py); a page puts its own first."""
        from .pictures import default_views
        return default_views(self)

    # -- downloads: the epoch shown ------------------------------------------------------------
    def weights_npz(self):
        snap = self.shown
        buf = io.BytesIO()
        np.savez(buf, spec=np.array(json.dumps(self.trainer.net.spec)), **snap.params,
                 **{f"state:{k}": v for k, v in snap.state.items()})
        return buf.getvalue()

    def weights_json(self):
        snap = self.shown
        return json.dumps({"spec": self.trainer.net.spec, "step": snap.step, "epoch": snap.epoch,
                           "params": {k: v.tolist() for k, v in snap.params.items()},
                           "state": {k: v.tolist() for k, v in snap.state.items()}}, indent=1)

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
    if moment.state is not None:        # batch normalization's moving statistics of that epoch
        state = moment.state.astype(net.dtype)
        numbers.update(state=net.unflatten_state(state), _state=state)
    return replace(latest, step=moment.step, epoch=moment.epoch, params=net.unflatten(flat), _flat=flat,
                   history=history, diverged=False, reason="", **numbers)
