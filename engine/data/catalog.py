"""Name maps of the image data sets and sequence tasks, for pages to list and load.

Each entry is a DataSource: a title, the kind of problem, a loader, its settings
(``Field``s with defaults and bounds) and its facts. ``source.load(seed=0, **settings)``
checks the settings and returns (x_train, y_train, x_test, y_test);
``source.facts(**settings)`` says, without loading, the input shape, the classes and
their names, and how many outputs a network needs. Generated sets draw train and test
in one seeded call and split by position, so the two never share a sample.
"""
from dataclasses import dataclass

from ..fields import Field
from .images import BAR_ORIENTATIONS, bars, mnist
from .sequences import (
    SYMBOLS,
    TEXTS,
    WAVES,
    adding,
    char_text,
    delayed_recall,
    parity,
    waves,
)

Param = Field               # the former name of a data setting


@dataclass(frozen=True)
class Facts:
    """What a page needs to know about a data source for given settings."""
    input_shape: tuple      # one sample: (channels, height, width) or (time, features)
    classes: int            # 0 for regression
    class_names: tuple      # one name per class index, () for regression
    outputs: int            # output units per sample (per step): the classes, or the targets


@dataclass(frozen=True)
class DataSource:
    title: str
    kind: str               # "classification" (class indices) or "regression" (targets)
    loader: object          # loader(seed, **settings) -> (x_train, y_train, x_test, y_test)
    params: dict            # setting name -> Field
    describe: object        # describe(**settings) -> Facts

    def defaults(self):
        return {name: p.default for name, p in self.params.items()}

    def settings(self, values):
        """Every setting, checked: ``values`` where given, the defaults elsewhere."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise ValueError(f"{self.title}: unknown setting(s) {unknown}; known: {list(self.params)}")
        return {name: p.check(name, values.get(name, p.default)) for name, p in self.params.items()}

    def load(self, seed=0, **values):
        """(x_train, y_train, x_test, y_test) for these settings (defaults for the rest)."""
        return self.loader(seed=seed, **self.settings(values))

    def facts(self, **values):
        """The input shape, classes, class names and outputs for these settings (defaults
        for the rest), without loading anything."""
        return self.describe(**self.settings(values))


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
    return {"n": Field("int", n, (100, 20000)), "n_test": Field("int", n_test, (50, 5000))}


def _classes(shape, names):
    return Facts(tuple(shape), len(names), tuple(names), len(names))


def _regression(shape, outputs=1):
    return Facts(tuple(shape), 0, (), outputs)


def _mnist_facts(n_test):
    return _classes((1, 28, 28), [str(digit) for digit in range(10)])


def _bars_facts(n, n_test, size, noise):
    return _classes((1, size, size), BAR_ORIENTATIONS)


def _waves_facts(kind, n, n_test, length, noise):
    return _regression((length, 1))


def _delayed_recall_facts(n, n_test, delay, symbols, distractors):
    return _classes((1 + delay, symbols + distractors), SYMBOLS[:symbols])


def _text_facts(n, n_test, length, every_step, text):
    chars = char_text(text)
    return _classes((length, chars.vocab), chars.chars)


def _parity_facts(n, n_test, length):
    return _classes((length, 1), ("even", "odd"))


def _adding_facts(n, n_test, length):
    return _regression((length, 2))


IMAGE_DATASETS = {
    "mnist": DataSource("MNIST digits (28 x 28)", "classification", _mnist,
                        {"n_test": Field("int", 2000, (500, 5000))}, _mnist_facts),
    "bars": DataSource("Bars in four orientations", "classification", _bars,
                       {**_sizes(), "size": Field("int", 12, (6, 28)),
                        "noise": Field("float", 0.15, (0.0, 1.0))}, _bars_facts),
}

SEQUENCE_TASKS = {
    "waves": DataSource("Waves: forecast the next value", "regression", _waves,
                        {"kind": Field("choice", "sine", WAVES), **_sizes(),
                         "length": Field("int", 50, (5, 200)), "noise": Field("float", 0.05, (0.0, 0.5))},
                        _waves_facts),
    "delayed_recall": DataSource("Delayed recall: the first symbol after a delay", "classification",
                                 _delayed_recall,
                                 {**_sizes(), "delay": Field("int", 40, (1, 1000)),
                                  "symbols": Field("int", 4, (2, len(SYMBOLS))),
                                  "distractors": Field("int", 4, (1, 8))}, _delayed_recall_facts),
    "text": DataSource("Text: the next character (the Zen of Python, or chapters of the King James Bible)",
                       "classification", _text,
                       {**_sizes(), "length": Field("int", 32, (4, 128)),
                        "every_step": Field("bool", False), "text": Field("choice", "zen", tuple(TEXTS))},
                       _text_facts),
    "parity": DataSource("Parity: is the number of ones odd?", "classification", _parity,
                         {**_sizes(), "length": Field("int", 10, (2, 64))}, _parity_facts),
    "adding": DataSource("Adding: the sum of the two marked values", "regression", _adding,
                         {**_sizes(), "length": Field("int", 30, (4, 200))}, _adding_facts),
}
