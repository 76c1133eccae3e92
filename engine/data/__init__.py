"""Data sets, one name map per kind; pages list a map's keys.

DATASETS_2D (alias DATASETS): the 2-D toy sets (toy2d.py).
IMAGE_DATASETS: mnist, bars.  SEQUENCE_TASKS: waves, delayed_recall, text, parity, adding.
Image and sequence entries are DataSources: ``IMAGE_DATASETS["bars"].load(seed=0, n=500)``
gives (x_train, y_train, x_test, y_test); ``.params`` lists settings (Fields) with defaults
and bounds; ``.facts(size=12)`` gives the input shape, classes, class names and outputs.
A 2-D set says its classes, class names and outputs too.
"""
from ..fields import Field
from .catalog import IMAGE_DATASETS, SEQUENCE_TASKS, DataSource, Facts, Param
from .toy2d import DATASETS, FEATURES, PARAMS_2D, Plane, featurize, make_2d, split

DATASETS_2D = DATASETS

__all__ = ["DATASETS", "DATASETS_2D", "FEATURES", "IMAGE_DATASETS", "PARAMS_2D", "SEQUENCE_TASKS",
           "DataSource", "Facts", "Field", "Param", "Plane", "featurize", "make_2d", "split"]
