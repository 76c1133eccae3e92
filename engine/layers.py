"""Layer kinds, one class each (Keras' way), registered once in ``LAYERS``.

A class says everything about its kind: the spec type name(s) it builds and their
fields with bounds (``engine.spec`` validates from them), its family and program
kind code, its output shape, parameter and state shapes, cache size, program row,
initialisation, work per sample, which parameters L1/L2 penalise, and the compile
stages of its kernels (``engine.kernels.stages`` merges them per family).

A layer owns no arrays: the Network packs every layer's parameters into one flat
vector, its state (non-trained values such as moving statistics) into another,
and every layer's row into the program table that the compiled loop in
``engine.kernels.program`` runs.

Adding a layer
--------------
1. ``engine/kernels/<family>.py``: its kernels, ``_x_forward`` beside ``_x_backward``;
   ``@kernel`` for one the program calls (compiled once, called through a slot:
   ``engine/kernels/_jit.py``), ``@jit`` for one only its layer functions call (linked
   into them and optimised there again: a few per cent faster in the step).
2. ``engine/layers.py``: its class with ``@register``: ``types``, ``fields`` (with
   ``**TRAINABLE`` when it has parameters), ``family``, ``code``, the shapes,
   ``cache_size``, ``extras``/``fextras`` (its program row), ``init_params``
   (and ``state_shapes``/``init_state``), ``penalized``, ``stages`` (every ``@kernel`` it
   needs with the exact types the program passes: a network compiles only its layers'
   stages, ``stages_for``); ``places`` when each weight is applied elsewhere than once per
   output row (``work`` reads it).
3. ``engine/kernels/program.py``: its kind code, listed in ``FAMILY_KINDS[family]``,
   and its branch in its family's dispatch: ``_extra_layer_forward``/``_backward`` for
   the dense family (``BatchNorm`` is an example with parameters, state and a float row),
   its own ``@kernel`` pair of layer functions for the others (``_maxpool_layer_forward``).
4. ``viz/``: its view.
Tests: its NumPy reference in ``tests/reference.py``, then reference, finite-difference
and PyTorch tests in ``tests/engine/``. A kind whose family has no branch for it is
refused when a network is built.
"""
import math
from typing import ClassVar

import numpy as np

from .fields import REQUIRED, Field
from .kernels import conv, dense, normalization, recurrent, sampling
from .kernels import program as P
from .kernels.activations import ACTIVATIONS, RELU_FAMILY

ACTIVATION = Field("choice", "linear", tuple(ACTIVATIONS))
TRAINABLE = {"trainable": Field("bool", True)}      # false: frozen, gradients still flow through

LAYERS = {}                 # spec type name -> layer class


def register(cls):
    """Add ``cls`` to ``LAYERS`` under each of its spec type names."""
    if cls.family not in P.FAMILIES:
        raise ValueError(f"{cls.__name__}: family must be one of {list(P.FAMILIES)}, got {cls.family!r}")
    for name in cls.types:
        if name in LAYERS:
            raise ValueError(f"{cls.__name__}: layer type {name!r} is already {LAYERS[name].__name__}")
        LAYERS[name] = cls
    return cls


def registered_classes():
    """Every registered class once, in registration order."""
    return list(dict.fromkeys(LAYERS.values()))


class Layer:
    types = ()                  # spec "type" names this class builds
    fields: ClassVar[dict] = {}  # spec field -> Field, besides "type"
    family = "dense"            # its compiled unit: program.FAMILIES
    code = None                 # its kind code in the program: program.FAMILY_KINDS[family]
    penalized = ()              # parameters that L1/L2 apply to
    stages = ()                 # (message, weight, [(kernel, "argument types")]): see stages.py

    @classmethod
    def stages_for(cls, type_name):
        """The stages a layer of spec type ``type_name`` needs (all of the class's by default)."""
        return cls.stages

    @classmethod
    def type_of_row(cls, row):
        """The spec type of a layer from its row of the program table."""
        return cls.types[0]

    def __init__(self, index, cfg, in_shape):
        self.index = index
        self.cfg = cfg
        self.in_shape = tuple(in_shape)
        self.activation = cfg.get("activation", "linear")
        self._check_runnable()
        self.out_shape = self.output_shape()

    def fail(self, message):
        raise ValueError(f"layers[{self.index}] ({self.cfg['type']}): {message}")

    def _check_runnable(self):
        if self.code not in P.FAMILY_KINDS.get(self.family, ()):
            self.fail(f"the compiled program's {self.family!r} family has no branch for kind "
                      f"code {self.code!r} ({type(self).__name__}); add it in engine/kernels/program.py")

    @property
    def trainable(self):
        """False for a frozen layer: its parameters keep their values, gradients flow through."""
        return self.cfg.get("trainable", True)

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
    def state_shapes(self):
        """Non-trained per-layer values the program keeps (moving statistics): name -> shape."""
        return {}

    @property
    def n_params(self):
        return sum(math.prod(shape) for shape in self.param_shapes.values())

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

    def init_state(self):
        """Initial float64 values of the state."""
        return {}

    def init_scheme(self, scheme):
        if scheme != "auto":
            return scheme
        return "he" if self.activation in RELU_FAMILY else "glorot"

    def places(self):
        """How many times per sample each weight is applied (a dense layer on sequences: per step)."""
        return math.prod(self.out_shape[:-1])

    def work(self):
        """Rough multiply-adds per sample of the forward pass: each weight times the places
        it is applied at, plus one per output."""
        return self.n_params * self.places() + self.out_size


def _init_weight(rng, scheme, shape, fan_in, fan_out):
    if scheme == "he":
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    if scheme == "glorot":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)
    return rng.uniform(-0.5, 0.5, size=shape)          # TF Playground's choice


def _init_bias(scheme, shape):
    return np.full(shape, 0.1 if scheme == "uniform" else 0.0)


@register
class Dense(Layer):
    types = ("dense",)
    fields: ClassVar[dict] = {"units": Field("int", REQUIRED, (1, 4096)), "activation": ACTIVATION,
                              **TRAINABLE}
    code = P.DENSE
    penalized = ("W",)
    stages = (("dense layers", 3.5, [(dense._dense_forward, "A2 A2 A1 A2")]),      # apart: two workers
              ("dense gradients", 3.5, [(dense._dense_backward, "A2 A2 A2 A2 A1 A2 b")]))

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


@register
class Dropout(Layer):
    types = ("dropout",)
    fields: ClassVar[dict] = {"rate": Field("float", REQUIRED, (0.0, 1.0), open_high=True)}
    code = P.DROPOUT
    stages = (("dense layers", 0.3, [(dense._dropout_forward, "A1 A1 A1 f64 b rng")]),)

    @property
    def cache_size(self):
        return self.in_size                         # the mask

    def fextras(self):
        return [self.cfg["rate"]]


@register
class Flatten(Layer):
    types = ("flatten",)
    code = P.FLATTEN

    def output_shape(self):
        return (math.prod(self.in_shape),)


@register
class BatchNorm(Layer):
    """Batch normalization (Keras' BatchNormalization names and defaults): each feature of an
    (F,) input, each channel of a (C, H, W) one, normalised over the batch while training and
    with the moving statistics otherwise, then ``gamma * x_hat + beta`` and the activation
    (``dense(linear) -> batchnorm(relu)`` is the classic placement in one spec).
    ``gamma``/``beta`` are trained (no L1/L2); ``moving_mean``/``moving_variance`` are state,
    updated once per training step as PyTorch does (engine/kernels/normalization.py).
    A frozen one ("trainable": false) is Keras' frozen BatchNormalization: it normalises with
    its moving statistics, in training too, and leaves them as they are."""
    types = ("batchnorm",)
    fields: ClassVar[dict] = {"momentum": Field("float", 0.99, (0.0, 1.0), open_high=True),
                              "epsilon": Field("float", 0.001, (1e-7, 1.0)),
                              "activation": ACTIVATION, **TRAINABLE}
    code = P.BATCHNORM
    stages = (("batch normalization", 1.0,
               [(normalization._batchnorm_forward, "A3 A1 A1 A1 A1 A3 A2 i f64 f64"),
                (normalization._batchnorm_backward, "A3 A1 A3 A2 A1 A1 A3 b")]), P.EXTRA_LAYER_STAGE)

    def output_shape(self):
        if len(self.in_shape) == 2:
            self.fail(f"expects features (F,) or images (channels, height, width), got sequences "
                      f"{self.in_shape}")
        return self.in_shape

    @property
    def channels(self):
        return self.in_shape[0]

    @property
    def spatial(self):
        """Values per channel and sample: 1 for features, height * width for images."""
        return math.prod(self.in_shape[1:])

    @property
    def param_shapes(self):
        return {"gamma": (self.channels,), "beta": (self.channels,)}

    @property
    def state_shapes(self):
        return {"moving_mean": (self.channels,), "moving_variance": (self.channels,)}

    @property
    def cache_size(self):
        return 2 * self.channels                 # the batch's mean and 1 / sqrt(var + eps) per channel

    @property
    def min_batch(self):
        """Samples a training batch needs: two when each value is normalised over the batch alone."""
        return 2 if self.trainable and self.spatial == 1 else 1

    def extras(self):
        return [self.channels, self.spatial, int(self.trainable)]

    def fextras(self):
        return [self.cfg["momentum"], self.cfg["epsilon"]]

    def init_params(self, rng, scheme):
        return {"gamma": np.ones(self.channels), "beta": np.zeros(self.channels)}

    def init_state(self):
        return {"moving_mean": np.zeros(self.channels), "moving_variance": np.ones(self.channels)}

    def work(self):
        return 4 * self.in_size


@register
class Sampling(Layer):
    """A VAE's code: 2k inputs (k means, then k log-variances) -> k outputs, the reparameterised
    sample ``mean + exp(log_var / 2) * eps`` while training (eps from the engine's seeded stream)
    and the mean otherwise. ``beta`` times its KL divergence to N(0, 1) joins the loss, scaled
    like the loss (engine/kernels/program.py ``_run``); the trainer keeps the KL divergence
    averaged over the batch, per step, as ``history["kl"]``."""
    types = ("sampling",)
    fields: ClassVar[dict] = {"beta": Field("float", 1.0, (0.0, 4.0))}
    code = P.SAMPLING
    stages = (("sampling layers", 1.0, [(sampling._sampling_forward, "A2 A2 A2 b rng"),
                                        (sampling._sampling_backward, "A2 A2 A2 A2 f64")]),
              P.EXTRA_LAYER_STAGE)

    def output_shape(self):
        if len(self.in_shape) != 1 or self.in_shape[0] % 2:
            self.fail(f"expects an even number of features (means, then log-variances), got {self.in_shape}")
        return (self.in_shape[0] // 2,)

    @property
    def cache_size(self):
        return self.out_size + 1                   # eps, and the sample's KL divergence

    def extras(self):
        return [self.out_size]

    def fextras(self):
        return [self.cfg["beta"]]


@register
class Noise(Layer):
    """Gaussian noise on its input while training (Keras' GaussianNoise): ``x + stddev * eps``;
    the identity otherwise. First in a denoising autoencoder, whose targets stay clean."""
    types = ("noise",)
    fields: ClassVar[dict] = {"stddev": Field("float", REQUIRED, (0.0, 1.0))}
    code = P.NOISE
    stages = (("sampling layers", 0.5, [(sampling._noise_forward, "A1 A1 f64 b rng")]), P.EXTRA_LAYER_STAGE)

    def fextras(self):
        return [self.cfg["stddev"]]


def _same_padding(size, k, stride):
    """(output size, padding before) of TensorFlow's "same": extra padding goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return out, total // 2, total


@register
class Conv2D(Layer):
    types = ("conv2d",)
    fields: ClassVar[dict] = {"filters": Field("int", REQUIRED, (1, 256)),
                              "kernel_size": Field("int", 3, (1, 7)), "stride": Field("int", 1, (1, 2)),
                              "padding": Field("choice", "same", ("same", "valid")),
                              "activation": ACTIVATION, **TRAINABLE}
    family = "conv"
    code = P.CONV2D
    penalized = ("W",)
    stages = (("convolution taps", 1.4, [(conv._taps3x3, "A2 A1 A1 i i"),
                                         (conv._taps3x3_quad, "A2 A1 A1 A1 A1 A1 i i"),
                                         (conv._taps_any, "A2 A1 A1 i i")]),
              ("kernel gradients", 0.7, [(conv._tap_dots, "A1 A1 A2 i i"),
                                         (conv._tap_dots3x3_pair, "A1 A1 A1 A2 A2 i i")]),
              ("convolution layers", 2.5, [(P._conv2d_layer_forward, "row A1 A1 A1 A1 i")]),
              ("convolution gradients", 3.5, [(P._conv2d_layer_backward, "row A1 A1 A1 A1 A1 i b")]))

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
        # the padded plane; neighbouring rows and images share their zero padding (kernels/conv.py)
        self.Hp, self.Wp = H + max(self.pt, th - self.pt), W + max(self.pl, tw - self.pl)
        return (self.cfg["filters"], Ho, Wo)

    @property
    def param_shapes(self):
        F, C, k = self.cfg["filters"], self.in_shape[0], self.cfg["kernel_size"]
        return {"W": (F, C, k, k), "b": (F,)}

    @property
    def cache_size(self):
        # padded inputs, output planes and their zero borders (the k spare rows and the
        # borders are needed once per batch, but counting them per sample keeps this simple)
        k = self.cfg["kernel_size"]
        border = (k - 1) * (self.Wp + 1)
        return (self.in_shape[0] * (self.Hp + k) + self.cfg["filters"] * self.Hp) * self.Wp \
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

    def places(self):
        return math.prod(self.out_shape[1:])          # every pixel of the output planes


class Pool2D(Layer):
    fields: ClassVar[dict] = {"pool_size": Field("int", 2, (1, 8)), "stride": Field("int", 0, (0, 8))}
    family = "conv"

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


@register
class MaxPool2D(Pool2D):
    types = ("maxpool2d",)
    code = P.MAXPOOL2D
    stages = (("max pooling", 1.6, [(conv._maxpool_2x2, "A4 A4 A4"), (conv._maxpool_any, "A4 A4 A4 i i"),
                                    (conv._maxpool_backward, "A4 A4 A4")]),
              ("max pooling layers", 0.8, [(P._maxpool_layer_forward, "row A1 A1 A1 A1 i"),
                                           (P._maxpool_layer_backward, "row A1 A1 A1 A1 A1 i b")]))

    @property
    def cache_size(self):
        return self.out_size                     # where each window's maximum came from


@register
class AvgPool2D(Pool2D):
    types = ("avgpool2d",)
    code = P.AVGPOOL2D
    stages = (("average pooling", 0.6, [(conv._avgpool_forward, "A4 A4 i i"),
                                        (conv._avgpool_backward, "A4 A4 i i")]),
              ("average pooling layers", 0.6, [(P._avgpool_layer_forward, "row A1 A1 A1 A1 i"),
                                               (P._avgpool_layer_backward, "row A1 A1 A1 A1 A1 i b")]))


def _orthogonal(rng, rows, cols):
    """A (rows, cols) matrix with orthonormal rows or columns (Saxe et al.)."""
    q, r = np.linalg.qr(rng.normal(size=(max(rows, cols), min(rows, cols))))
    q *= np.sign(np.diag(r))
    return q if rows >= cols else q.T


@register
class Recurrent(Layer):
    """rnn / lstm / gru over a (time, features) input; the cell's own tanh/sigmoid inside."""
    types = ("rnn", "lstm", "gru")
    fields: ClassVar[dict] = {"units": Field("int", REQUIRED, (1, 512)),
                              "return_sequences": Field("bool", False), **TRAINABLE}
    family = "recurrent"
    code = P.RECURRENT
    penalized = ("Wx", "Wh")
    CELLS: ClassVar[dict] = {"rnn": (recurrent.RNN, 1), "lstm": (recurrent.LSTM, 4),   # code, gates
                             "gru": (recurrent.GRU, 3)}
    _CELL_KERNELS = (   # name, steps, steps backward, layer forward and backward, weight
        ("RNN", (recurrent._rnn_steps, "A3 A3 A2"), (recurrent._rnn_steps_back, "A3 A3 A2 A3 A3 b"),
         P._simple_rnn_layer_forward, P._simple_rnn_layer_backward, 1.2),
        ("LSTM", (recurrent._lstm_steps, "A3 A3 A3 A2"), (recurrent._lstm_steps_back, "A3 A3 A3 A2 A3 A3 b"),
         P._lstm_layer_forward, P._lstm_layer_backward, 1.8),
        ("GRU", (recurrent._gru_steps, "A3 A3 A3 A2 A1"), (recurrent._gru_steps_back, "A3 A3 A3 A3 A3 A2 A3 A3 b"),
         P._gru_layer_forward, P._gru_layer_backward, 1.8))
    # Per cell, its steps and its layer functions (which link its steps in), forward and backward
    # apart so that two workers share them; every cell's steps before any layer function.
    stages = (tuple((f"{name} cells", w, [steps]) for name, steps, _, _, _, w in _CELL_KERNELS)
              + tuple((f"{name} layers", 2.5, [(fw, "row A1 A1 A1 A1 i")]) for name, _, _, fw, _, _ in _CELL_KERNELS)
              + tuple((f"{name} cells, backward", w, [back]) for name, _, back, _, _, w in _CELL_KERNELS)
              + tuple((f"{name} backpropagation through time", 2.7, [(bw, "row A1 A1 A1 A1 A1 i b")])
                      for name, _, _, _, bw, _ in _CELL_KERNELS))

    @classmethod
    def stages_for(cls, type_name):
        prefix = type_name.upper() + " "
        return tuple(s for s in cls.stages if s[0].startswith(prefix))

    @classmethod
    def type_of_row(cls, row):
        return {code: name for name, (code, _) in cls.CELLS.items()}[int(row[P.X0])]

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

    def places(self):
        return self.in_shape[0]                      # every time step


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
    """The int64 program table, the float64 table and the sizes for ``layers``.

    Parameters and state are laid out layer after layer, each layer's in the order of
    its ``param_shapes`` / ``state_shapes`` from row[P_OFF] / row[S_OFF]; ``sizes``
    holds the per-sample activation and cache sizes and the parameter and state counts.
    """
    prog = np.zeros((len(layers), P.N_COLS), np.int64)
    fprog = np.zeros((len(layers), P.F_COLS), np.float64)
    p = s = a = c = 0
    for i, layer in enumerate(layers):
        row = prog[i]
        row[P.KIND], row[P.FAMILY] = layer.code, P.FAMILY_CODES[layer.family]
        row[P.ACT] = ACTIVATIONS[layer.activation]
        row[P.IN_SIZE], row[P.OUT_SIZE] = layer.in_size, layer.out_size
        row[P.P_OFF], row[P.P_SIZE] = p, layer.n_params
        p += layer.n_params
        row[P.S_OFF] = s
        row[P.S_SIZE] = sum(math.prod(shape) for shape in layer.state_shapes.values())
        s += row[P.S_SIZE]
        row[P.A_IN], row[P.A_OUT] = a, a + layer.in_size
        a += layer.in_size
        row[P.C_OFF], row[P.C_SIZE] = c, layer.cache_size
        c += layer.cache_size
        extras = layer.extras()
        row[P.X0:P.X0 + len(extras)] = extras
        fextras = layer.fextras()
        fprog[i, :len(fextras)] = fextras
    sizes = {"acts": a + layers[-1].out_size, "cache": max(c, 1), "params": p, "state": s}
    return prog, fprog, sizes
