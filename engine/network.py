"""build(spec) -> Network: forward, loss_and_grads, params."""
import math

import numpy as np

from .buffers import aligned_zeros, aligned_zeros_like
from .kernels import program as P
from .kernels.losses import LOSSES
from .kernels.rng import new_state
from .layers import LAYERS, build_layers, program_tables
from .spec import validate

PREDICT_CHUNK = 256     # samples per compiled forward call when predicting


def build(spec, seed=0, dtype=np.float32, init_from=None, layers=None):
    """A Network for ``spec`` with weights drawn from ``seed``; with ``init_from`` (another
    Network) and ``layers`` (layer indices), those layers start from its weights instead
    (parameters and state, e.g. batch normalization's moving statistics), by position: each
    must exist in both nets with parameters of the same names and shapes, else ValueError."""
    net = Network(spec, seed=seed, dtype=dtype)
    if init_from is not None or layers is not None:
        net.copy_layers(init_from, layers)
    return net


def families(spec):
    """The layer families ``spec`` needs, e.g. ("dense", "conv"): what to pass ``warm_up``.
    "dense" (dense, dropout, flatten, losses, optimizers) is always first."""
    used = {LAYERS[layer["type"]].family for layer in validate(spec)["layers"]}
    return ("dense",) + tuple(f for f in P.FAMILIES[1:] if f in used)


def _views(flat, layers, offset_col, prog, shapes_of):
    """name -> view of ``flat`` for every layer's arrays, laid out from row[offset_col]."""
    views = {}
    for layer, row in zip(layers, prog):
        start = int(row[offset_col])
        for name, shape in shapes_of(layer).items():
            size = math.prod(shape)
            views[f"{layer.index}.{name}"] = flat[start:start + size].reshape(shape)
            start += size
    return views


def _runs(mask):
    """(runs, 2) int64: [start, end) of each maximal run of ones in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1).astype(np.int64)


class Network:
    def __init__(self, spec, seed=0, dtype=np.float32):
        self.spec = validate(spec)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.layers = build_layers(self.spec)
        self.prog, self.fprog, sizes = program_tables(self.layers)
        self.flags = P.program_flags(self.prog)
        self._sizes = sizes
        self.loss = self.spec["loss"]
        self.loss_code = LOSSES[self.loss]
        self._check_output()
        self.flat = aligned_zeros(sizes["params"], self.dtype)
        self.params = _views(self.flat, self.layers, P.P_OFF, self.prog, lambda l: l.param_shapes)
        self.state_flat = np.zeros(sizes["state"], self.dtype)
        self.state = _views(self.state_flat, self.layers, P.S_OFF, self.prog, lambda l: l.state_shapes)
        self._masks()
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            for name, value in layer.init_params(rng, self.spec["init"]).items():
                self.params[f"{layer.index}.{name}"][...] = value
            for name, value in layer.init_state().items():
                self.state[f"{layer.index}.{name}"][...] = value
        self._rng_state = new_state(rng)
        self._workspaces = {}

    def _masks(self):
        """What training may touch: ``trainable_mask`` and ``decay_mask`` (L1/L2) per parameter,
        their runs for the optimizer, and each parameter layer's (start, end, trainable)."""
        self.trainable_mask = np.zeros(self.flat.size, np.uint8)
        self.decay_mask = np.zeros(self.flat.size, np.uint8)
        ranges = []
        for layer, row in zip(self.layers, self.prog):
            start = int(row[P.P_OFF])
            if not layer.n_params:
                continue
            ranges.append((start, start + layer.n_params, int(layer.trainable)))
            self.trainable_mask[start:start + layer.n_params] = layer.trainable
            for name, shape in layer.param_shapes.items():
                size = math.prod(shape)
                self.decay_mask[start:start + size] = layer.trainable and name in layer.penalized
                start += size
        self.layer_ranges = np.array(ranges, np.int64).reshape(-1, 3)
        self.train_runs = _runs(self.trainable_mask)
        self.param_layers = [layer.index for layer in self.layers if layer.n_params]

    # -- shapes ---------------------------------------------------------
    @property
    def input_shape(self):
        return self.layers[0].in_shape

    @property
    def output_shape(self):
        return self.layers[-1].out_shape

    @property
    def loss_cols(self):
        """Width of the rows the loss sees: the last axis of the output."""
        return self.output_shape[-1]

    @property
    def label_cols(self):
        """Label values per sample: one class index per row for softmax."""
        if self.loss == "softmax_crossentropy":
            return math.prod(self.output_shape[:-1])
        return math.prod(self.output_shape)

    @property
    def n_params(self):
        return self.flat.size

    @property
    def min_batch(self):
        """Samples a training batch needs: 2 with a batch normalization of single values
        (features), whose variance over one sample is zero; else 1."""
        return max([getattr(layer, "min_batch", 1) for layer in self.layers])

    @property
    def has_kl(self):
        """True when a sampling layer adds a KL term to the loss (a variational autoencoder)."""
        return any(layer.code == P.SAMPLING for layer in self.layers)

    def check_batch(self, n, what="a training batch"):
        """ValueError when ``n`` samples are too few for batch statistics."""
        if n < self.min_batch:
            raise ValueError(f"{what} has {n} sample{'s' if n != 1 else ''}, but batch normalization "
                             f"needs at least {self.min_batch}: the variance of one value is zero")

    def _check_output(self):
        if self.loss == "softmax_crossentropy" and self.output_shape[-1] < 2:
            raise ValueError("loss: softmax_crossentropy needs at least 2 outputs (classes), "
                             f"the last layer gives {self.output_shape}")

    # -- data -----------------------------------------------------------
    def inputs(self, x):
        """``x`` as a C-contiguous (N, input size) array of the net's dtype."""
        x = np.asarray(x)
        if x.ndim < 1 or x.shape[1:] != self.input_shape:
            if not (len(self.input_shape) > 1 and x.ndim == 2 and x.shape[1] == self.layers[0].in_size):
                raise ValueError(f"x must have shape (N, {', '.join(map(str, self.input_shape))}), "
                                 f"got {x.shape}")
        return np.ascontiguousarray(x.reshape(len(x), -1), dtype=self.dtype)

    def targets(self, y, n):
        """Labels as a float (n, label_cols) array, checked against the loss."""
        y = np.asarray(y)
        if y.shape[0] != n:
            raise ValueError(f"y has {y.shape[0]} samples but x has {n}")
        y = y.reshape(n, -1)
        if y.shape[1] != self.label_cols:
            want = "class indices" if self.loss == "softmax_crossentropy" else "targets"
            raise ValueError(f"y must hold {self.label_cols} {want} per sample for output "
                             f"shape {self.output_shape}, got {y.shape[1]}")
        y = y.astype(self.dtype)
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or Inf")
        if self.loss == "softmax_crossentropy":
            classes = self.output_shape[-1]
            if (y != np.round(y)).any() or y.min() < 0 or y.max() >= classes:
                raise ValueError(f"softmax_crossentropy labels must be class indices 0..{classes - 1}")
        elif self.loss == "binary_crossentropy" and (y.min() < 0 or y.max() > 1):
            raise ValueError("binary_crossentropy labels must lie in [0, 1]")
        return np.ascontiguousarray(y)

    # -- compiled calls -------------------------------------------------
    def workspace(self, batch):
        """(acts, d_acts, cache) buffers for up to ``batch`` samples, reused."""
        ws = self._workspaces.get(batch)
        if ws is None:
            s = self._sizes
            ws = (aligned_zeros(batch * s["acts"], self.dtype), aligned_zeros(batch * s["acts"], self.dtype),
                  aligned_zeros(batch * s["cache"], self.dtype))
            self._workspaces = {batch: ws}          # keep one: batch sizes rarely alternate
        return ws

    def model(self, flat=None, state=None):
        """The program's view of this net, with other parameters or state if given (a
        snapshot's copies): checked, and in this net's dtype so no second compile."""
        return P.Model(self.prog, self.fprog, self._vector(flat, self.flat, "flat"),
                       self._vector(state, self.state_flat, "state"))

    def _vector(self, values, own, name):
        if values is None:
            return own
        values = np.asarray(values)
        if values.shape != own.shape:
            raise ValueError(f"{name} must have shape {own.shape}, got {values.shape}")
        return np.ascontiguousarray(values, self.dtype)

    def forward(self, x, training=False, flat=None, state=None):
        """Raw output of the last layer, shape (N, *output_shape)."""
        x = self.inputs(x)
        model = self.model(flat, state)
        if training:
            self.check_batch(len(x), "forward(x, training=True): x")
            return self._forward_all(x, model, training=True)[-1]
        n, chunk = len(x), min(PREDICT_CHUNK, max(len(x), 1))
        out = np.empty((n, math.prod(self.output_shape)), self.dtype)
        acts, _, cache = self.workspace(chunk)
        P._predict(model, self.flags, x, out, acts, cache, chunk, False, self._rng_state)
        return out.reshape((n,) + self.output_shape)

    def layer_outputs(self, x, flat=None, state=None):
        """Every layer's output for ``x``: a list of (N, *out_shape) arrays."""
        return self._forward_all(self.inputs(x), self.model(flat, state))

    def _forward_all(self, x, model, training=False):
        n = len(x)
        acts = aligned_zeros(n * self._sizes["acts"], self.dtype)
        cache = aligned_zeros(n * self._sizes["cache"], self.dtype)
        out = np.empty((n, math.prod(self.output_shape)), self.dtype)
        P._predict(model, self.flags, x, out, acts, cache, max(n, 1), training, self._rng_state)
        return [acts[n * layer_row[P.A_OUT]:n * (layer_row[P.A_OUT] + layer_row[P.OUT_SIZE])]
                .reshape((n,) + layer.out_shape).copy()
                for layer, layer_row in zip(self.layers, self.prog)]

    def loss_and_grads(self, x, y, flat=None, state=None, training=False):
        """The loss (the mean data loss, plus the KL term of any sampling layer) and its gradient,
        keyed like ``params``; with ``flat`` (and ``state``) for other weights than the net's own,
        e.g. a snapshot's. Batch normalization uses the batch's statistics (its moving ones stay
        as they are); dropout, noise and sampling draw only with ``training`` (from the net's
        own random stream)."""
        loss, grads, _ = self._backprop(x, y, self.model(flat, state), training)
        return loss, self.unflatten(grads)

    def _backprop(self, x, y, model, training=False):
        x = self.inputs(x)
        y = self.targets(y, len(x))
        n = len(x)
        self.check_batch(n, "x")
        grads = aligned_zeros_like(model.params)
        acts = aligned_zeros(n * self._sizes["acts"], self.dtype)
        d_acts = aligned_zeros_like(acts)
        cache = aligned_zeros(n * self._sizes["cache"], self.dtype)
        loss = P._loss_and_grads(model, self.flags, grads, x, y, acts, d_acts, cache, self.loss_code,
                                 self.loss_cols, bool(training), self._rng_state)
        return float(loss), grads, cache

    def recurrent_trace(self, x, y, flat=None, state=None):
        """Inside every recurrent layer for one sequence x (T, F) with label y: a dict
        layer index -> {"hidden" (T, U), "gates" (T, G, U), "cell" (T, U) for an LSTM,
        "grad_norm" (T,): |d loss / d h_t|, how much of the error reaches each step}."""
        _, _, cache = self._backprop(np.asarray(x)[None], np.asarray(y)[None], self.model(flat, state))
        out = {}
        for layer, row in zip(self.layers, self.prog):
            if layer.code != P.RECURRENT:
                continue
            c = cache[row[P.C_OFF]:row[P.C_OFF] + row[P.C_SIZE]]
            xt, hs, A, C2, dA, dAh, dh = P._recurrent_cache.py_func(row, c, 1)
            U, G = layer.cfg["units"], layer.gates
            trace = {"hidden": hs[1:, 0].copy(), "grad_norm": np.linalg.norm(dh[:, 0], axis=1)}
            if G > 1:
                trace["gates"] = A[:, 0].reshape(-1, G, U).copy()
            if layer.cfg["type"] == "lstm":
                trace["cell"] = C2[1:, 0].copy()
            out[layer.index] = trace
        return out

    def unflatten(self, flat):
        """A dict of copies shaped like ``params`` from a flat vector."""
        return _copies(flat, self.params)

    def unflatten_state(self, state_flat):
        """A dict of copies shaped like ``state`` from a flat state vector."""
        return _copies(state_flat, self.state)

    def set_params(self, values):
        """Copy ``values`` (name -> array) into the parameters, checking shapes."""
        _set(self.params, values, "parameter")

    def set_state(self, values):
        """Copy ``values`` (name -> array) into the state, checking shapes."""
        _set(self.state, values, "state")

    def copy_layers(self, source, layers):
        """Copy the parameters and state of the layers at the indices ``layers`` from the Network
        ``source`` (transfer learning: start from another net's trained layers). Each index must
        name a layer with parameters in both nets, with the same names and shapes; nothing is
        copied unless all of them fit."""
        if not isinstance(source, Network):
            raise ValueError(f"init_from must be a Network (engine.build), got {type(source).__name__}")
        if isinstance(layers, (int, np.integer)) or layers is None:
            raise ValueError(f"layers must be a list of layer indices, got {layers!r}")
        params, state = {}, {}
        for i in layers:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
                raise ValueError(f"layers: a layer index must be an integer, got {i!r}")
            i = int(i)
            for net, which in ((self, "this network"), (source, "init_from")):
                if not 0 <= i < len(net.layers):
                    raise ValueError(f"layers: index {i} is out of range: {which} has layers 0-{len(net.layers) - 1}")
            mine, theirs = self.layers[i], source.layers[i]
            if not mine.n_params:
                raise ValueError(f"layers[{i}] ({mine.cfg['type']}) has no parameters to copy")
            want = {**mine.param_shapes, **mine.state_shapes}
            have = {**theirs.param_shapes, **theirs.state_shapes}
            if {k: tuple(v) for k, v in want.items()} != {k: tuple(v) for k, v in have.items()}:
                raise ValueError(f"layers[{i}]: this network's {mine.cfg['type']} has "
                                 f"{_shapes(want)} but init_from's {theirs.cfg['type']} has {_shapes(have)}")
            params.update({f"{i}.{k}": source.params[f"{i}.{k}"] for k in mine.param_shapes})
            state.update({f"{i}.{k}": source.state[f"{i}.{k}"] for k in mine.state_shapes})
        self.set_params(params)
        self.set_state(state)


def _shapes(shapes):
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items()) or "no parameters"


def _copies(flat, views):
    out, start = {}, 0
    for name, view in views.items():
        out[name] = flat[start:start + view.size].reshape(view.shape).copy()
        start += view.size
    return out


def _set(views, values, what):
    unknown = sorted(set(values) - set(views))
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; this net has {sorted(views)}")
    for name, value in values.items():
        value = np.asarray(value)
        if value.shape != views[name].shape:
            raise ValueError(f"{name} must have shape {views[name].shape}, got {value.shape}")
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains NaN or Inf")
    for name, value in values.items():
        views[name][...] = value
