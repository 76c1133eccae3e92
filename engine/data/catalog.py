"""Name maps of the image data sets and sequence tasks, for pages to list and load.

Each entry is a DataSource: a title, the kind of problem, a loader and its settings
with defaults and bounds. ``source.load(seed=0, **settings)`` checks the settings and
returns (x_train, y_train, x_test, y_test). Generated sets draw train and test in one
seeded call and split by position, so the two never share a sample.
"""
import math
from dataclasses import dataclass

from .images import bars, mnist
from .sequences import TEXTS, WAVES, adding, char_text, delayed_recall, parity, waves


@dataclass(frozen=True)
class Param:
    """One setting: kind "int", "float", "bool" or "choice", its default, and its bounds:
    (lo, hi) inclusive for numbers, the allowed values for a choice, None for a bool."""
    kind: str
    default: object
    bounds: tuple = None

    def check(self, name, value):
        """``value`` if this setting allows it; otherwise a ValueError that names the bounds."""
        if self.kind == "choice":
            if value not in self.bounds:
                raise ValueError(f"{name} must be one of {list(self.bounds)}, got {value!r}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be True or False, got {value!r}")
            return value
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind == "int" and not (number and float(value).is_integer()):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        lo, hi = self.bounds
        if not (number and math.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
        return int(value) if self.kind == "int" else float(value)


@dataclass(frozen=True)
class DataSource:
    title: str
    kind: str               # "classification" (class indices) or "regression" (targets)
    loader: object          # loader(seed, **params) -> (x_train, y_train, x_test, y_test)
    params: dict            # setting name -> Param

    def defaults(self):
        return {name: p.default for name, p in self.params.items()}

    def load(self, seed=0, **values):
        """(x_train, y_train, x_test, y_test) for these settings (defaults for the rest)."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise ValueError(f"{self.title}: unknown setting(s) {unknown}; known: {list(self.params)}")
        settings = {name: p.check(name, values.get(name, p.default)) for name, p in self.params.items()}
        return self.loader(seed=seed, **settings)


def _split(x, y, n_train):
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _mnist(seed, n_test):
    return mnist(n_test=n_test, seed=seed)


def _bars(seed, n, n_test, size, noise):
    return _split(*bars(n + n_test, size=size, noise=noise, seed=seed), n)


def _waves(seed, kind, n, n_test, length, noise):
    return _split(*waves(kind, n + n_test, length=length, noise=noise, seed=seed), n)


def _delayed_recall(seed, n, n_test, delay, symbols, distractors):
    return _split(*delayed_recall(n + n_test, delay, symbols, distractors, seed=seed), n)


def _text(seed, n, n_test, length, every_step, text):
    """Training windows from the text's first 90 %, test windows from the rest (at least a window)."""
    chars = char_text(text)
    cut = len(chars.codes) - max(len(chars.codes) // 10, length + 1)
    x, y = chars.windows(length, n, seed=seed, every_step=every_step, span=(0, cut))
    xt, yt = chars.windows(length, n_test, seed=seed + 1, every_step=every_step, span=(cut, len(chars.codes)))
    return x, y, xt, yt


def _parity(seed, n, n_test, length):
    return _split(*parity(n + n_test, length, seed=seed), n)


def _adding(seed, n, n_test, length):
    return _split(*adding(n + n_test, length, seed=seed), n)


def _sizes(n=2000, n_test=500):
    return {"n": Param("int", n, (100, 20000)), "n_test": Param("int", n_test, (50, 5000))}


IMAGE_DATASETS = {
    "mnist": DataSource("MNIST digits (28 x 28)", "classification", _mnist,
                        {"n_test": Param("int", 2000, (500, 5000))}),
    "bars": DataSource("Bars in four orientations", "classification", _bars,
                       {**_sizes(), "size": Param("int", 12, (6, 28)),
                        "noise": Param("float", 0.15, (0.0, 1.0))}),
}

SEQUENCE_TASKS = {
    "waves": DataSource("Waves: forecast the next value", "regression", _waves,
                        {"kind": Param("choice", "sine", WAVES), **_sizes(),
                         "length": Param("int", 50, (5, 200)), "noise": Param("float", 0.05, (0.0, 0.5))}),
    "delayed_recall": DataSource("Delayed recall: the first symbol after a delay", "classification",
                                 _delayed_recall,
                                 {**_sizes(), "delay": Param("int", 40, (1, 1000)),
                                  "symbols": Param("int", 4, (2, 8)),
                                  "distractors": Param("int", 4, (1, 8))}),
    "text": DataSource("Text: the next character (the Zen of Python, or chapters of the King James Bible)",
                       "classification", _text,
                       {**_sizes(), "length": Param("int", 32, (4, 128)),
                        "every_step": Param("bool", False), "text": Param("choice", "zen", tuple(TEXTS))}),
    "parity": DataSource("Parity: is the number of ones odd?", "classification", _parity,
                         {**_sizes(), "length": Param("int", 10, (2, 64))}),
    "adding": DataSource("Adding: the sum of the two marked values", "regression", _adding,
                         {**_sizes(), "length": Param("int", 30, (4, 200))}),
}
