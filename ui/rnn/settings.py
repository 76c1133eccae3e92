"""Every setting of the RNN page: its type, bounds, URL name and default (ui/settings.py).

Each task brings its own defaults (a text model wants more units than a parity
counter): picking a task sets them, and a link leaves out whatever equals its
task's defaults, so ``?task=text`` alone is the text task as the page offers it.
"""
from dataclasses import dataclass, fields, replace

import engine
from engine.data.sequences import TEXTS, WAVES

from ..settings import Field, Settings

TASKS = ("waves", "delayed_recall", "text", "parity", "adding")
CELLS = ("rnn", "lstm", "gru")
COMPARE = ("off",) + CELLS
LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
CLIP_LADDER = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)           # 0: no clipping
MAX_UNITS, MAX_LAYERS, MAX_LENGTH, MIN_DELAY, MAX_DELAY = 64, 2, 200, 5, 100
LENGTHS = {"waves": (5, 200), "text": (4, 128), "parity": (2, 64), "adding": (4, 200), "delayed_recall": (2, 200)}
HIDEABLE = ("task", "network", "training", "inside", "curves")


FIELDS = {
    "task": Field("choice", TASKS, "task", True),
    "wave": Field("choice", WAVES, "wave", True),
    "noise": Field("int", (0, 50), "noise", True),
    "length": Field("int", (2, MAX_LENGTH), "len", True),
    "delay": Field("int", (MIN_DELAY, MAX_DELAY), "delay", True),
    "text": Field("choice", tuple(TEXTS), "text", True),
    "cell": Field("choice", CELLS, "cell", True),
    "units": Field("int", (1, MAX_UNITS), "units", True),
    "layers": Field("int", (1, MAX_LAYERS), "layers", True),
    "compare": Field("choice", COMPARE, "vs", True),
    "seed": Field("int", (0, 99999), "seed", True),
    "optimizer": Field("choice", tuple(engine.OPTIMIZERS), "opt"),
    "lr": Field("ladder", LR_LADDER, "lr"),
    "clip": Field("ladder", CLIP_LADDER, "clip"),
    "batch": Field("int", (1, 128), "batch"),
    "temperature": Field("float", (0.1, 2.0), "temp"),
    "present": Field("bool", None, "present"),
    "hide": Field("multi", HIDEABLE, "hide"),
}

# What picking a task sets (and what its link leaves out).
TASK_DEFAULTS = {
    "waves": dict(length=40, cell="lstm", units=16, lr=0.01, clip=1.0, batch=16),
    "delayed_recall": dict(cell="lstm", units=16, lr=0.003, clip=1.0, batch=32),
    "text": dict(length=64, cell="lstm", units=64, lr=0.003, clip=1.0, batch=32),
    "parity": dict(length=10, cell="lstm", units=16, lr=0.01, clip=1.0, batch=32),
    "adding": dict(length=30, cell="lstm", units=16, lr=0.003, clip=1.0, batch=32),
}
# Sizes of the generated data: (train, test) sequences, and the engine task's own settings.
SIZES = {"waves": (1000, 200), "delayed_recall": (2000, 500), "text": (1500, 300),
         "parity": (2000, 500), "adding": (2000, 500)}
TEXT_PROMPTS = {"zen": "Beautiful is", "kjv": "In the beginning"}


@dataclass(frozen=True)
class RnnSettings(Settings):
    FIELDS = FIELDS
    task: str = "waves"
    wave: str = "sine"
    noise: int = 5                  # percent of the wave's amplitude
    length: int = 40                # time steps a sequence (waves, text, parity, adding)
    delay: int = 20                 # delayed recall: steps between the symbol and the answer
    text: str = "kjv"
    cell: str = "lstm"
    units: int = 16
    layers: int = 1
    compare: str = "off"            # a second cell trained beside the first, or off
    seed: int = 0
    optimizer: str = "adam"
    lr: float = 0.01
    clip: float = 1.0               # gradient-norm clipping, 0 = off
    batch: int = 16
    temperature: float = 0.5
    present: bool = False
    hide: tuple = ()

    @classmethod
    def for_task(cls, task, **values):
        """The task's defaults, then ``values``."""
        return cls(**{"task": task, **TASK_DEFAULTS.get(task, {}), **values})

    @classmethod
    def from_values(cls, values):
        values = dict(values)
        return cls.for_task(values.pop("task", cls.task), **values)

    def defaults(self):
        return replace(self.for_task(self.task), task=RnnSettings.task)

    def normalise(self):
        s = self
        lo, hi = LENGTHS[s.task]
        if not lo <= s.length <= hi:
            s = replace(s, length=min(max(s.length, lo), hi))
        if s.compare == s.cell:
            s = replace(s, compare="off")
        return s

    # -- derived ---------------------------------------------------------
    @property
    def classification(self):
        return self.task in ("delayed_recall", "text", "parity")

    @property
    def cells(self):
        """The cells trained: one, or two side by side in compare mode."""
        return (self.cell,) if self.compare == "off" else (self.cell, self.compare)

    @property
    def steps(self):
        """Time steps of one sequence."""
        return 1 + self.delay if self.task == "delayed_recall" else self.length

    def task_params(self):
        """The engine task's settings (engine.data.SEQUENCE_TASKS) for these settings."""
        n, n_test = SIZES[self.task]
        params = {"n": n, "n_test": n_test}
        if self.task == "waves":
            params.update(kind=self.wave, length=self.length, noise=self.noise / 100)
        elif self.task == "delayed_recall":
            params.update(delay=self.delay)
        elif self.task == "text":
            params.update(length=self.length, text=self.text, every_step=True)
        else:
            params.update(length=self.length)
        return params

    def spec(self, cell, features, outputs):
        """The engine spec of ``cell`` for sequences of ``features`` values a step."""
        every_step = self.task == "text"             # a prediction at every step: more signal per window
        layers = [{"type": cell, "units": self.units,
                   "return_sequences": every_step or k < self.layers - 1} for k in range(self.layers)]
        return {"input_shape": [self.steps, features],
                "layers": layers + [{"type": "dense", "units": outputs}],
                "loss": "softmax_crossentropy" if self.classification else "mse"}

    def trainer_options(self):
        """What the running trainer takes without a reset."""
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch,
                "clip_norm": self.clip or None}


def task_fields(task):
    """The fields a task uses beyond the network's (the sidebar shows only these)."""
    return {"waves": ("wave", "noise", "length"), "delayed_recall": ("delay",),
            "text": ("text", "length"), "parity": ("length",), "adding": ("length",)}[task]


def field_names():
    return [f.name for f in fields(RnnSettings)]
