"""The playground's training engine: NumPy + Numba, no UI libraries.

    net = engine.build(spec, seed=0)
    tr = engine.Trainer(net, train=(x, y), test=(xt, yt), optimizer="adam", lr=1e-3)
    snap = tr.step(100)
"""
from .kernels.activations import ACTIVATIONS
from .kernels.losses import LOSSES
from .kernels.optim import OPTIMIZERS
from .layers import LAYERS
from .network import Network, build
from .snapshot import Snapshot
from .spec import validate
from .trainer import Trainer
from .warmup import warm_up
from .data import DATASETS, DATASETS_2D, IMAGE_DATASETS, SEQUENCE_TASKS

__all__ = ["ACTIVATIONS", "DATASETS", "DATASETS_2D", "IMAGE_DATASETS", "LAYERS", "LOSSES", "OPTIMIZERS",
           "Network", "SEQUENCE_TASKS", "Snapshot", "Trainer", "build", "validate", "warm_up"]
