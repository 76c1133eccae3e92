"""The playground's training engine: NumPy + Numba, no UI libraries.

    net = engine.build(spec, seed=0)
    tr = engine.Trainer(net, train=(x, y), test=(xt, yt), optimizer="adam", lr=1e-3)
    snap = tr.step(100)

Raw outputs become classes in one place: ``engine.softmax``, ``engine.predicted_classes``,
``engine.accuracy``, ``engine.confusion_matrix``. A data source says its facts:
``engine.IMAGE_DATASETS["bars"].facts(size=12)`` (input shape, classes, class names, outputs).

Numba compiles one program per set of layer families, and each layer's kernels; a page warms
exactly what its network needs:

    engine.warm_up(families=engine.needs(spec), progress=callback)
    engine.is_warm(engine.needs(spec))         # cheap: already compiled in this process?
"""
from .kernels.activations import ACTIVATIONS
from .kernels.losses import LOSSES
from .kernels.optim import OPTIMIZERS
from .layers import LAYERS
from .metrics import accuracy, confusion_matrix, predicted_classes, softmax
from .network import Network, build, families
from .snapshot import Snapshot
from .spec import validate
from .trainer import Trainer
from .data import DATASETS, DATASETS_2D, IMAGE_DATASETS, SEQUENCE_TASKS

__all__ = ["ACTIVATIONS", "DATASETS", "DATASETS_2D", "IMAGE_DATASETS", "LAYERS", "LOSSES", "OPTIMIZERS",
           "Network", "SEQUENCE_TASKS", "Snapshot", "Trainer", "accuracy", "build", "confusion_matrix",
           "families", "is_warm", "needs", "predicted_classes", "softmax", "validate", "warm_up"]


def __getattr__(name):
    # warm_up, is_warm and needs load engine.warmup on first use, so `python -m engine.warmup`
    # runs the module once (importing it here first would make runpy warn).
    if name in ("warm_up", "is_warm", "needs"):
        from . import warmup
        return getattr(warmup, name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
