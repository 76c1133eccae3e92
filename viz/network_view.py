"""Snapshot -> the compact frame the network canvas draws.

A frame is a small JSON-able dict: weights and biases as rounded numbers, and
every neuron's map over the input plane quantised to one byte per cell, packed
(``pack``: each row as differences, deflated, base64): the output and the hidden
neurons' 13 x 13 thumbnails of a 6 x 8 network are 5-9 KB (raw: 14 KB) on the
page's 49 x 49 grid while playing, a little more on its 121 x 121 grid when
paused. What does not change while
training (the input maps, the points: ``static_frame``) can be left out of a
frame with ``full=False``; the page sends it on a channel of its own.
"""
import base64
import zlib
from functools import lru_cache

import numpy as np

from engine.data import FEATURES, featurize

from . import palette
from .curves import significant, thinned

FEATURE_LABELS = {"x1": "X₁", "x2": "X₂", "x1_sq": "X₁²", "x2_sq": "X₂²", "x1_x2": "X₁X₂",
                  "sin_x1": "sin(X₁)", "sin_x2": "sin(X₂)"}
THUMB_CELLS = 13            # a neuron's thumbnail: 13 x 13 cells of its map (a grid of 12k + 1 cells a side)
STATIC_KEYS = ("input_maps", "train", "test", "inputs", "palette")
CURVE_POINTS = 60           # the loss curve drawn above the output: at most this many epochs


def quantise(values, lo=-1.0, hi=1.0):
    """uint8 codes of ``values`` clipped to [lo, hi] (lo -> 0, hi -> 255)."""
    v = (np.clip(values, lo, hi) - lo) / (hi - lo)
    return np.round(v * 255).astype(np.uint8)


def _b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def thumb_stride(resolution):
    """Every how many cells of a grid a thumbnail samples: 4 of 49, 10 of 121 (the same points)."""
    return max(1, (resolution - 1) // (THUMB_CELLS - 1))


def pack(codes):
    """uint8 maps (..., side) -> text: each row as differences from the cell before (mod 256), zlib,
    base64. Smooth maps are mostly small differences, which deflate well; the canvas adds them up
    again (network_canvas.js, unpack)."""
    codes = np.ascontiguousarray(codes, np.uint8)
    rows = np.diff(codes, axis=-1, prepend=np.zeros(codes.shape[:-1] + (1,), np.uint8)) if codes.size else codes
    return base64.b64encode(zlib.compress(rows.tobytes(), 1)).decode("ascii")


def unpack(text, shape):
    """The codes ``pack`` packed (tests; the canvas does the same in JavaScript)."""
    rows = np.frombuffer(zlib.decompress(base64.b64decode(text)), np.uint8).reshape(shape)
    return np.cumsum(rows, axis=-1, dtype=np.uint64).astype(np.uint8) if rows.size else rows


@lru_cache(maxsize=4)
def feature_maps(extent, resolution):
    """Every input feature over the plane, each scaled to [-1, 1]: (features, R, R)."""
    axis = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(axis, axis)
    values = featurize(np.stack([gx.ravel(), gy.ravel()], 1), list(FEATURES)).T
    values /= np.maximum(np.abs(values).max(axis=1, keepdims=True), 1e-12)
    values = values.reshape(len(FEATURES), resolution, resolution)
    values.flags.writeable = False          # one cached array serves every session: read-only
    return values


def output_values(maps, loss, classes):
    """The output over the plane on the colour scale: (R, R) in [-1, 1], or (k, R, R) probabilities."""
    out = maps.output_map.astype(np.float64)
    if loss == "softmax_crossentropy":
        e = np.exp(out - out.max(axis=0))
        return e / e.sum(axis=0)
    if loss == "binary_crossentropy":
        return 2.0 / (1.0 + np.exp(-out[0])) - 1.0
    return out[0]


def _points(points, labels):
    if points is None or len(points) == 0:
        return []
    return np.column_stack([np.round(points, 2), np.round(labels, 3)]).tolist()


def _finite(v):
    return float(f"{v:.4g}") if np.isfinite(v) else None


def dense_layers(snap):
    """Engine indices of the dense layers, in order (the last one is the output)."""
    return [i for i, kind, _, _ in snap.layers if kind == "dense"]


def neuron_outputs(snap):
    """For each dense layer, the index of the layer whose output its neurons show: a batchnorm right
    after it (``dense(linear) -> batchnorm(activation)``: the neuron's output is the normalised sum
    through the activation), else the dense layer itself."""
    layers = snap.layers
    return [layers[k + 1][0] if k + 1 < len(layers) and layers[k + 1][1] == "batchnorm" else i
            for k, (i, kind, _, _) in enumerate(layers) if kind == "dense"]


def loss_curve(snap, points=CURVE_POINTS):
    """The train and test loss after each epoch, thinned to ``points`` epochs, 3 significant digits:
    the small curve above the output (as TensorFlow Playground draws it)."""
    ev = snap.history["evals"]
    i = thinned(len(ev["epoch"]), points)
    return {"epoch": np.asarray(ev["epoch"])[i].astype(int).tolist(), "train": significant(ev["train_loss"][i], 3),
            "test": significant(ev["test_loss"][i], 3)}


def focus_map(plane_maps, layer, unit, snap):
    """One map over the whole grid for the canvas's hovered tile: dense layer ``layer``'s ``unit``,
    or input feature ``unit`` (of FEATURES) for layer -1; None for what does not exist."""
    plane = plane_maps.plane
    if layer < 0:
        return pack(quantise(feature_maps(plane.extent, plane.resolution)[unit])) if unit < len(FEATURES) else None
    dense = dense_layers(snap)
    if layer >= len(dense) - 1:
        return None                                   # the output: the frame has it
    maps = plane_maps.neuron_maps[neuron_outputs(snap)[layer]]
    return pack(quantise(maps[unit])) if unit < len(maps) else None


def network_frame(snap, plane_maps, *, features, loss, classes, train=None, test=None,
                  discretize=False, interactive=True, frame=0, dropout=(), full=True, focus=None, curve=False):
    """The JSON-able frame for the MLP's network canvas; ``plane_maps``: the snapshot's engine.plane.PlaneMaps.
    ``full=False`` leaves out (and does not compute) what does not change while training: STATIC_KEYS.
    ``focus`` = (layer, unit): the hovered tile's map over the whole grid (``focus_map``); ``curve``: the
    loss curve (``loss_curve``: the page sends it about 7 times a second)."""
    plane = plane_maps.plane
    dense = dense_layers(snap)
    stride = thumb_stride(plane.resolution)
    shown = neuron_outputs(snap)                      # a batch-normalised neuron: after its batchnorm
    hidden = [plane_maps.neuron_maps[i][:, ::stride, ::stride] for i in shown[:-1]]
    maps = np.concatenate([h.reshape(len(h), -1) for h in hidden]) if hidden else np.zeros(0)
    values = output_values(plane_maps, loss, classes)
    output = quantise(values, 0.0, 1.0) if values.ndim == 3 else quantise(values)
    acts = {i: act for i, _, act, _ in snap.layers}
    dead = snap.dead_units
    layers = []
    for k, i in enumerate(dense):
        W, b = snap.params[f"{i}.W"], snap.params[f"{i}.b"]
        layers.append({
            "units": int(W.shape[1]), "activation": acts[shown[k]], "batchnorm": shown[k] != i,
            "weights": np.round(W.astype(np.float64), 4).tolist(),
            "biases": np.round(b.astype(np.float64), 4).tolist(),
            "dead": [bool(v) for v in dead[i]] if i in dead else [],
            "dropout": float(dropout[k]) if k < len(dropout) else 0.0,
        })
    thumb = len(range(0, plane.resolution, stride))
    out = {
        "frame": int(frame), "interactive": bool(interactive),
        "extent": float(plane.extent), "res": int(plane.resolution), "thumb": thumb,
        "layers": layers, "maps": pack(quantise(maps).reshape(-1, thumb)),
        "output": pack(output), "output_channels": int(values.shape[0]) if values.ndim == 3 else 1,
        "classes": int(classes), "discretize": bool(discretize),
        "step": int(snap.step), "epoch": int(snap.epoch),
        "loss": [_finite(snap.train_loss), _finite(snap.test_loss)],
    }
    if focus is not None:
        packed = focus_map(plane_maps, *focus, snap)
        if packed is not None:
            out["focus"] = {"layer": int(focus[0]), "unit": int(focus[1]), "map": packed}
    if curve:
        out["curve"] = loss_curve(snap)
    if full:
        out.update(static_frame(plane, features=features, classes=classes, train=train, test=test))
    return out


def static_frame(plane, *, features, classes, train=None, test=None):
    """What a frame with ``full=False`` leaves out (STATIC_KEYS): the input features and their maps,
    the points and the colours, which change only when the data or the features do."""
    stride = thumb_stride(plane.resolution)
    inputs = feature_maps(plane.extent, plane.resolution)[:, ::stride, ::stride]
    return {"palette": {"neg": palette.NEGATIVE, "mid": palette.MIDDLE, "pos": palette.POSITIVE,
                        "classes": list(palette.CLASS_COLORS[:max(classes, 2)]),
                        "train": palette.TRAIN_COLOR, "test": palette.TEST_COLOR},
            "inputs": [{"id": f, "label": FEATURE_LABELS[f], "active": f in features} for f in FEATURES],
            "input_maps": _b64(quantise(inputs)),
            "train": _points(*(train or (None, None))), "test": _points(*(test or (None, None)))}
