"""Small pictures of 2-D data sets, for the data picker."""
import numpy as np

from . import palette

BACKGROUND = (250, 250, 251)


def dataset_image(points, labels, kind, size=64, extent=6.0):
    """An RGB uint8 (size, size, 3) scatter of ``points`` coloured by label."""
    img = np.empty((size, size, 3), np.uint8)
    img[:] = BACKGROUND
    pts = np.asarray(points, float)
    cols = np.clip(((pts[:, 0] + extent) / (2 * extent) * (size - 1)).round().astype(int), 0, size - 1)
    rows = np.clip(((extent - pts[:, 1]) / (2 * extent) * (size - 1)).round().astype(int), 0, size - 1)
    labels = np.asarray(labels, float)
    if kind == "multiclass":
        rgb = np.stack([np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in palette.CLASS_COLORS])
        colors = rgb[labels.astype(int)].astype(np.uint8)
    else:
        colors = palette.diverging_rgb(labels)
    for dr in (0, 1):
        for dc in (0, 1):
            img[np.minimum(rows + dr, size - 1), np.minimum(cols + dc, size - 1)] = colors
    return img
