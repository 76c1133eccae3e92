"""2-D toy data sets in TensorFlow Playground's geometry, and a few more.

Points live in [-6, 6]^2. ``noise`` is a fraction in [0, 0.5] with the
Playground's meaning for its six sets: for circle, xor, checkerboard and the
two regressions the label is computed at a point displaced by up to
noise * radius (so labels near a boundary flip); spirals jitter the point
itself; gauss widens the variance from 0.5 to 4. Binary sets label +1 / -1,
the 3-class spiral 0 / 1 / 2, regressions give a value in about [-1, 1].
"""
from dataclasses import dataclass

import numpy as np

from ..fields import Field

EXTENT = 6.0


def _uniform(rng, lo, hi, n):
    return rng.uniform(lo, hi, n)


def _circle(rng, n, noise):
    radius = 5.0
    half = n // 2
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, half), _uniform(rng, radius * 0.7, radius, n - half)])
    angle = _uniform(rng, 0, 2 * np.pi, n)
    pts = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    shifted = pts + _uniform(rng, -radius, radius, (n, 2)) * noise
    labels = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5, 1.0, -1.0)
    return pts, labels


def _xor(rng, n, noise):
    pts = _uniform(rng, -5, 5, (n, 2))
    pts += np.where(pts > 0, 0.3, -0.3)              # a gap along the axes
    shifted = pts + _uniform(rng, -5, 5, (n, 2)) * noise
    return pts, np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)


def _gauss(rng, n, noise):
    variance = 0.5 + noise / 0.5 * 3.5
    half = n // 2
    pos = rng.normal(2.0, np.sqrt(variance), (half, 2))
    neg = rng.normal(-2.0, np.sqrt(variance), (n - half, 2))
    return np.concatenate([pos, neg]), np.concatenate([np.ones(half), -np.ones(n - half)])


def _spiral_arms(rng, n, noise, arms):
    pts, labels = [], []
    for k in range(arms):
        m = n // arms + (1 if k < n % arms else 0)
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * np.pi + 2 * np.pi * k / arms
        jitter = _uniform(rng, -1, 1, (m, 2)) * noise
        pts.append(np.stack([r * np.sin(t), r * np.cos(t)], 1) + jitter)
        labels.append(np.full(m, k, float))
    return np.concatenate(pts), np.concatenate(labels)


def _spiral(rng, n, noise):
    pts, labels = _spiral_arms(rng, n, noise, 2)
    return pts, np.where(labels == 0, 1.0, -1.0)


def _spiral3(rng, n, noise):
    return _spiral_arms(rng, n, noise, 3)


def _moons(rng, n, noise):
    half = n // 2
    t1, t2 = _uniform(rng, 0, np.pi, half), _uniform(rng, 0, np.pi, n - half)
    upper = np.stack([np.cos(t1), np.sin(t1)], 1)
    lower = np.stack([1 - np.cos(t2), 0.5 - np.sin(t2)], 1)
    pts = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 3.5
    pts += rng.normal(0, 1, pts.shape) * noise * 2
    return pts, np.concatenate([np.ones(half), -np.ones(n - half)])


def _checkerboard(rng, n, noise):
    side = 3.0                                             # 4 x 4 squares
    pts = _uniform(rng, -EXTENT, EXTENT, (n, 2))
    shifted = pts + _uniform(rng, -side, side, (n, 2)) * noise
    cells = np.floor(shifted / side).astype(int).sum(axis=1)
    return pts, np.where(cells % 2 == 0, 1.0, -1.0)


def _reg_plane(rng, n, noise):
    radius = 6.0
    pts = _uniform(rng, -radius, radius, (n, 2))
    shifted = pts + _uniform(rng, -radius, radius, (n, 2)) * noise
    return pts, (shifted[:, 0] + shifted[:, 1]) / 10.0


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def _reg_gauss(rng, n, noise):
    radius = 6.0
    pts = _uniform(rng, -radius, radius, (n, 2))
    shifted = pts + _uniform(rng, -radius, radius, (n, 2)) * noise
    d = np.hypot(shifted[:, None, 0] - _BUMPS[:, 0], shifted[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1 - d / 2, 0, 1)               # 1 at a centre, 0 beyond 2
    strongest = np.abs(values).argmax(axis=1)
    return pts, values[np.arange(n), strongest]


PARAMS_2D = {"n": Field("int", 500, (1, 100_000)), "noise": Field("float", 0.0, (0.0, 0.5))}


@dataclass(frozen=True)
class DataSet2D:
    make: object
    kind: str            # "binary" (+1/-1), "multiclass" (0..k-1) or "regression"
    classes: int
    title: str

    @property
    def params(self):
        """The settings of ``make_2d`` (besides the seed), with defaults and bounds."""
        return PARAMS_2D

    @property
    def class_names(self):
        """One name per class index: a binary set's 0 is its -1 label and 1 its +1 (as in
        ``engine.metrics``); () for a regression."""
        if self.kind == "binary":
            return ("-1", "+1")
        return tuple(str(k) for k in range(self.classes))

    @property
    def outputs(self):
        """Output units a network needs: one (a sign or a value), or one per class."""
        return self.classes if self.kind == "multiclass" else 1


DATASETS = {
    "circle": DataSet2D(_circle, "binary", 2, "Circle"),
    "xor": DataSet2D(_xor, "binary", 2, "Exclusive or"),
    "gauss": DataSet2D(_gauss, "binary", 2, "Two Gaussians"),
    "spiral": DataSet2D(_spiral, "binary", 2, "Spiral"),
    "moons": DataSet2D(_moons, "binary", 2, "Two moons"),
    "checkerboard": DataSet2D(_checkerboard, "binary", 2, "Checkerboard"),
    "spiral3": DataSet2D(_spiral3, "multiclass", 3, "Three-arm spiral"),
    "reg_plane": DataSet2D(_reg_plane, "regression", 0, "Plane (regression)"),
    "reg_gauss": DataSet2D(_reg_gauss, "regression", 0, "Gaussians (regression)"),
}


def make_2d(name, n=500, noise=0.0, seed=0):
    """``n`` points (n, 2) and labels (n,) of data set ``name``, seeded."""
    if name not in DATASETS:
        raise ValueError(f"data set must be one of {sorted(DATASETS)}, got {name!r}")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be in [0, 0.5], got {noise}")
    if not 1 <= n <= 100_000:
        raise ValueError(f"n must be in [1, 100000], got {n}")
    pts, labels = DATASETS[name].make(np.random.default_rng(seed), int(n), float(noise))
    return pts.astype(np.float64), labels.astype(np.float64)


def split(points, labels, train_fraction=0.5, seed=0):
    """Shuffle and split into (train points, train labels, test points, test labels)."""
    if not 0.1 <= train_fraction <= 0.9:
        raise ValueError(f"train_fraction must be in [0.1, 0.9], got {train_fraction}")
    order = np.random.default_rng(seed).permutation(len(points))
    k = max(1, int(round(len(points) * train_fraction)))
    tr, te = order[:k], order[k:]
    return points[tr], labels[tr], points[te], labels[te]


FEATURES = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1_sq": lambda p: p[:, 0] ** 2,
    "x2_sq": lambda p: p[:, 1] ** 2,
    "x1_x2": lambda p: p[:, 0] * p[:, 1],
    "sin_x1": lambda p: np.sin(p[:, 0]),
    "sin_x2": lambda p: np.sin(p[:, 1]),
}


def featurize(points, features=("x1", "x2")):
    """The network inputs (n, len(features)) for 2-D ``points``."""
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features:
        raise ValueError(f"features must be a non-empty subset of {list(FEATURES)}, got {list(features)}")
    points = np.asarray(points, np.float64).reshape(-1, 2)
    return np.stack([FEATURES[f](points) for f in features], 1)


@dataclass(frozen=True)
class Plane:
    """A square grid over the input plane on which neuron maps are drawn."""
    features: tuple = ("x1", "x2")
    extent: float = EXTENT
    resolution: int = 50

    @property
    def axis(self):
        """Grid coordinates along x1 (columns) and x2 (rows), ascending."""
        return np.linspace(-self.extent, self.extent, self.resolution)

    def points(self):
        gx, gy = np.meshgrid(self.axis, self.axis)
        return np.stack([gx.ravel(), gy.ravel()], 1)

    def inputs(self):
        return featurize(self.points(), self.features)
