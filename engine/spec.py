"""The JSON-able network spec: its fields, bounds, defaults and validation.

``validate(spec)`` returns a normalised copy (defaults filled in) or raises
``ValueError`` naming the field and what it allows. Shapes are checked later,
when the layers are built (``engine.layers``).
"""
import copy
import math

from .kernels.activations import ACTIVATIONS
from .kernels.losses import LOSSES

INITS = ("auto", "he", "glorot", "uniform")
MAX_LAYERS = 64
MAX_INPUT_SIZE = 1 << 20

# field -> (kind, default or REQUIRED, bounds): "int" bounds are inclusive,
# "float" bounds are [low, high), "choice" bounds are the allowed values.
REQUIRED = object()
_ACT = ("choice", "linear", tuple(ACTIVATIONS))
LAYER_FIELDS = {
    "dense": {"units": ("int", REQUIRED, (1, 4096)), "activation": _ACT},
    "dropout": {"rate": ("float", REQUIRED, (0.0, 1.0))},
    "flatten": {},
    "conv2d": {"filters": ("int", REQUIRED, (1, 256)), "kernel_size": ("int", 3, (1, 7)),
               "stride": ("int", 1, (1, 2)), "padding": ("choice", "same", ("same", "valid")),
               "activation": _ACT},
    "maxpool2d": {"pool_size": ("int", 2, (1, 8)), "stride": ("int", 0, (0, 8))},
    "avgpool2d": {"pool_size": ("int", 2, (1, 8)), "stride": ("int", 0, (0, 8))},
    **{cell: {"units": ("int", REQUIRED, (1, 512)), "return_sequences": ("bool", False, None)}
       for cell in ("rnn", "lstm", "gru")},
}


def _fail(where, message):
    raise ValueError(f"{where}: {message}")


def _check_field(where, name, value, kind, bounds):
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(where, f"'{name}' must be an integer in [{bounds[0]}, {bounds[1]}], got {value!r}")
        if not bounds[0] <= value <= bounds[1]:
            _fail(where, f"'{name}' must be in [{bounds[0]}, {bounds[1]}], got {value}")
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            _fail(where, f"'{name}' must be a number in [{bounds[0]}, {bounds[1]}), got {value!r}")
        if not bounds[0] <= value < bounds[1]:
            _fail(where, f"'{name}' must be in [{bounds[0]}, {bounds[1]}), got {value}")
    elif kind == "bool":
        if not isinstance(value, bool):
            _fail(where, f"'{name}' must be true or false, got {value!r}")
    elif value not in bounds:
        _fail(where, f"'{name}' must be one of {list(bounds)}, got {value!r}")
    return value


def _validate_layer(i, layer):
    where = f"layers[{i}]"
    if not isinstance(layer, dict):
        _fail(where, f"must be a dict with a 'type', got {type(layer).__name__}")
    kind = layer.get("type")
    if kind not in LAYER_FIELDS:
        _fail(where, f"'type' must be one of {sorted(LAYER_FIELDS)}, got {kind!r}")
    fields = LAYER_FIELDS[kind]
    unknown = sorted(set(layer) - set(fields) - {"type"})
    if unknown:
        _fail(where, f"unknown field(s) {unknown} for a {kind} layer; allowed: {sorted(fields)}")
    out = {"type": kind}
    for name, (ftype, default, bounds) in fields.items():
        if name in layer:
            out[name] = _check_field(where, name, layer[name], ftype, bounds)
        elif default is REQUIRED:
            _fail(where, f"a {kind} layer needs '{name}'")
        else:
            out[name] = default
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
