"""Compile (or load from the disk cache) every kernel once, reporting progress.

A cold compile takes seconds to tens of seconds; ``warm_up`` splits it into
named stages so a caller can show a progress bar instead of a silent stall.
With a warm disk cache the whole thing takes a fraction of a second.
"""
import numpy as np

from . import network
from .kernels.activations import _activate, _activation_backward
from .kernels.dense import _dense_backward, _dense_forward
from .data import Plane
from .trainer import Trainer

_WARM_SPEC = {"input_shape": [2], "loss": "mse", "layers": [
    {"type": "dense", "units": 3, "activation": "tanh"},
    {"type": "dropout", "rate": 0.1},
    {"type": "dense", "units": 1}]}


def _stages(dtype):
    x = np.linspace(-1, 1, 8, dtype=np.float64).reshape(4, 2)
    y = x[:, :1].copy()
    state = {}

    def build():
        state["net"] = network.build(_WARM_SPEC, seed=0, dtype=dtype)

    def activations():
        v = np.zeros(2, dtype)
        _activate(0, v)
        _activation_backward(0, v, v)

    def dense():
        m = np.zeros((1, 1), dtype)
        _dense_forward(m, m, m[0], m)
        _dense_backward(m, m, m, m, m[0], m, True)

    def forward():
        state["net"].forward(x)

    def gradients():
        state["net"].loss_and_grads(x, y)

    def training():
        state["tr"] = Trainer(state["net"], train=(x, y), batch_size=2, plane=Plane(resolution=2))
        state["tr"].step(2)

    def snapshot():
        state["tr"].snapshot().neuron_maps

    return [("building a network", build), ("activations", activations),
            ("dense layers", dense), ("the forward pass", forward),
            ("backpropagation", gradients), ("the training loop", training),
            ("snapshots", snapshot)]


def warm_up(dtypes=(np.float32,), progress=None):
    """Compile the kernels for ``dtypes``; ``progress(fraction, message)`` is told each stage."""
    stages = [(dt, name, fn) for dt in dtypes for name, fn in _stages(np.dtype(dt))]
    for k, (dt, name, fn) in enumerate(stages):
        if progress is not None:
            progress(k / len(stages), f"Compiling {name} ({np.dtype(dt).name})")
        fn()
    if progress is not None:
        progress(1.0, "Engine ready")
