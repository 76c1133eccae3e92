"""The CNN page's image sources: the engine's (MNIST, bars) and the digit halves of MNIST that the
Transfer comparison uses (digits 0-4 for the first task, 5-9 for the second).

Each is an ``engine.data.DataSource`` (the engine's own record: loader, settings, facts), so the
page reads a source's input shape, classes and class names from one place. The halves are views
of the engine's shared, read-only MNIST split: the same 8,000 / 2,000 images, those of five
digits, labels counted from 0 (digit 7 is class 2 of digits 5-9, named "7").
"""
from functools import lru_cache

import numpy as np

from engine.data import IMAGE_DATASETS, DataSource, Facts, Field


@lru_cache(maxsize=4)
def _digit_half(first, n_test):
    x, y, xt, yt = IMAGE_DATASETS["mnist"].load(n_test=n_test)
    keep, keep_t = (y >= first) & (y < first + 5), (yt >= first) & (yt < first + 5)
    arrays = (x[keep], y[keep] - first, xt[keep_t], yt[keep_t] - first)
    for a in arrays:
        a.flags.writeable = False
    return arrays


def _half(first):
    """The DataSource of MNIST's digits first ... first + 4."""
    def load(seed, n_test):
        return _digit_half(first, n_test)

    def describe(n_test):
        return Facts((1, 28, 28), 5, tuple(str(d) for d in range(first, first + 5)), 5)
    return DataSource(f"MNIST digits {first}-{first + 4} (28 x 28)", "classification", load,
                      {"n_test": Field("int", 2000, (500, 5000))}, describe)


PAGE_IMAGES = {**IMAGE_DATASETS, "digits04": _half(0), "digits59": _half(5)}
SECOND_TASKS = ("digits59", "bars")       # what the Transfer comparison offers after digits 0-4


def few_per_class(y, n, seed):
    """Indices of ``n`` examples of every class of labels ``y`` (all of a class that has fewer),
    drawn with ``seed``, in class order: both runs of a comparison get these same examples."""
    rng = np.random.default_rng(seed)
    picked = [rng.permutation(np.flatnonzero(y == c))[:n] for c in np.unique(y)]
    return np.concatenate(picked)
