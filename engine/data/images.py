"""Image data: MNIST from the shipped idx files (one read-only copy per process), and bars.

The MNIST split is fixed: the images are ordered once (``stratified_order``) so that the
first ``n_test`` of them are a stratified test set for every ``n_test``, and every session
shares the same read-only float arrays (slices, never copies). A trainer's seed still
shuffles its minibatches.
"""
import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MNIST_DIR = ASSETS / "mnist"
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An array from an idx file (optionally gzip-compressed), checking its header."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path.name}: not an idx file (bad magic number)")
    ndim = data[3]
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[data[2]])
    body = data[4 + 4 * ndim:]
    if len(body) != int(np.prod(dims)) * dtype.itemsize:
        raise ValueError(f"{path.name}: header says {dims} but the file holds {len(body)} bytes")
    return np.frombuffer(body, dtype).reshape(dims)


@lru_cache(maxsize=1)
def load_mnist():
    """The 10,000 MNIST test images (N, 28, 28) uint8 and labels (N,) uint8, read-only."""
    images = read_idx(MNIST_DIR / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")
    if images.shape != (10000, 28, 28) or labels.shape != (10000,):
        raise ValueError(f"unexpected MNIST shapes {images.shape} and {labels.shape}")
    return images, labels


def stratified_order(labels, seed=0):
    """A permutation of ``labels``' indices whose every prefix holds each class in about its
    share (within one sample): class c's j-th sample sits at (j + 1/2) / count_c of the way
    (Webster's sequence), its samples in a seeded random order."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    indices, keys = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        indices.append(members)
        keys.append((np.arange(len(members)) + 0.5) / len(members))
    return np.concatenate(indices)[np.argsort(np.concatenate(keys), kind="stable")]


@lru_cache(maxsize=2)
def _mnist_arrays(dtype):
    """Every MNIST image (N, 1, 28, 28) in [0, 1] and label (N,) int64 in the fixed order,
    read-only: one copy per process and dtype, shared by every session."""
    images, labels = load_mnist()
    order = stratified_order(labels, seed=0)
    x = images[order, None].astype(dtype) / dtype.type(255)
    y = labels[order].astype(np.int64)
    x.flags.writeable = y.flags.writeable = False
    return x, y


def mnist(n_test=2000, seed=0, dtype=np.float32):
    """(x_train, y_train, x_test, y_test): images (N, 1, 28, 28) in [0, 1], labels int64;
    read-only views of one shared copy. The split is the same for every ``seed`` (kept for
    callers; the trainer's own seed shuffles)."""
    if not 1 <= n_test < 10000:
        raise ValueError(f"n_test must be in [1, 9999], got {n_test}")
    x, y = _mnist_arrays(np.dtype(dtype))
    return x[n_test:], y[n_test:], x[:n_test], y[:n_test]


BAR_ORIENTATIONS = ("horizontal", "vertical", "diagonal ╲", "diagonal ╱")     # the labels 0..3


def bars(n=2000, size=12, noise=0.15, seed=0):
    """A synthetic image set that trains in seconds: one bar per image, in one of four
    orientations (the label), at a random position, with Gaussian pixel noise.
    Returns x (n, 1, size, size) in about [0, 1] and labels (n,) balanced over 4 classes."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 4
    rng.shuffle(labels)
    x = np.zeros((n, size, size))
    yy, xx = np.mgrid[0:size, 0:size]
    for i, label in enumerate(labels):
        offset = rng.integers(-size // 3, size // 3 + 1)
        if label == 0:
            mask = np.abs(yy - (size // 2 + offset)) <= 0
        elif label == 1:
            mask = np.abs(xx - (size // 2 + offset)) <= 0
        elif label == 2:
            mask = np.abs(yy - xx - offset) <= 0
        else:
            mask = np.abs(yy + xx - (size - 1) - offset) <= 0
        x[i][mask] = 1.0
    x += rng.normal(0, noise, x.shape)
    return x[:, None].astype(np.float32), labels.astype(np.int64)
