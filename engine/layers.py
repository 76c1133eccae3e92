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


def _orthogonal(rng, rows, cols):
    """A (rows, cols) matrix with orthonormal rows or columns (Saxe et al.)."""
    q, r = np.linalg.qr(rng.normal(size=(max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return q if rows >= cols else q.T


class Recurrent(Layer):
    """rnn / lstm / gru over a (time, features) input; the cell's own tanh/sigmoid inside."""
    kind = P.RECURRENT
    weight_names = ("Wx", "Wh")
    CELLS = {"rnn": (0, 1), "lstm": (1, 4), "gru": (2, 3)}         # code, gates

    def output_shape(self):
        if len(self.in_shape) != 2:
            self.fail(f"expects sequences (time, features), got {self.in_shape}")
        self.cell, self.gates = self.CELLS[self.cfg["type"]]
        T, U = self.in_shape[0], self.cfg["units"]
        return (T, U) if self.cfg["return_sequences"] else (U,)

    @property
    def param_shapes(self):
        F, U, G = self.in_shape[1], self.cfg["units"], self.gates
        shapes = {"Wx": (F, G * U), "Wh": (U, G * U)}
        if self.cfg["type"] == "gru":
            shapes.update(bx=(G * U,), bh=(G * U,))
        else:
            shapes["b"] = (G * U,)
        return shapes

    @property
    def cache_size(self):
        T, F = self.in_shape
        U, G = self.cfg["units"], self.gates
        dah = T * G * U if self.cfg["type"] == "gru" else 0
        # xt, hs, A, C2, dA, dAh, dh (engine/kernels/recurrent.py)
        return T * F + (T + 1) * U + T * G * U + (T + 1) * U + T * G * U + dah + T * U

    def extras(self):
        T, F = self.in_shape
        return [self.cell, T, F, self.cfg["units"], self.gates, int(self.cfg["return_sequences"])]

    def init_params(self, rng, scheme):
        F, U, G = self.in_shape[1], self.cfg["units"], self.gates
        limit = math.sqrt(6.0 / (F + G * U))
        params = {"Wx": rng.uniform(-limit, limit, size=(F, G * U)),
                  "Wh": np.concatenate([_orthogonal(rng, U, U) for _ in range(G)], axis=1)}
        if self.cfg["type"] == "gru":
            params.update(bx=np.zeros(G * U), bh=np.zeros(G * U))
        else:
            params["b"] = np.zeros(G * U)
            if self.cfg["type"] == "lstm":
                params["b"][U:2 * U] = 1.0          # forget-gate bias 1: remember by default
        return params


LAYERS = {"dense": Dense, "dropout": Dropout, "flatten": Flatten, "conv2d": Conv2D,
          "maxpool2d": MaxPool2D, "avgpool2d": AvgPool2D,
          "rnn": Recurrent, "lstm": Recurrent, "gru": Recurrent}


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
