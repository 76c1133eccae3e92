"""What the autoencoder page draws, from codes and images: the code plane (principal components of
a larger code), how well the codes group by label, reconstruction errors and their histogram, and
images as one byte a pixel for the canvas.

Pure NumPy: the page's run computes codes and reconstructions with the engine and hands them here.
"""
import base64

import numpy as np

NEIGHBOURS = 5               # "grouped by digit": the labels of each code's five nearest codes
GROUP_QUERIES = 1000         # ... for this many of the codes (evenly spread), against all of them
ERROR_BINS = 40


def logistic(z):
    """The sigmoid of logits, without overflow (pixels from a cross-entropy autoencoder's outputs)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, np.float64)))


def image_bytes(images):
    """Images (N, pixels) in [0, 1] as base64 of one byte a pixel (ink 1 -> 255)."""
    codes = np.round(np.clip(np.asarray(images, np.float64), 0, 1) * 255).astype(np.uint8)
    return base64.b64encode(np.ascontiguousarray(codes).tobytes()).decode("ascii")


class Projection:
    """Codes -> the plane: the codes themselves when they have two units, else their first two
    principal components (fitted once, on the codes given, and applied to any other code)."""

    def __init__(self, codes):
        codes = np.asarray(codes, np.float64)
        self.mean = codes.mean(axis=0)
        if codes.shape[1] == 2:
            self.axes, self.explained = np.eye(2), None
        else:
            _, s, vt = np.linalg.svd(codes - self.mean, full_matrices=False)
            self.axes = vt[:2].T                               # (units, 2)
            self.explained = float((s[:2] ** 2).sum() / max((s ** 2).sum(), 1e-30))
            self.mean = self.mean
        self.principal = codes.shape[1] != 2

    def __call__(self, codes):
        codes = np.asarray(codes, np.float64)
        return (codes - self.mean) @ self.axes if self.principal else codes

    def back(self, points):
        """Codes for points of the plane (the mean code elsewhere, for a projection)."""
        points = np.atleast_2d(np.asarray(points, np.float64))
        return self.mean + points @ self.axes.T if self.principal else points


def grouped_by_label(codes, labels, k=NEIGHBOURS, queries=GROUP_QUERIES):
    """The share of codes whose k nearest other codes mostly (more than half) carry their own label,
    over ``queries`` codes spread evenly through the set, each against all the others (exact
    neighbours; about 10 ms for 1,000 of 2,000 codes). Labels are only read here, never in training."""
    codes = np.asarray(codes, np.float32)
    labels = np.asarray(labels)
    n = len(codes)
    if n <= k:
        return float("nan")
    rows = np.unique(np.linspace(0, n - 1, min(n, queries)).round().astype(int))
    sq = (codes ** 2).sum(axis=1)
    d = sq[rows, None] + sq[None, :] - 2 * codes[rows] @ codes.T
    d[np.arange(len(rows)), rows] = np.inf                  # not its own neighbour
    nearest = np.argpartition(d, k, axis=1)[:, :k]
    same = (labels[nearest] == labels[rows, None]).sum(axis=1)
    return float((same > k / 2).mean())


def points_bytes(points, extent):
    """Plane points (N, 2) as base64 of uint16 pairs over ``extent`` (0 at the left and bottom edge)."""
    p = np.asarray(points, np.float64)
    lo = np.array([extent[0], extent[2]])
    span = np.array([extent[1] - extent[0], extent[3] - extent[2]])
    q = np.clip(np.round((p - lo) / span * 65535), 0, 65535).astype("<u2")
    return base64.b64encode(np.ascontiguousarray(q).tobytes()).decode("ascii")


def pixel_errors(loss, targets, outputs):
    """Each image's reconstruction error, as the loss scores it: the mean over its pixels of the
    cross-entropy of the logits ``outputs``, or of the squared error of the sigmoid ``outputs``."""
    y = np.asarray(targets, np.float32)
    z = np.asarray(outputs, np.float32).reshape(y.shape)
    if loss == "binary_crossentropy":
        per_pixel = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    else:
        per_pixel = (z - y) ** 2
    return per_pixel.mean(axis=1)


def error_histogram(errors, extra=(), bins=ERROR_BINS):
    """Counts of ``errors`` in equal bins over their range and any ``extra`` values: (edges, counts)."""
    values = np.concatenate([np.asarray(errors, np.float64), np.asarray(extra, np.float64)])
    lo, hi = float(values.min()), float(values.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1e-6, bins + 1)
    return edges, np.histogram(errors, edges)[0]


def error_table(errors, own=None, bins=ERROR_BINS):
    """The error histogram's numbers (issue 22, a text alternative): one row per bin that holds a test
    image, columns error from, error to, test images (the count) and your input ("here" in the bin
    holding ``own``, your input's error, a column only when there is one); the same bins as
    ``error_histogram``."""
    import pandas as pd

    edges, counts = error_histogram(errors, [] if own is None else [own], bins)
    mine = None if own is None else min(int(np.searchsorted(edges, own, side="right")) - 1, len(counts) - 1)
    rows = [(float(edges[k]), float(edges[k + 1]), int(c), "here" if k == mine else "")
            for k, c in enumerate(counts) if c or k == mine]
    table = pd.DataFrame(rows, columns=["error from", "error to", "test images", "your input"])
    return table if own is not None else table.drop(columns="your input")


PRIOR_RADIUS = 2.5           # a VAE's plane shows its standard normal at least this far out


def plane_range(points, margin=0.06, around=None):
    """A square range around all ``points`` (N, 2) with a margin: the plane's axes. ``around``: a
    VAE's prior centre, which the range then holds with PRIOR_RADIUS around it (so the rings of
    its standard normal show, and how the codes fill them)."""
    points = np.asarray(points, np.float64)
    lo, hi = points.min(axis=0), points.max(axis=0)
    if around is not None:
        lo, hi = np.minimum(lo, np.asarray(around) - PRIOR_RADIUS), np.maximum(hi, np.asarray(around) + PRIOR_RADIUS)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-3) * (1 + margin)
    return [float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half)]


def grid_points(extent, n):
    """An n x n grid of points over ``extent`` [x0, x1, y0, y1], row by row from the top."""
    xs = np.linspace(extent[0], extent[1], 2 * n + 1)[1::2]
    ys = np.linspace(extent[3], extent[2], 2 * n + 1)[1::2]
    return np.array([[x, y] for y in ys for x in xs])


def plane_table(points, labels, principal):
    """The code plane's dots as a table (issue 22: a text alternative): one row per test image, its
    label and its place (the two code units, or the codes' first two principal components)."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    p = np.asarray(points, np.float64)
    x, y = ("component 1", "component 2") if principal else ("code 1", "code 2")
    return pd.DataFrame({"test image": np.arange(1, len(p) + 1), "label": np.asarray(labels).astype(int),
                         x: [float(f"{v:.4g}") for v in p[:, 0]], y: [float(f"{v:.4g}") for v in p[:, 1]]})
