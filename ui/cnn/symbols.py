"""Your own symbols, without Streamlit: a few drawings per class, a small head trained in a moment on
the page network's frozen conv layers, and its predictions (Teachable Machine's flow).

A ``SymbolSet`` holds 2-5 named classes and their 28 x 28 drawings (made the way MNIST's digits were:
ui/digit.py). ``train_head`` holds out every third drawing of each class, computes the frozen conv
layers' features of every drawing once, trains a new output layer on those of the rest (a few
hundredths of a second), and measures each class's accuracy on the held-out ones.
A set travels as a small .npz (images uint8, labels, names; never pickle) that ``read_npz`` checks
before anything changes.
"""
import io
import re
import time
import zipfile
from dataclasses import dataclass, field

import numpy as np

import engine
from engine.metrics import softmax

from ..digit import as_mnist
from .transfer import build_from, reused_layers, with_frozen

MIN_CLASSES, MAX_CLASSES = 2, 5
MIN_EXAMPLES = 3             # drawings a class needs before a head is trained
MAX_EXAMPLES = 40            # drawings a class holds at most
NAME_LENGTH = 24
MAX_FILE = 512 * 1024        # an uploaded set, as sent
MAX_UNPACKED = 2 * 2**20     # ... and unpacked
HEAD_STEPS = 150             # Adam steps of a head (the whole training set each step)
HEAD_LR = 0.01
SIDE = 28
_NAME = re.compile(r"^[\w .,!?'+=:;/-]+$")     # letters of any script, digits and plain punctuation


def check_name(name, taken=()):
    """A class name as typed, trimmed; ValueError says what is wrong with it (empty, too long, markup
    or unusual characters, a duplicate)."""
    if not isinstance(name, str):
        raise ValueError("a class name is text")
    name = " ".join(name.split())
    if not name:
        raise ValueError("a class needs a name")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"a class name has at most {NAME_LENGTH} characters")
    if not _NAME.match(name):
        bad = sorted({c for c in name if not _NAME.match(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        raise ValueError(f"a class name is plain text: letters, digits, spaces and . , ! ? ' + = : ; / - "
                         f"(not {shown})")
    if name.casefold() in {t.casefold() for t in taken}:
        raise ValueError(f"two classes cannot both be called '{name}'")
    return name


@dataclass
class SymbolSet:
    names: list
    images: list = field(default_factory=list)      # (28, 28) float32 in [0, 1], ink bright
    labels: list = field(default_factory=list)

    def counts(self):
        return [sum(1 for label in self.labels if label == k) for k in range(len(self.names))]

    def add(self, label, image):
        if not 0 <= label < len(self.names):
            raise ValueError(f"there is no class {label + 1}")
        if self.counts()[label] >= MAX_EXAMPLES:
            raise ValueError(f"'{self.names[label]}' holds {MAX_EXAMPLES} drawings already, the most a class holds")
        image = np.asarray(image, np.float32)
        if image.shape != (SIDE, SIDE):
            raise ValueError(f"a drawing is {SIDE} x {SIDE}")
        self.images.append(image)
        self.labels.append(int(label))

    def remove_last(self, label):
        """Take out the class's latest drawing (False if it has none)."""
        for i in range(len(self.labels) - 1, -1, -1):
            if self.labels[i] == label:
                del self.images[i], self.labels[i]
                return True
        return False

    def problems(self):
        """Why no head can be trained yet, in words; [] when one can."""
        counts = self.counts()
        if len(self.names) < MIN_CLASSES:
            return [f"Name at least {MIN_CLASSES} classes: one class alone leaves nothing to tell apart."]
        out = []
        for name, n in zip(self.names, counts):
            if n == 0:
                out.append(f"'{name}' has no drawings yet: draw or upload at least {MIN_EXAMPLES}.")
            elif n < MIN_EXAMPLES:
                out.append(f"'{name}' has {n} drawing{'s' if n != 1 else ''}: at least {MIN_EXAMPLES}, so one can "
                           "be held out to test the head.")
        return out

    # -- a file to take away and bring back --------------------------------------------------
    def to_npz(self):
        buf = io.BytesIO()
        images = np.round(np.clip(np.asarray(self.images, np.float32).reshape(-1, SIDE, SIDE), 0, 1) * 255)
        np.savez_compressed(buf, images=images.astype(np.uint8), labels=np.asarray(self.labels, np.int64),
                            names=np.asarray(self.names, dtype=f"<U{NAME_LENGTH}"))
        return buf.getvalue()


def read_npz(data):
    """A SymbolSet from a downloaded set's bytes; ValueError says what is wrong (nothing is pickled)."""
    if not data:
        raise ValueError("the file is empty")
    if len(data) > MAX_FILE:
        raise ValueError(f"the file is {len(data) / 1024:.0f} KB; a set of symbols is at most {MAX_FILE // 1024} KB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValueError("it is not a set of symbols (.npz) saved by this page") from None
    if unpacked > MAX_UNPACKED:
        raise ValueError(f"it unpacks to {unpacked / 2**20:.1f} MB; a set of symbols is at most "
                         f"{MAX_UNPACKED // 2**20} MB")
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
        arrays = {name: npz[name] for name in npz.files}
    except Exception:                    # numpy raises many kinds on a damaged file
        raise ValueError("the file is damaged: its arrays cannot be read") from None
    if set(arrays) != {"images", "labels", "names"}:
        raise ValueError("it is not a set of symbols: it needs exactly the arrays images, labels and names")
    images, labels, names = arrays["images"], arrays["labels"], arrays["names"]
    if names.dtype.kind != "U" or names.ndim != 1 or not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise ValueError(f"its names are not a list of {MIN_CLASSES} to {MAX_CLASSES} class names")
    checked = []
    for name in names.tolist():
        checked.append(check_name(name, checked))
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"its images are not {SIDE} x {SIDE} grey pixels (uint8)")
    if labels.dtype.kind not in "iu" or labels.shape != (len(images),):
        raise ValueError("its labels are not one whole number per image")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(checked)):
        raise ValueError(f"a label names no class (there are {len(checked)})")
    symbols = SymbolSet(checked)
    for image, label in zip(images, labels.tolist()):
        symbols.add(label, image.astype(np.float32) / 255)
    return symbols


# -- the head --------------------------------------------------------------------------------
def split(labels):
    """(train, held-out) indices: every third drawing of each class held out (the 3rd, 6th, ...), the
    rest trained on; a class of 3 drawings holds out one."""
    labels = np.asarray(labels)
    held = np.zeros(len(labels), bool)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        held[members[2::3]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def feature_spec(base_spec):
    """(spec, reused layer indices) of the base network's feature part on 28 x 28 drawings: its layers
    before the first flatten or dense layer (convolutions, batch normalization, pooling), then flatten.
    Its output is what the new head reads; its weights are the base's, never trained here."""
    layers = base_spec["layers"]
    k = next((i for i, layer in enumerate(layers) if layer["type"] in ("flatten", "dense", "dropout")), len(layers))
    spec = {"input_shape": [1, SIDE, SIDE], "loss": "mse",
            "layers": [dict(layer) for layer in layers[:k]] + [{"type": "flatten"}]}
    reused = reused_layers(spec)
    return with_frozen(spec, reused), reused


def head_spec(features, classes):
    """The new output layer: one dense layer from the frozen features to the classes."""
    return {"input_shape": [features], "loss": "softmax_crossentropy",
            "layers": [{"type": "dense", "units": classes, "activation": "linear"}]}


@dataclass
class SymbolModel:
    features: object         # the base's frozen feature part (a Network)
    head: object             # the trained output layer (a Network)
    names: list
    steps: int
    seconds: float
    held_out: dict           # class index -> (right, held out)

    @property
    def held_out_acc(self):
        right = sum(r for r, _ in self.held_out.values())
        total = sum(n for _, n in self.held_out.values())
        return right / total if total else float("nan")

    def outputs(self, images):
        x = np.asarray(images, np.float32).reshape(-1, 1, SIDE, SIDE)
        return np.asarray(self.head.forward(features_of(self.features, x)), float).reshape(len(x), -1)

    def accuracy(self, images, labels):
        """Share of ``images`` (N, 28, 28) classified as ``labels``."""
        return float((self.outputs(images).argmax(axis=1) == np.asarray(labels)).mean())

    def predict(self, image):
        """Class probabilities of one (28, 28) drawing."""
        return softmax(self.outputs(image))[0]


def features_of(net, x):
    return np.ascontiguousarray(np.asarray(net.forward(x), np.float32).reshape(len(x), -1))


def train_head(symbols, base_net, seed=0, steps=HEAD_STEPS):
    """A SymbolModel: the base's feature part (frozen: computed once for every drawing), and a new
    output layer trained on the training drawings' features; each class's accuracy on its held-out
    drawings. ValueError if the set cannot train."""
    problems = symbols.problems()
    if problems:
        raise ValueError(problems[0])
    spec, layers = feature_spec(base_net.spec)
    t = time.perf_counter()
    features = build_from(spec, seed, base_net, layers)
    x = np.asarray(symbols.images, np.float32).reshape(-1, 1, SIDE, SIDE)
    y = np.asarray(symbols.labels, np.int64)
    f = features_of(features, x)
    train, held = split(y)
    head = engine.build(head_spec(f.shape[1], len(symbols.names)), seed=seed)
    tr = engine.Trainer(head, train=(f[train], y[train]), optimizer="adam", lr=HEAD_LR, batch_size=len(train),
                        seed=seed, eval_every=10**9)
    tr.step(steps)
    seconds = time.perf_counter() - t
    pred = np.asarray(head.forward(f[held])).reshape(len(held), -1).argmax(axis=1)
    scores = {k: (int(((pred == k) & (y[held] == k)).sum()), int((y[held] == k).sum())) for k in range(len(symbols.names))}
    return SymbolModel(features, head, list(symbols.names), steps, seconds, scores)


def base_network(run):
    """The page network's weights as shown (in a comparison, the one with the reused layers) as a
    Network to take conv layers from."""
    snap = run.shown
    net = engine.build(run.trainer.net.spec, seed=0)
    net.set_params(snap.params)
    if snap.state:
        net.set_state(snap.state)
    return net


def fresh_network(run):
    """A network like the page's with fresh, untrained weights (from the next seed, so it differs
    from an untrained page network): the yardstick for the base."""
    return engine.build(run.trainer.net.spec, seed=run.settings.seed + 1)


# -- drawings for examples, tests and the bench -----------------------------------------------
SHAPES = ("circle", "cross", "triangle", "square", "wave")


def demo_drawings(kinds, n, seed=0):
    """(images (len(kinds) * n, 28, 28), labels): each shape in ``kinds`` drawn ``n`` times by a
    jittery hand (size, place, slant, stroke), then made into MNIST-like images as the pad's are."""
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, kind in enumerate(kinds):
        for _ in range(n):
            img = Image.new("L", (140, 140), 0)
            d = ImageDraw.Draw(img)
            c = 70 + rng.normal(0, 8, 2)
            r = rng.uniform(30, 50)
            w = int(rng.integers(7, 13))
            j = lambda: rng.normal(0, 3)          # noqa: E731 - a hand's jitter
            if kind == "circle":
                t = np.linspace(0, 2 * np.pi, 40)
                ry = r * rng.uniform(0.8, 1.2)
                pts = [(c[0] + r * np.cos(a) + j(), c[1] + ry * np.sin(a) + j()) for a in t]
            elif kind == "cross":
                d.line([(c[0] - r + j(), c[1] - r + j()), (c[0] + r + j(), c[1] + r + j())], fill=255, width=w)
                pts = [(c[0] + r + j(), c[1] - r + j()), (c[0] - r + j(), c[1] + r + j())]
            elif kind == "triangle":
                pts = [(c[0] + j(), c[1] - r + j()), (c[0] + r + j(), c[1] + r * 0.8 + j()),
                       (c[0] - r + j(), c[1] + r * 0.8 + j())]
                pts.append(pts[0])
            elif kind == "square":
                pts = [(c[0] - r + j(), c[1] - r + j()), (c[0] + r + j(), c[1] - r + j()),
                       (c[0] + r + j(), c[1] + r + j()), (c[0] - r + j(), c[1] + r + j())]
                pts.append(pts[0])
            else:
                t = np.linspace(-1, 1, 30)
                pts = [(c[0] + r * a + j(), c[1] + 0.4 * r * np.sin(3 * np.pi * a) + j()) for a in t]
            d.line([tuple(map(float, p)) for p in pts], fill=255, width=w, joint="curve")
            angle = rng.normal(0, 8)
            images.append(as_mnist(np.asarray(img.rotate(angle), np.float64) / 255))
            labels.append(label)
    return np.asarray(images, np.float32), np.asarray(labels, np.int64)
