"""One user's MLP run: settings -> data, network and trainer; frames; downloads.

No Streamlit here: the page keeps an ``MlpRun`` in session state and calls it.
"""
import io
import json
import time
from dataclasses import asdict

import numpy as np

import engine
from engine.data import Plane, featurize, make_2d, split
from viz.network_view import network_frame

N_POINTS = 500                 # as TensorFlow Playground
PLANE_RESOLUTION = 49          # output map; neuron thumbnails take every 4th cell (13 x 13)
TRAIN_BUDGET = 0.06            # seconds of training per frame at most


class MlpRun:
    def __init__(self, settings):
        self.settings = settings
        self.custom = None           # (train_xy, train_labels, test_xy, test_labels) of the user's own data
        self.playing = False
        self.frame = 0
        self.rebuild()

    # -- building ---------------------------------------------------------
    def _points(self):
        s = self.settings
        if self.custom is not None:
            return self.custom
        pts, labels = make_2d(s.dataset, N_POINTS, s.noise / 100, seed=s.seed)
        return split(pts, labels, s.train_pct / 100, seed=s.seed)

    def targets(self, labels):
        """Data-set labels in the form the loss expects."""
        loss = self.settings.engine_loss
        if loss == "binary_crossentropy":
            return (labels > 0).astype(float)
        if loss == "softmax_crossentropy":
            return labels.astype(int)
        return labels

    def _datasets(self):
        s = self.settings
        self.train_xy, self.train_labels, self.test_xy, self.test_labels = self._points()
        train = (featurize(self.train_xy, s.features), self.targets(self.train_labels))
        test = (featurize(self.test_xy, s.features), self.targets(self.test_labels)) if len(self.test_xy) else None
        return train, test

    def rebuild(self):
        """New data and freshly initialised weights (Reset): the same seed gives the same start."""
        s = self.settings
        train, test = self._datasets()
        net = engine.build(s.spec(), seed=s.seed)
        self.trainer = engine.Trainer(net, train=train, test=test, optimizer=s.optimizer, lr=s.lr,
                                      batch_size=s.batch, l1=s.l1, l2=s.l2, seed=s.seed,
                                      plane=Plane(tuple(s.features), resolution=PLANE_RESOLUTION))
        self.snap = self.trainer.snapshot()
        self._run_key = (s.run_key(), self.custom is not None)

    def update(self, settings):
        """Apply new settings: rebuild when they define a new run, else change the live trainer."""
        self.settings = settings
        if (settings.run_key(), self.custom is not None) != self._run_key:
            self.rebuild()
            return True
        tr = self.trainer
        tr.optimizer, tr.lr, tr.batch_size = settings.optimizer, settings.lr, settings.batch
        tr.l1, tr.l2 = settings.l1, settings.l2
        self.snap = tr.snapshot()
        return False

    # -- the user's own points -------------------------------------------
    def use_points(self, points, labels):
        """Train on uploaded points from now on (split by the train fraction); weights are kept."""
        self.custom = split(points, labels, self.settings.train_pct / 100, seed=self.settings.seed)
        self._swap_data()

    def add_point(self, x, y, label):
        """Add one training point at (x, y); weights and history are kept."""
        xy, lab, txy, tlab = self._points()
        self.custom = (np.vstack([xy, [[x, y]]]), np.append(lab, label), txy, tlab)
        self._swap_data()

    def forget_points(self):
        self.custom = None
        self._swap_data()

    def _swap_data(self):
        train, test = self._datasets()
        self.trainer.set_data(train, test)
        self.snap = self.trainer.snapshot()
        self._run_key = (self.settings.run_key(), self.custom is not None)

    # -- training ---------------------------------------------------------
    def advance(self, epochs, budget=TRAIN_BUDGET):
        """Train about ``epochs`` epochs, stopping early after ``budget`` seconds."""
        tr = self.trainer
        steps = max(1, round(epochs * tr.steps_per_epoch))
        chunk = max(1, min(steps, tr.steps_per_epoch))
        start = time.perf_counter()
        snap = None
        while steps > 0 and not tr.diverged and time.perf_counter() - start < budget:
            snap = tr.step(min(chunk, steps))
            steps -= chunk
        self.snap = snap or tr.snapshot()
        return self.snap

    def edit_param(self, layer, name, i, j, value):
        """Set one weight (name "W") or bias ("b") of the ``layer``-th dense layer."""
        index = [k for k, kind, _, _ in self.snap.layers if kind == "dense"][layer]
        param = self.trainer.net.params[f"{index}.{name}"]
        if name == "W":
            param[i, j] = value
        else:
            param[i] = value
        self.snap = self.trainer.snapshot()

    # -- views ------------------------------------------------------------
    def frame_data(self, interactive, adding=False, scale=1.0, full=True):
        s = self.settings
        self.frame += 1
        frame = network_frame(self.snap, features=s.features, loss=s.engine_loss, classes=s.classes,
                              train=(self.train_xy, self.train_labels),
                              test=(self.test_xy, self.test_labels) if s.show_test else None,
                              discretize=s.discretize, interactive=interactive, frame=self.frame,
                              dropout=[s.layer_dropout(i) for i in range(len(s.hidden))], full=full)
        frame["adding"] = adding
        frame["scale"] = scale
        return frame

    def layer_names(self):
        dense = [i for i, kind, _, _ in self.snap.layers if kind == "dense"]
        return [f"layer {k + 1}" if k < len(dense) - 1 else "output" for k in range(len(dense))]

    # -- downloads --------------------------------------------------------
    def weights_npz(self):
        buf = io.BytesIO()
        np.savez(buf, spec=np.array(json.dumps(self.trainer.net.spec)), **self.snap.params)
        return buf.getvalue()

    def weights_json(self):
        return json.dumps({"spec": self.trainer.net.spec, "step": self.snap.step, "epoch": self.snap.epoch,
                           "params": {k: v.tolist() for k, v in self.snap.params.items()}}, indent=1)

    def setup_json(self, url=""):
        return json.dumps({"settings": asdict(self.settings), "link": url,
                           "spec": self.settings.spec()}, indent=1)
