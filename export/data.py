"""The data section of an exported script: NumPy code that makes the page's data as the page does.

A page describes its data as a JSON-able *data recipe* (a dict):

    {"source": "toy2d", "name": "circle", "n": 500, "noise": 0.0, "seed": 0,
     "train_fraction": 0.5, "features": ["x1", "x2"], "targets": "float"}
    {"source": "image", "name": "mnist" | "bars", "settings": {...}, "seed": 0, "targets": "classes" | "pixels"}
    {"source": "sequence", "name": "waves" | "delayed_recall" | "text" | "parity" | "adding",
     "settings": {...}, "seed": 0}
    {"source": "arrays"}        # the arrays themselves, shipped as data.npz beside the script

An image recipe's ``targets`` "pixels" (an autoencoder's) makes each image's pixels, flattened and
clipped to [0, 1], its target instead of its class. ``targets`` (2-D sets): "float" (a value or a -1/+1 sign per point, (N, 1)), "binary" (0/1, (N, 1)) or
"class" (class indices (N,)). The generators' code is the engine's own (``inspect.getsource``, their
decorators dropped), so a script makes the same numbers the page trains on (a test checks every set).
Files a recipe reads (MNIST, the King James text) are listed by ``files``.
"""
import ast
import inspect
import textwrap
import types

import numpy as np

from engine.data import IMAGE_DATASETS, SEQUENCE_TASKS, images, sequences, toy2d
from engine.data.toy2d import DATASETS as DATASETS_2D

SOURCES = ("toy2d", "image", "sequence", "arrays")
FEATURE_CODE = {"x1": "p[:, 0]", "x2": "p[:, 1]", "x1_sq": "p[:, 0] ** 2", "x2_sq": "p[:, 1] ** 2",
                "x1_x2": "p[:, 0] * p[:, 1]", "sin_x1": "np.sin(p[:, 0])", "sin_x2": "np.sin(p[:, 1])"}
TARGETS = ("float", "binary", "class")
IMAGE_TARGETS = ("classes", "pixels")
PIXEL_TARGETS = ("y_train, y_test = (np.clip(a.reshape(len(a), -1), 0, 1) for a in (x_train, x_test))"
                 "  # the target: the image itself\n")
MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
HERE = ('HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()'
        "  # where this script's files are")


def check(recipe):
    """``recipe`` checked (a ValueError names what is wrong); returns it."""
    if not isinstance(recipe, dict) or recipe.get("source") not in SOURCES:
        raise ValueError(f"a data recipe is a dict whose 'source' is one of {list(SOURCES)}, got {recipe!r}")
    source = recipe["source"]
    if source == "toy2d":
        if recipe.get("name") not in DATASETS_2D:
            raise ValueError(f"toy2d: 'name' must be one of {sorted(DATASETS_2D)}")
        if not recipe.get("features") or set(recipe["features"]) - set(FEATURE_CODE):
            raise ValueError(f"toy2d: 'features' must be a non-empty subset of {list(FEATURE_CODE)}")
        if recipe.get("targets") not in TARGETS:
            raise ValueError(f"toy2d: 'targets' must be one of {list(TARGETS)}")
    elif source in ("image", "sequence"):
        catalog = IMAGE_DATASETS if source == "image" else SEQUENCE_TASKS
        if recipe.get("name") not in catalog:
            raise ValueError(f"{source}: 'name' must be one of {sorted(catalog)}")
        catalog[recipe["name"]].settings(recipe.get("settings", {}))      # raises on a bad setting
        if source == "image" and recipe.get("targets", "classes") not in IMAGE_TARGETS:
            raise ValueError(f"image: 'targets' must be one of {list(IMAGE_TARGETS)}")
    return recipe


def settings_of(recipe):
    """Every setting of an image or sequence recipe, the source's defaults filled in."""
    catalog = IMAGE_DATASETS if recipe["source"] == "image" else SEQUENCE_TASKS
    return catalog[recipe["name"]].settings(recipe.get("settings", {}))


def files(recipe):
    """{name in the download: path on this machine} of the files the data code reads."""
    if recipe["source"] == "image" and recipe["name"] == "mnist":
        return {f"mnist/{name}": images.MNIST_DIR / name for name in MNIST_FILES}
    if recipe["source"] == "sequence" and recipe["name"] == "text" and settings_of(recipe)["text"] == "kjv":
        return {"kjv.txt": sequences.ASSETS / "text" / "kjv.txt"}
    return {}


def describe(recipe):
    """The data in a sentence or two (the notebook's words about them)."""
    source, name = recipe["source"], recipe.get("name")
    if source == "toy2d":
        return (f"The *{DATASETS_2D[name].title}* set, as in TensorFlow Playground: {recipe['n']} points in the "
                f"plane ({recipe['noise']:.0%} noise), {recipe['train_fraction']:.0%} of them to train on and the rest "
                f"to test. The network sees {', '.join(recipe['features'])} of each point.")
    if source in ("image", "sequence"):
        catalog = IMAGE_DATASETS if source == "image" else SEQUENCE_TASKS
        s = settings_of(recipe)
        sizes = f" {s['n']} samples to train on and {s['n_test']} to test." if "n" in s else (
            f" {s['n_test']} of the 10,000 images are the test set, the rest train." if "n_test" in s else "")
        pixels = " Each image is also its own target: the network learns to give back what it sees." \
            if recipe.get("targets") == "pixels" else ""
        return f"*{catalog[name].title}*.{sizes}{pixels}"
    return "The page's own data, shipped beside this file as `data.npz`."


def needs_arrays(recipe):
    return recipe["source"] == "arrays"


# -- the engine's own code ---------------------------------------------------------------------------
def _source(func):
    """A function's source without its decorators, dedented."""
    text = textwrap.dedent(inspect.getsource(func))
    tree = ast.parse(text)
    first = tree.body[0].lineno            # the "def" line, after any decorators
    return "\n".join(text.splitlines()[first - 1:]) + "\n"


def _closure(funcs):
    """The code of ``funcs`` and of the module-level functions and constants they use, each once,
    what they use first."""
    done, out = set(), []

    def names(code):
        found = set(code.co_names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= names(const)
        return found

    def visit(func):
        func = inspect.unwrap(func)             # an lru_cache's function: its own code
        if func.__name__ in done:
            return
        done.add(func.__name__)
        module = inspect.getmodule(func)
        for name in sorted(names(func.__code__)):
            value = module.__dict__.get(name)
            if callable(value) and hasattr(value, "__wrapped__"):
                value = inspect.unwrap(value)
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                visit(value)
            elif name not in done and isinstance(value, (int, float, str, tuple)) and not isinstance(value, bool):
                done.add(name)
                out.append(f"{name} = {value!r}\n")
            elif name not in done and isinstance(value, np.ndarray):
                done.add(name)
                out.append(f"{name} = np.array({value.tolist()!r})\n")
        out.append(_source(func))

    for func in funcs:
        visit(func)
    return "\n\n".join(out)


# -- the sections ----------------------------------------------------------------------------------------
def imports(recipe):
    """The import lines the data code needs besides numpy."""
    lines = []
    if recipe["source"] == "sequence" and recipe["name"] == "text" and settings_of(recipe)["text"] == "zen":
        lines += ["import codecs", "import importlib.util"]
    if recipe["source"] == "image" and recipe["name"] == "mnist":
        lines.append("import gzip")
    if files(recipe) or needs_arrays(recipe):
        lines.append("from pathlib import Path")
    return lines


def code(recipe, framework="pytorch", here=True):
    """NumPy code that ends with x_train, y_train, x_test, y_test as the page trains on them
    (images (N, C, H, W), sequences (N, T, F), float32 inputs; int64 class indices or float32
    targets). ``framework`` only picks the MNIST loader used when the shipped files are missing;
    ``here``: define HERE, the folder of the files it reads (a script defines it in its settings)."""
    body = _code(recipe, framework)
    return (HERE + "\n" + body) if here and "HERE /" in body else body


def _code(recipe, framework):
    check(recipe)
    source = recipe["source"]
    if source == "toy2d":
        return _toy2d(recipe)
    if source == "image":
        made = _mnist(recipe, framework) if recipe["name"] == "mnist" else _bars(recipe)
        return made + (PIXEL_TARGETS if recipe.get("targets") == "pixels" else "")
    if source == "sequence":
        return _sequence(recipe)
    return ("data = np.load(HERE / \"data.npz\")  # the page's own data, downloaded with this script\n"
            "x_train, y_train, x_test, y_test = (data[k] for k in (\"x_train\", \"y_train\", \"x_test\", \"y_test\"))\n")


def _toy2d(r):
    make = DATASETS_2D[r["name"]].make
    feats = r["features"]
    targets = {"float": "labels.reshape(-1, 1).astype(np.float32)  # the -1/+1 label (or the value) itself",
               "binary": "(labels > 0).astype(np.float32).reshape(-1, 1)  # +1 -> 1, -1 -> 0",
               "class": "labels.astype(np.int64)  # class indices"}[r["targets"]]
    return (f"{_closure([make, toy2d.split])}\n"
            f"points, labels = {make.__name__}(np.random.default_rng({r['seed']}), {r['n']}, {float(r['noise'])!r})\n"
            f"train_xy, train_labels, test_xy, test_labels = split(points, labels, {r['train_fraction']!r}, "
            f"seed={r['seed']})\n\n\n"
            "def features(p):\n"
            f'    """What the network sees of each point: {", ".join(feats)}."""\n'
            f"    return np.stack([{', '.join(FEATURE_CODE[f] for f in feats)}], axis=1).astype(np.float32)\n\n\n"
            "def targets(labels):\n"
            f"    return {targets}\n\n\n"
            "x_train, y_train = features(train_xy), targets(train_labels)\n"
            "x_test, y_test = features(test_xy), targets(test_labels)\n")


MNIST_FALLBACK = {
    "pytorch": ("    from torchvision.datasets import MNIST  # the same 10,000 test images, downloaded once\n"
                "    test_set = MNIST(HERE / \"data\", train=False, download=True)\n"
                "    images, labels = test_set.data.numpy(), test_set.targets.numpy()\n"),
    "keras": ("    _, (images, labels) = keras.datasets.mnist.load_data()  # the same 10,000 test images\n"),
}


def _mnist(r, framework):
    n_test = settings_of(r)["n_test"]
    return ("def read_idx(path):\n"
            '    """An array from a gzipped idx file (the MNIST format)."""\n'
            "    with gzip.open(path, \"rb\") as f:\n"
            "        data = f.read()\n"
            "    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], \"big\") for i in range(data[3])]\n"
            "    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)\n\n\n"
            f"{_closure([images.stratified_order])}\n"
            "# The official MNIST test set (10,000 images; CC BY-SA 3.0, Yann LeCun and Corinna Cortes),\n"
            "# from the two files that came with this script.\n"
            f"if (HERE / \"mnist\" / \"{MNIST_FILES[0]}\").exists():\n"
            f"    images = read_idx(HERE / \"mnist\" / \"{MNIST_FILES[0]}\")\n"
            f"    labels = read_idx(HERE / \"mnist\" / \"{MNIST_FILES[1]}\")\n"
            "else:\n"
            f"{MNIST_FALLBACK[framework]}"
            "order = stratified_order(labels, seed=0)  # every first n_test images hold each digit in its share\n"
            "x = images[order, None].astype(np.float32) / np.float32(255)  # (N, 1, 28, 28) in [0, 1]\n"
            "y = labels[order].astype(np.int64)\n"
            f"N_TEST = {n_test}\n"
            "x_train, y_train, x_test, y_test = x[N_TEST:], y[N_TEST:], x[:N_TEST], y[:N_TEST]\n")


def _bars(r):
    s = settings_of(r)
    return (f"{_closure([images.bars])}\n"
            f"x, y = bars({s['n'] + s['n_test']}, size={s['size']}, noise={s['noise']!r}, seed={r['seed']})\n"
            f"x_train, y_train, x_test, y_test = x[:{s['n']}], y[:{s['n']}], x[{s['n']}:], y[{s['n']}:]\n")


def _split_lines(call, s):
    n = s["n"]
    return (f"x, y = {call}\n"
            f"x_train, y_train, x_test, y_test = x[:{n}], y[:{n}], x[{n}:], y[{n}:]\n")


TEXT_CODE = '''

def windows(codes, vocab, length, n, seed, span):
    """n windows of ``length`` characters from codes[span[0]:span[1]], one-hot (n, length, vocab), and
    the character after each step (n, length), or after the window (n,)."""
    lo, hi = span
    rng = np.random.default_rng(seed)
    start = rng.integers(lo, hi - length, n)
    idx = start[:, None] + np.arange(length)[None, :]
    x = np.eye(vocab)[codes[idx]]
    y = codes[idx + 1] if EVERY_STEP else codes[start + length]
    return x, y


chars = sorted(set(text))  # the vocabulary: every character of the text, in order
index = {c: i for i, c in enumerate(chars)}
codes = np.array([index[c] for c in text])
cut = len(codes) - max(len(codes) // 10, LENGTH + 1)  # the last tenth is the test text
x_train, y_train = windows(codes, len(chars), LENGTH, N, SEED, (0, cut))
x_test, y_test = windows(codes, len(chars), LENGTH, N_TEST, SEED + 1, (cut, len(codes)))
'''


def _sequence(r):
    s, name, seed = settings_of(r), r["name"], r["seed"]
    total = s["n"] + s.get("n_test", 0)
    if name == "waves":
        body = _closure([sequences.waves]) + "\n" + _split_lines(
            f"waves({s['kind']!r}, {total}, length={s['length']}, noise={s['noise']!r}, seed={seed})", s)
    elif name == "delayed_recall":
        body = _closure([sequences.delayed_recall]) + "\n" + _split_lines(
            f"delayed_recall({total}, {s['delay']}, {s['symbols']}, {s['distractors']}, seed={seed})", s)
    elif name == "parity":
        body = _closure([sequences.parity]) + "\n" + _split_lines(f"parity({total}, {s['length']}, seed={seed})", s)
    elif name == "adding":
        body = _closure([sequences.adding]) + "\n" + _split_lines(f"adding({total}, {s['length']}, seed={seed})", s)
    else:
        if s["text"] == "zen":
            read = _closure([sequences.zen_of_python]) + "\n\ntext = zen_of_python()\n"
        else:
            read = ("text = (HERE / \"kjv.txt\").read_text(encoding=\"utf-8\")  # 12 chapters of the King James "
                    "Bible (public domain)\n")
        body = (read + f"LENGTH, N, N_TEST, SEED, EVERY_STEP = {s['length']}, {s['n']}, {s['n_test']}, {seed}, "
                f"{s['every_step']}" + TEXT_CODE)
    classes = SEQUENCE_TASKS[name].kind == "classification"
    cast = ("y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)  # class indices\n" if classes else
            "y_train, y_test = y_train.astype(np.float32), y_test.astype(np.float32)\n")
    return body + "x_train, x_test = x_train.astype(np.float32), x_test.astype(np.float32)\n" + cast
