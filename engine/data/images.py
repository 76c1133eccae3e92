"""Image data: MNIST from the shipped idx files, split stratified and seeded."""
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


def stratified_split(labels, n_test, seed=0):
    """Indices (train, test) with each class's share of the test set as in ``labels``.

    Per-class test counts use the largest-remainder rule so they sum to ``n_test``.
    """
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * n_test / len(labels)
    take = np.floor(exact).astype(int)
    take[np.argsort(-(exact - take), kind="stable")[:n_test - take.sum()]] += 1
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c, k in zip(classes, take):
        idx = rng.permutation(np.flatnonzero(labels == c))
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def mnist(n_test=2000, seed=0, dtype=np.float32):
    """(x_train, y_train, x_test, y_test): images (N, 1, 28, 28) in [0, 1], labels int64."""
    images, labels = load_mnist()
    tr, te = stratified_split(labels, n_test, seed)
    x = images[:, None].astype(dtype) / dtype(255)
    y = labels.astype(np.int64)
    return x[tr], y[tr], x[te], y[te]


BAR_ORIENTATIONS = ("horizontal", "vertical", "diagonal", "antidiagonal")


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
