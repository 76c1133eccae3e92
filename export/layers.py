"""One table of layer kinds -> framework code: ``KINDS[type]`` says how a layer of the engine's
spec is written in PyTorch and in Keras 3, how its weights move from the playground's ``.npz``
into each framework's layout, and what it is in words (the notebook's).

Adding a layer kind to the exporters is one entry here (a ``Kind``); a kind with no entry is
refused with a clear message (``layer_plan``), and a test lists every kind the engine has.

Layouts (DESIGN.md): dense ``W (in, out)``; conv2d ``W (filters, in_ch, k, k)``; rnn/lstm ``Wx (in, G u)``,
``Wh (u, G u)``, ``b (G u,)`` with PyTorch's gate order (LSTM i, f, g, o; Keras' i, f, c, o is the
same); gru ``Wx``, ``Wh``, ``bx``, ``bh`` in PyTorch's order r, z, n (Keras: z, r, h, and with
``reset_after=True`` its two biases are PyTorch's two). PyTorch keeps a linear map as (out, in);
Keras keeps a conv kernel as (k, k, in, out), channels last.
"""
import math
from dataclasses import dataclass, field

from engine.layers import LAYERS, build_layers
from engine.spec import validate

SHORT = {"dense": "dense", "dropout": "drop", "flatten": "flat", "conv2d": "conv", "maxpool2d": "pool",
         "avgpool2d": "pool", "rnn": "rnn", "lstm": "lstm", "gru": "gru", "batchnorm": "norm", "sampling": "code",
         "noise": "noise"}
TORCH_ACT = {"linear": "{x}", "sigmoid": "torch.sigmoid({x})", "tanh": "torch.tanh({x})",
             "relu": "torch.relu({x})", "leaky_relu": "F.leaky_relu({x}, 0.01)"}
KERAS_ACT = {"linear": None, "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "leaky_relu": None}
ACT_WORDS = {"linear": "no activation (its raw sum)", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
             "leaky_relu": "leaky ReLU (slope 0.01 below zero)"}


@dataclass
class Layer:
    """One layer of the spec as the exporters see it."""
    index: int
    kind: str
    cfg: dict
    in_shape: tuple
    out_shape: tuple
    name: str                   # its attribute / layer name in both frameworks, e.g. "conv0"
    l1: float = 0.0
    l2: float = 0.0

    @property
    def act(self):
        return self.cfg.get("activation", "linear")

    @property
    def frozen(self):
        return not self.cfg.get("trainable", True)

    def key(self, param):
        """The array's name in the playground's .npz: "<layer index>.<name>"."""
        return f'w["{self.index}.{param}"]'

    def state_key(self, name):
        """A state array's name in the .npz (batch normalization's moving statistics)."""
        return f'w["state:{self.index}.{name}"]'


def same_padding(size, k, stride):
    """(before, after) of TensorFlow's "same" padding: the extra one goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def conv_padding(layer):
    """((top, bottom), (left, right)) zeros around the image, as the engine pads."""
    if layer.cfg["padding"] != "same":
        return (0, 0), (0, 0)
    _, h, w = layer.in_shape
    k, s = layer.cfg["kernel_size"], layer.cfg["stride"]
    return same_padding(h, k, s), same_padding(w, k, s)


# -- PyTorch --------------------------------------------------------------------------------------
def _torch_act(layer, expr):
    return TORCH_ACT[layer.act].format(x=expr)


def _dense_torch(l):
    return ([f"self.{l.name} = nn.Linear({l.in_shape[-1]}, {l.cfg['units']})"],
            [f"x = {_torch_act(l, f'self.{l.name}(x)')}"])


def _conv_torch(l):
    (top, bottom), (left, right) = conv_padding(l)
    c, f, k, s = l.in_shape[0], l.cfg["filters"], l.cfg["kernel_size"], l.cfg["stride"]
    symmetric = top == bottom and left == right
    pad = f", padding={top}" if symmetric and top == left and top else ""
    init = [f"self.{l.name} = nn.Conv2d({c}, {f}, kernel_size={k}, stride={s}{pad})"]
    forward = []
    if not (symmetric and top == left):
        forward.append(f"x = F.pad(x, ({left}, {right}, {top}, {bottom}))  # \"same\" as TensorFlow pads: "
                       "the extra zeros after")
    forward.append(f"x = {_torch_act(l, f'self.{l.name}(x)')}")
    return init, forward


def _pool_torch(module):
    def make(l):
        p, s = l.cfg["pool_size"], l.cfg.get("stride") or l.cfg["pool_size"]
        return [f"self.{l.name} = nn.{module}({p}" + (f", stride={s}" if s != p else "") + ")"], \
            [f"x = self.{l.name}(x)"]
    return make


def _recurrent_torch(module):
    def make(l):
        init = [f"self.{l.name} = nn.{module}({l.in_shape[-1]}, {l.cfg['units']}, batch_first=True)"]
        forward = [f"x, _ = self.{l.name}(x)  # its hidden state at every step: (batch, time, units)"]
        if not l.cfg["return_sequences"]:
            forward.append("x = x[:, -1]  # the last step's")
        return init, forward
    return make


def _dense_torch_load(l):
    return [f"put(model.{l.name}.weight, {l.key('W')}.T)  # (in, out) -> PyTorch's (out, in)",
            f"put(model.{l.name}.bias, {l.key('b')})"]


def _conv_torch_load(l):
    return [f"put(model.{l.name}.weight, {l.key('W')})  # (filters, channels, k, k): the same layout",
            f"put(model.{l.name}.bias, {l.key('b')})"]


def _recurrent_torch_load(l):
    lines = [f"put(model.{l.name}.weight_ih_l0, {l.key('Wx')}.T)",
             f"put(model.{l.name}.weight_hh_l0, {l.key('Wh')}.T)"]
    if l.kind == "gru":
        return lines + [f"put(model.{l.name}.bias_ih_l0, {l.key('bx')})",
                        f"put(model.{l.name}.bias_hh_l0, {l.key('bh')})"]
    return lines + [f"put(model.{l.name}.bias_ih_l0, {l.key('b')})",
                    f"put(model.{l.name}.bias_hh_l0, np.zeros_like({l.key('b')}))  # one bias in the playground"]


# -- Keras ----------------------------------------------------------------------------------------
def _regularizers(l, *names):
    if not (l.l1 or l.l2):
        return ""
    return "".join(f", {n}_regularizer=PENALTY" for n in names)    # defined once before the model


def _frozen(l):
    return ", trainable=False" if l.frozen else ""


def _keras_act(l, text):
    """``text`` with the activation; leaky ReLU as its own layer (Keras' default slope is 0.2)."""
    act = KERAS_ACT[l.act]
    out = [text.format(act=f', activation="{act}"' if act else "")]
    if l.act == "leaky_relu":
        out.append(f'layers.LeakyReLU(negative_slope=0.01, name="{l.name}_act")')
    return out


def _dense_keras(l):
    return _keras_act(l, f"layers.Dense({l.cfg['units']}{{act}}{_regularizers(l, 'kernel')}{_frozen(l)}, "
                         f'name="{l.name}")')


def _conv_keras(l):
    (top, bottom), (left, right) = conv_padding(l)
    out, padding = [], "valid"
    if top or bottom or left or right:
        if l.cfg["stride"] == 1 and top == bottom and left == right:
            padding = "same"
        else:
            out.append((f"layers.ZeroPadding2D((({top}, {bottom}), ({left}, {right})), name=\"{l.name}_pad\")",
                        "\"same\" as TensorFlow pads: the extra zeros after"))
    text = (f"layers.Conv2D({l.cfg['filters']}, {l.cfg['kernel_size']}, strides={l.cfg['stride']}, "
            f'padding="{padding}"{{act}}{_regularizers(l, "kernel")}{_frozen(l)}, name="{l.name}")')
    return out + _keras_act(l, text)


def _pool_keras(cls):
    def make(l):
        p, s = l.cfg["pool_size"], l.cfg.get("stride") or l.cfg["pool_size"]
        return [f'layers.{cls}({p}, strides={s}, name="{l.name}")']
    return make


def _flatten_keras(l):
    if len(l.in_shape) == 3:
        return [(f'layers.Permute((3, 1, 2), name="{l.name}_order")', "channels first, as the playground flattens"),
                f'layers.Flatten(name="{l.name}")']
    return [f'layers.Flatten(name="{l.name}")']


def _recurrent_keras(cls, extra=""):
    def make(l):
        return [f"layers.{cls}({l.cfg['units']}, return_sequences={l.cfg['return_sequences']}{extra}"
                f"{_regularizers(l, 'kernel', 'recurrent')}{_frozen(l)}, name=\"{l.name}\")"]
    return make


def _dense_keras_load(l):
    return [f'model.get_layer("{l.name}").set_weights([{l.key("W")}, {l.key("b")}])']


def _conv_keras_load(l):
    return [f'model.get_layer("{l.name}").set_weights([{l.key("W")}.transpose(2, 3, 1, 0), {l.key("b")}])'
            "  # -> (k, k, channels, filters)"]


def _recurrent_keras_load(l):
    if l.kind == "gru":
        return [f'model.get_layer("{l.name}").set_weights([gru_gates({l.key("Wx")}), gru_gates({l.key("Wh")}), '
                f'np.stack([gru_gates({l.key("bx")}), gru_gates({l.key("bh")})])])']
    return [f'model.get_layer("{l.name}").set_weights([{l.key("Wx")}, {l.key("Wh")}, {l.key("b")}])']


# -- words (the notebook's) -------------------------------------------------------------------------
def _dense_words(l):
    units = l.cfg["units"]
    return f"a dense layer of {units} neuron{'s' if units != 1 else ''}, {ACT_WORDS[l.act]}"


def _conv_words(l):
    k, s = l.cfg["kernel_size"], l.cfg["stride"]
    return (f"a convolution: {l.cfg['filters']} kernels of {k}×{k}, stride {s}, padding {l.cfg['padding']}, "
            f"{ACT_WORDS[l.act]}")


def _pool_words(what):
    return lambda l: f"{what} pooling over {l.cfg['pool_size']}×{l.cfg['pool_size']} windows"


def _recurrent_words(l):
    cell = {"rnn": "a plain RNN", "lstm": "an LSTM", "gru": "a GRU"}[l.kind]
    return (f"{cell} of {l.cfg['units']} units, "
            + ("its hidden state at every step" if l.cfg["return_sequences"] else "its last hidden state"))


# -- batch normalization, a VAE's sampling, input noise -----------------------------------------------
def _norm_torch(l):
    module = "BatchNorm1d" if len(l.in_shape) == 1 else "BatchNorm2d"
    return ([f"self.{l.name} = nn.{module}({l.in_shape[0]}, eps={l.cfg['epsilon']!r}, "
             f"momentum={1 - l.cfg['momentum']:.10g})  # PyTorch's momentum is 1 - Keras' (and the page's)"],
            [f"x = {_torch_act(l, f'self.{l.name}(x)')}"])


def _norm_torch_load(l):
    return [f"put(model.{l.name}.weight, {l.key('gamma')})", f"put(model.{l.name}.bias, {l.key('beta')})",
            f"put(model.{l.name}.running_mean, {l.state_key('moving_mean')})",
            f"put(model.{l.name}.running_var, {l.state_key('moving_variance')})"]


def _norm_keras(l):
    out = [(f"layers.BatchNormalization(momentum={l.cfg['momentum']!r}, epsilon={l.cfg['epsilon']!r}"
            f"{_frozen(l)}, name=\"{l.name}\")", "over the last axis: features, or channels (last in Keras)")]
    if l.act == "leaky_relu":
        out.append(f'layers.LeakyReLU(negative_slope=0.01, name="{l.name}_act")')
    elif l.act != "linear":
        out.append(f'layers.Activation("{KERAS_ACT[l.act]}", name="{l.name}_act")')
    return out


def _norm_keras_load(l):
    return [f'model.get_layer("{l.name}").set_weights([{l.key("gamma")}, {l.key("beta")}, '
            f'{l.state_key("moving_mean")}, {l.state_key("moving_variance")}])']


def _norm_words(l):
    what = "feature" if len(l.in_shape) == 1 else "channel"
    frozen = (" Frozen: it normalises with its moving statistics, in training too." if l.frozen else "")
    return (f"batch normalization: each {what} centred and scaled by its mean and spread over the batch "
            f"while training (by moving averages, momentum {l.cfg['momentum']:g}, when predicting), then "
            f"times a learned scale plus a learned shift, {ACT_WORDS[l.act]}.{frozen}")


def _sampling_torch(l):
    k = l.out_shape[0]
    return ([], [f"mean, log_var = x[:, :{k}], x[:, {k}:]  # the code's means and log-variances",
                 f"self.kl = self.kl + {l.cfg['beta']!r} * (-0.5 * (1 + log_var - mean ** 2 - log_var.exp()).sum(1)).mean()"
                 "  # beta x KL(code || N(0, 1))",
                 "x = mean + torch.exp(log_var / 2) * torch.randn_like(mean) if self.training else mean"])


def _sampling_keras(l):
    return [(f'Sampling({l.cfg["beta"]!r}, KL_SCALE, name="{l.name}")', "the code: drawn while training, the mean otherwise")]


def _sampling_words(l):
    k = l.out_shape[0]
    return (f"the variational code: the layer before gives {k} means and {k} log-variances; while training the "
            f"code is drawn from them (mean + exp(log-variance / 2) × a standard normal), otherwise it is the "
            f"means; β = {l.cfg['beta']:g} times its KL divergence to a standard normal joins the loss")


def _noise_torch(l):
    return ([], [f"x = x + {l.cfg['stddev']!r} * torch.randn_like(x) if self.training else x  # noise while training"])


def _noise_words(l):
    return (f"noise: Gaussian noise of standard deviation {l.cfg['stddev']:g} added to every input while training "
            "(the targets stay clean: a denoising autoencoder)")


@dataclass(frozen=True)
class Kind:
    """How one layer kind is written: each function takes a ``Layer``.

    torch: -> (lines of ``__init__``, lines of ``forward``); torch_load: -> lines copying its arrays
    (``put(param, array)``); keras: -> Keras layer expressions (or (expression, comment) pairs) in
    the Sequential's list; keras_load: -> lines setting its
    weights; words: -> what it is, in a few words."""
    torch: object
    keras: object
    words: object
    torch_load: object = None
    keras_load: object = None
    params: tuple = field(default=())


KINDS = {
    "dense": Kind(_dense_torch, _dense_keras, _dense_words, _dense_torch_load, _dense_keras_load, ("W", "b")),
    "dropout": Kind(lambda l: ([f"self.{l.name} = nn.Dropout({l.cfg['rate']:g})"], [f"x = self.{l.name}(x)"]),
                    lambda l: [f'layers.Dropout({l.cfg["rate"]:g}, name="{l.name}")'],
                    lambda l: f"dropout: {l.cfg['rate']:.0%} of the values set to zero at random while training"),
    "flatten": Kind(lambda l: ([f"self.{l.name} = nn.Flatten()"], [f"x = self.{l.name}(x)"]), _flatten_keras,
                    lambda l: "flatten: the maps laid out as one long vector"),
    "conv2d": Kind(_conv_torch, _conv_keras, _conv_words, _conv_torch_load, _conv_keras_load, ("W", "b")),
    "maxpool2d": Kind(_pool_torch("MaxPool2d"), _pool_keras("MaxPooling2D"), _pool_words("max")),
    "avgpool2d": Kind(_pool_torch("AvgPool2d"), _pool_keras("AveragePooling2D"), _pool_words("average")),
    "rnn": Kind(_recurrent_torch("RNN"), _recurrent_keras("SimpleRNN"), _recurrent_words,
                _recurrent_torch_load, _recurrent_keras_load, ("Wx", "Wh", "b")),
    "lstm": Kind(_recurrent_torch("LSTM"), _recurrent_keras("LSTM"), _recurrent_words,
                 _recurrent_torch_load, _recurrent_keras_load, ("Wx", "Wh", "b")),
    "gru": Kind(_recurrent_torch("GRU"), _recurrent_keras("GRU", ", reset_after=True"), _recurrent_words,
                _recurrent_torch_load, _recurrent_keras_load, ("Wx", "Wh", "bx", "bh")),
    "batchnorm": Kind(_norm_torch, _norm_keras, _norm_words, _norm_torch_load, _norm_keras_load, ("gamma", "beta")),
    "sampling": Kind(_sampling_torch, _sampling_keras, _sampling_words),
    "noise": Kind(_noise_torch, lambda l: [f'layers.GaussianNoise({l.cfg["stddev"]!r}, name="{l.name}")'],
                  _noise_words),
}


def missing_kinds():
    """The engine's layer kinds the exporters cannot write yet."""
    return sorted(set(LAYERS) - set(KINDS))


def layer_plan(spec, l1=0.0, l2=0.0):
    """The spec's layers as ``Layer``s with shapes and names; ValueError for a kind with no entry."""
    spec = validate(spec)
    built = build_layers(spec)
    plan = []
    for layer in built:
        kind = layer.cfg["type"]
        if kind not in KINDS:
            raise ValueError(f"layers[{layer.index}]: the code export has no entry for '{kind}' layers yet "
                             "(export/layers.py: KINDS)")
        penalised = bool(LAYERS[kind].penalized)
        plan.append(Layer(layer.index, kind, layer.cfg, tuple(layer.in_shape), tuple(layer.out_shape),
                          f"{SHORT.get(kind, kind)}{layer.index}", l1 if penalised else 0.0,
                          l2 if penalised else 0.0))
    return plan


def kl_scale(spec):
    """1 / the values the loss averages per sample: a sampling layer's KL term is scaled by it, as
    the engine scales it (so beta 1 weighs the KL as a VAE's summed reconstruction loss does)."""
    last = build_layers(validate(spec))[-1]
    values = math.prod(last.out_shape)
    return 1.0 / (values // last.out_shape[-1] if spec["loss"] == "softmax_crossentropy" else values)


def n_values(shape):
    return math.prod(shape)
