"""Sections shared by the exported scripts and notebooks: a script is its sections' code under
``# %%`` cell markers (VS Code, Spyder and Jupytext read them as cells); a notebook is the same
sections, each a Markdown cell in the page's words above its code cell."""
from dataclasses import dataclass

from . import data as data_code

OPTIMIZER_WORDS = {"sgd": "plain gradient descent (SGD): each step follows the gradient",
                   "momentum": "SGD with momentum 0.9: steps keep going in the direction they went",
                   "adam": "Adam (PyTorch's defaults: 0.9, 0.999, eps 1e-8)",
                   "rmsprop": "RMSProp (alpha 0.99, eps 1e-8)"}
LOSS_WORDS = {"mse": "the mean squared error of the outputs",
              "binary_crossentropy": "binary cross-entropy of the output read as a logit",
              "softmax_crossentropy": "softmax cross-entropy: the outputs are logits, one per class"}
FRAMEWORKS = {"pytorch": "PyTorch", "keras": "Keras 3"}


@dataclass(frozen=True)
class Section:
    title: str
    words: str                  # Markdown for the notebook
    code: str                   # the script's code
    notebook_code: str = None   # the notebook's, where it differs (no command line there)

    def cell(self, notebook=False):
        return self.notebook_code if notebook and self.notebook_code is not None else self.code


def script_text(header, sections):
    """The script: its docstring, then every section under a ``# %%`` marker."""
    parts = [f'"""{header}\n"""\n']
    for s in sections:
        parts.append(f"# %% {s.title}\n{s.code.rstrip()}\n")
    return "\n\n".join(parts)


def header(recipe, framework, file_name, needs):
    where = f"\n{recipe.link}\n" if recipe.link else ""
    start = (f" (the weights of step {recipe.step:,}, epoch {recipe.epoch:,})" if recipe.step else "")
    return (f"{recipe.title}: the playground's network in {FRAMEWORKS[framework]}.\n\n"
            f"Written by the neural-network playground from the page's settings{start}.{where}\n"
            f"Run it:  python {file_name}                  # from the page's weights.npz, if it is beside it\n"
            f"         python {file_name} --weights \"\"      # from fresh weights\n"
            f"         python {file_name} --epochs 5\n"
            f"Needs: {needs}.")


def settings_code(recipe, framework):
    """The settings section: the command line in a script, plain values in a notebook."""
    common = (data_code.HERE + "\n"
              f"SEED = {recipe.seed}\n"
              f"BATCH_SIZE = {recipe.batch_size}\n"
              f"LEARNING_RATE = {recipe.lr!r}\n"
              f"L1, L2 = {recipe.l1!r}, {recipe.l2!r}  # penalties on the weights (not the biases)\n"
              f"CLIP = {recipe.clip_norm!r}  # the gradient's norm at most (None: no clipping)\n")
    seed = ("torch.manual_seed(SEED)\n" if framework == "pytorch" else "keras.utils.set_random_seed(SEED)\n")
    script = ("parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)\n"
              f"parser.add_argument(\"--epochs\", type=int, default={recipe.epochs}, help=\"passes over the training data\")\n"
              "parser.add_argument(\"--weights\", default=\"weights.npz\",\n"
              "                    help=\"the page's weights (.npz) to start from; '' for fresh weights\")\n"
              "args, _ = parser.parse_known_args()\n"
              "EPOCHS, WEIGHTS = args.epochs, args.weights\n" + common + seed)
    notebook = (f"EPOCHS = {recipe.epochs}  # passes over the training data\n"
                "WEIGHTS = \"weights.npz\"  # the page's weights to start from; \"\" for fresh weights\n"
                + common + seed)
    return script, notebook


def settings_words(recipe):
    return (f"## Settings\n\nAs the page had them: batch size {recipe.batch_size}, learning rate {recipe.lr:g}"
            + (f", L1 {recipe.l1:g}" if recipe.l1 else "") + (f", L2 {recipe.l2:g}" if recipe.l2 else "")
            + (f", gradients clipped to norm {recipe.clip_norm:g}" if recipe.clip_norm else "")
            + ". `WEIGHTS` names the `.npz` the page downloads: with it the network starts where the page "
              "stopped; with `\"\"` it starts from fresh random weights.")


def data_words(recipe):
    about = recipe.about or data_code.describe(recipe.data)
    return (f"## Data\n\n{about}\n\nThe code below makes it exactly as the page does (the same generator and "
            "seed, so the same numbers): `x_train`, `y_train` to learn from and `x_test`, `y_test` held out.")


def model_words(recipe, framework):
    lines = "\n".join(f"- `{l.name}`: {_kind_words(l)}" for l in recipe.plan)
    extra = recipe.words.get("model", "")
    shape = " × ".join(map(str, recipe.spec["input_shape"]))
    return (f"## The network\n\n{extra + chr(10) * 2 if extra else ''}Each sample is {shape} numbers. Layer "
            f"by layer, as on the page:\n\n{lines}\n\nThe last layer's output goes to the loss as it is "
            "(the cross-entropies read it as logits).")


def _kind_words(layer):
    from .layers import KINDS
    return KINDS[layer.kind].words(layer)


def training_words(recipe):
    return (f"## Training\n\nThe loss is {LOSS_WORDS[recipe.loss]}. The optimizer is "
            f"{OPTIMIZER_WORDS[recipe.optimizer]}, learning rate {recipe.lr:g}. "
            "L2 works as weight decay (it adds L2 × w to each weight's gradient) and L1 adds L1 × sign(w); "
            "both leave the biases alone, as the page does. Every epoch shuffles the training data and "
            f"takes steps of {recipe.batch_size} samples.")


def data_section(recipe, framework):
    return Section("Data", data_words(recipe), data_code.code(recipe.data, framework, here=False))


def weights_words():
    return ("## The page's weights\n\nThe `.npz` the page downloads holds every array by the name "
            "`\"<layer index>.<name>\"` in the playground's layout; this cell copies each into the framework's "
            "layout (a dense layer keeps W as (in, out) in the playground).")


def evaluation_words(recipe):
    what = {"argmax": "the share of test samples whose largest output is the right class",
            "sign": "the share of test samples whose output has the label's sign",
            None: "no accuracy: this is regression"}[recipe.accuracy]
    return f"## Evaluation\n\nThe test loss, and {what}, as the page counts them."
