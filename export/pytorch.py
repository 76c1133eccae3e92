"""A page's network as a runnable PyTorch script (``script``) or its sections (``sections``)."""
from . import data as data_code
from .layers import KINDS, kl_scale
from .script import (Section, evaluation_words, header, model_words, script_text, settings_code,
                     settings_words, training_words, weights_words, data_section)

OPTIMIZERS = {"sgd": "torch.optim.SGD(groups, lr=LEARNING_RATE)",
              "momentum": "torch.optim.SGD(groups, lr=LEARNING_RATE, momentum=0.9)",
              "adam": "torch.optim.Adam(groups, lr=LEARNING_RATE)",
              "rmsprop": "torch.optim.RMSprop(groups, lr=LEARNING_RATE, alpha=0.99, eps=1e-8)"}
LOSSES = {"mse": "F.mse_loss(out, y)",
          "binary_crossentropy": "F.binary_cross_entropy_with_logits(out, y)",
          "softmax_crossentropy": "F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))"}


def file_name(recipe):
    return f"{recipe.page}_pytorch.py"


def _imports(recipe, command_line=True):
    std = set(data_code.imports(recipe.data)) | {"from pathlib import Path"} | ({"import argparse"} if command_line else set())
    return ("\n".join(sorted(std, key=lambda line: (line.startswith("from"), line))) + "\n\n"
            "import numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n")


def _variational(recipe):
    return any(layer.kind == "sampling" for layer in recipe.plan)


def _model(recipe):
    init, forward, frozen = [], [], []
    if _variational(recipe):
        forward.append("self.kl = 0.0  # the sampling layer's beta x KL divergence, for the loss")
    for layer in recipe.plan:
        i, f = KINDS[layer.kind].torch(layer)
        init += i
        forward += f
        if layer.frozen and KINDS[layer.kind].params:
            frozen.append(f"model.{layer.name}.requires_grad_(False)  # frozen on the page: it does not learn")
    body = "\n".join(f"        {line}" for line in init) or "        pass"
    fwd = "\n".join(f"        {line}" for line in forward)
    still = [l.name for l in recipe.plan if l.kind == "batchnorm" and l.frozen]
    train = ("    def train(self, mode=True):\n"
             "        super().train(mode)\n"
             + "".join(f"        self.{name}.eval()  # frozen on the page: it normalises with its moving "
                       "statistics\n" for name in still)
             + "        return self\n\n") if still else ""
    return ("class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"{body}\n\n"
            f"{train}"
            "    def forward(self, x):\n"
            f"{fwd}\n"
            "        return x  # raw outputs: the loss reads them as they are\n\n\n"
            "model = Net()\n" + "".join(line + "\n" for line in frozen) + "print(model)\n")


def _weights(recipe):
    lines = []
    for layer in recipe.plan:
        load = KINDS[layer.kind].torch_load
        if load:
            lines += load(layer)
    body = "\n".join(f"        {line}" for line in lines) or "        pass"
    return ("def load_weights(model, path):\n"
            "    \"\"\"Copy the playground's arrays (\"<layer index>.<name>\") into the model.\"\"\"\n"
            "    w = np.load(path)  # plain arrays: nothing in the file is run (no pickle)\n\n"
            "    def put(param, array):\n"
            "        param.copy_(torch.from_numpy(np.ascontiguousarray(array, np.float32)))\n\n"
            "    with torch.no_grad():\n"
            f"{body}\n\n\n"
            "if WEIGHTS and (HERE / WEIGHTS).exists():  # beside this file (or a full path)\n"
            "    load_weights(model, HERE / WEIGHTS)\n"
            "    print(f\"Starting from the page's weights in {WEIGHTS}\")\n"
            "else:\n"
            "    print(\"Starting from fresh random weights\")\n")


def _accuracy(recipe):
    if recipe.accuracy == "argmax":
        return "(out.reshape(-1, out.shape[-1]).argmax(1) == y.reshape(-1)).float().mean().item()"
    if recipe.accuracy == "sign":
        return f"((out.reshape(-1) > 0) == (y.reshape(-1) > {recipe.threshold})).float().mean().item()"
    return "float(\"nan\")  # regression: no accuracy"


def _training(recipe):
    norms = tuple(f"{l.name}." for l in recipe.plan if l.kind == "batchnorm")
    if norms:
        decayed = f"\"weight\" in name and not name.startswith({norms!r})"
        kept = f"not ({decayed})"
        words = ("# L1 and L2 act on the weights (names with \"weight\"), never on the biases or batch "
                 "normalization's scale (its \"weight\"), as on the page.\n")
    else:
        decayed = "\"weight\" in name"
        kept = "\"weight\" not in name"
        words = "# L1 and L2 act on the weights (names with \"weight\"), never on the biases, as on the page.\n"
    objective = "compute_loss"
    kl = ""
    if _variational(recipe):
        objective = "training_loss"
        kl = (f"KL_SCALE = {kl_scale(recipe.spec)!r}  # 1 / the values the loss averages per sample, as the page "
              "scales the KL term\n\n\n"
              "def training_loss(out, y):\n"
              "    \"\"\"What training minimises: the reconstruction loss plus the KL term of the forward pass that "
              "made ``out``.\"\"\"\n"
              "    return compute_loss(out, y) + KL_SCALE * model.kl\n\n\n")
    return ("def compute_loss(out, y):\n"
            f"    return {LOSSES[recipe.loss]}\n\n\n"
            + kl +
            "def accuracy(out, y):\n"
            f"    return {_accuracy(recipe)}\n\n\n"
            + words +
            f"weights = [p for name, p in model.named_parameters() if {decayed} and p.requires_grad]\n"
            f"others = [p for name, p in model.named_parameters() if {kept} and p.requires_grad]\n"
            "groups = [{\"params\": weights, \"weight_decay\": L2}, {\"params\": others, \"weight_decay\": 0.0}]\n"
            f"optimizer = {OPTIMIZERS[recipe.optimizer]}\n"
            "x_train_t, y_train_t = torch.from_numpy(x_train), torch.from_numpy(y_train)\n"
            "x_test_t, y_test_t = torch.from_numpy(x_test), torch.from_numpy(y_test)\n\n\n"
            "def evaluate(x, y):\n"
            "    \"\"\"Loss and accuracy on (x, y), dropout off.\"\"\"\n"
            "    model.eval()\n"
            "    with torch.no_grad():\n"
            "        out = model(x)\n"
            "        return compute_loss(out, y).item(), accuracy(out, y)\n\n\n"
            "history = {\"epoch\": [], \"train_loss\": [], \"test_loss\": [], \"test_acc\": []}\n\n\n"
            "def record(epoch):\n"
            "    train_loss, _ = evaluate(x_train_t, y_train_t)\n"
            "    test_loss, test_acc = evaluate(x_test_t, y_test_t)\n"
            "    for k, v in zip(history, (epoch, train_loss, test_loss, test_acc)):\n"
            "        history[k].append(v)\n"
            "    print(f\"epoch {epoch:4d}  train loss {train_loss:.4f}  test loss {test_loss:.4f}\"\n"
            "          + (f\"  test accuracy {test_acc:.1%}\" if test_acc == test_acc else \"\"))\n\n\n"
            "record(0)\n"
            "for epoch in range(1, EPOCHS + 1):\n"
            "    model.train()  # dropout on\n"
            "    order = torch.randperm(len(x_train_t))\n"
            "    for start in range(0, len(order), BATCH_SIZE):\n"
            "        batch = order[start:start + BATCH_SIZE]\n"
            + ("        if len(batch) < 2:\n"
               "            continue  # batch normalization needs two samples (the page skips such a batch too)\n"
               if any(l.kind == "batchnorm" and len(l.in_shape) == 1 and not l.frozen for l in recipe.plan)
               else "") +
            "        optimizer.zero_grad()\n"
            f"        loss = {objective}(model(x_train_t[batch]), y_train_t[batch])\n"
            "        loss.backward()\n"
            "        if CLIP:\n"
            "            nn.utils.clip_grad_norm_(model.parameters(), CLIP)  # the whole gradient's norm\n"
            "        if L1:\n"
            "            with torch.no_grad():\n"
            "                for w in weights:\n"
            "                    w.grad.add_(L1 * torch.sign(w))\n"
            "        optimizer.step()\n"
            "    record(epoch)\n")


def _evaluation(recipe):
    show = ("print(\"first test samples, predicted class:\", out.reshape(-1, out.shape[-1]).argmax(1)[:10].tolist())\n"
            "print(\"                          true class:\", y_test_t.reshape(-1)[:10].tolist())\n"
            if recipe.accuracy == "argmax" else
            "print(\"first test outputs:\", out.reshape(-1)[:5].tolist())\n"
            "print(\"      their labels:\", y_test_t.reshape(-1)[:5].tolist())\n")
    return ("model.eval()\n"
            "with torch.no_grad():\n"
            "    out = model(x_test_t)\n"
            "test_loss, test_acc = evaluate(x_test_t, y_test_t)\n"
            "print(f\"test loss {test_loss:.4f}\" + (f\", test accuracy {test_acc:.1%}\" if test_acc == test_acc else \"\"))\n"
            + show)


def sections(recipe):
    script, notebook = settings_code(recipe, "pytorch")
    return [
        Section("Imports", "## Imports\n\nNumPy for the data, PyTorch for the network.", _imports(recipe),
                _imports(recipe, command_line=False)),
        Section("Settings", settings_words(recipe), script, notebook),
        data_section(recipe, "pytorch"),
        Section("The network", model_words(recipe, "pytorch"), _model(recipe)),
        Section("The page's weights", weights_words(), _weights(recipe)),
        Section("Training", training_words(recipe), _training(recipe)),
        Section("Evaluation", evaluation_words(recipe), _evaluation(recipe)),
    ]


def script(recipe):
    """The whole PyTorch script (a string)."""
    return script_text(header(recipe, "pytorch", file_name(recipe), "numpy and torch"), sections(recipe))
