import numpy as np

from engine.data import make_2d
from viz import palette
from viz.datasets import BACKGROUND, dataset_image


def test_dataset_image_colours_points_by_label():
    pts, labels = np.array([[-6.0, 6.0], [6.0, -6.0]]), np.array([1.0, -1.0])
    img = dataset_image(pts, labels, "binary", size=16)
    assert img.shape == (16, 16, 3) and img.dtype == np.uint8
    assert tuple(img[0, 0]) == tuple(palette.diverging_rgb(1.0))        # top-left: (-6, 6), blue
    assert tuple(img[15, 15]) == tuple(palette.diverging_rgb(-1.0))     # bottom-right, orange
    assert tuple(img[8, 4]) == BACKGROUND


def test_multiclass_image_uses_class_colours():
    pts, labels = make_2d("spiral3", 90, 0.0, seed=0)
    img = dataset_image(pts, labels, "multiclass", size=32)
    green = np.array([int(palette.CLASS_COLORS[2][i:i + 2], 16) for i in (1, 3, 5)])
    assert (img.reshape(-1, 3) == green).all(axis=1).any()


def test_diverging_scale_ends_and_middle():
    rgb = palette.diverging_rgb([-2, 0, 1])
    assert tuple(rgb[0]) == (0xf5, 0x93, 0x22) and tuple(rgb[1]) == (0xe8, 0xea, 0xeb) and tuple(rgb[2]) == (0x08, 0x77, 0xbd)
