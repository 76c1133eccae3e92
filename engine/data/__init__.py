"""Data sets: 2-D toy problems (more kinds arrive with the CNN and RNN pages)."""
from .toy2d import DATASETS, FEATURES, Plane, featurize, make_2d, split

__all__ = ["DATASETS", "FEATURES", "Plane", "featurize", "make_2d", "split"]
