"""Every setting of the autoencoder page: its type, bounds, URL name, default and widget (ui/settings.py).

The network: an encoder of 0-3 dense layers, a code of 2-32 units, the encoder mirrored as the
decoder, and one output per pixel. The variational switch makes the code layer give a mean and a
log-variance per unit and samples the code from them; the denoising switch adds noise to the
inputs while training (the targets stay clean).
"""
from dataclasses import dataclass, replace

import engine
from engine.data import IMAGE_DATASETS

from ..settings import (Field, Settings, classroom_fields, clip_field, display_name, learning_rate_field,
                        optimizer_field, seed_field)

LR_LADDER = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03)
MAX_LAYERS, MIN_UNITS, MAX_UNITS, MIN_CODE, MAX_CODE = 3, 16, 256, 2, 32
IMAGE_SIZE = 28                    # the bars are drawn at MNIST's size, so every image has 784 pixels
LOSSES = {"binary_crossentropy": "Cross-entropy", "mse": "Squared error"}
HIDEABLE = {"data": "Data", "network": "Network", "training": "Training settings", "plane": "Code plane",
            "anomalies": "Anomalies", "curves": "Loss curves", "downloads": "Downloads"}


def _variational(s):
    return s.variational


FIELDS = {
    "dataset": Field("choice", tuple(IMAGE_DATASETS), "data", True, label="Images", widget="segmented",
                     section="data", labels={"mnist": "MNIST digits", "bars": "Bars"},
                     help="MNIST: 8,000 handwritten digits to train on, 2,000 to test. Bars: a line in one of four "
                          "orientations. The labels are never used in training, only to colour the dots."),
    "seed": seed_field("data"),
    "encoder": Field("ints", (MIN_UNITS, MAX_UNITS), "enc", True, MAX_LAYERS, label="Encoder layer", widget="number",
                     count="layers", item_default=64, step=16,
                     help="Units of this encoder layer; the decoder has the same layers in reverse"),
    "activation": Field("choice", tuple(engine.ACTIVATIONS), "act", True, label="Activation", widget="select",
                        section="network", labels=display_name,
                        help="What the encoder's and decoder's hidden units apply to their sums"),
    "code": Field("int", (MIN_CODE, MAX_CODE), "code", True, label="Code units", widget="slider", section="network",
                  help="The bottleneck: every image is squeezed into this many numbers. With 2 the code plane is the "
                       "code itself; with more, it shows the code's first two principal components."),
    "variational": Field("bool", None, "vae", True, label="Variational", widget="toggle", section="network",
                         help="The code layer gives a mean and a spread per unit, the code is drawn from them while "
                              "training, and a KL term keeps the codes near a standard normal: a smooth plane to "
                              "draw new images from."),
    "beta": Field("float", (0.0, 4.0), "beta", True, label="β (weight of the KL term)", widget="slider", step=0.1,
                  section="network", shown=_variational,
                  help="0: a plain autoencoder with noise in its code; 1: the standard VAE; more: smoother, blurrier"),
    "denoising": Field("bool", None, "dae", True, label="Denoising", widget="toggle", section="network",
                       help="Add noise to the inputs while training and ask for the clean image back"),
    "noise": Field("float", (0.0, 0.5), "noise", True, label="Input noise", widget="slider", step=0.05,
                   section="network", shown=lambda s: s.denoising,
                   help="Standard deviation of the Gaussian noise added to each pixel (pixels are 0 to 1)"),
    "loss": Field("choice", tuple(LOSSES), "loss", True, label="Loss", widget="select", section="network",
                  labels=LOSSES,
                  help="How a reconstruction is scored against the image: cross-entropy per pixel on a sigmoid "
                       "output, or the squared error of a sigmoid output, averaged over all 784 pixels"),
    "optimizer": optimizer_field(engine.OPTIMIZERS),
    "lr": learning_rate_field(LR_LADDER),
    "batch": Field("int", (1, 128), "batch", label="Batch size", widget="slider", section="training",
                   help="Images per weight update"),
    "clip": clip_field(),
    "grid": Field("bool", None, "grid", label="Decoded grid", widget="toggle",
                  help="Fill the plane with the images the decoder makes at each place of a grid"),
    **classroom_fields(HIDEABLE),
}


@dataclass(frozen=True)
class AutoencoderSettings(Settings):
    """The defaults: MNIST through 128 and 32 units into a 2-D code and back, Adam, cross-entropy."""
    FIELDS = FIELDS
    dataset: str = "mnist"
    seed: int = 0
    encoder: tuple = (128, 32)
    activation: str = "relu"
    code: int = 2
    variational: bool = False
    beta: float = 1.0
    denoising: bool = False
    noise: float = 0.3
    loss: str = "binary_crossentropy"
    optimizer: str = "adam"
    lr: float = 0.003
    batch: int = 64
    clip: float = 0.0               # gradient clipping by global norm; 0: off
    grid: bool = False
    present: bool = False
    hide: tuple = ()
    zoom: float = 1.25
    contrast: bool = False

    # -- a data set's own training defaults ---------------------------------------------------------
    @classmethod
    def from_values(cls, values):
        """Settings from a link's values, the data set's training defaults (DATA_DEFAULTS) under them."""
        dataset = values.get("dataset", cls.dataset)
        return cls(**{**DATA_DEFAULTS.get(dataset, {}), **values})

    def defaults(self):
        """What a link leaves out: the class defaults under this data set's training defaults."""
        return replace(type(self).from_values({"dataset": self.dataset}), dataset=type(self).dataset)

    def after_change(self, before):
        """A new data set brings its training defaults, unless the user had changed them."""
        if self.dataset == before.dataset:
            return self
        old, new = DATA_DEFAULTS.get(before.dataset, {}), DATA_DEFAULTS.get(self.dataset, {})
        keep = {name: getattr(type(self), name) for name in old}      # what the old set brought, undone
        changes = {name: value for name, value in {**keep, **new}.items()
                   if getattr(self, name) == old.get(name, getattr(type(self), name))}
        return replace(self, **changes)

    def change_notes(self, before):
        if self.dataset != before.dataset and self.dataset in DATA_REASONS:
            new = self.after_change(before)
            if new.lr != self.lr:
                return [f"The bars train with learning rate {new.lr:g}{DATA_REASONS[self.dataset]}."]
        return []

    @property
    def facts(self):
        """The data set's shape, classes and class names (the engine's data source says)."""
        return IMAGE_DATASETS[self.dataset].facts(**self.data_params())

    def data_params(self):
        return {} if self.dataset == "mnist" else {"size": IMAGE_SIZE}

    @property
    def pixels(self):
        c, h, w = self.facts.input_shape
        return c * h * w

    # -- the network ------------------------------------------------------------------------------
    def encoder_layers(self):
        """The spec's layers up to and with the code (and the sampling layer of a VAE).

        Denoising: a noise layer after the flatten adds Gaussian noise of standard deviation
        ``noise`` to the pixels while training (Keras' GaussianNoise; nothing at inference), and
        the targets stay the clean images. Not clipped to [0, 1]: the noise stays zero-mean, and
        the network sees a noisy image's values as they are.
        Variational: the code layer gives ``code`` means and ``code`` log-variances, and a sampling
        layer draws the code from them while training (the means otherwise) and adds ``beta`` times
        its KL divergence to N(0, 1) to the loss; the trainer keeps that divergence per step
        (``snapshot.history["kl"]``, beside ``history["step_loss"]``, the reconstruction loss)."""
        layers = [{"type": "flatten"}]
        if self.denoising and self.noise > 0:
            layers.append({"type": "noise", "stddev": self.noise})
        layers += [{"type": "dense", "units": u, "activation": self.activation} for u in self.encoder]
        if self.variational:
            return layers + [{"type": "dense", "units": 2 * self.code, "activation": "linear"},
                             {"type": "sampling", "beta": self.beta}]
        return layers + [{"type": "dense", "units": self.code, "activation": "linear"}]

    def decoder_layers(self):
        """The spec's layers after the code: the encoder's hidden layers in reverse, then the pixels."""
        layers = [{"type": "dense", "units": u, "activation": self.activation} for u in reversed(self.encoder)]
        out = "linear" if self.loss == "binary_crossentropy" else "sigmoid"   # cross-entropy reads logits
        return layers + [{"type": "dense", "units": self.pixels, "activation": out}]

    def spec(self):
        return {"input_shape": list(self.facts.input_shape), "loss": self.loss,
                "layers": self.encoder_layers() + self.decoder_layers()}

    @property
    def code_layer(self):
        """The index of the code layer in the spec (a VAE's sampling layer: at inference its output
        is the means, the code)."""
        return len(self.encoder_layers()) - 1

    def trainer_options(self):
        return {"optimizer": self.optimizer, "lr": self.lr, "batch_size": self.batch, "clip_norm": self.clip or None}

    def normalise(self):
        s = self
        if len(s.encoder) > MAX_LAYERS:
            s = replace(s, encoder=s.encoder[:MAX_LAYERS])
        return s


# A data set's own training defaults, which a change of data set brings (unless the user had changed
# them) and a link need not name. The bars at Adam 0.003 hardly learn (Grouped by label 40 % after 1,200
# steps, the loss 0.295 -> 0.278: the network rebuilds the mean noise); at 0.01, 83 % (seed 0).
DATA_DEFAULTS = {"mnist": {}, "bars": {"lr": 0.01}}
DATA_REASONS = {"bars": ": at the default 0.003 their codes hardly group (40 % after 1,200 steps against 83 %)"}
