"""One user's autoencoder run: images -> the network that rebuilds them, and what the page draws of
it: reconstructions, the codes of the test images on a plane, decoded points, reconstruction errors.

No Streamlit here. The targets are the images themselves (flattened): the labels are never given
to the trainer, only used to colour the code plane and to measure how the codes group.
"""
import time
from functools import lru_cache

import numpy as np

import engine
from engine.data import IMAGE_DATASETS
from viz import autoencoder as ae

from ..run import Run
from .settings import IMAGE_SIZE

SHOWN = 16                   # test images shown beside their reconstructions
PLANE_IMAGES = 2000          # test codes on the plane
GRID = 8                     # decoded images per side of the grid over the plane
WORST = 10
SLOW_VIEWS = 0.5             # seconds between two computations of the codes and errors while playing, at least
SLOW_SHARE = 0.2             # ... and the computations take at most this share of the time (a loaded machine)


@lru_cache(maxsize=4)
def image_data(dataset, seed, size=None):
    """(x, x_flat, labels, xt, xt_flat, test labels) of an image set, read-only, shared by every session
    with these settings (MNIST's images are the engine's one shared copy)."""
    params = {} if size is None else {"size": size}
    x, y, xt, yt = IMAGE_DATASETS[dataset].load(seed=seed, **params)
    flat = [np.clip(a.reshape(len(a), -1), 0, 1) for a in (x, xt)]    # bars carry noise outside [0, 1]
    arrays = (x, flat[0], y, xt, flat[1], yt)
    for a in arrays:
        a.flags.writeable = False
    return arrays


class AutoencoderRun(Run):
    def __init__(self, settings, build=True):
        self.point = None            # (x, y) of the plane the user clicked: its decoded image is shown
        self.own = None              # (label, image (pixels,)) of the user's own input, for the anomaly view
        self._views = (None, None)   # (snapshot, its views)
        self._views_at = 0.0         # when the plane and errors were last computed
        self._views_took = 0.0       # and how long that took (wall seconds)
        super().__init__(settings, build)

    def build(self):
        s = self.settings
        size = s.data_params().get("size")
        self.x, self.x_flat, self.y, self.xt, self.xt_flat, self.yt = image_data(s.dataset, s.seed, size)
        net = engine.build(s.spec(), seed=s.seed)
        self.encoder = engine.build(_part_spec(s.facts.input_shape, s.encoder_layers()))
        self.decoder = engine.build(_part_spec([s.code], s.decoder_layers()))
        self.point = None
        self.noisy = None            # denoising: the shown test images with noise as training adds it (fixed)
        if s.denoising and s.noise > 0:
            rng = np.random.default_rng(s.seed + 1)
            shown = self.xt[:SHOWN]
            self.noisy = (shown + rng.normal(0, s.noise, shown.shape)).astype(np.float32)
        return engine.Trainer(net, train=(self.x, self.x_flat), test=(self.xt, self.xt_flat), seed=s.seed,
                              classification=False, **s.trainer_options())

    def data_recipe(self):
        """The images as the exported scripts make them, each its own target (export/data.py)."""
        s = self.settings
        size = s.data_params().get("size")
        return {"source": "image", "name": s.dataset, "settings": {} if size is None else {"size": size},
                "seed": s.seed, "targets": "pixels"}

    # -- the network's two halves, with a snapshot's weights ------------------------------------
    def _flat(self, snap, first, last):
        """The weights of layers first..last of ``snap``, flat in their order (a half's own vector)."""
        return np.concatenate([snap.params[name].ravel() for name in snap.params
                               if first <= int(name.split(".")[0]) <= last]).astype(np.float32)

    def codes(self, snap, images):
        """The codes of ``images`` (N, C, H, W)."""
        flat = self._flat(snap, 0, self.settings.code_layer)
        return self.encoder.forward(images, flat=flat)

    def decode(self, snap, codes):
        """Images (N, pixels) in [0, 1] decoded from ``codes`` (N, code units)."""
        return self._pixels(self._decode_raw(snap, codes))

    def _decode_raw(self, snap, codes):
        """The decoder's raw outputs (logits for cross-entropy) for ``codes`` (N, code units)."""
        flat = self._flat(snap, self.settings.code_layer + 1, len(self.settings.spec()["layers"]) - 1)
        return self.decoder.forward(np.asarray(codes, np.float32), flat=flat)

    def _pixels(self, out):
        out = np.asarray(out, np.float64).reshape(len(out), -1)
        return ae.logistic(out) if self.settings.loss == "binary_crossentropy" else out

    def reconstruct(self, snap, images):
        return self._pixels(snap.predict(images))

    def shown_reconstructions(self, snap):
        """What the network rebuilds of the shown test images: of the noisy ones for a denoising network
        (the clean image is what it should give back)."""
        return self.reconstruct(snap, self.xt[:SHOWN] if self.noisy is None else self.noisy)

    # -- what the page draws of a snapshot ------------------------------------------------------
    def views(self, snap):
        """The reconstructions, the code plane and the errors of ``snap`` (computed once per snapshot).
        While playing, the plane and the errors cost tens of milliseconds: they are renewed at most twice
        a second and take at most a fifth of the time (a loaded machine renews them less often), and in
        between come with the reconstructions of ``snap``."""
        cached_snap, cached = self._views
        if cached_snap is snap:
            return cached
        wait = max(SLOW_VIEWS, self._views_took * (1 - SLOW_SHARE) / SLOW_SHARE)
        if self.playing and cached is not None and time.monotonic() - self._views_at < wait:
            views = dict(cached, recon=self.shown_reconstructions(snap))
            self._views = (snap, views)
            return views
        start = time.monotonic()
        all_codes = self.codes(snap, self.xt)            # every test image once through the encoder ...
        outputs = self._decode_raw(snap, all_codes)      # ... and its code through the decoder: the prediction
        errors = ae.pixel_errors(self.settings.loss, self.xt_flat, outputs)
        codes, yt = all_codes[:PLANE_IMAGES], self.yt[:PLANE_IMAGES]
        projection = ae.Projection(codes)
        points = projection(codes)
        recon = self._pixels(outputs[:SHOWN]) if self.noisy is None else self.shown_reconstructions(snap)
        views = {"recon": recon, "codes": codes, "projection": projection, "points": points, "labels": yt,
                 "extent": ae.plane_range(points, around=self._prior_centre(projection)), "errors": errors,
                 "grouped": ae.grouped_by_label(codes, yt)}
        self._views = (snap, views)
        self._views_at = time.monotonic()
        self._views_took = self._views_at - start
        return views

    def _prior_centre(self, projection):
        """Where the code 0 (the centre of a VAE's standard normal) lies on the plane, or None."""
        if not self.settings.variational:
            return None
        return projection(np.zeros((1, self.settings.code)))[0]

    def decoded_at(self, snap, point):
        """The image decoded at a point of the plane (the code there, or its projection's preimage)."""
        projection = self.views(snap)["projection"]
        return self.decode(snap, projection.back(point))[0]

    def grid(self, snap, n=GRID):
        """Images decoded on an n x n grid over the plane, row by row from the top."""
        views = self.views(snap)
        points = ae.grid_points(views["extent"], n)
        return self.decode(snap, views["projection"].back(points))

    def worst(self, snap, n=WORST):
        """(indices, errors) of the n test images rebuilt worst."""
        errors = self.views(snap)["errors"]
        order = np.argsort(errors)[::-1][:n]
        return order, errors[order]

    def own_error(self, snap, image=None):
        """(error, plane point) of an image (pixels,) of the user's own (by default the one chosen)."""
        image = np.asarray(self.own[1] if image is None else image, np.float32).reshape((1,) + tuple(self.settings.facts.input_shape))
        out = snap.predict(image)
        error = float(ae.pixel_errors(self.settings.loss, image.reshape(1, -1), out)[0])
        point = self.views(snap)["projection"](self.codes(snap, image))[0]
        return error, point

    def grouped(self, snap, compute=True):
        """How well the codes group by label. Without ``compute``, what is known now: ``snap``'s if its
        views are made, else the last one made (None at first), so nothing costly runs."""
        cached_snap, cached = self._views
        if not compute and cached_snap is not snap:
            return None if cached is None else cached["grouped"]
        return self.views(snap)["grouped"]

    # -- the user's own input ------------------------------------------------------------------
    def use_image(self, name, image):
        """Take ``image`` (any shape holding the page's pixels, values in [0, 1]) as the user's input."""
        image = np.clip(np.asarray(image, np.float32).ravel(), 0, 1)
        if image.size != self.settings.pixels:
            raise ValueError(f"the image has {image.size} pixels, not {self.settings.pixels}")
        self.own = (name, image)

    def use_own(self, kind, seed=None):
        """Take an input of ``kind`` for the anomaly view: "other" (an image of the other data set),
        "noise" or "test" (an ordinary test image)."""
        rng = np.random.default_rng(seed)
        s = self.settings
        if kind == "other":
            other = "bars" if s.dataset == "mnist" else "mnist"
            images = image_data(other, 0, IMAGE_SIZE if other == "bars" else None)[4]
            k = int(rng.integers(len(images)))
            self.own = ("a bar" if other == "bars" else "a handwritten digit", images[k].copy())
        elif kind == "noise":
            self.own = ("random noise", rng.random(s.pixels).astype(np.float32))
        else:
            k = int(rng.integers(len(self.xt_flat)))
            self.own = (f"test image #{k}", self.xt_flat[k].copy())


def _part_spec(input_shape, layers):
    """The spec of one half of the network (its loss is never used: the half only predicts)."""
    return {"input_shape": list(input_shape), "layers": layers, "loss": "mse"}
