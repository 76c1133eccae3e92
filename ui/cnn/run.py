"""One user's CNN run: settings -> image data, network and trainer; the frames the page draws.

No Streamlit here: the page keeps a ``CnnRun`` in session state (ui/state.py).
"""
from functools import lru_cache

import numpy as np

import engine
from engine.data import IMAGE_DATASETS
from viz import cnn as view

from ..run import Run

STRIP_SIZE = 20          # test images in the strip under the overview
GRAD_SAMPLES = 64        # training images behind the kernels' gradients
CELL_IMAGES = 40         # test images shown for a confusion-matrix cell at most


@lru_cache(maxsize=4)
def image_data(dataset, seed):
    """(x_train, y_train, x_test, y_test) of an image set: one read-only copy per process for every
    session with that set and seed (MNIST's is the same for every seed: the engine shares it)."""
    arrays = IMAGE_DATASETS[dataset].load(seed=seed)
    for a in arrays:
        a.flags.writeable = False
    return arrays


class CnnRun(Run):
    def __init__(self, settings, build=True):
        self.digit = None            # (28, 28) image of the user's own digit, as the network sees it
        self.cell = None             # (layer position, channel, y, x) of the clicked feature-map cell
        self.confusion_cell = None   # (true class, predicted class) whose test images are shown
        self.frames = 0
        self._grads = (None, None)   # (snapshot, gradients) of the kernels' gradient view
        super().__init__(settings, build)

    # -- building ---------------------------------------------------------
    def build(self):
        s = self.settings
        self.x, self.y, self.xt, self.yt = image_data(s.dataset, s.seed)
        net = engine.build(s.spec(), seed=s.seed)
        self.cell = self.confusion_cell = None
        return engine.Trainer(net, train=(self.x, self.y), test=(self.xt, self.yt), seed=s.seed,
                              **s.trainer_options())

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
        return {"source": "image", "name": self.settings.dataset, "settings": {}, "seed": self.settings.seed}

    # -- frames -------------------------------------------------------------
    def frame(self, snap, full=True, kernel_grads=False):
        """The live frame of ``snap``: overview, kernels, strip, confusion matrix.
        ``full`` adds what does not change while training (the strip's images)."""
        self.frames += 1
        image, label = self.probe()
        names = self.class_names
        frame = {"frame": self.frames, "full": full, "probe": {"index": self.probe_index, "label": label},
                 "overview": view.overview(snap.layers, image, self.outputs_for(snap, image), names),
                 "kernels": view.kernel_views(snap, self.kernel_gradients(snap) if kernel_grads else None),
                 "kernel_grads": kernel_grads}
        frame["overview"]["highlight"] = self.highlight()
        xs, ys = self.xt[:STRIP_SIZE], self.yt[:STRIP_SIZE]
        probs = np.apply_along_axis(view.softmax, 1, snap.predict(xs).reshape(len(xs), -1))
        frame["strip"] = view.strip(xs, ys, probs, names, send_images=full)
        frame["strip"]["selected"] = self.probe_index
        frame["confusion"] = view.confusion_frame(snap.confusion, names)
        frame["confusion"]["selected"] = list(self.confusion_cell) if self.confusion_cell else None
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
        if not 0 <= pos < len(layers) or layers[pos][1] not in ("conv2d", "maxpool2d", "avgpool2d"):
            self.cell = None
            return False
        c, h, w = layers[pos][3]
        self.cell = (pos, min(max(channel, 0), c - 1), min(max(y, 0), h - 1), min(max(x, 0), w - 1))
        return True

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
