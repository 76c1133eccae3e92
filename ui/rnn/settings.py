"""Every setting of the RNN page: its type, bounds, URL name and default (ui/settings.py).

Each task brings its own defaults (a text model wants more units than a parity
counter): picking a task sets them, and a link leaves out whatever equals its
task's defaults, so ``?task=text`` alone is the text task as the page offers it.
"""
from dataclasses import dataclass, replace

import engine
from engine.data import SEQUENCE_TASKS
from engine.data.sequences import TEXTS, WAVES

from ..settings import (Field, Settings, classroom_fields, learning_rate_field, optimizer_field,
                        seed_field)

TASKS = ("waves", "delayed_recall", "text", "parity", "adding")
CELLS = ("rnn", "lstm", "gru")
COMPARE = ("off",) + CELLS
LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
CLIP_LADDER = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)           # 0: no clipping
MAX_UNITS, MAX_LAYERS, MAX_LENGTH, MIN_DELAY, MAX_DELAY = 64, 2, 200, 5, 100
LENGTHS = {"waves": (5, 200), "text": (4, 128), "parity": (2, 64), "adding": (4, 200), "delayed_recall": (2, 200)}
HIDEABLE = {"task": "Task", "network": "Network", "training": "Training settings", "inside": "Inside the network",
            "curves": "Loss curves", "downloads": "Downloads"}


TASK_LABELS = {"waves": "Waves: forecast the next value", "delayed_recall": "Delayed recall: remember a symbol",
               "text": "Text: the next character", "parity": "Parity: odd number of ones?",
               "adding": "Adding: sum of two marked values"}
CELL_LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "off": "nothing"}
TEXT_LABELS = {"zen": "The Zen of Python (850 characters)", "kjv": "King James Bible, 12 chapters (40 kB)"}
WAVE_LABELS = {"sine": "Sine", "sines": "Sum of sines", "square": "Square", "sawtooth": "Sawtooth"}


def _for(*tasks):
    return lambda s: s.task in tasks


FIELDS = {
    "task": Field("choice", TASKS, "task", True, label="Task", widget="select", section="task", labels=TASK_LABELS,
                  help="Each task brings its own network size and learning rate; change them below."),
    "wave": Field("choice", WAVES, "wave", True, label="Wave", widget="segmented", section="task",
                  labels=WAVE_LABELS, shown=_for("waves")),
    "noise": Field("int", (0, 50), "noise", True, label="Noise (%)", widget="slider", section="task",
                   shown=_for("waves"), help="Random noise added to the input wave (the truth to forecast stays clean)."),
    "length": Field("int", (2, MAX_LENGTH), "len", True, label="Sequence length (steps)", widget="slider",
                    section="task", shown=lambda s: s.task != "delayed_recall", limits=lambda s: LENGTHS[s.task]),
    "delay": Field("int", (MIN_DELAY, MAX_DELAY), "delay", True, label="Delay (steps)", widget="slider",
                   section="task", shown=_for("delayed_recall"),
                   help="Distractors between the symbol and the answer. A plain RNN forgets past about 40 steps; "
                        "an LSTM or GRU remembers 100."),
    "text": Field("choice", tuple(TEXTS), "text", True, label="Text", widget="radio", section="task",
                  labels=TEXT_LABELS, shown=_for("text")),
    "cell": Field("choice", CELLS, "cell", True, label="Cell", widget="segmented", section="network",
                  labels=CELL_LABELS, help="RNN: h = tanh(x·Wx + h·Wh + b). LSTM and GRU add gates that decide "
                                           "what to keep, so they remember over many more steps."),
    "units": Field("int", (1, MAX_UNITS), "units", True, label="Units", widget="slider", section="network",
                   help="Size of the hidden state"),
    "layers": Field("int", (1, MAX_LAYERS), "layers", True, label="Layers", widget="slider", section="network",
                    help="A second layer reads the first one's hidden states"),
    "compare": Field("choice", COMPARE, "vs", True, label="Compare with", widget="select", section="network",
                     labels=CELL_LABELS, help="Train a second cell side by side, on the same data from the same seed"),
    "seed": seed_field("training"),
    "optimizer": optimizer_field(engine.OPTIMIZERS),
    "lr": learning_rate_field(LR_LADDER),
    "clip": Field("ladder", CLIP_LADDER, "clip", label="Clipping", widget="select_slider", section="training",
                  labels=lambda v: "off" if v == 0 else f"{v:g}",
                  help="Scale the whole gradient down when its norm is above this: tames exploding gradients"),
    "batch": Field("int", (1, 128), "batch", label="Batch size", widget="number", section="training",
                   help="Sequences per weight update"),
    "temperature": Field("float", (0.1, 2.0), "temp", label="Temperature", widget="slider", step=0.1,
                         help="Low: the network picks its likeliest characters (safe, repetitive). High: it takes "
                              "chances (varied, misspelt)."),
    **classroom_fields(HIDEABLE),
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
    zoom: float = 1.25              # presenter mode: how much larger everything is drawn
    contrast: bool = False          # presenter mode: the high-contrast look

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

    def after_change(self, before):
        """A new task brings its own network and training defaults; the rest stays."""
        if self.task == before.task:
            return self
        keep = {name: getattr(self, name) for name in ("wave", "noise", "delay", "text", "compare", "seed",
                                                         "temperature", "present", "hide")}
        return self.for_task(self.task, **keep)

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

    @property
    def facts(self):
        """The task's input shape, classes, class names and outputs (the engine's data source says)."""
        return SEQUENCE_TASKS[self.task].facts(**self.task_params())

    def io_sizes(self):
        """(input values a step, outputs) of the task's sequences."""
        facts = self.facts
        return facts.input_shape[-1], facts.outputs

    def spec(self):
        return self.cell_spec(self.cell)

    def cell_spec(self, cell):
        """The engine spec of a network of ``cell``s (the page's cell, or the one it is compared with)."""
        features, outputs = self.io_sizes()
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
