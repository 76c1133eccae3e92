"""Compile (or load from the disk cache) every kernel once, reporting progress.

A cold compile takes seconds to tens of seconds; ``warm_up`` splits it into
named stages so a caller can show a progress bar instead of a silent stall.
With a warm disk cache the whole thing takes a fraction of a second.
"""
import numpy as np

from . import network
from .kernels.activations import _activate, _activation_backward
from .kernels.conv import _conv2d_backward, _conv2d_forward, _maxpool_backward, _maxpool_forward
from .kernels.dense import _dense_backward, _dense_forward
from .kernels.recurrent import _rnn_backward, _rnn_forward
from .data import Plane
from .plane import PlaneMaps
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

    def convolution():
        x, W = np.zeros((1, 1, 3, 3), dtype), np.zeros((1, 1, 3, 3), dtype)
        out, xpad, full = np.zeros((1, 1, 3, 3), dtype), np.zeros((1, 6, 5), dtype), np.zeros((1, 32), dtype)
        _conv2d_forward(x, W, W[0, 0, 0], out, xpad, full, 1, 1, 1)
        _conv2d_backward(W, out, W.copy(), W[0, 0, 0].copy(), x.copy(), xpad, full, 1, 1, 1, True)
        pooled, where = np.zeros((1, 1, 1, 1), dtype), np.zeros((1, 1, 1, 1), dtype)
        _maxpool_forward(x[:, :, :2, :2].copy(), pooled, where, 2, 2)
        _maxpool_backward(pooled, where, x[:, :, :2, :2].copy())

    def recurrent():
        z = lambda *shape: np.zeros(shape, dtype)
        _rnn_forward(1, z(1, 2, 1), z(1, 4), z(1, 4), z(4), z(0), z(1, 1, 1), z(2, 1, 1), z(3, 1, 1),
                     z(2, 1, 4), z(3, 1, 1), False)
        _rnn_backward(1, z(1, 4), z(1, 4), z(1, 1, 1), z(1, 4), z(1, 4), z(4), z(0), z(1, 2, 1), z(2, 1, 1),
                      z(3, 1, 1), z(2, 1, 4), z(3, 1, 1), z(2, 1, 4), z(2, 1, 4), z(2, 1, 1), False, True)

    def forward():
        state["net"].forward(x)

    def gradients():
        state["net"].loss_and_grads(x, y)

    def training():
        state["tr"] = Trainer(state["net"], train=(x, y), batch_size=2)
        state["tr"].step(2)

    def snapshot():
        PlaneMaps(state["tr"].snapshot(), Plane(resolution=2)).neuron_maps

    return [("building a network", build), ("activations", activations),
            ("dense layers", dense), ("convolutions", convolution), ("recurrent cells", recurrent),
            ("the forward pass", forward),
            ("backpropagation", gradients), ("the training loop", training),
            ("snapshots", snapshot)]


def warm_up(dtypes=(np.float32,), progress=None, families=None):
    """Compile the kernels for ``dtypes``; ``progress(fraction, message)`` is told each stage.
    ``families`` (the layer families a page needs) is accepted; every family is compiled."""
    stages = [(dt, name, fn) for dt in dtypes for name, fn in _stages(np.dtype(dt))]
    for k, (dt, name, fn) in enumerate(stages):
        if progress is not None:
            progress(k / len(stages), f"Compiling {name} ({np.dtype(dt).name})")
        fn()
    if progress is not None:
        progress(1.0, "Engine ready")
