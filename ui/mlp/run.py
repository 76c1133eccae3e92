"""One user's MLP run: settings -> 2-D data, network and trainer; the canvas frame.

No Streamlit here: the page keeps an ``MlpRun`` in session state (ui/state.py).
"""
import json

import numpy as np

import engine
from engine.data import featurize, make_2d, split
from engine.plane import Plane, PlaneMaps
from viz.network_view import network_frame, static_frame

from ..run import Run

N_POINTS = 500                 # as TensorFlow Playground
MAX_OWN_POINTS = 2000          # training points a user may add by clicking (a CSV holds as many)
# The output over the plane: paused, on a 121 x 121 grid (a boundary drawn to 0.1 units); playing, on a
# 49 x 49 grid (0.25), which costs a quarter as much a frame (the canvas interpolates between cells, so a
# discretized boundary is a smooth line either way). Thumbnails: 13 x 13 cells of either.
PLANE_RESOLUTION, LIVE_RESOLUTION = 121, 49
NOMINAL_FPS = 25               # "epochs per frame" counts frames at this rate; under load a frame holds more


class MlpRun(Run):
    def __init__(self, settings, build=True):
        self.own = None              # (xy, labels): the user's own data set (a CSV, a link), replacing the generated one
        self.added = []              # (x, y, label) of each training point a click added
        self.probe = None            # (xy, label) of the point whose numbers are shown
        self.focus = None            # (dense layer or -1 for a feature, unit) of the tile the pointer is on
        self.frames = 0
        super().__init__(settings, build)

    # -- building ---------------------------------------------------------
    @property
    def custom(self):
        """True when the data is not (only) the generated data set."""
        return self.own is not None or bool(self.added)

    def _points(self):
        """(train_xy, train_labels, test_xy, test_labels): the generated set or the user's own, split by
        the training share and the seed, and the points added by clicks on top of the training data."""
        s = self.settings
        pts, labels = self.own if self.own is not None else make_2d(s.dataset, N_POINTS, s.noise / 100, seed=s.seed)
        xy, lab, txy, tlab = split(pts, labels, s.train_pct / 100, seed=s.seed)
        if self.added:
            extra = np.asarray(self.added, float)
            xy, lab = np.vstack([xy, extra[:, :2]]), np.concatenate([lab, extra[:, 2]])
        return xy, lab, txy, tlab

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

    def build(self):
        s = self.settings
        train, test = self._datasets()
        net = engine.build(s.spec(), seed=s.seed)
        self.plane = Plane(tuple(s.features), resolution=PLANE_RESOLUTION)
        self.live_plane = Plane(tuple(s.features), resolution=LIVE_RESOLUTION)
        return engine.Trainer(net, train=train, test=test, seed=s.seed, **s.trainer_options())

    def plane_maps(self, snap, live=False):
        """The neuron maps of ``snap`` over the input plane (``live``: the playing frames' coarser grid),
        computed once per snapshot and grid."""
        plane = self.live_plane if live else self.plane
        maps = getattr(self, "_maps", None)
        if maps is None or maps.snap is not snap or maps.plane is not plane:
            self._maps = maps = PlaneMaps(snap, plane)
        return maps

    def run_key(self):
        return self.settings.run_key(), self.custom

    def steps_per_second(self):
        return self.settings.speed * NOMINAL_FPS * self.trainer.steps_per_epoch

    # -- the user's own points -------------------------------------------
    def use_points(self, points, labels, added=()):
        """Train on the user's own points from now on (split by the training share and the seed; None:
        the generated set), and ``added`` (x, y, label) on top; weights are kept."""
        self.own = None if points is None else (np.asarray(points, float), np.asarray(labels, float))
        self.added = [tuple(map(float, p)) for p in added]
        self._swap_data()

    def add_point(self, x, y, label):
        """Add one training point at (x, y); weights and history are kept. False when the data
        already holds MAX_OWN_POINTS training points."""
        if len(self._points()[0]) >= MAX_OWN_POINTS:
            return False
        self.added.append((float(x), float(y), float(label)))
        self._swap_data()
        return True

    def forget_points(self):
        self.own, self.added = None, []
        self._swap_data()

    def _swap_data(self):
        with self.lock:
            if not self.built:
                return
            train, test = self._datasets()
            self.trainer.set_data(train, test)
            self._run_key = self.run_key()
            self.publish(self.trainer.snapshot())

    # -- training ---------------------------------------------------------
    def edit_weight(self, layer, name, i, j, value):
        """Set one weight (name "W") or bias ("b") of the ``layer``-th dense layer."""
        index = [k for k, kind, _, _ in self.snap.layers if kind == "dense"][layer]
        self.edit_param(f"{index}.{name}", (i, j) if name == "W" else (i,), value)

    # -- one point's numbers ------------------------------------------------
    def nearest_point(self, x, y):
        """(xy, label) of the data point nearest to (x, y), training and test points alike."""
        xy = np.vstack([self.train_xy, self.test_xy])
        labels = np.concatenate([self.train_labels, self.test_labels])
        k = int(np.argmin(np.hypot(xy[:, 0] - x, xy[:, 1] - y)))
        return xy[k], labels[k]

    def point_pass(self, xy, label):
        """The forward and backward pass of one example with the shown weights: per dense layer,
        each neuron's weighted sum ``z``, activation ``a`` and gradient ``dz`` (d loss / d z), and
        each weight's gradient ``dW`` (d loss / d W) for this example alone. With batch norm the
        neuron's normalised sum ``n`` (the moving statistics, as the network predicts) comes between,
        and there are no gradients (None): batch norm's gradient is a batch's, not one point's."""
        s, snap, net = self.settings, self.shown, self.trainer.net
        x = featurize(np.asarray(xy)[None], s.features)
        y = self.targets(np.asarray([label]))
        outs = net.layer_outputs(x, flat=snap._flat, state=snap._state)
        normalised = net.min_batch > 1
        if normalised:
            loss, grads = self._point_loss(outs[-1], y), None
        else:
            loss, grads = net.loss_and_grads(x, y, flat=snap._flat)
        layers, prev = [], x[0].astype(np.float64)
        for k, (index, kind, _, _) in enumerate(snap.layers):
            out = outs[index][0].astype(np.float64).ravel()
            if kind == "dense":
                W, b = snap.params[f"{index}.W"].astype(np.float64), snap.params[f"{index}.b"].astype(np.float64)
                layers.append({"index": index, "inputs": prev, "z": prev @ W + b, "a": out,
                               "dz": None if grads is None else grads[f"{index}.b"].astype(np.float64),
                               "dW": None if grads is None else grads[f"{index}.W"].astype(np.float64)})
            elif kind == "batchnorm" and layers and layers[-1]["index"] == index - 1:
                p, st = snap.params, snap.state
                scale = p[f"{index}.gamma"] / np.sqrt(st[f"{index}.moving_variance"] + net.layers[k].cfg["epsilon"])
                layers[-1]["n"] = (layers[-1]["z"] - st[f"{index}.moving_mean"]) * scale + p[f"{index}.beta"]
                layers[-1]["a"] = out
            prev = out
        return {"xy": np.asarray(xy, float), "label": float(label), "loss": float(loss), "layers": layers}

    def _point_loss(self, out, y):
        """One example's loss from its raw output, as the trainer's evaluation computes it."""
        from engine.kernels import program as P
        net = self.trainer.net
        out = np.array(out, net.dtype).reshape(1, net.loss_cols)
        target = net.targets(y, 1).reshape(1, -1)
        return float(P._loss_forward_backward(net.loss_code, out, target, out.copy(), False))

    # -- take it with you (ui/take_away.py) -----------------------------------
    def data_recipe(self):
        """The 2-D set as the exported scripts make it; the user's own points travel as arrays."""
        s = self.settings
        if self.custom:
            return {"source": "arrays"}
        targets = {"binary_crossentropy": "binary", "softmax_crossentropy": "class"}.get(s.engine_loss, "float")
        return {"source": "toy2d", "name": s.dataset, "n": N_POINTS, "noise": s.noise / 100, "seed": s.seed,
                "train_fraction": s.train_pct / 100, "features": list(s.features), "targets": targets}

    def picture_views(self):
        from .pictures import network_view
        return {"network": network_view(self), **super().picture_views()}

    # -- views ------------------------------------------------------------
    def frame(self, snap, interactive, adding=False, full=True, allow=(), ack=None, curve=False):
        """The canvas frame of ``snap`` (one snapshot per frame: the trainer may publish meanwhile)."""
        s = self.settings
        self.frames += 1
        frame = network_frame(snap, self.plane_maps(snap, live=not interactive), features=s.features, loss=s.engine_loss, classes=s.classes,
                              train=(self.train_xy, self.train_labels),
                              test=(self.test_xy, self.test_labels) if s.show_test else None,
                              discretize=s.discretize, interactive=interactive, frame=self.frames,
                              dropout=[s.layer_dropout(i) for i in range(len(s.hidden))], full=full,
                              focus=self.focus, curve=curve)
        frame.update(adding=adding, allow=list(allow), ack=ack)
        return frame

    def setup_json(self, link=""):
        """The setup (settings, link, spec) and the user's own points, which a link holds only up to
        ui.mlp.points.LINK_MAX_POINTS: loaded back on the page, it gives the same data."""
        setup = json.loads(super().setup_json(link))
        if self.custom:
            own = None if self.own is None else np.column_stack([self.own[0], self.own[1]]).round(4).tolist()
            setup["points"] = {"own": own, "added": [list(p) for p in self.added]}
        return json.dumps(setup, indent=1)

    def static_frame(self):
        """What the live frames leave out (``full=False``): the features, their maps and the points."""
        s = self.settings
        return static_frame(self.plane, features=s.features, classes=s.classes,
                            train=(self.train_xy, self.train_labels),
                            test=(self.test_xy, self.test_labels) if s.show_test else None)
