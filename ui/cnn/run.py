"""One user's CNN run: settings -> image data, network and trainer; the frames the page draws.

No Streamlit here: the page keeps a ``CnnRun`` in session state (ui/state.py).
"""
from functools import lru_cache

import numpy as np

import json

import engine
from engine.data import IMAGE_DATASETS
from viz import cnn as view

from ..run import Run
from . import transfer
from .data import PAGE_IMAGES, few_per_class
from .settings import BASE_TASK

STRIP_SIZE = 20          # test images in the strip under the overview
GRAD_SAMPLES = 64        # training images behind the kernels' gradients
CELL_IMAGES = 40         # test images shown for a confusion-matrix cell at most
WEIGHT_LIMIT = 10.0      # a typed kernel weight or bias is kept within ±this
MAP_KINDS = ("conv2d", "maxpool2d", "avgpool2d")
TRANSFER_EVAL = 500      # test images of the second task each evaluation of a comparison counts
TRANSFER_EVAL_STEPS = 10  # ... made at least this many steps apart (an epoch of 5 examples is one step)


@lru_cache(maxsize=4)
def image_data(dataset, seed):
    """(x_train, y_train, x_test, y_test) of an image set: one read-only copy per process for every
    session with that set and seed (MNIST's is the same for every seed: the engine shares it)."""
    arrays = PAGE_IMAGES[dataset].load(seed=seed)
    for a in arrays:
        a.flags.writeable = False
    return arrays


class CnnRun(Run):
    """The page's network. In a Transfer comparison it is the network that reuses the base's conv
    layers, and its partner (another CnnRun) the same network from scratch, on the same examples."""

    def __init__(self, settings, build=True, lead=None):
        self.digit = None            # (28, 28) image of the user's own digit, as the network sees it
        self.cell = None             # (layer position, channel, y, x) of the clicked feature-map cell
        self.cell_input = 0          # the input channel the cell view shows first (a conv layer's kernel slice)
        self.confusion_cell = None   # (true class, predicted class) whose test images are shown
        self.frames = 0
        self._grads = (None, None)   # (snapshot, gradients) of the kernels' gradient view
        self.base = None             # transfer.Base: the network whose conv layers a comparison reuses
        self.clock = transfer.Clock()   # seconds of training since the last build
        self._built_for = self._built_seed = None   # (task, spec as JSON) and seed of the trainer
        self._first = None           # the first task's trainer and history while comparing (to come back to)
        super().__init__(settings, build, lead)

    # -- building ---------------------------------------------------------
    @property
    def title(self):
        if self.settings.transfer == "off":
            return ""
        return "From scratch" if self.lead is not None else "Reused"

    @property
    def comparing(self):
        return self.settings.transfer != "off"

    def build(self):
        s = self.settings
        self.cell = self.confusion_cell = None
        self.clock = transfer.Clock()
        spec = s.spec()
        options = dict(s.trainer_options())
        if not self.comparing:
            self.x, self.y, self.xt, self.yt = image_data(s.dataset, s.seed)
            net = engine.build(spec, seed=s.seed)
        else:
            x, y, self.xt, self.yt = image_data(s.transfer, s.seed)
            rows = few_per_class(y, s.shots, s.seed)         # the same examples for both networks
            self.x, self.y = x[rows], y[rows]
            if self.lead is None:         # the spec says which reused layers are frozen
                net = transfer.build_from(spec, s.seed, self.base.net, transfer.reused_layers(spec))
            else:
                net = engine.build(s.scratch_spec(), seed=s.seed)
            steps_per_epoch = -(-len(rows) // s.batch)
            options.update(eval_size=TRANSFER_EVAL,
                           eval_every=steps_per_epoch * -(-TRANSFER_EVAL_STEPS // steps_per_epoch))
        self._built_for, self._built_seed = (s.task, json.dumps(s.spec(), sort_keys=True)), s.seed
        return engine.Trainer(net, train=(self.x, self.y), test=(self.xt, self.yt), seed=s.seed, **options)

    def make_partners(self):
        if self.lead is not None or not self.comparing:
            return []
        return [CnnRun(self.settings, build=False, lead=self)]

    def rebuild(self):
        """New data and fresh weights. Into a Transfer comparison, the base is the network trained so
        far on digits 0-4 (if it trained), else one this process trained for the same settings; with
        neither, the run stays unbuilt until the page trains one (``train_base``, with a progress
        bar). Out of one, the first task's network comes back as it was."""
        if self.lead is not None:
            return super().rebuild()
        with self.lock:
            s = self.settings
            if self.comparing:
                if self.built and self._built_for[0] == BASE_TASK:
                    self._first = {"spec": self._built_for[1], "seed": self._built_seed, "trainer": self.trainer,
                                   "history": self.history}
                self.base = self._find_base()
                if self.base is None:
                    self.playing = False
                    self.trainer = self.snap = None
                    self.partners = []
                    self.version += 1
                    return
            elif self._first is not None and self.built and self._built_for[0] != s.task \
                    and (self._first["spec"], self._first["seed"]) == (json.dumps(s.spec(), sort_keys=True), s.seed):
                self.trainer, self.history = self._first["trainer"], self._first["history"]
                self._first = None
                self._run_key, self.rewound, self.partners = self.run_key(), None, []
                self._built_for = (s.task, json.dumps(s.spec(), sort_keys=True))
                self.publish(self.trainer.snapshot())
                self.version += 1
                return
            super().rebuild()

    def _find_base(self):
        """The base for the current settings: the one in use if it still fits, the network the user
        trained on digits 0-4, or one this process trained for these settings; None if there is none."""
        s = self.settings
        spec = s.base_spec()
        yours = transfer.base_key(spec, None, True)
        pretrained = transfer.pretrained_key(spec, s.seed, s.trainer_options())
        if self.base is not None and self.base.key in (yours, pretrained):
            return self.base
        if self._first is not None and self._first["spec"] == json.dumps(spec, sort_keys=True):
            base = transfer.base_of_trainer(self._first["trainer"], spec)
            if base is not None:
                return base
        return transfer.cached_base(spec, s.seed, s.trainer_options())

    @property
    def needs_base(self):
        """True while a comparison waits for a base to be trained (``train_base``)."""
        return self.lead is None and self.comparing and self.trainer is None

    def prepare(self, progress=None):
        """A comparison waiting for its base trains it now (``train_base``); else nothing."""
        if self.needs_base:
            self.train_base(progress)

    def train_base(self, progress=None):
        """Train the base on digits 0-4 for the current settings (``transfer.BASE_STEPS`` steps;
        ``progress(done, steps)``), then build the comparison on it."""
        s = self.settings
        base = transfer.pretrain(s.base_spec(), s.seed, image_data(BASE_TASK, s.seed), s.trainer_options(),
                                 progress=progress)
        with self.lock:
            self.base = base
            self.rebuild()

    def transfer_gap(self, snaps=None):
        """In a comparison, how far the reused layers are ahead of the network from scratch in test
        accuracy (a fraction; negative: behind), as the page's words say it; None otherwise."""
        lead = self.lead or self
        if not lead.comparing or len(lead.runs) < 2:
            return None
        reused, scratch = snaps or [r.shown for r in lead.runs[:2]]
        return transfer.gap(reused, scratch)

    def _train(self, steps, seconds):
        with self.clock:
            return super()._train(steps, seconds)

    @property
    def class_names(self):
        return list(self.settings.facts.class_names)

    # -- the probe -----------------------------------------------------------
    @property
    def probe_index(self):
        return min(self.settings.probe, len(self.xt) - 1)

    def probe(self):
        """(image (C, H, W), label) the overview follows."""
        k = self.probe_index
        return self.xt[k], int(self.yt[k])

    def outputs_for(self, snap, image):
        """Every layer's output for one image, with ``snap``'s weights (the batch axis dropped)."""
        return [out[0] for out in snap.layer_outputs(np.asarray(image, np.float32)[None])]

    def probe_sample(self):
        return self.probe()

    def data_recipe(self):
        """The image set as the exported scripts make it (export/data.py)."""
        s = self.settings
        if self.comparing or s.dataset not in IMAGE_DATASETS:       # a few examples, a digit half: as arrays
            return {"source": "arrays"}
        return {"source": "image", "name": s.dataset, "settings": {}, "seed": s.seed}

    # -- frames -------------------------------------------------------------
    def frame(self, snap, full=True, kernel_grads=False, editable=False):
        """The live frame of ``snap``: overview, kernels, strip, confusion matrix, and the clicked
        cell's view (its numbers with these weights: it follows the training). ``full`` adds what
        does not change while training (the strip's images); ``editable``: the cell view may edit
        its kernel (paused)."""
        self.frames += 1
        image, label = self.probe()
        names = self.class_names
        outputs = self.outputs_for(snap, image)
        frame = {"frame": self.frames, "full": full, "probe": {"index": self.probe_index, "label": label},
                 "overview": view.overview(snap.layers, image, outputs, names),
                 "kernels": view.kernel_views(snap, self.kernel_gradients(snap) if kernel_grads else None),
                 "kernel_grads": kernel_grads}
        frame["overview"]["highlight"] = self.highlight()
        xs, ys = self.xt[:STRIP_SIZE], self.yt[:STRIP_SIZE]
        probs = view.softmax_rows(snap.predict(xs).reshape(len(xs), -1))
        frame["strip"] = view.strip(xs, ys, probs, names, send_images=full)
        frame["strip"]["selected"] = self.probe_index
        frame["confusion"] = view.confusion_frame(snap.confusion, names)
        frame["confusion"]["selected"] = list(self.confusion_cell) if self.confusion_cell else None
        frame["cell"] = self.cell_frame(snap, image, outputs, editable)
        return frame

    def cell_frame(self, snap, image, outputs, editable=False):
        """The clicked cell's view (viz.cnn.cell_frame) with ``snap``'s weights, or None."""
        if self.cell is None:
            return None
        pos, channel, y, x = self.cell
        layer = self.trainer.net.layers[pos]
        below = image if pos == 0 else outputs[pos - 1]
        params = {name.split(".")[1]: v for name, v in snap.params.items() if name.startswith(f"{pos}.")}
        frame = view.cell_frame(layer, layer.cfg, layer.activation, params, np.reshape(below, layer.in_shape),
                                np.reshape(outputs[pos], layer.out_shape), pos, channel, y, x,
                                view.layer_title(snap.layers, pos), view.input_name(snap.layers, pos))
        frame["show"] = min(self.cell_input, frame["c"] - 1)
        frame["editable"] = bool(editable and frame["kind"] == "conv")
        frame["limit"] = WEIGHT_LIMIT
        return frame

    def digit_frame(self, snap):
        """The overview of the user's digit, or None."""
        if self.digit is None:
            return None
        image = self.digit[None]
        frame = {"frame": self.frames, "overview": view.overview(snap.layers, image, self.outputs_for(snap, image),
                                                                  self.class_names)}
        return frame

    def kernel_gradients(self, snap):
        """The loss gradient of every parameter at ``snap``'s weights, on GRAD_SAMPLES training images
        (computed once per snapshot)."""
        if self._grads[0] is not snap:
            grads = self.trainer.net.loss_and_grads(self.x[:GRAD_SAMPLES], self.y[:GRAD_SAMPLES], flat=snap._flat)[1]
            self._grads = (snap, grads)
        return self._grads[1]

    # -- a clicked feature-map cell -------------------------------------------
    def select_cell(self, pos, channel, y, x):
        """Follow the feature-map cell (layer position, channel, row, column), clamped into its map;
        False (nothing selected) when layer ``pos`` has no feature maps."""
        layers = self.snap.layers
        if not 0 <= pos < len(layers) or layers[pos][1] not in MAP_KINDS:
            self.cell = None
            return False
        c, h, w = layers[pos][3]
        self.cell = (pos, min(max(channel, 0), c - 1), min(max(y, 0), h - 1), min(max(x, 0), w - 1))
        return True

    def conv_positions(self):
        """Layer positions of the conv layers, in order."""
        return [i for i, kind, _, _ in self.snap.layers if kind == "conv2d"]

    def pick_kernel(self, conv, filter, channel):
        """Open the view of conv layer ``conv`` (counted from 0), filter ``filter``, showing its slice
        for input channel ``channel``: the centre cell of that filter's map. False if there is none."""
        convs = self.conv_positions()
        if not 0 <= conv < len(convs):
            return False
        pos = convs[conv]
        f, c, _, _ = self.snap.params[f"{pos}.W"].shape
        if not (0 <= filter < f and 0 <= channel < c):
            return False
        _, h, w = self.snap.layers[pos][3]
        self.select_cell(pos, filter, h // 2, w // 2)
        self.cell_input = channel
        return True

    def edit_kernel(self, pos, filter, channel, weights, bias):
        """Set one filter's kernel slice for one input channel (k x k ``weights``, row by row) and its
        bias; values are kept within ±WEIGHT_LIMIT. Returns the values that had to be clamped, or
        raises ValueError for a layer, filter, channel or size that does not exist."""
        if pos not in self.conv_positions():
            raise ValueError(f"layer {pos} is no conv layer")
        W = self.snap.params[f"{pos}.W"]
        f, c, k, _ = W.shape
        if not (0 <= filter < f and 0 <= channel < c):
            raise ValueError(f"no filter {filter}, channel {channel} in a layer of {f} x {c}")
        if len(weights) != k * k:
            raise ValueError(f"a {k}x{k} kernel takes {k * k} values, not {len(weights)}")
        values = np.asarray(list(weights) + [bias], np.float64)
        clamped = np.clip(values, -WEIGHT_LIMIT, WEIGHT_LIMIT)
        changed = [(float(a), float(b)) for a, b in zip(values, clamped) if a != b]
        self.edit_param(f"{pos}.W", (filter, channel), clamped[:-1].reshape(k, k))
        if float(self.trainer.net.params[f"{pos}.b"][filter]) != float(np.float32(clamped[-1])):
            self.edit_param(f"{pos}.b", (filter,), clamped[-1])
        self.cell_input = channel
        return changed

    def highlight(self):
        """The clicked cell and its window in the layer below, for the overview to mark."""
        if self.cell is None:
            return None
        pos, channel, y, x = self.cell
        layer = self.trainer.net.layers[pos]
        if layer.cfg["type"] == "conv2d":
            size, s = layer.cfg["kernel_size"], layer.cfg["stride"]
            y0, x0 = y * s - layer.pt, x * s - layer.pl
        else:
            size, s = layer.cfg["pool_size"], layer.stride
            y0, x0 = y * s, x * s
        return {"pos": pos, "channel": channel, "y": y, "x": x, "below": pos - 1, "y0": y0, "x0": x0, "size": size,
                "below_channel": None if layer.cfg["type"] == "conv2d" else channel}

    def arithmetic(self, snap=None):
        """The clicked cell's numbers (viz.cnn.cell_arithmetic) for ``snap`` (the shown weights)."""
        if self.cell is None:
            return None
        snap = snap or self.shown
        pos, channel, y, x = self.cell
        image = self.probe()[0]
        outs = self.outputs_for(snap, image)
        below = image if pos == 0 else outs[pos - 1]
        layer = self.trainer.net.layers[pos]
        params = {name.split(".")[1]: v for name, v in snap.params.items() if name.startswith(f"{pos}.")}
        numbers = view.cell_arithmetic(layer, layer.cfg, layer.activation, params, below.reshape(layer.in_shape),
                                       channel, y, x)
        numbers["value"] = float(np.asarray(outs[pos]).reshape(layer.out_shape)[channel, y, x])
        return numbers

    # -- the confusion matrix's cells -------------------------------------------
    def cell_images(self, true, pred, snap=None):
        """(indices into the test set, images) the shown evaluation counted in row ``true``,
        column ``pred`` of the confusion matrix (at most CELL_IMAGES)."""
        snap = snap or self.shown
        rows = snap.confusion_rows
        pred_all = np.asarray(snap._eval.test_outputs).reshape(len(rows), -1).argmax(axis=1)
        true_all = self.yt[rows]
        hits = rows[(true_all == true) & (pred_all == pred)][:CELL_IMAGES]
        return hits, self.xt[hits]

    # -- the user's digit ----------------------------------------------------------
    def predict_digit(self, snap=None):
        """Class probabilities of the user's digit with the shown weights, or None."""
        if self.digit is None:
            return None
        snap = snap or self.shown
        return view.softmax(snap.predict(self.digit[None, None].astype(np.float32)))
