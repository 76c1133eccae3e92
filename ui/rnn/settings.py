"""Every setting of the RNN page: its type, bounds, URL name and default (ui/settings.py).

Each task brings its own defaults (a text model wants more units than a parity
counter): picking a task sets them, and a link leaves out whatever equals its
task's defaults, so ``?task=text`` alone is the text task as the page offers it.
"""
from dataclasses import dataclass, replace

import engine
from engine.data import SEQUENCE_TASKS
from engine.data.sequences import TEXTS, WAVES

from ..settings import (CLIP_LADDER, Field, Settings, classroom_fields, learning_rate_field, optimizer_field,
                        seed_field)

TASKS = ("waves", "delayed_recall", "text", "parity", "adding", "series")
CELLS = ("rnn", "lstm", "gru")
COMPARE = ("off",) + CELLS
LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
MAX_UNITS, MAX_LAYERS, MAX_LENGTH, MIN_DELAY, MAX_DELAY = 64, 2, 200, 5, 100
LENGTHS = {"waves": (5, 200), "text": (4, 128), "parity": (2, 64), "adding": (4, 200), "delayed_recall": (2, 200),
           "series": (2, 200)}
OWN_TEXT = "own"                 # the text field's value for the user's own text (kept in the session, not the link)
MAX_COLUMNS = 20                 # columns of an own series (ui/rnn/own_data.py)
HIDEABLE = {"task": "Task", "network": "Network", "training": "Training settings", "inside": "Inside the network",
            "curves": "Loss curves", "downloads": "Downloads"}


TASK_LABELS = {"waves": "Waves: forecast the next value", "delayed_recall": "Delayed recall of a symbol",
               "text": "Text: the next character", "parity": "Parity: odd number of ones?",
               "adding": "Adding two marked values",
               "series": "Your own series (CSV)"}       # short enough for the sidebar's box
CELL_LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "off": "nothing"}
TEXT_LABELS = {"zen": "The Zen of Python (850 characters)", "kjv": "King James Bible, 12 chapters (40 kB)",
               OWN_TEXT: "Your own text (paste or upload it below)"}
WAVE_LABELS = {"sine": "Sine", "sines": "Sum of sines", "square": "Square", "sawtooth": "Sawtooth"}


# Measured with the task's defaults (16 units, Adam 0.003, clipping 1, batch 32, 2,000 sequences), seeds 0-4,
# 95 % test accuracy: a plain RNN learnt delay 40 for seeds 0, 2, 4 within 400 steps and 3 at 4,473 (seed 1
# stuck near 50 % for 6,000 steps); delay 60 for seeds 0, 1, 2, 4 in 378-1,953 steps (seed 3 stuck near 30 %
# for 6,000); delay 80 for seeds 2, 3, 4 within 2,000; delay 100 for none in 6,000 (best 54 %). An LSTM
# learnt delay 100 for all five in 315-567 steps. tests/ui/rnn/test_run.py checks seed 0.
DELAY_HELP = ("Distractors between the symbol and the answer. Measured here with these defaults: a plain RNN "
              "learnt a delay of 40 or 60 for four seeds of five, 80 for three and 100 for none (in 6,000 steps); "
              "an LSTM learnt 100 for all five within 600 steps. Whether a plain RNN finds the way depends on "
              "its starting weights: try New.")


def _for(*tasks):
    return lambda s: s.task in tasks


FIELDS = {
    "task": Field("choice", TASKS, "task", True, label="Task", widget="select", section="task", labels=TASK_LABELS,
                  help="Each task brings its own network size and learning rate; change them below."),
    "wave": Field("choice", WAVES, "wave", True, label="Wave", widget="segmented", section="task",
                  labels=WAVE_LABELS, shown=_for("waves"),
                  help="The wave to forecast: a sine, two sines added, a square or a sawtooth. Each sequence has "
                       "its own speed and phase."),
    "noise": Field("int", (0, 50), "noise", True, label="Noise (%)", widget="slider", section="task",
                   shown=_for("waves"), help="Random noise added to the input wave (the truth to forecast stays clean)."),
    "length": Field("int", (2, MAX_LENGTH), "len", True, label="Sequence length (steps)", widget="slider",
                    section="task", shown=lambda s: s.task != "delayed_recall", limits=lambda s: LENGTHS[s.task],
                    help="Time steps the network reads per sequence: values of the wave, characters of text, "
                         "bits to count, values to add. Longer sequences need a longer memory."),
    "delay": Field("int", (MIN_DELAY, MAX_DELAY), "delay", True, label="Delay (steps)", widget="slider",
                   section="task", shown=_for("delayed_recall"),
                   help=DELAY_HELP),
    "text": Field("choice", tuple(TEXTS) + (OWN_TEXT,), "text", True, label="Text", widget="radio", section="task",
                  labels=TEXT_LABELS, shown=_for("text"),
                  help="What the network learns to write: the short Zen of Python (learnt by heart in about a "
                       "minute), Bible chapters (too long to memorise: it learns spelling and common words) or "
                       "a text of your own (kept in this browser session only; a link says 'your own text')."),
    "column": Field("int", (1, MAX_COLUMNS), "col", True, label="Column to forecast", shown=_for("series"),
                    help="The column whose next value the network forecasts; it reads every numeric column."),
    "cell": Field("choice", CELLS, "cell", True, label="Cell", widget="segmented", section="network",
                  labels=CELL_LABELS, help="RNN: h = tanh(x·Wx + h·Wh + b). LSTM and GRU add gates that decide "
                                           "what to keep, so they remember over many more steps."),
    "units": Field("int", (1, MAX_UNITS), "units", True, label="Units", widget="slider", section="network",
                   help="Size of the hidden state: how many numbers the cell's memory holds"),
    "layers": Field("int", (1, MAX_LAYERS), "layers", True, label="Layers", widget="slider", section="network",
                    help="A second layer reads the first one's hidden states"),
    "compare": Field("choice", COMPARE, "vs", True, label="Compare with", widget="select", section="network",
                     labels=CELL_LABELS, help="Train a second cell side by side, on the same data from the same "
                                              "seed. Picking the compared cell as the cell swaps the two."),
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
    "loss_log": Field("bool", None, "logloss", label="Loss on a log scale", widget="toggle", section="curves",
                      help="Draw the loss curves on a log scale: late, small improvements show as clearly as the "
                           "first big drop instead of a flat line near zero."),
    **classroom_fields(HIDEABLE),
}

# What picking a task sets (and what its link leaves out).
TASK_DEFAULTS = {
    "waves": dict(length=40, cell="lstm", units=16, lr=0.01, clip=1.0, batch=16),
    "delayed_recall": dict(cell="lstm", units=16, lr=0.003, clip=1.0, batch=32),
    "text": dict(length=64, cell="lstm", units=64, lr=0.003, clip=1.0, batch=32),
    "parity": dict(length=10, cell="lstm", units=16, lr=0.01, clip=1.0, batch=32),
    "adding": dict(length=30, cell="lstm", units=16, lr=0.003, clip=1.0, batch=32),
    "series": dict(length=30, cell="lstm", units=16, lr=0.003, clip=1.0, batch=32),
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
    column: int = 1                 # own series: the column to forecast (counted from 1)
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
    loss_log: bool = False          # the loss chart on a log scale
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
        """A new task brings its own network and training defaults; the rest stays. Picking the cell
        compared with as the cell swaps the two."""
        s = self
        if s.task != before.task:
            keep = {name: getattr(s, name) for name in ("wave", "noise", "delay", "text", "column", "compare", "seed",
                                                        "temperature",
                                                        "loss_log", "present", "hide", "zoom", "contrast")}
            s = s.for_task(s.task, **keep)
        if s.compare == s.cell != "off":
            # The compared cell picked as the cell: the two swap places; the cell picked to compare with
            # itself: the comparison stays as it was.
            s = replace(s, compare=before.cell if s.cell != before.cell else
                        (before.compare if before.compare != s.cell else "off"))
        return s

    def change_notes(self, before):
        """Compare mode in the page's words when a choice of cell would compare a cell with itself."""
        if self.compare != self.cell:
            return []
        name = CELL_LABELS[self.cell]
        if self.cell != before.cell:
            return [f"{name} is now the cell and {CELL_LABELS[before.cell]} the one compared with it: the two swapped "
                    "places (comparing a cell with itself would show the same network twice)."]
        return [f"{name} is the cell already: compare it with one of the other cells (comparing a cell with itself "
                "would show the same network twice)."]

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

    @property
    def own_data(self):
        """True when the task trains on the user's own data (kept in the session: ui/rnn/own_data.py)."""
        return self.task == "series" or (self.task == "text" and self.text == OWN_TEXT)

    def task_params(self):
        """The engine task's settings (engine.data.SEQUENCE_TASKS) for these settings (the user's own
        data is the run's: none here)."""
        if self.own_data:
            return {}
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
        """(input values a step, outputs) of the task's sequences. The user's own data has its own (its
        alphabet, its columns: the run knows them); here a stand-in of the same layer kinds."""
        if self.own_data:
            return (1, 1) if self.task == "series" else (2, 2)
        facts = self.facts
        return facts.input_shape[-1], facts.outputs

    def spec(self):
        return self.cell_spec(self.cell)

    def cell_spec(self, cell, io=None):
        """The engine spec of a network of ``cell``s (the page's cell, or the one it is compared with);
        ``io``: (input values a step, outputs) when the data says (the user's own)."""
        features, outputs = io or self.io_sizes()
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
