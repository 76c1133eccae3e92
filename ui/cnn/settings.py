"""Every setting of the CNN page: its type, bounds, URL name and default (ui/settings.py).

The network is up to three conv blocks (conv, then optional pooling), an
optional dense hidden layer with dropout, and a softmax output: one list
field per block property, so a link stays short and readable
(``?filters=8,16&kernels=3,3``).
"""
from dataclasses import dataclass, replace

import engine

from .data import PAGE_IMAGES, SECOND_TASKS
from .transfer import reused_layers, with_frozen

from ..settings import (Field, Settings, classroom_fields, clip_field, display_name, learning_rate_field,
                        optimizer_field, seed_field)

LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
L2_LADDER = (0.0, 0.00001, 0.0001, 0.001, 0.01)
MAX_BLOCKS, MAX_FILTERS, MAX_KERNEL, MAX_DENSE, MAX_DROPOUT = 3, 16, 7, 128, 0.5
PADDINGS = ("same", "valid")
POOLS = ("max", "avg", "none")
POOL_LABELS = {"max": "Max pool", "avg": "Average pool", "none": "No pooling"}
HIDEABLE = {"data": "Data", "network": "Network", "training": "Training settings", "kernels": "Kernels",
            "strip": "Test images", "confusion": "Confusion matrix", "curves": "Curves",
            "digit": "Your own digit", "symbols": "Your own symbols", "downloads": "Downloads"}
BLOCK_DEFAULT = dict(filters=8, kernels=3, strides=1, paddings="same", acts="relu", norms="off", pools="max")
NORMS = ("off", "on")        # a conv block's batch normalization, between its convolution and its activation
BLOCK_FIELDS = tuple(BLOCK_DEFAULT)


BASE_TASK = "digits04"                 # the first task of a Transfer comparison
FIRST_TASKS = ("mnist", BASE_TASK, "bars")
DATA_LABELS = {"mnist": "MNIST digits", "digits04": "Digits 0-4", "bars": "Bars"}
TRANSFER_LABELS = {"off": "Off", "digits59": "Digits 5-9", "bars": "Bars"}
SHOTS = (1, 5, 10, 50)


def _block(name, kind, bounds, url, label, widget, help=None, labels=None):
    """A per-block list field: one item per conv block, their count set by the "blocks" widget."""
    return Field(kind, bounds, url, True, MAX_BLOCKS, label=label, widget=widget, help=help, labels=labels,
                 count="blocks", min_items=1, item_default=BLOCK_DEFAULT[name])


def dense_help(s):
    """The dense layer's help, with the data set's number of outputs (4 for the bars, 10 for digits)."""
    return (f"A layer of this many units between the last feature maps and the {s.classes} outputs (one per "
            f"class); 0: the feature maps go straight to the {s.classes} outputs.")


def _transfer_offered(s):
    return s.dataset == BASE_TASK


def _comparing(s):
    return s.transfer != "off"


def _no_dense(s):
    return not s.dense


FIELDS = {
    "dataset": Field("choice", FIRST_TASKS, "data", True, label="Images", widget="segmented",
                     section="data", labels=DATA_LABELS,
                     help="MNIST: 8,000 handwritten digits to train on, 2,000 to test. Digits 0-4: the half of "
                          "them with the digits 0 to 4, a first task whose conv layers the Transfer section "
                          "reuses for the digits 5-9 or the bars. Bars: 12 × 12 images "
                          "of a line in four orientations (2,000 to train, 500 to test); trains in seconds, with "
                          "learning rate 0.01 and L2 0.01, so within ten epochs two to four first-layer "
                          "kernels become clean line detectors."),
    "seed": seed_field("data", "starting weights and the same order of the training images"),
    "filters": _block("filters", "ints", (1, MAX_FILTERS), "filters", "Filters", "number",
                      "Kernels in this layer: one feature map each"),
    "kernels": _block("kernels", "ints", (1, MAX_KERNEL), "kernels", "Kernel", "select",
                      "Size of each kernel: k × k weights per input channel", labels=lambda k: f"{k}×{k}"),
    "strides": _block("strides", "ints", (1, 2), "strides", "Stride", "select",
                      "Cells the kernel moves by between two positions: 2 halves the map"),
    "paddings": _block("paddings", "choices", PADDINGS, "pad", "Padding", "select",
                       "same: zeros around the image keep its size; valid: none, the map shrinks by k − 1"),
    "acts": _block("acts", "choices", tuple(engine.ACTIVATIONS), "acts", "Activation", "select",
                   "Applied to every cell of the feature maps: ReLU keeps positive sums and makes negative "
                   "ones 0; sigmoid and tanh squash every sum into (0, 1) and (−1, 1); linear keeps it",
                   labels=display_name),
    "norms": _block("norms", "choices", NORMS, "bn", "Batch norm", "select",
                    "Batch normalization of this block's sums before its activation: each feature map is shifted "
                    "and scaled to mean 0 and spread 1 over the batch and the map (then by a learnt scale and "
                    "shift); predictions use the averages seen in training",
                    labels={"off": "none", "on": "batch norm"}),
    "pools": _block("pools", "choices", POOLS, "pools", "Pooling", "select",
                    "2×2 windows: the map's size halves", labels=POOL_LABELS),
    "dense": Field("int", (0, MAX_DENSE), "dense", True, label="Dense hidden units", widget="number",
                   help="A layer of this many units between the last feature maps and the outputs (one per "
                        "class); 0: the feature maps go straight to the outputs."),
    "dense_act": Field("choice", tuple(engine.ACTIVATIONS), "dact", True, label="Dense activation", widget="select",
                       labels=display_name, disabled=_no_dense,
                       help="Applied to each dense hidden unit's weighted sum (only with dense hidden units)"),
    "dropout": Field("float", (0.0, MAX_DROPOUT), "drop", True, label="Dropout", widget="slider", step=0.05,
                     disabled=_no_dense, help="Of the dense layer's units, while training"),
    "optimizer": optimizer_field(engine.OPTIMIZERS),
    "lr": learning_rate_field(LR_LADDER),
    "batch": Field("int", (1, 128), "batch", label="Batch size", widget="slider", section="training",
                   help="Images per weight update."),
    "l2": Field("ladder", L2_LADDER, "l2", label="L2 regularization", widget="select_slider", section="training",
                help="A penalty on large weights: each step also shrinks every weight by this share of it."),
    "clip": clip_field(),
    "probe": Field("int", (0, 4999), "probe", label="Probe image"),
    "transfer": Field("choice", ("off",) + SECOND_TASKS, "tl", True, label="Second task", widget="segmented",
                      section="data", labels=TRANSFER_LABELS, shown=_transfer_offered,
                      help="Reuse this network's conv layers, as trained on digits 0-4, for a second task learnt "
                           "from a few examples per class, side by side with the same network from scratch on "
                           "the same examples."),
    "shots": Field("ladder", SHOTS, "tn", True, label="Examples per class", widget="segmented",
                   section="data", labels=lambda n: str(n), shown=_comparing,
                   help="Training images of each class of the second task (the same ones for both networks). "
                        "The test images are all of the second task's."),
    "reuse": Field("choice", ("fine", "frozen"), "reuse", True, label="Reused conv layers", widget="segmented",
                   section="data", labels={"fine": "Fine-tuned", "frozen": "Frozen"}, shown=_comparing,
                   help="Frozen: the reused conv layers keep their weights and only the new head learns. "
                        "Fine-tuned: they start from the first task's weights and go on learning with the head."),
    "kernel_grads": Field("bool", None, "kgrad", label="Show the kernels' gradients", widget="toggle",
                          help="How the loss would change with each kernel weight, on 64 training images"),
    **classroom_fields(HIDEABLE),
}


@dataclass(frozen=True)
class CnnSettings(Settings):
    """The defaults: the issue's MNIST CNN, conv 8 -> pool -> conv 16 -> pool -> dense (one output per
    class), Adam; a data set may bring its own training defaults (DATA_DEFAULTS)."""
    FIELDS = FIELDS
    dataset: str = "mnist"
    seed: int = 0
    filters: tuple = (8, 16)
    kernels: tuple = (3, 3)
    strides: tuple = (1, 1)
    paddings: tuple = ("same", "same")
    acts: tuple = ("relu", "relu")
    norms: tuple = ("off", "off")
    pools: tuple = ("max", "max")
    dense: int = 0                  # units of the optional dense hidden layer; 0: none
    dense_act: str = "relu"
    dropout: float = 0.0            # before the output layer, with a dense hidden layer
    optimizer: str = "adam"
    lr: float = 0.001
    batch: int = 32
    l2: float = 0.0
    clip: float = 0.0               # gradient clipping by global norm; 0: off
    probe: int = 0                  # the test image the overview follows
    transfer: str = "off"           # the second task of the Transfer comparison, or off
    shots: int = 5                  # ... its training examples per class
    reuse: str = "fine"             # ... the reused conv layers fine-tuned or frozen
    kernel_grads: bool = False
    present: bool = False
    hide: tuple = ()
    zoom: float = 1.25              # presenter mode: how much larger everything is drawn
    contrast: bool = False          # presenter mode: the high-contrast look

    # -- a data set's own training defaults, and blocks that must fit --------------------------
    @classmethod
    def from_values(cls, values):
        """Settings from a link's values: the data set's training defaults (DATA_DEFAULTS) under the
        values, and as many conv blocks as the longest block list names (``?kernels=7,7,7`` is three
        blocks; the lists it leaves out get default blocks)."""
        values = dict(values)
        if values.get("transfer", "off") != "off":       # a comparison starts from digits 0-4
            values.setdefault("dataset", BASE_TASK)
        dataset = values.get("dataset", cls.dataset)
        values = {**DATA_DEFAULTS.get(dataset, {}), **values}
        given = [len(values[name]) for name in BLOCK_FIELDS if isinstance(values.get(name), tuple)]
        n = min(max(given + [len(values.get("filters", cls.filters))]), MAX_BLOCKS)
        for name in BLOCK_FIELDS:
            items = tuple(values.get(name, getattr(cls, name)))
            if name not in values:               # a list the link leaves out: as many blocks as the others
                values[name] = items = items[:n]
            if len(items) < n and (items or name != "filters"):
                values[name] = items + (BLOCK_DEFAULT[name],) * (n - len(items))
        return cls(**values)

    def defaults(self):
        """What a link leaves out: the class defaults under this data set's training defaults."""
        return replace(type(self).from_values({"dataset": self.dataset}), dataset=type(self).dataset)

    def after_change(self, before):
        return self._changed(before)[0]

    def change_notes(self, before):
        return self._changed(before)[1]

    def _changed(self, before):
        """(settings, notes) after a user changed ``before`` into these: a new data set brings its
        training defaults (unless the user had changed them); a block edit that would shrink a map
        below 1 x 1 is refused, naming the block (a data set whose images are too small for the
        blocks drops them in ``normalise``, named by ``normalise_notes``)."""
        s, notes = self, []
        if s.transfer != before.transfer and s.transfer != "off" and s.dataset != BASE_TASK:
            s = replace(s, dataset=BASE_TASK)         # a second task follows digits 0-4
            notes.append("The Transfer comparison reuses a network trained on digits 0-4: the first task is now "
                         "Digits 0-4.")
        elif s.dataset != before.dataset and s.dataset != BASE_TASK and s.transfer != "off":
            s = replace(s, transfer="off")
        if s.dataset != before.dataset:
            old = type(s).from_values({"dataset": before.dataset})
            new = type(s).from_values({"dataset": s.dataset})
            moved = {name: getattr(new, name) for name in ("lr", "l2") if getattr(s, name) == getattr(old, name)}
            if all(getattr(s, name) == getattr(old, name) for name in BLOCK_FIELDS):
                moved.update({name: getattr(new, name) for name in BLOCK_FIELDS})
            if any(moved[name] != getattr(s, name) for name in moved):
                blocks = any(moved[name] != getattr(s, name) for name in BLOCK_FIELDS if name in moved)
                s = replace(s, **moved)
                net = (f", {len(s.filters)} conv blocks of {', '.join(map(str, s.filters))} filters" if blocks else "")
                notes.append(f"{FIELDS['dataset'].label_of(s.dataset)}: learning rate {s.lr:g}{net} and L2 "
                             f"regularization {s.l2:g}" + (DATA_REASONS.get(s.dataset, "") or "") + ".")
            return s, notes
        wanted, was = aligned(s), aligned(before)
        misfit = first_misfit(wanted)
        if misfit and not first_misfit(was):
            k, reason = misfit
            notes.append(f"Block {k + 1} would shrink its maps below 1 × 1: {reason}. The blocks stay as they were.")
            s = replace(s, **{name: getattr(was, name) for name in BLOCK_FIELDS})
        return s, notes

    def normalise(self):
        return normalise(self)

    def normalise_notes(self, wanted):
        """Blocks ``normalise`` removed because a map would shrink below 1 x 1, named with the
        reason; dropout without a dense layer."""
        notes, explained = [], []
        wanted_blocks = aligned(wanted)
        kept, asked = len(self.filters), len(wanted_blocks.filters)
        if kept < asked:
            k, reason = first_misfit(wanted_blocks) or (kept, "")
            gone = list(range(k + 1, asked + 1))
            which = (f"Block {gone[0]}" if len(gone) == 1 else
                     "Blocks " + ", ".join(map(str, gone[:-1])) + f" and {gone[-1]}")
            notes.append(f"{which} removed: block {k + 1} would shrink its maps below 1 × 1 ({reason}).")
            explained += BLOCK_FIELDS
        elif kept == 1 and wanted_blocks.blocks[0] != self.blocks[0]:
            _, reason = first_misfit(wanted_blocks) or (0, "")
            b = self.blocks[0]
            notes.append(f"Block 1 would shrink its maps below 1 × 1 ({reason}): using {b['padding']} padding"
                         f" and {POOL_LABELS[b['pool']].lower()}.")
            explained += BLOCK_FIELDS
        if wanted.dropout and not self.dropout and not self.dense:
            notes.append(f"Dropout {wanted.dropout:g} acts on the dense hidden layer, and there is none "
                         "(dense hidden units 0): using 0.")
            explained.append("dropout")
        return notes, tuple(explained)

    def with_preset(self, name):
        return replace(self, **PRESETS[name])

    @property
    def blocks(self):
        """One dict per conv block: filters, kernel, stride, padding, activation, batch norm, pool."""
        return [dict(filters=f, kernel=k, stride=s, padding=p, act=a, norm=n == "on", pool=o) for f, k, s, p, a, n, o in
                zip(self.filters, self.kernels, self.strides, self.paddings, self.acts, self.norms, self.pools)]

    @property
    def task(self):
        """The data the page's network trains on: the second task in a Transfer comparison, else the
        data set."""
        return self.transfer if self.transfer != "off" else self.dataset

    @property
    def facts(self):
        """The trained task's input shape, classes and class names (its data source says)."""
        return PAGE_IMAGES[self.task].facts()

    @property
    def image_shape(self):
        return self.facts.input_shape

    @property
    def classes(self):
        return self.facts.classes

    def spec(self):
        """The engine spec of the network the page trains: in a Transfer comparison the one for the
        second task (its images and classes), whose reused conv layers are frozen if asked."""
        spec = self._spec(self.facts)
        if self.transfer != "off" and self.reuse == "frozen":
            spec = with_frozen(spec, reused_layers(spec))
        return spec

    def scratch_spec(self):
        """The spec of the network a comparison trains from scratch: the page's, every layer learning."""
        return self._spec(self.facts)

    def base_spec(self):
        """The spec of the network for the first task (the data set): the base a comparison reuses."""
        return self._spec(PAGE_IMAGES[self.dataset].facts())

    def _spec(self, facts):
        layers = []
        for b in self.blocks:
            layers.append({"type": "conv2d", "filters": b["filters"], "kernel_size": b["kernel"],
                           "stride": b["stride"], "padding": b["padding"],
                           "activation": "linear" if b["norm"] else b["act"]})
            if b["norm"]:                 # conv(linear) -> batchnorm(activation): before the activation
                layers.append({"type": "batchnorm", "activation": b["act"]})
            if b["pool"] != "none":
                layers.append({"type": f"{b['pool']}pool2d", "pool_size": 2})
        layers.append({"type": "flatten"})
        if self.dense:
            layers.append({"type": "dense", "units": self.dense, "activation": self.dense_act})
            if self.dropout > 0:
                layers.append({"type": "dropout", "rate": self.dropout})
        layers.append({"type": "dense", "units": facts.classes, "activation": "linear"})
        return {"input_shape": list(facts.input_shape), "layers": layers, "loss": "softmax_crossentropy"}

    def trainer_options(self):
        """What the running trainer takes without a reset."""
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch, "l2": self.l2,
                "clip_norm": self.clip or None}


# A data set's own training defaults (a link leaves them out; picking the data set brings them unless
# the user changed them). Bars with Adam at 0.001 and no L2 reach 100 % in seconds while the first
# kernels keep their random start (correlation 0.89-1.00 with it after 100 epochs, seeds 0-2). At 0.01
# with L2 0.01, by epoch 10 (630 steps, about a second) two to four of the eight kernels match a line at
# 0.8 or more and have left their start (seeds 0-4; tests/ui/cnn/test_settings.py measures seeds 0-2).
DATA_DEFAULTS = {"mnist": {}, "bars": {"lr": 0.01, "l2": 0.01},
                 "digits04": {"lr": 0.003, "filters": (8, 16, 16)}}
DATA_REASONS = {"bars": ", so within ten epochs two to four first-layer kernels become clean line detectors",
                "digits04": ", the base with which reusing its conv layers helped most in our measurements "
                            "(bench/transfer_bench.py)"}

PRESETS = {
    "tiny": dict(filters=(4,), kernels=(5,), strides=(1,), paddings=("same",), acts=("relu",),
                 pools=("max",), dense=0, dropout=0.0),
    "default": dict(filters=CnnSettings.filters, kernels=CnnSettings.kernels, strides=CnnSettings.strides,
                    paddings=CnnSettings.paddings, acts=CnnSettings.acts, pools=CnnSettings.pools,
                    dense=0, dropout=0.0),
    "lenet": dict(filters=(6, 16), kernels=(5, 5), strides=(1, 1), paddings=("same", "valid"),
                  acts=("relu", "relu"), pools=("max", "max"), dense=120, dropout=0.0),
    "three": dict(filters=(8, 16, 16), kernels=(3, 3, 3), strides=(1, 1, 1), paddings=("same",) * 3,
                  acts=("relu",) * 3, pools=("max",) * 3, dense=0, dropout=0.0),     # digits 0-4's default
}
PRESET_LABELS = {"tiny": "Tiny: 1 conv layer", "default": "Default: 2 conv blocks",
                 "lenet": "LeNet-like: 2 blocks + dense", "three": "Three conv blocks (8, 16, 16)"}
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


def aligned(s):
    """``s`` with one to MAX_BLOCKS conv blocks, every block list as long as ``filters``."""
    n = min(max(len(s.filters), 1), MAX_BLOCKS)
    return with_blocks(replace(s, filters=s.filters[:n] or (BLOCK_DEFAULT["filters"],)), n)


def normalise(s):
    """At least one conv block, every block list as long as ``filters``, a dense layer's dropout only
    with that layer, and a network whose feature maps never shrink below one pixel (the last blocks
    are dropped until they fit; ``normalise_notes`` says which)."""
    s = aligned(s)
    if s.transfer != "off" and s.dataset != BASE_TASK:
        s = replace(s, dataset=BASE_TASK)       # a comparison reuses a network trained on digits 0-4
    if not s.dense and s.dropout:
        s = replace(s, dropout=0.0)
    while len(s.filters) > 1 and not fits(s):
        s = with_blocks(s, len(s.filters) - 1)
    if not fits(s):
        s = replace(s, paddings=("same",), pools=("none",) if not fits(replace(s, paddings=("same",))) else s.pools)
    return s


def first_misfit(s):
    """(block index, why) of the first conv block whose maps would shrink below 1 x 1, or None."""
    _, h, _ = s.image_shape
    source = f"the {h}×{h} images"
    for i, b in enumerate(s.blocks):
        k, stride = b["kernel"], b["stride"]
        if b["padding"] == "valid" and h < k:
            return i, f"its {k}×{k} kernel with valid padding does not fit in {source}"
        h = -(-h // stride) if b["padding"] == "same" else (h - k) // stride + 1
        if b["pool"] != "none":
            if h < 2:
                return i, "its 2×2 pooling does not fit in the 1×1 maps its convolution leaves"
            h //= 2
        source = f"block {i + 1}'s {h}×{h} maps"
    return None


def fits(s):
    """True when every layer of the network still has at least a 1 x 1 map."""
    return first_misfit(s) is None
