"""Every setting of the CNN page: its type, bounds, URL name and default (ui/settings.py).

The network is up to three conv blocks (conv, then optional pooling), an
optional dense hidden layer with dropout, and a softmax output: one list
field per block property, so a link stays short and readable
(``?filters=8,16&kernels=3,3``).
"""
from dataclasses import dataclass, replace

import engine
from engine.data import IMAGE_DATASETS

from ..settings import (Field, Settings, classroom_fields, display_name, learning_rate_field, optimizer_field,
                        seed_field)

LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
L2_LADDER = (0.0, 0.00001, 0.0001, 0.001, 0.01)
MAX_BLOCKS, MAX_FILTERS, MAX_KERNEL, MAX_DENSE, MAX_DROPOUT = 3, 16, 7, 128, 0.5
PADDINGS = ("same", "valid")
POOLS = ("max", "avg", "none")
POOL_LABELS = {"max": "Max pool", "avg": "Average pool", "none": "No pooling"}
HIDEABLE = {"data": "Data", "network": "Network", "training": "Training settings", "kernels": "Kernels",
            "strip": "Test images", "confusion": "Confusion matrix", "curves": "Curves",
            "digit": "Your own digit", "downloads": "Downloads"}
BLOCK_DEFAULT = dict(filters=8, kernels=3, strides=1, paddings="same", acts="relu", pools="max")
BLOCK_FIELDS = tuple(BLOCK_DEFAULT)


def _block(name, kind, bounds, url, label, widget, help=None, labels=None):
    """A per-block list field: one item per conv block, their count set by the "blocks" widget."""
    return Field(kind, bounds, url, True, MAX_BLOCKS, label=label, widget=widget, help=help, labels=labels,
                 count="blocks", min_items=1, item_default=BLOCK_DEFAULT[name])


def _no_dense(s):
    return not s.dense


FIELDS = {
    "dataset": Field("choice", tuple(IMAGE_DATASETS), "data", True, label="Images", widget="segmented",
                     section="data", labels={"mnist": "MNIST digits", "bars": "Bars"},
                     help="MNIST: 8,000 handwritten digits to train on, 2,000 to test. Bars: small images "
                          "of a line in four orientations; trains in seconds."),
    "seed": seed_field("data", "starting weights and the same order of the training images"),
    "filters": _block("filters", "ints", (1, MAX_FILTERS), "filters", "Filters", "number",
                      "Kernels in this layer: one feature map each"),
    "kernels": _block("kernels", "ints", (1, MAX_KERNEL), "kernels", "Kernel", "select",
                      "Size of each kernel: k × k weights per input channel", labels=lambda k: f"{k}×{k}"),
    "strides": _block("strides", "ints", (1, 2), "strides", "Stride", "select", "Steps the kernel moves by"),
    "paddings": _block("paddings", "choices", PADDINGS, "pad", "Padding", "select",
                       "same: zeros around the image keep its size; valid: none, the map shrinks by k − 1"),
    "acts": _block("acts", "choices", tuple(engine.ACTIVATIONS), "acts", "Activation", "select",
                   "Applied to every cell of the feature maps", labels=display_name),
    "pools": _block("pools", "choices", POOLS, "pools", "Pooling", "select",
                    "2×2 windows: the map's size halves", labels=POOL_LABELS),
    "dense": Field("int", (0, MAX_DENSE), "dense", True, label="Dense hidden units", widget="number",
                   help="0: the feature maps go straight to the outputs, one per class"),
    "dense_act": Field("choice", tuple(engine.ACTIVATIONS), "dact", True, label="Dense activation", widget="select",
                       labels=display_name, disabled=_no_dense),
    "dropout": Field("float", (0.0, MAX_DROPOUT), "drop", True, label="Dropout", widget="slider", step=0.05,
                     disabled=_no_dense, help="Of the dense layer's units, while training"),
    "optimizer": optimizer_field(engine.OPTIMIZERS),
    "lr": learning_rate_field(LR_LADDER),
    "batch": Field("int", (1, 128), "batch", label="Batch size", widget="slider", section="training",
                   help="Images per weight update."),
    "l2": Field("ladder", L2_LADDER, "l2", label="L2 regularization", widget="select_slider", section="training",
                help="A penalty on large weights: each step also shrinks every weight by this share of it."),
    "probe": Field("int", (0, 4999), "probe", label="Probe image"),
    "kernel_grads": Field("bool", None, "kgrad", label="Show the kernels' gradients", widget="toggle",
                          help="How the loss would change with each kernel weight, on 64 training images"),
    **classroom_fields(HIDEABLE),
}


@dataclass(frozen=True)
class CnnSettings(Settings):
    """The defaults: the issue's MNIST CNN, conv 8 -> pool -> conv 16 -> pool -> dense 10, Adam."""
    FIELDS = FIELDS
    dataset: str = "mnist"
    seed: int = 0
    filters: tuple = (8, 16)
    kernels: tuple = (3, 3)
    strides: tuple = (1, 1)
    paddings: tuple = ("same", "same")
    acts: tuple = ("relu", "relu")
    pools: tuple = ("max", "max")
    dense: int = 0                  # units of the optional dense hidden layer; 0: none
    dense_act: str = "relu"
    dropout: float = 0.0            # before the output layer, with a dense hidden layer
    optimizer: str = "adam"
    lr: float = 0.001
    batch: int = 32
    l2: float = 0.0
    probe: int = 0                  # the test image the overview follows
    kernel_grads: bool = False
    present: bool = False
    hide: tuple = ()
    zoom: float = 1.25              # presenter mode: how much larger everything is drawn
    contrast: bool = False          # presenter mode: the high-contrast look

    def normalise(self):
        return normalise(self)

    def with_preset(self, name):
        return replace(self, **PRESETS[name])

    @property
    def blocks(self):
        """One dict per conv block: filters, kernel, stride, padding, activation, pool."""
        return [dict(filters=f, kernel=k, stride=s, padding=p, act=a, pool=o) for f, k, s, p, a, o in
                zip(self.filters, self.kernels, self.strides, self.paddings, self.acts, self.pools)]

    @property
    def facts(self):
        """The data set's input shape, classes and class names (the engine's data source says)."""
        return IMAGE_DATASETS[self.dataset].facts()

    @property
    def image_shape(self):
        return self.facts.input_shape

    @property
    def classes(self):
        return self.facts.classes

    def spec(self):
        """The engine spec for these settings."""
        layers = []
        for b in self.blocks:
            layers.append({"type": "conv2d", "filters": b["filters"], "kernel_size": b["kernel"],
                           "stride": b["stride"], "padding": b["padding"], "activation": b["act"]})
            if b["pool"] != "none":
                layers.append({"type": f"{b['pool']}pool2d", "pool_size": 2})
        layers.append({"type": "flatten"})
        if self.dense:
            layers.append({"type": "dense", "units": self.dense, "activation": self.dense_act})
            if self.dropout > 0:
                layers.append({"type": "dropout", "rate": self.dropout})
        layers.append({"type": "dense", "units": self.classes, "activation": "linear"})
        return {"input_shape": list(self.image_shape), "layers": layers, "loss": "softmax_crossentropy"}

    def trainer_options(self):
        """What the running trainer takes without a reset."""
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch, "l2": self.l2}


PRESETS = {
    "tiny": dict(filters=(4,), kernels=(5,), strides=(1,), paddings=("same",), acts=("relu",),
                 pools=("max",), dense=0, dropout=0.0),
    "default": dict(filters=CnnSettings.filters, kernels=CnnSettings.kernels, strides=CnnSettings.strides,
                    paddings=CnnSettings.paddings, acts=CnnSettings.acts, pools=CnnSettings.pools,
                    dense=0, dropout=0.0),
    "lenet": dict(filters=(6, 16), kernels=(5, 5), strides=(1, 1), paddings=("same", "valid"),
                  acts=("relu", "relu"), pools=("max", "max"), dense=120, dropout=0.0),
}
PRESET_LABELS = {"tiny": "Tiny: 1 conv layer", "default": "Default: 2 conv blocks",
                 "lenet": "LeNet-like: 2 blocks + dense"}
def preset_of(s):
    """The preset ``s``'s network is, or None when edited away from every preset."""
    for name, values in PRESETS.items():
        if all(getattr(s, k) == v for k, v in values.items()):
            return name
    return None


def with_blocks(s, n):
    """``s`` with ``n`` conv blocks: extra ones dropped, new ones the default block."""
    values = {}
    for name in BLOCK_FIELDS:
        items = tuple(getattr(s, name))[:n]
        values[name] = items + (BLOCK_DEFAULT[name],) * (n - len(items))
    return replace(s, **values)


def normalise(s):
    """At least one conv block, every block list as long as ``filters``, a dense layer's dropout only
    with that layer, and a network whose feature maps never shrink below one pixel."""
    n = min(max(len(s.filters), 1), MAX_BLOCKS)
    s = with_blocks(replace(s, filters=s.filters[:n] or (BLOCK_DEFAULT["filters"],)), n)
    if not s.dense and s.dropout:
        s = replace(s, dropout=0.0)
    while len(s.filters) > 1 and not fits(s):
        s = with_blocks(s, len(s.filters) - 1)
    if not fits(s):
        s = replace(s, paddings=("same",), pools=("none",) if not fits(replace(s, paddings=("same",))) else s.pools)
    return s


def fits(s):
    """True when every layer of the network still has at least a 1 x 1 map."""
    _, h, _ = s.image_shape
    for b in s.blocks:
        k, stride = b["kernel"], b["stride"]
        h = -(-h // stride) if b["padding"] == "same" else (h - k) // stride + 1 if h >= k else 0
        if h < 1:
            return False
        if b["pool"] != "none":
            if h < 2:
                return False
            h //= 2
    return True
