"""Every setting of the MLP page: its type, bounds, URL name and default (ui/settings.py)."""
from dataclasses import dataclass, replace

import engine
from engine.data import DATASETS, FEATURES

from ..settings import Field, Settings

LR_LADDER = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_LADDER = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)          # epochs per frame
MAX_LAYERS, MAX_UNITS, MAX_DROPOUT = 6, 8, 0.5
PROBLEMS = ("classification", "regression")
LOSS_CHOICES = ("mse", "cross_entropy")
REGULARIZATIONS = ("none", "l1", "l2")
INITS = ("auto", "uniform")
HIDEABLE = ("data", "features", "network", "training", "curves", "gradients", "downloads")
CUSTOM = "custom"


FIELDS = {
    "dataset": Field("choice", tuple(DATASETS), "data", True),
    "noise": Field("int", (0, 50), "noise", True),
    "train_pct": Field("int", (10, 90), "train", True),
    "seed": Field("int", (0, 99999), "seed", True),
    "features": Field("multi", tuple(FEATURES), "feat", True),
    "hidden": Field("ints", (1, MAX_UNITS), "net", True, MAX_LAYERS),
    "activation": Field("choice", tuple(engine.ACTIVATIONS), "act", True),
    "layer_acts": Field("choices", tuple(engine.ACTIVATIONS), "acts", True, MAX_LAYERS),
    "dropout": Field("floats", (0.0, MAX_DROPOUT), "drop", True, MAX_LAYERS),
    "problem": Field("choice", PROBLEMS, "problem", True),
    "loss": Field("choice", LOSS_CHOICES, "loss", True),
    "init": Field("choice", INITS, "init", True),
    "optimizer": Field("choice", tuple(engine.OPTIMIZERS), "opt"),
    "lr": Field("ladder", LR_LADDER, "lr"),
    "regularization": Field("choice", REGULARIZATIONS, "reg"),
    "reg_rate": Field("ladder", REG_LADDER, "rate"),
    "batch": Field("int", (1, 64), "batch"),
    "speed": Field("ladder", SPEEDS, "speed"),
    "show_test": Field("bool", None, "test"),
    "discretize": Field("bool", None, "disc"),
    "present": Field("bool", None, "present"),
    "hide": Field("multi", HIDEABLE, "hide"),
}


@dataclass(frozen=True)
class MlpSettings(Settings):
    """The defaults are TensorFlow Playground's first screen."""
    FIELDS = FIELDS
    dataset: str = "circle"
    noise: int = 0                  # percent
    train_pct: int = 50
    seed: int = 0
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)          # neurons per hidden layer
    activation: str = "tanh"
    layer_acts: tuple = ()          # per hidden layer; "" means "as all layers"
    dropout: tuple = ()             # per hidden layer; missing means 0
    problem: str = "classification"
    loss: str = "mse"
    init: str = "auto"
    optimizer: str = "sgd"
    lr: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    batch: int = 10
    speed: float = 1.0              # epochs per frame
    show_test: bool = False
    discretize: bool = False
    present: bool = False
    hide: tuple = ()

    def normalise(self):
        return normalise(self)

    # -- derived ---------------------------------------------------------
    @property
    def classes(self):
        """2 for binary, 3 for the 3-class spiral, 0 for regression."""
        return 0 if self.problem == "regression" else DATASETS[self.dataset].classes \
            if self.dataset in DATASETS else 2

    def layer_activation(self, i):
        acts = self.layer_acts
        return acts[i] if i < len(acts) and acts[i] else self.activation

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
        """The engine spec for these settings."""
        layers = []
        for i, units in enumerate(self.hidden):
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
        """What the running trainer takes without a reset."""
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch, "l1": self.l1, "l2": self.l2}


def datasets_for(problem):
    kinds = ("regression",) if problem == "regression" else ("binary", "multiclass")
    return [name for name, d in DATASETS.items() if d.kind in kinds]


def normalise(s):
    """Make settings consistent: dataset fits the problem, per-layer lists fit the layers."""
    if s.dataset in DATASETS and s.dataset not in datasets_for(s.problem):
        s = replace(s, dataset=datasets_for(s.problem)[0])
    if s.problem == "regression" and s.loss != "mse":
        s = replace(s, loss="mse")
    if s.classes > 2 and s.loss == "mse":
        s = replace(s, loss="cross_entropy")
    n = len(s.hidden)
    acts = tuple(s.layer_acts[:n]) + ("",) * max(0, n - len(s.layer_acts))
    drops = tuple(s.dropout[:n]) + (0.0,) * max(0, n - len(s.dropout))
    acts = () if all(a in ("", s.activation) for a in acts) else acts
    drops = () if not any(drops) else drops
    if not s.features:
        s = replace(s, features=MlpSettings.features)
    s = replace(s, layer_acts=acts, dropout=drops,
                features=tuple(f for f in FEATURES if f in s.features))
    return s
