"""Every setting of the MLP page: its type, bounds, URL name, default and widget (ui/settings.py)."""
from dataclasses import dataclass, replace

import engine
from engine.data import DATASETS, FEATURES

from ..settings import (Field, Settings, classroom_fields, clip_field, display_name, learning_rate_field,
                        optimizer_field, seed_field)

LR_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_LADDER = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)          # epochs per frame
MAX_LAYERS, MAX_UNITS, MAX_DROPOUT = 6, 8, 0.5
PROBLEMS = ("classification", "regression")
LOSS_CHOICES = ("mse", "cross_entropy")
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("auto", "uniform")
HIDEABLE = {"data": "Data", "features": "Features", "network": "Network shape", "training": "Training settings",
            "curves": "Loss curves", "gradients": "Gradient flow", "downloads": "Downloads"}
FEATURE_LABELS = {"x1": "X₁", "x2": "X₂", "x1_sq": "X₁²", "x2_sq": "X₂²", "x1_x2": "X₁X₂",
                  "sin_x1": "sin X₁", "sin_x2": "sin X₂"}
ALL_LAYERS = ""                 # a layer's activation or batch norm "as all layers"
BN_CHOICES = ("on", "off")      # a layer's own batch norm (or ALL_LAYERS: the Batch norm switch's)
BN_MIN_BATCH = 2                # batch statistics need two points (the variance of one is 0)


def _single_loss(s):
    return s.problem == "regression" or s.classes > 2


FIELDS = {
    "dataset": Field("choice", tuple(DATASETS), "data", True, label="Data set"),
    "noise": Field("int", (0, 50), "noise", True, label="Noise (%)", widget="slider", section="data",
                   help="Gaussians spread out; other sets get points whose label sits across the boundary."),
    "train_pct": Field("int", (10, 90), "train", True, label="Training data (%)", widget="slider", step=10,
                       section="data", help="The rest is test data: the network never trains on it."),
    "seed": seed_field("data"),
    "features": Field("multi", tuple(FEATURES), "feat", True, label="Input features", widget="pills",
                      section="features", labels=FEATURE_LABELS,
                      help="What the network sees of each point. Click the tiles in the network too."),
    "hidden": Field("ints", (1, MAX_UNITS), "net", True, MAX_LAYERS, label="Layer", widget="number",
                    count="layers", item_default=2, help="Neurons in this hidden layer"),
    "activation": Field("choice", tuple(engine.ACTIVATIONS), "act", True, label="Activation", widget="select",
                        section="training", labels=display_name,
                        help="What each neuron applies to its weighted sum: tanh and sigmoid bend smoothly "
                             "and flatten out; ReLU is zero below 0; linear does not bend at all."),
    "layer_acts": Field("choices", tuple(engine.ACTIVATIONS), "acts", True, MAX_LAYERS, label="Activation",
                        widget="select", count="layers", item_default=ALL_LAYERS,
                        labels=lambda a: "as all" if a == ALL_LAYERS else display_name(a),
                        help="This layer's activation; 'as all' follows the Activation of the Training section"),
    "batchnorm": Field("bool", None, "bn", True, label="Batch norm", widget="toggle", section="training",
                       help="Batch normalization in every hidden layer, before its activation: each neuron's "
                            "weighted sum is shifted and scaled to mean 0 and spread 1 over the batch (then by a "
                            "learnt scale and shift), so deep layers keep receiving values where their "
                            "activation bends. Predictions use the averages seen in training. Change one layer "
                            "under Network details."),
    "layer_bn": Field("choices", BN_CHOICES, "bns", True, MAX_LAYERS, label="Batch norm", widget="select",
                      count="layers", item_default=ALL_LAYERS,
                      labels={ALL_LAYERS: "as all", "on": "on", "off": "off"},
                      help="Batch normalization in this layer, before its activation; 'as all' follows the "
                           "Batch norm switch of the Training section"),
    "dropout": Field("floats", (0.0, MAX_DROPOUT), "drop", True, MAX_LAYERS, label="Dropout", widget="slider",
                     step=0.05, count="layers", item_default=0.0,
                     help="Share of this layer's neurons switched off at random in each training step"),
    "problem": Field("choice", PROBLEMS, "problem", True, label="Problem type", widget="segmented",
                     section="data", labels=str.capitalize,
                     help="Classification: each point is one of two (or three) classes, and the output's sign "
                          "says which. Regression: each point has a value between −1 and 1 to predict."),
    "loss": Field("choice", LOSS_CHOICES, "loss", True, label="Loss", widget="select", section="training",
                  labels={"mse": "Squared error", "cross_entropy": "Cross-entropy"}, disabled=_single_loss,
                  help="Squared error: the mean of (output − label)² on a tanh output, as TensorFlow "
                       "Playground trains (it reports half of that mean). Cross-entropy: on logits, for "
                       "classes."),
    "init": Field("choice", INITS, "init", True, label="Initial weights", widget="radio",
                  labels={"auto": "He / Glorot (by activation)", "uniform": "Uniform ±0.5 (TensorFlow Playground)"},
                  help="How the weights start: scaled to each layer's size, or TensorFlow Playground's ±0.5"),
    "optimizer": optimizer_field(engine.OPTIMIZERS),
    "lr": learning_rate_field(LR_LADDER),
    "regularization": Field("choice", REGULARIZATIONS, "reg", label="Regularization", widget="select",
                            section="training", labels={"none": "None", "l1": "L1", "l2": "L2"},
                            help="A penalty on large weights: L2 shrinks them all, L1 pushes many to exactly 0."),
    "reg_rate": Field("ladder", REG_LADDER, "rate", label="Regularization rate", widget="select_slider",
                      section="training", disabled=lambda s: s.regularization == "none",
                      help="How strong the penalty is"),
    "clip": clip_field(),
    "batch": Field("int", (1, 64), "batch", label="Batch size", widget="slider", section="data",
                   help="Points per weight update."),
    "speed": Field("ladder", SPEEDS, "speed", label="Speed", widget="select",
                   labels=lambda v: f"{v:g} epoch{'s' if v != 1 else ''} per frame",
                   help="Epochs trained between two pictures while playing (a busy server shows fewer "
                        "pictures with more epochs in each)"),
    "show_test": Field("bool", None, "test", label="Show test data", widget="toggle", section="output",
                       help="Draw the test points (black rim) on the output: the network never trains on them"),
    "discretize": Field("bool", None, "disc", label="Discretize output", widget="toggle", section="output",
                        disabled=lambda s: s.problem == "regression",
                        help="Show the output as two colours only: which side of the boundary (the output's "
                             "sign) each place of the plane falls on"),
    **classroom_fields(HIDEABLE),
}


@dataclass(frozen=True)
class MlpSettings(Settings):
    """The defaults are TensorFlow Playground's first screen."""
    FIELDS = FIELDS
    LINK_EXTRAS = ("pts",)          # the user's own points (ui/mlp/points.py): the page reads and writes them
    dataset: str = "circle"
    noise: int = 0                  # percent
    train_pct: int = 50
    seed: int = 0
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)          # neurons per hidden layer
    activation: str = "tanh"
    layer_acts: tuple = ()          # per hidden layer; "" means "as all layers"
    batchnorm: bool = False         # batch normalization before each hidden layer's activation
    layer_bn: tuple = ()            # per hidden layer: "on", "off" or "" (as the switch)
    dropout: tuple = ()             # per hidden layer; missing means 0
    problem: str = "classification"
    loss: str = "mse"
    init: str = "auto"
    optimizer: str = "sgd"
    lr: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    clip: float = 0.0               # gradient clipping by global norm; 0: off
    batch: int = 10
    speed: float = 1.0              # epochs per frame
    show_test: bool = False
    discretize: bool = False
    present: bool = False
    hide: tuple = ()
    zoom: float = 1.25              # presenter mode: how much larger everything is drawn
    contrast: bool = False          # presenter mode: the high-contrast look

    def normalise(self):
        return normalise(self)

    def change_notes(self, before):
        notes = []
        if not self.features and before.features:
            notes.append("At least one input feature is needed: kept " +
                         ", ".join(FEATURE_LABELS[f] for f in before.features) + ".")
        if self._leaves_multiclass(before):
            notes.append("Two classes again: the loss is back to squared error on a tanh output "
                         "(cross-entropy stays a choice under Loss).")
        return notes

    def after_change(self, before):
        s = self
        if not s.features and before.features:
            s = replace(s, features=before.features)
        if s._leaves_multiclass(before):
            s = replace(s, loss=MlpSettings.loss)
        return s

    def normalise_notes(self, wanted):
        """A per-layer list of only "as all" (activation, batch norm) or 0 (dropout) is kept as an
        empty list: the same network, so nothing to say about it. Batch norm raises a batch of one."""
        same = [name for name in ("layer_acts", "layer_bn", "dropout")
                if not getattr(self, name) and all(v == FIELDS[name].item_default for v in getattr(wanted, name))]
        notes = []
        if self.batch != wanted.batch and self.normalising and wanted.batch < BN_MIN_BATCH:
            notes.append(f"Batch norm needs at least {BN_MIN_BATCH} points a batch (the spread of one point is "
                         f"0): batch size {self.batch}.")
            same.append("batch")
        return notes, tuple(same)

    def _leaves_multiclass(self, before):
        """From more than two classes (where only cross-entropy fits) back to two."""
        return before.classes > 2 and self.classes == 2 and self.loss != MlpSettings.loss

    # -- derived ---------------------------------------------------------
    @property
    def classes(self):
        """2 for binary, 3 for the 3-class spiral, 0 for regression."""
        return 0 if self.problem == "regression" else DATASETS[self.dataset].classes \
            if self.dataset in DATASETS else 2

    def layer_activation(self, i):
        acts = self.layer_acts
        return acts[i] if i < len(acts) and acts[i] else self.activation

    def layer_batchnorm(self, i):
        own = self.layer_bn[i] if i < len(self.layer_bn) else ALL_LAYERS
        return self.batchnorm if own == ALL_LAYERS else own == "on"

    @property
    def normalising(self):
        """True when any hidden layer has batch normalization."""
        return any(self.layer_batchnorm(i) for i in range(len(self.hidden)))

    def layer_dropout(self, i):
        return self.dropout[i] if i < len(self.dropout) else 0.0

    @property
    def engine_loss(self):
        if self.problem == "regression" or (self.loss == "mse" and self.classes == 2):
            return "mse"
        return "softmax_crossentropy" if self.classes > 2 else "binary_crossentropy"

    @property
    def outputs(self):
        return self.classes if self.engine_loss == "softmax_crossentropy" else 1

    def spec(self):
        layers = []
        for i, units in enumerate(self.hidden):
            if self.layer_batchnorm(i):          # dense(linear) -> batchnorm(activation): before the activation
                layers.append({"type": "dense", "units": units, "activation": "linear"})
                layers.append({"type": "batchnorm", "activation": self.layer_activation(i)})
            else:
                layers.append({"type": "dense", "units": units, "activation": self.layer_activation(i)})
            if self.layer_dropout(i) > 0:
                layers.append({"type": "dropout", "rate": self.layer_dropout(i)})
        out_act = "tanh" if self.engine_loss == "mse" and self.problem == "classification" else "linear"
        layers.append({"type": "dense", "units": self.outputs, "activation": out_act})
        return {"input_shape": [len(self.features)], "layers": layers, "loss": self.engine_loss,
                "init": self.init}

    @property
    def l1(self):
        return self.reg_rate if self.regularization == "l1" else 0.0

    @property
    def l2(self):
        return self.reg_rate if self.regularization == "l2" else 0.0

    def trainer_options(self):
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch, "l1": self.l1, "l2": self.l2,
                "clip_norm": self.clip or None}


# Presets: a starting point each; picking one sets these fields (batch norm, the seed, the speed and the
# view stay as they are). "Deep sigmoid" is TensorFlow Playground's training (plain SGD at 0.03, batch 10) on
# six layers of eight sigmoid neurons: without batch norm it stays at chance, with it (the Batch norm switch)
# it learns the circle within seconds (README, bench/deep_sigmoid.py).
_START = dict(problem="classification", dataset="circle", noise=0, train_pct=50, features=("x1", "x2"),
              layer_acts=(), dropout=(), loss="mse", init="auto", optimizer="sgd", lr=0.03,
              regularization="none", reg_rate=0.0, batch=10)
PRESETS = {"playground": dict(_START, hidden=(4, 2), activation="tanh"),
           "deep_sigmoid": dict(_START, hidden=(8,) * 6, activation="sigmoid")}
PRESET_LABELS = {"playground": "TensorFlow Playground's start", "deep_sigmoid": "Deep sigmoid (6 × 8)",
                 "custom": "Custom (your changes)"}


def preset_of(s):
    """The preset ``s`` is (whatever its batch norm), or None when changed away from every preset."""
    for name, values in PRESETS.items():
        if all(getattr(s, k) == v for k, v in values.items()):
            return name
    return None


def datasets_for(problem):
    kinds = ("regression",) if problem == "regression" else ("binary", "multiclass")
    return [name for name, d in DATASETS.items() if d.kind in kinds]


def normalise(s):
    """Make settings consistent: dataset fits the problem, the loss fits the classes, per-layer lists
    fit the layers."""
    if s.dataset in DATASETS and s.dataset not in datasets_for(s.problem):
        s = replace(s, dataset=datasets_for(s.problem)[0])
    if s.problem == "regression" and s.loss != "mse":
        s = replace(s, loss="mse")
    if s.classes > 2 and s.loss == "mse":
        s = replace(s, loss="cross_entropy")
    n = len(s.hidden)
    acts = tuple(s.layer_acts[:n]) + (ALL_LAYERS,) * max(0, n - len(s.layer_acts))
    drops = tuple(s.dropout[:n]) + (0.0,) * max(0, n - len(s.dropout))
    acts = () if all(a in (ALL_LAYERS, s.activation) for a in acts) else acts
    drops = () if not any(drops) else drops
    bns = tuple(s.layer_bn[:n]) + (ALL_LAYERS,) * max(0, n - len(s.layer_bn))
    bns = () if all(b == ALL_LAYERS or (b == "on") == s.batchnorm for b in bns) else bns
    if not s.features:
        s = replace(s, features=MlpSettings.features)
    s = replace(s, layer_acts=acts, layer_bn=bns, dropout=drops,
                features=tuple(f for f in FEATURES if f in s.features))
    if s.normalising and s.batch < BN_MIN_BATCH:
        s = replace(s, batch=BN_MIN_BATCH)
    return s
