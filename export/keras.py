"""A page's network as a runnable Keras 3 script (``script``) or its sections (``sections``).

Keras 3 runs on PyTorch, JAX or TensorFlow; the script picks PyTorch unless ``KERAS_BACKEND`` says
otherwise. Images are channels last in Keras, (N, H, W, C): the data are transposed, conv kernels
become (k, k, in, out), and a Permute before Flatten keeps the playground's (C, H, W) order so a
dense layer's weights load as they are.
"""
from . import data as data_code
from .layers import KINDS, kl_scale
from .script import (Section, data_section, evaluation_words, header, model_words, script_text, settings_code,
                     settings_words, training_words, weights_words)

OPTIMIZERS = {"sgd": "keras.optimizers.SGD(learning_rate=LEARNING_RATE{clip})",
              "momentum": "keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=0.9{clip})",
              "adam": "keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=1e-8{clip})",
              "rmsprop": "keras.optimizers.RMSprop(learning_rate=LEARNING_RATE, rho=0.99, epsilon=1e-8{clip})"}
LOSSES = {"mse": "keras.losses.MeanSquaredError()",
          "binary_crossentropy": "keras.losses.BinaryCrossentropy(from_logits=True)",
          "softmax_crossentropy": "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"}


def file_name(recipe):
    return f"{recipe.page}_keras.py"


def _imports(recipe, command_line=True):
    std = set(data_code.imports(recipe.data)) | {"import os", "from pathlib import Path"} \
        | ({"import argparse"} if command_line else set())
    return ("\n".join(sorted(std, key=lambda line: (line.startswith("from"), line))) + "\n\n"
            "os.environ.setdefault(\"KERAS_BACKEND\", \"torch\")  # or \"jax\", \"tensorflow\": before importing keras\n\n"
            "import keras\nimport numpy as np\nfrom keras import layers, regularizers\n")


def _item(entry):
    expr, comment = entry if isinstance(entry, tuple) else (entry, "")
    return f"    {expr}," + (f"  # {comment}" if comment else "")


def _model(recipe):
    shape = list(recipe.spec["input_shape"])
    lines = []
    if recipe.images:
        c, h, w = shape
        shape = [h, w, c]
        lines.append("x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)  "
                     "# Keras: channels last, (N, H, W, C)")
    items = [_item(e) for layer in recipe.plan for e in KINDS[layer.kind].keras(layer)]
    if recipe.l1 or recipe.l2:
        lines.append("PENALTY = regularizers.L1L2(l1=L1, l2=L2 / 2)  # Keras' L2 penalty l2 * w**2 has the "
                     "gradient 2 * l2 * w: half the page's L2 gives its L2 * w")
    if any(layer.kind == "sampling" for layer in recipe.plan):
        lines.append(SAMPLING.format(scale=kl_scale(recipe.spec)))
    lines += ["model = keras.Sequential([",
              f"    keras.Input(shape={tuple(shape)!r}),",
              *items,
              "])",
              "model.summary()"]
    return "\n".join(lines) + "\n"


SAMPLING = '''KL_SCALE = {scale!r}  # 1 / the values the loss averages per sample, as the page scales the KL term


class Sampling(layers.Layer):
    """A variational code: the means and log-variances before it give the code, drawn while training
    (mean + exp(log_var / 2) x a standard normal) and the means otherwise; beta x its KL divergence
    to a standard normal, scaled like the loss, joins the loss."""

    def __init__(self, beta, scale, **kwargs):
        super().__init__(**kwargs)
        self.beta, self.scale = beta, scale
        self.seeds = keras.random.SeedGenerator(SEED)

    def call(self, x, training=None):
        mean, log_var = keras.ops.split(x, 2, axis=-1)
        kl = -0.5 * keras.ops.sum(1 + log_var - mean ** 2 - keras.ops.exp(log_var), axis=-1)
        self.add_loss(self.beta * self.scale * keras.ops.mean(kl))
        if training:
            return mean + keras.ops.exp(log_var / 2) * keras.random.normal(keras.ops.shape(mean), seed=self.seeds)
        return mean

    def compute_output_shape(self, shape):
        return shape[:-1] + (shape[-1] // 2,)

'''


def _weights(recipe):
    lines = []
    for layer in recipe.plan:
        load = KINDS[layer.kind].keras_load
        if load:
            lines += load(layer)
    gru = any(layer.kind == "gru" for layer in recipe.plan)
    helper = ("def gru_gates(a):\n"
              "    \"\"\"The playground keeps a GRU's gates in PyTorch's order r, z, n; Keras' is z, r, h.\"\"\"\n"
              "    r, z, n = np.split(a, 3, axis=-1)\n"
              "    return np.concatenate([z, r, n], axis=-1)\n\n\n") if gru else ""
    body = "\n".join(f"    {line}" for line in lines) or "    pass"
    return (helper +
            "def load_weights(model, path):\n"
            "    \"\"\"Set every layer's weights from the playground's arrays (\"<layer index>.<name>\").\"\"\"\n"
            "    w = np.load(path)  # plain arrays: nothing in the file is run (no pickle)\n"
            f"{body}\n\n\n"
            "if WEIGHTS and (HERE / WEIGHTS).exists():  # beside this file (or a full path)\n"
            "    load_weights(model, HERE / WEIGHTS)\n"
            "    print(f\"Starting from the page's weights in {WEIGHTS}\")\n"
            "else:\n"
            "    print(\"Starting from fresh random weights\")\n")


def _metric(recipe):
    if recipe.accuracy == "argmax":
        return "metrics = [\"sparse_categorical_accuracy\"]\n"
    if recipe.accuracy == "sign":
        return ("\n\ndef sign_accuracy(y_true, y_pred):\n"
                "    \"\"\"The page's accuracy: a positive output says the positive class.\"\"\"\n"
                f"    right = keras.ops.equal(y_pred > 0, y_true > {recipe.threshold})\n"
                "    return keras.ops.mean(keras.ops.cast(right, \"float32\"))\n\n\n"
                "metrics = [sign_accuracy]\n")
    return "metrics = []  # regression: no accuracy\n"


def _training(recipe):
    clip = ", global_clipnorm=CLIP" if recipe.clip_norm else ""
    reg = ("# L1 and L2 sit on the layers with weights as their regularizers (PENALTY above).\n"
           if recipe.l1 or recipe.l2 else "")
    return (reg + _metric(recipe) +
            f"optimizer = {OPTIMIZERS[recipe.optimizer].format(clip=clip)}\n"
            f"model.compile(optimizer=optimizer, loss={LOSSES[recipe.loss]}, metrics=metrics)\n"
            "history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True,\n"
            "                    validation_data=(x_test, y_test), verbose=2)\n")


def _evaluation(recipe):
    if recipe.accuracy == "argmax":
        acc = ("test_acc = float((out.reshape(-1, out.shape[-1]).argmax(1) == y_test.reshape(-1)).mean())\n")
        show = ("print(\"first test samples, predicted class:\", out.reshape(-1, out.shape[-1]).argmax(1)[:10].tolist())\n"
                "print(\"                          true class:\", y_test.reshape(-1)[:10].tolist())\n")
    else:
        acc = (f"test_acc = float(((out.reshape(-1) > 0) == (y_test.reshape(-1) > {recipe.threshold})).mean())\n"
               if recipe.accuracy == "sign" else "test_acc = float(\"nan\")  # regression: no accuracy\n")
        show = ("print(\"first test outputs:\", out.reshape(-1)[:5].tolist())\n"
                "print(\"      their labels:\", y_test.reshape(-1)[:5].tolist())\n")
    return ("out = np.asarray(model.predict(x_test, verbose=0))\n"
            "test_loss = float(model.evaluate(x_test, y_test, verbose=0, return_dict=True)[\"loss\"])\n"
            + acc +
            "print(f\"test loss {test_loss:.4f}\" + (f\", test accuracy {test_acc:.1%}\" if test_acc == test_acc else \"\"))\n"
            + show)


def sections(recipe):
    script, notebook = settings_code(recipe, "keras")
    return [
        Section("Imports", "## Imports\n\nNumPy for the data, Keras 3 for the network (on PyTorch here; JAX or "
                "TensorFlow work the same).", _imports(recipe), _imports(recipe, command_line=False)),
        Section("Settings", settings_words(recipe), script, notebook),
        data_section(recipe, "keras"),
        Section("The network", model_words(recipe, "keras"), _model(recipe)),
        Section("The page's weights", weights_words(), _weights(recipe)),
        Section("Training", training_words(recipe), _training(recipe)),
        Section("Evaluation", evaluation_words(recipe), _evaluation(recipe)),
    ]


def script(recipe):
    """The whole Keras 3 script (a string)."""
    return script_text(header(recipe, "keras", file_name(recipe), "numpy and keras (3) with torch, jax or tensorflow"),
                       sections(recipe))
