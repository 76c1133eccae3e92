"""The JSON-able network spec: its fields, bounds, defaults and validation.

``validate(spec)`` returns a normalised copy (defaults filled in) or raises
``ValueError`` naming the field and what it allows. A layer's fields and bounds
live in its class (``engine.layers``); shapes are checked later, when the layers
are built.
"""
import copy
import math

from .kernels.losses import LOSSES
from .layers import LAYERS

INITS = ("auto", "he", "glorot", "uniform")
MAX_LAYERS = 64
MAX_INPUT_SIZE = 1 << 20


def _fail(where, message):
    raise ValueError(f"{where}: {message}")


def _validate_layer(i, layer):
    where = f"layers[{i}]"
    if not isinstance(layer, dict):
        _fail(where, f"must be a dict with a 'type', got {type(layer).__name__}")
    kind = layer.get("type")
    if kind not in LAYERS:
        _fail(where, f"'type' must be one of {sorted(LAYERS)}, got {kind!r}")
    fields = LAYERS[kind].fields
    unknown = sorted(set(layer) - set(fields) - {"type"})
    if unknown:
        _fail(where, f"unknown field(s) {unknown} for a {kind} layer; allowed: {sorted(fields)}")
    out = {"type": kind}
    for name, field in fields.items():
        if name in layer:
            out[name] = field.check(f"{where}: '{name}'", layer[name])
        elif field.required:
            _fail(where, f"a {kind} layer needs '{name}'")
        else:
            out[name] = field.default
    return out


def validate(spec):
    """A normalised deep copy of ``spec``; ``ValueError`` names any bad field."""
    if not isinstance(spec, dict):
        raise ValueError(f"spec must be a dict, got {type(spec).__name__}")
    unknown = sorted(set(spec) - {"input_shape", "layers", "loss", "init"})
    if unknown:
        raise ValueError(f"spec: unknown field(s) {unknown}; allowed: input_shape, layers, loss, init")
    shape = spec.get("input_shape")
    if (not isinstance(shape, (list, tuple)) or not 1 <= len(shape) <= 3
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)):
        raise ValueError("input_shape: must be a list of 1 to 3 positive integers "
                         f"([features], [time, features] or [channels, height, width]), got {shape!r}")
    if math.prod(shape) > MAX_INPUT_SIZE:
        raise ValueError(f"input_shape: at most {MAX_INPUT_SIZE} values per sample, got {math.prod(shape)}")
    layers = spec.get("layers")
    if not isinstance(layers, (list, tuple)) or not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"layers: must be a list of 1 to {MAX_LAYERS} layers, got {layers!r}")
    loss = spec.get("loss")
    if loss not in LOSSES:
        raise ValueError(f"loss: must be one of {sorted(LOSSES)}, got {loss!r}")
    init = spec.get("init", "auto")
    if init not in INITS:
        raise ValueError(f"init: must be one of {list(INITS)}, got {init!r}")
    return {"input_shape": list(shape),
            "layers": [_validate_layer(i, copy.deepcopy(layer)) for i, layer in enumerate(layers)],
            "loss": loss, "init": init}
