"""Snapshot -> what the CNN page draws: the overview of one image through the network, the
kernels, a strip of test images with their predictions, and a feature-map cell's arithmetic.

Frames are JSON-able dicts; images and feature maps travel as one byte per value,
base64-encoded (the default MNIST CNN's overview is about 16 KB). Signed values
(kernels, pre-activation maps) map 0 to 128; a layer shares one scale so its maps
compare with each other.
"""
import base64

import numpy as np

from engine.kernels.activations import activate

LAYER_TITLES = {"conv2d": "conv", "maxpool2d": "max pool", "avgpool2d": "avg pool", "dense": "dense",
                "flatten": "flatten", "dropout": "dropout", "batchnorm": "batch norm"}
MAPS = ("conv2d", "batchnorm", "maxpool2d", "avgpool2d")     # layers whose output is feature maps (a batch
ACTIVATED = ("conv2d", "dense", "batchnorm")                 # norm's in a conv block); layers with an activation


def _b64(array):
    return base64.b64encode(np.ascontiguousarray(array, np.uint8).tobytes()).decode("ascii")


def signed_codes(values, scale):
    """uint8 codes of ``values`` on [-scale, scale]: 0 -> 128."""
    v = np.clip(np.asarray(values, np.float64) / max(scale, 1e-12), -1, 1)
    return np.round(v * 127 + 128).astype(np.uint8)


def image_codes(image):
    """uint8 codes of a [0, 1] image (ink 1 -> 255)."""
    return np.round(np.clip(np.asarray(image, np.float64), 0, 1) * 255).astype(np.uint8)


def _scale(values):
    return float(np.abs(values).max()) if np.size(values) else 1.0


def _f32(array):
    """A float32 array as base64 (little-endian): exact numbers for a view that computes with them."""
    return base64.b64encode(np.ascontiguousarray(array, "<f4").tobytes()).decode("ascii")


def softmax_rows(z):
    """Softmax of each row of ``z`` (n, classes)."""
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax(z):
    z = np.asarray(z, np.float64).ravel()
    e = np.exp(z - z.max())
    return e / e.sum()


def shown_layers(layers):
    """Positions (into ``snap.layers``) of the layers the overview draws: conv, batch norm, pooling, dense."""
    return [pos for pos, (_, kind, _, _) in enumerate(layers) if kind in MAPS + ("dense",)]


def overview(layers, image, outputs, class_names):
    """The overview of one image: the input, each conv / pool layer's maps, each dense
    layer's units, and the class probabilities.

    ``layers``: ``snap.layers``; ``image`` (C, H, W) in [0, 1]; ``outputs``: every layer's
    output for that image (``snap.layer_outputs(image[None])`` without the batch axis)."""
    columns = [{"kind": "input", "title": "input", "pos": -1, "c": int(image.shape[0]),
                "h": int(image.shape[1]), "w": int(image.shape[2]), "data": _b64(image_codes(image)),
                "image": True}]
    shown = shown_layers(layers)
    last = len(layers) - 1
    for pos in shown:
        if pos == last:
            break                                   # the output is drawn as probabilities
        _, kind, act, shape = layers[pos]
        out = np.asarray(outputs[pos], np.float64)
        scale = _scale(out)
        maps = out.reshape(shape) if len(shape) == 3 else out.reshape(-1, 1, 1)
        title = ("BN" if kind == "batchnorm" else LAYER_TITLES[kind]) + (
            f" {act}" if kind in ACTIVATED and act != "linear" else "")     # "BN relu": columns are narrow
        columns.append({"kind": kind, "title": title, "pos": pos, "c": int(maps.shape[0]), "h": int(maps.shape[1]),
                        "w": int(maps.shape[2]), "scale": float(f"{scale:.3g}"), "signed": bool(out.min() < 0),
                        "data": _b64(signed_codes(maps, scale))})
    probs = softmax(outputs[last])
    return {"columns": columns, "probs": [round(float(p), 4) for p in probs], "classes": list(class_names)}


def kernel_views(snap, grads=None):
    """Each conv layer's kernels (filters x channels x k x k) as signed codes on the layer's
    own scale; with ``grads`` (the loss gradient, keyed like params) their gradients instead."""
    views = []
    source = snap.params if grads is None else grads
    conv = [(i, shape) for i, kind, _, shape in snap.layers if kind == "conv2d"]
    for n, (i, _) in enumerate(conv, start=1):
        w = np.asarray(source[f"{i}.W"], np.float64)
        scale = _scale(w)
        f, c, k, _ = w.shape
        views.append({"title": f"conv {n}: {f} filter{'s' if f > 1 else ''} × {c} input channel{'s' if c > 1 else ''}, "
                               f"{k}×{k}", "f": f, "c": c, "k": k, "scale": float(f"{scale:.3g}"), "pos": i,
                      "source": input_name(snap.layers, i), "data": _b64(signed_codes(w, scale))})
    return views


def layer_title(layers, pos):
    """A layer's name as the overview titles it, numbered among its kind: "conv 2 (relu)"."""
    kind = layers[pos][1]
    n = sum(1 for _, k, _, _ in layers[:pos + 1] if k == kind)
    act = layers[pos][2]
    return f"{LAYER_TITLES[kind]} {n}" + (f" ({act})" if kind in ("conv2d", "batchnorm") and act != "linear" else "")


def input_name(layers, pos):
    """What layer ``pos`` reads, in the overview's words: "the input image", "max pool 1's maps"."""
    below = pos - 1
    while below >= 0 and layers[below][1] not in MAPS:
        below -= 1
    if below < 0:
        return "the input image"
    kind = layers[below][1]
    n = sum(1 for _, k, _, _ in layers[:below + 1] if k == kind)
    return f"{LAYER_TITLES[kind]} {n}'s maps"


def strip(images, labels, probs, class_names, send_images=True):
    """Test images with their label, the predicted class and the top-3 probabilities."""
    probs = np.asarray(probs, np.float64)
    top = np.argsort(-probs, axis=1)[:, :3]
    frame = {"n": len(labels), "labels": [int(v) for v in labels], "classes": list(class_names),
             "top": [[[int(k), round(float(p[k]), 3)] for k in row] for row, p in zip(top, probs)]}
    if send_images:
        images = np.asarray(images)
        frame.update(h=int(images.shape[-2]), w=int(images.shape[-1]),
                     data=_b64(image_codes(images[:, 0])))
    return frame


def confusion_frame(matrix, class_names):
    m = np.asarray(matrix)
    return {"matrix": m.astype(int).tolist(), "classes": list(class_names)}


# -- one cell's computation, for the view that slides the kernel over the input ------
def cell_frame(layer, cfg, activation, params, below, out, pos, channel, y, x, title, source):
    """What the cell view needs to compute any cell of one feature map itself (CNN Explainer's
    sliding window): the layer's input planes ``below`` (C, H, W) (a pooling cell: only its own
    channel), its output map ``out`` (C', H', W') channel ``channel``, and for a conv layer the
    filter's kernel (C, k, k), bias and activation, all as exact float32. (y, x): the clicked cell."""
    below = np.asarray(below, np.float32)
    conv = cfg["type"] == "conv2d"
    planes = below if conv else below[channel:channel + 1]
    plane = np.asarray(out, np.float32)[channel]
    frame = {"pos": int(pos), "kind": "conv" if conv else ("max" if cfg["type"] == "maxpool2d" else "avg"),
             "title": title, "source": source, "channel": int(channel), "y": int(y), "x": int(x),
             "c": int(planes.shape[0]), "h": int(planes.shape[1]), "w": int(planes.shape[2]), "data": _f32(planes),
             "oh": int(plane.shape[0]), "ow": int(plane.shape[1]), "out": _f32(plane),
             "image": source == "the input image"}
    if conv:
        frame.update(k=int(cfg["kernel_size"]), stride=int(cfg["stride"]), pt=int(layer.pt), pl=int(layer.pl),
                     act=activation, kernel=_f32(np.asarray(params["W"], np.float32)[channel]),
                     bias=float(np.asarray(params["b"], np.float32)[channel]))
    else:
        frame.update(k=int(cfg["pool_size"]), stride=int(layer.stride), pt=0, pl=0)
    return frame


# -- one cell's arithmetic ------------------------------------------------------
def cell_arithmetic(layer, cfg, activation, params, below, channel, y, x):
    """How one output cell of a conv or pooling layer comes about, in numbers.

    ``layer``: the engine layer object (its padding offsets ``pt``/``pl`` and ``stride``);
    ``cfg``: its spec dict; ``params``: the layer's W and b; ``below`` (C, H, W): the
    layer's input. Returns a dict with the window in the input (``y0``, ``x0``, size),
    and for a conv cell each input channel's patch, kernel, products and their sum,
    the bias, the weighted sum ``z`` and the result ``activation(z)``; for a pooling cell
    the window, the winner (max) or the mean (avg) and the result."""
    below = np.asarray(below, np.float64)
    C, H, W = below.shape
    if cfg["type"] == "conv2d":
        k, s = cfg["kernel_size"], cfg["stride"]
        y0, x0 = y * s - layer.pt, x * s - layer.pl
        patch = _window(below, y0, x0, k)
        kernel = np.asarray(params["W"], np.float64)[channel]
        products = patch * kernel
        sums = products.sum(axis=(1, 2))
        bias = float(np.asarray(params["b"], np.float64)[channel])
        z = float(sums.sum() + bias)
        result = float(activate(activation, np.array([z]))[0])
        return {"kind": "conv", "y0": int(y0), "x0": int(x0), "size": k, "patch": patch, "kernel": kernel,
                "products": products, "sums": sums, "bias": bias, "z": z, "activation": activation,
                "result": result}
    p = cfg["pool_size"]
    s = layer.stride
    y0, x0 = y * s, x * s
    window = below[channel, y0:y0 + p, x0:x0 + p]
    if cfg["type"] == "maxpool2d":
        r, c = np.unravel_index(int(np.argmax(window)), window.shape)
        return {"kind": "max", "y0": int(y0), "x0": int(x0), "size": p, "window": window,
                "winner": (int(r), int(c)), "result": float(window[r, c])}
    return {"kind": "avg", "y0": int(y0), "x0": int(x0), "size": p, "window": window, "result": float(window.mean())}


def _window(planes, y0, x0, k):
    """(C, k, k) window of ``planes`` at (y0, x0), zeros outside (the 'same' padding)."""
    C, H, W = planes.shape
    out = np.zeros((C, k, k))
    ys, xs = slice(max(y0, 0), min(y0 + k, H)), slice(max(x0, 0), min(x0 + k, W))
    out[:, ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0] = planes[:, ys, xs]
    return out


# -- the overview's numbers as tables (issue 22: a text alternative for each picture) ----------------
def probability_table(ov):
    """The overview's class probabilities (``overview(...)``) as drawn: one row per class."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    best = int(np.argmax(ov["probs"]))
    return pd.DataFrame({"class": [str(c) for c in ov["classes"]], "probability": ov["probs"],
                         "most likely": ["yes" if k == best else "" for k in range(len(ov["probs"]))]})


def map_values(column):
    """An overview column's maps (c, h, w) as drawn: its codes decoded on its scale."""
    codes = np.frombuffer(base64.b64decode(column["data"]), np.uint8).reshape(column["c"], column["h"], column["w"])
    return (codes.astype(np.float64) - 128) / 127 * column["scale"]


def maps_table(ov):
    """Every feature map (and dense layer's units) of the overview as drawn, one row per map row:
    the layer, the map, the row, then the value in each column (3 significant digits)."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    rows, width = [], max((c["w"] for c in ov["columns"][1:]), default=1)
    for k, col in enumerate(ov["columns"][1:], 1):
        for m, plane in enumerate(map_values(col), 1):
            for r, line in enumerate(plane, 1):
                rows.append([f"{k}: {col['title']}", m, r] + [float(f"{v:.3g}") for v in line]
                            + [None] * (width - len(line)))
    return pd.DataFrame(rows, columns=["layer", "map", "row"] + [f"column {j}" for j in range(1, width + 1)])
