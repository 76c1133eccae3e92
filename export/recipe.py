"""What an exported script is made from: a page's network, data and training, as plain values.

The UI's core fills a ``Recipe`` from a run (its trainer's spec and options, the page's data
recipe and words); the exporters (``export.pytorch``, ``export.keras``, ``export.notebook``)
turn it into code. Nothing here imports Streamlit.
"""
import json
from dataclasses import asdict, dataclass, field

from engine.kernels.optim import OPTIMIZERS
from engine.spec import validate

from . import data as data_code
from .layers import layer_plan

ACCURACY = ("argmax", "sign", None)      # softmax classes, the sign of one output, or none (regression)


@dataclass(frozen=True)
class Recipe:
    page: str                       # the page's name ("mlp"), used in file names
    title: str                      # the page's title, for the script's header
    spec: dict                      # the engine spec (engine.build's)
    data: dict                      # the data recipe (export/data.py)
    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 32
    l1: float = 0.0
    l2: float = 0.0
    clip_norm: float = None         # None: no clipping
    seed: int = 0
    epochs: int = 10
    accuracy: str = None            # ACCURACY: how the page counts a right answer
    link: str = ""                  # the page's link with these settings
    about: str = ""                 # the page's words about the task and its data (Markdown)
    step: int = 0                   # where the page's run stood (the weights' step and epoch)
    epoch: int = 0
    words: dict = field(default_factory=dict)   # more of the page's words, by section: "model", "training"

    def __post_init__(self):
        object.__setattr__(self, "spec", validate(self.spec))
        data_code.check(self.data)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.accuracy not in ACCURACY:
            raise ValueError(f"accuracy must be one of {list(ACCURACY)}, got {self.accuracy!r}")
        if self.clip_norm is not None and not self.clip_norm > 0:
            object.__setattr__(self, "clip_norm", None)
        layer_plan(self.spec)           # every layer kind has an exporter entry, or a clear error

    @property
    def plan(self):
        return layer_plan(self.spec, self.l1, self.l2)

    @property
    def loss(self):
        return self.spec["loss"]

    @property
    def images(self):
        return len(self.spec["input_shape"]) == 3

    @property
    def classes(self):
        """The softmax width, or None for one-output losses."""
        return self.plan[-1].out_shape[-1] if self.loss == "softmax_crossentropy" else None

    @property
    def threshold(self):
        """A label above this is the positive class (one-output classification)."""
        return 0.5 if self.loss == "binary_crossentropy" else 0.0

    def as_json(self):
        return json.dumps(asdict(self), indent=1)


def trainer_recipe(trainer, page, title, data, **more):
    """A Recipe of a running ``engine.Trainer``: its spec and the options it trains with now."""
    net = trainer.net
    if not trainer.classification:
        accuracy = None
    else:
        accuracy = "argmax" if net.loss == "softmax_crossentropy" else "sign"
    return Recipe(page=page, title=title, spec=net.spec, data=data, optimizer=trainer.optimizer,
                  lr=trainer.lr, batch_size=trainer.batch_size, l1=trainer.l1, l2=trainer.l2,
                  clip_norm=trainer.clip_norm, accuracy=accuracy, step=trainer.step_count,
                  epoch=trainer.epoch, **more)
