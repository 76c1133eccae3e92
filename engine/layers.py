"""Thin layer descriptions: shapes, parameters, initialisation, program rows.

A layer owns no arrays: the Network packs every layer's parameters into one
flat vector and every layer's row into the program table that the compiled
loop in ``engine.kernels.program`` runs.
"""
import math

import numpy as np

from .kernels import program as P
from .kernels.activations import ACTIVATIONS, RELU_FAMILY


class Layer:
    kind = None                       # program code of the layer kind
    weight_names = ()                 # parameters that L1/L2 penalise

    def __init__(self, index, cfg, in_shape):
        self.index = index
        self.cfg = cfg
        self.in_shape = tuple(in_shape)
        self.activation = cfg.get("activation", "linear")
        self.out_shape = self.output_shape()

    def fail(self, message):
        raise ValueError(f"layers[{self.index}] ({self.cfg['type']}): {message}")

    @property
    def in_size(self):
        return math.prod(self.in_shape)

    @property
    def out_size(self):
        return math.prod(self.out_shape)

    def output_shape(self):
        return self.in_shape

    @property
    def param_shapes(self):
        return {}

    @property
    def cache_size(self):
        """Values per sample that backward needs besides inputs and outputs."""
        return 0

    def extras(self):
        """Layer-specific ints for the program row, from column X0 on."""
        return []

    def fextras(self):
        """Layer-specific reals for the float table."""
        return []

    def init_params(self, rng, scheme):
        """Initial float64 values of every parameter, drawn from ``rng``."""
        return {}

    def init_scheme(self, scheme):
        if scheme != "auto":
            return scheme
        return "he" if self.activation in RELU_FAMILY else "glorot"


def _init_weight(rng, scheme, shape, fan_in, fan_out):
    if scheme == "he":
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    if scheme == "glorot":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)
    return rng.uniform(-0.5, 0.5, size=shape)          # TF Playground's choice


def _init_bias(scheme, shape):
    return np.full(shape, 0.1 if scheme == "uniform" else 0.0)


class Dense(Layer):
    kind = P.DENSE
    weight_names = ("W",)

    def output_shape(self):
        if len(self.in_shape) == 3:
            self.fail(f"expects (features,) or (time, features), got {self.in_shape}; "
                      "add a flatten layer before it")
        return self.in_shape[:-1] + (self.cfg["units"],)

    @property
    def param_shapes(self):
        return {"W": (self.in_shape[-1], self.cfg["units"]), "b": (self.cfg["units"],)}

    def extras(self):
        return [math.prod(self.in_shape[:-1]), self.in_shape[-1], self.cfg["units"]]

    def init_params(self, rng, scheme):
        scheme = self.init_scheme(scheme)
        fan_in, fan_out = self.param_shapes["W"]
        return {"W": _init_weight(rng, scheme, (fan_in, fan_out), fan_in, fan_out),
                "b": _init_bias(scheme, (fan_out,))}


class Dropout(Layer):
    kind = P.DROPOUT

    @property
    def cache_size(self):
        return self.in_size                         # the mask

    def fextras(self):
        return [self.cfg["rate"]]


class Flatten(Layer):
    kind = P.FLATTEN

    def output_shape(self):
        return (math.prod(self.in_shape),)


def _same_padding(size, k, stride):
    """(output size, padding before) of TensorFlow's "same": extra padding goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return out, total // 2, total


class Conv2D(Layer):
    kind = P.CONV2D
    weight_names = ("W",)

    def output_shape(self):
        if len(self.in_shape) != 3:
            self.fail(f"expects images (channels, height, width), got {self.in_shape}")
        C, H, W = self.in_shape
        k, s = self.cfg["kernel_size"], self.cfg["stride"]
        if self.cfg["padding"] == "same":
            (Ho, self.pt, th), (Wo, self.pl, tw) = _same_padding(H, k, s), _same_padding(W, k, s)
        else:
            if k > H or k > W:
                self.fail(f"kernel {k} is larger than the {H}x{W} input (use padding 'same')")
            Ho, Wo, self.pt, self.pl, th, tw = (H - k) // s + 1, (W - k) // s + 1, 0, 0, 0, 0
        self.Hp, self.Wp = H + th, W + tw       # the padded plane
        return (self.cfg["filters"], Ho, Wo)

    @property
    def param_shapes(self):
        F, C, k = self.cfg["filters"], self.in_shape[0], self.cfg["kernel_size"]
        return {"W": (F, C, k, k), "b": (F,)}

    @property
    def cache_size(self):
        # padded inputs, output planes and their zero borders (the spare row and the
        # borders are needed once per batch, but counting them per sample keeps this simple)
        k = self.cfg["kernel_size"]
        border = (k - 1) * (self.Wp + 1)
        return (self.in_shape[0] * (self.Hp + 1) + self.cfg["filters"] * self.Hp) * self.Wp \
            + self.cfg["filters"] * border

    def extras(self):
        C, H, W = self.in_shape
        F, Ho, Wo = self.out_shape
        return [C, H, W, F, self.cfg["kernel_size"], self.cfg["stride"], self.pt, self.pl,
                self.Hp, self.Wp, Ho, Wo]

    def init_params(self, rng, scheme):
        scheme = self.init_scheme(scheme)
        F, C, k, _ = self.param_shapes["W"]
        return {"W": _init_weight(rng, scheme, (F, C, k, k), C * k * k, F * k * k),
                "b": _init_bias(scheme, (F,))}


class Pool2D(Layer):
    def output_shape(self):
        if len(self.in_shape) != 3:
            self.fail(f"expects images (channels, height, width), got {self.in_shape}")
        C, H, W = self.in_shape
        p = self.cfg["pool_size"]
        s = self.cfg.get("stride") or p
        if p > H or p > W:
            self.fail(f"pool {p} is larger than the {H}x{W} input")
        self.stride = s
        return (C, (H - p) // s + 1, (W - p) // s + 1)

    def extras(self):
        C, H, W = self.in_shape
        return [C, H, W, self.cfg["pool_size"], self.stride, self.out_shape[1], self.out_shape[2]]


class MaxPool2D(Pool2D):
    kind = P.MAXPOOL2D

    @property
    def cache_size(self):
        return self.out_size                     # where each window's maximum came from


class AvgPool2D(Pool2D):
    kind = P.AVGPOOL2D


LAYERS = {"dense": Dense, "dropout": Dropout, "flatten": Flatten, "conv2d": Conv2D,
          "maxpool2d": MaxPool2D, "avgpool2d": AvgPool2D}


def build_layers(spec):
    """Layer objects for a validated spec, with shapes inferred and checked."""
    layers, shape = [], tuple(spec["input_shape"])
    for i, cfg in enumerate(spec["layers"]):
        layer = LAYERS[cfg["type"]](i, cfg, shape)
        if layer.out_size < 1:
            layer.fail(f"output shape {layer.out_shape} is empty")
        layers.append(layer)
        shape = layer.out_shape
    return layers


def program_tables(layers):
    """The int64 program table and float64 table for ``layers``.

    Returns (prog, fprog, param_offsets, sizes): param_offsets[i] maps each
    parameter name of layer i to its (start, shape) in the flat vector; sizes
    holds the per-sample activation and cache sizes and the parameter count.
    """
    prog = np.zeros((len(layers), P.N_COLS), np.int64)
    fprog = np.zeros((len(layers), 4), np.float64)
    offsets, p, a, c = [], 0, 0, 0
    for i, layer in enumerate(layers):
        row = prog[i]
        row[P.KIND] = layer.kind
        row[P.ACT] = ACTIVATIONS[layer.activation]
        row[P.IN_SIZE], row[P.OUT_SIZE] = layer.in_size, layer.out_size
        row[P.P_OFF] = p
        entry = {}
        for name, shape in layer.param_shapes.items():
            entry[name] = (p, shape)
            p += math.prod(shape)
        offsets.append(entry)
        row[P.P_SIZE] = p - row[P.P_OFF]
        row[P.A_IN], row[P.A_OUT] = a, a + layer.in_size
        a += layer.in_size
        row[P.C_OFF], row[P.C_SIZE] = c, layer.cache_size
        c += layer.cache_size
        extras = layer.extras()
        row[P.X0:P.X0 + len(extras)] = extras
        fextras = layer.fextras()
        fprog[i, :len(fextras)] = fextras
    sizes = {"acts": a + layers[-1].out_size, "cache": max(c, 1), "params": p}
    return prog, fprog, offsets, sizes
