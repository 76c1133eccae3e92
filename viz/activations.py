"""Activation statistics: what each layer's activation function receives on a fixed probe batch.

A layer's *pre-activation* is the value its activation function is applied to: a dense layer's
``x W + b``, a conv layer's sums, a batch-normalised block's normalised value (``dense(linear) ->
batchnorm(sigmoid)``: the batchnorm's ``gamma * (x - mean) / sqrt(var + eps) + beta``, with the
moving statistics, as the network predicts). A deep sigmoid network's layers drift out to where
the sigmoid is flat (its gradient vanishes there); batch normalisation keeps them centred.

Everything is computed from a snapshot's own weights and state: one forward pass of the engine
(``Snapshot.layer_outputs``), then a dense or conv layer's sums before its activation from a
one-layer twin network with a linear activation (the engine's compiled, serial kernels), made once
per layer and kept by the caller (``twins``). Not NumPy's ``@`` for a large layer: OpenBLAS's threads
spin on a busy 2-core server, and a (32, 784) x (784, 128) product took 33 ms there instead of
0.3 ms; a small one (the MLP's) runs on one thread and costs a few microseconds. The live band (percentiles 5, 25, 50, 75, 95 across
epochs) is ``band_charts`` for the page's line-chart canvas; paused, ``histogram_figure`` is every
layer's histogram on one shared axis (Plotly).
"""
import math

import numpy as np

from .curves import LAYER_COLORS, significant, thinned

PERCENTILES = (5, 25, 50, 75, 95)
MAX_VALUES = 4096          # values per layer that the percentiles read (a fixed, even subsample)
BAND_POINTS = 40           # epochs a band chart draws at most (a frame of 7 layers: about 8 KB)
HIST_BINS = 60
WEIGHTED = ("dense", "conv2d")
BLAS_ONE_THREAD = 65536 * 4   # OpenBLAS multiplies on one thread below m * n * k of this (its GEMM default)
NORMALISING = ("batchnorm",)
# Where an activation is flat: its slope below FLAT_SLOPE of its largest, so the gradient through
# it nearly vanishes (sigmoid: |z| > 3.6; tanh: |z| > 1.8; ReLU: z < 0, where it is 0).
FLAT_SLOPE = 0.1
FLAT = {"sigmoid": 2 * math.acosh(1 / math.sqrt(FLAT_SLOPE)),      # sigmoid'(z) = sigmoid'(0) / cosh^2(z/2)
        "tanh": math.acosh(1 / math.sqrt(FLAT_SLOPE))}             # tanh'(z) = 1 / cosh^2(z)


def shown_layers(layers):
    """The layers whose pre-activations are shown, from ``Snapshot.layers`` ((index, type, activation,
    shape) each): every dense and conv layer, except one with a linear activation right before a
    batchnorm, which stands for the block (its normalised value is what the activation receives),
    and a linear output layer (logits or values for the loss: no activation function receives them,
    and their scale would flatten every other band). Returns [(index, index of its weighted layer)]."""
    out = []
    for k, (index, kind, activation, _) in enumerate(layers):
        nxt = layers[k + 1][1] if k + 1 < len(layers) else None
        if nxt is None and activation == "linear":
            continue
        if kind in WEIGHTED and not (nxt in NORMALISING and activation == "linear"):
            out.append((index, index))
        elif kind in NORMALISING and k > 0 and layers[k - 1][1] in WEIGHTED:
            out.append((index, layers[k - 1][0]))
    return out


def _layer_params(snap, index, names):
    return [snap.params[f"{index}.{n}"] for n in names]


def _twin(net_layer):
    """A one-layer network like ``net_layer`` with a linear activation (engine.build), for its sums."""
    import engine          # viz -> engine, one way
    cfg = dict(net_layer.cfg, activation="linear")
    return engine.build({"input_shape": list(net_layer.in_shape), "layers": [cfg], "loss": "mse"},
                        dtype=np.float32)


def pre_activations(snap, x, twins=None):
    """{layer index: its pre-activations for the probe batch ``x`` (N, ...), as an (N, ...) array}
    for every layer of ``shown_layers``, with ``snap``'s weights and moving statistics. ``twins``: a
    dict the caller keeps between calls (layer index -> twin network of a conv layer)."""
    twins = {} if twins is None else twins
    layers = snap._net.layers
    shown = {index for index, _ in shown_layers(snap.layers)}
    if not shown:
        return {}
    outs = snap.layer_outputs(x)
    out = {}
    for k, layer in enumerate(layers):
        index = layer.index
        if index not in shown:
            continue
        if layer.activation == "linear":
            out[index] = outs[k]
            continue
        inp = outs[k - 1] if k > 0 else np.asarray(x, np.float32).reshape((len(x),) + tuple(layer.in_shape))
        kind = layer.cfg["type"]
        if kind == "dense" and inp[:1].size * layer.out_size * len(inp) < BLAS_ONE_THREAD:
            W, b = _layer_params(snap, index, ("W", "b"))
            out[index] = inp.reshape(len(inp), -1) @ W + b
        elif kind in NORMALISING:
            gamma, beta = _layer_params(snap, index, ("gamma", "beta"))
            mean, var = snap.state[f"{index}.moving_mean"], snap.state[f"{index}.moving_variance"]
            shape = (1, -1) + (1,) * (inp.ndim - 2)          # per feature, or per channel of (C, H, W)
            scale = (gamma / np.sqrt(var + layer.cfg.get("epsilon", 1e-3))).reshape(shape)
            out[index] = (inp - mean.reshape(shape)) * scale + beta.reshape(shape)
        else:                      # dense or conv2d: its sums, by its linear twin (no BLAS: see above)
            twin = twins.get(index)
            if twin is None or twin.input_shape != layer.in_shape:
                twin = twins[index] = _twin(layer)
            flat = np.concatenate([snap.params[f"{index}.{n}"].ravel() for n in layer.param_shapes])
            out[index] = twin.forward(inp, flat=flat)
    return out


def subsample(values, limit=MAX_VALUES):
    """At most ``limit`` of ``values`` (flattened), evenly spaced: the same positions every epoch."""
    flat = np.asarray(values).ravel()
    if flat.size <= limit:
        return flat
    return flat[np.linspace(0, flat.size - 1, limit).astype(np.int64)]


def percentiles(values):
    """(5,) float64: the PERCENTILES of ``values`` (NaN for none or non-finite)."""
    return percentiles_of([values])[0]


def percentiles_of(arrays):
    """(len(arrays), 5) float64: the PERCENTILES of each array, interpolated linearly as
    ``np.percentile`` does; arrays of one size are sorted together (np.percentile, one layer at a
    time, cost the MLP's seven layers 0.6 ms a frame; this about 0.1). NaN for an array that is
    empty or not finite."""
    flats = [subsample(a) for a in arrays]
    out = np.full((len(flats), len(PERCENTILES)), np.nan)
    by_size = {}
    for k, flat in enumerate(flats):
        by_size.setdefault(flat.size, []).append(k)
    for size, rows in by_size.items():
        if size == 0:
            continue
        block = np.sort(np.stack([flats[k] for k in rows]), axis=1)
        pos = np.asarray(PERCENTILES, float) / 100 * (size - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, size - 1)
        low = block[:, lo].astype(np.float64)
        values = low + (pos - lo) * (block[:, hi] - low)
        finite = np.isfinite(block[:, [0, -1]]).all(axis=1)
        out[rows] = np.where(finite[:, None], values, np.nan)
    return out


def shared_range(stats, activations=()):
    """[lo, hi] over every layer's 5th and 95th percentiles, a little wider, with 0 inside and, for
    sigmoid or tanh layers, the start of their flat parts (so the grey where they are flat shows)."""
    flat = max([FLAT[a] for a in activations if a in FLAT], default=0.0) * 1.25
    finite = stats[np.isfinite(stats)] if stats.size else np.zeros(0)
    if not finite.size:
        return [-max(flat, 1.0), max(flat, 1.0)]
    lo, hi = min(float(np.nanmin(stats[..., 0])), -flat), max(float(np.nanmax(stats[..., -1])), flat)
    pad = 0.05 * (hi - lo or 1.0)
    return [float(significant([lo - pad])[0]), float(significant([hi + pad])[0])]


def _short(a):
    """``a`` (any shape) as nested lists of 3 significant digits, None where not finite: a band is a
    picture, not a table. One vectorised pass for a whole frame's numbers."""
    a = np.asarray(a, float)
    finite = np.isfinite(a)
    digits = 2 - np.floor(np.log10(np.abs(np.where(finite & (a != 0), a, 1.0))))
    up, down = 10.0 ** np.maximum(digits, 0), 10.0 ** np.maximum(-digits, 0)    # exact powers of ten
    rounded = np.round(np.where(finite, a, 0.0) * up / down) * down / up
    if finite.all():
        return rounded.tolist()
    return np.where(finite, rounded, None).tolist()


def band_charts(epochs, stats, names, activations):
    """One chart per layer for the line-chart canvas: the band of its pre-activations across epochs
    (5-95 and 25-75 percentiles shaded, the median as a line), every layer on the same y range.
    ``epochs`` (E,), ``stats`` (E, layers, 5), ``names`` and ``activations`` per layer. The band's
    ``p`` holds percentiles 5, 25, 75 and 95; the median is the chart's one series."""
    epochs, stats = np.asarray(epochs), np.asarray(stats, float).reshape(len(epochs), len(names), len(PERCENTILES))
    i = thinned(len(epochs), BAND_POINTS)
    y_range = shared_range(stats[i], activations)
    x = [int(e) for e in epochs[i]]
    short = _short(stats[i].transpose(1, 2, 0))          # (layers, 5, epochs) as lists
    charts = []
    for k, (name, act) in enumerate(zip(names, activations)):
        color = LAYER_COLORS[k % len(LAYER_COLORS)]
        p = short[k]
        charts.append({"title": f"{name} ({act})", "x": x, "log": False, "range": y_range, "percent": False,
                       "flat": _flat_spans(act, *y_range),
                       "series": [{"name": "median", "color": color, "values": p[2]}],
                       "band": {"color": color, "p": [p[0], p[1], p[3], p[4]]}})
    return charts


HISTOGRAM_TABLE_ROWS = 300     # the histograms' table: adjacent bins merged until it fits


def _shared_bins(values):
    """(finite values of each layer, at most 20,000 each, evenly picked; the bins' edges, one set for
    all layers): histogram_figure's bars and histogram_table's rows."""
    flat = [subsample(v, 20000).astype(np.float64) for v in values]
    finite = [v[np.isfinite(v)] for v in flat]
    every = np.concatenate(finite) if finite else np.zeros(0)
    lo, hi = (float(every.min()), float(every.max())) if every.size else (-1.0, 1.0)
    if hi - lo < 1e-6:
        lo, hi = lo - 0.5, hi + 0.5
    return finite, np.linspace(lo, hi, HIST_BINS + 1)


def histogram_table(values, names, activations, max_rows=HISTOGRAM_TABLE_ROWS, keep_empty=False):
    """histogram_figure's numbers: one row per bin of each layer, columns layer, bin from, bin to,
    count, share (of the layer's values) and flat ("yes" where the whole bin lies where the layer's
    activation is flat, "partly", or ""). Adjacent bins are merged (counts added) until at most
    ``max_rows`` rows are left; empty bins are left out unless ``keep_empty``."""
    import pandas as pd

    from .charts import merge_bins, merge_factor

    finite, edges = _shared_bins(values)
    factor = merge_factor(len(finite), HIST_BINS, max_rows)
    rows = []
    for name, act, v in zip(names, activations, finite):
        e, counts = merge_bins(edges, np.histogram(v, edges)[0], factor)
        spans = _flat_spans(act, float(edges[0]), float(edges[-1]))
        for a, b, c in zip(e[:-1], e[1:], counts):
            if not (c or keep_empty):
                continue
            inside = sum(max(0.0, min(b, y) - max(a, x)) for x, y in spans) / (b - a)
            flat = "yes" if inside > 1 - 1e-9 else "partly" if inside > 0 else ""
            rows.append((name, float(a), float(b), int(c), c / max(len(v), 1), flat))
    return pd.DataFrame(rows, columns=["layer", "bin from", "bin to", "count", "share", "flat"])


ROW_GAP = 24                 # px between two rows of the histograms


def _figure_height(rows):
    return 90 + 80 * rows


def _plot_height(rows):
    """The px the rows share: the figure less its margins (50) and the x axis' ticks and title (45)."""
    return _figure_height(rows) - 95


def histogram_figure(values, names, activations, epoch=None):
    """Paused: every layer's pre-activations as a histogram, one row per layer on one shared x axis,
    the flat parts of its activation shaded. ``values``: a list of arrays, one per layer. The figure
    is built as one dict (Plotly's make_subplots and add_vrect per row took about a second for
    seven rows on the loaded machine; this about 20 ms)."""
    import plotly.graph_objects as go

    finite, edges = _shared_bins(values)
    lo, hi = float(edges[0]), float(edges[-1])
    mids, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    rows = max(len(values), 1)
    # rows ROW_GAP px apart: a row's top tick label and the next row's "0%" met at a presenter's zoom
    gap = ROW_GAP / _plot_height(rows)
    height = (1 - gap * (rows - 1)) / rows
    data, shapes = [], []
    layout = {"height": _figure_height(rows), "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "template": "plotly_white",
              "bargap": 0, "showlegend": False,
              "title": {"text": "Pre-activations of the probe batch" + (f" at epoch {epoch:,}" if epoch is not None
                                                                         else ""), "x": 0, "font": {"size": 14}}}
    for k, (name, act, v) in enumerate(zip(names, activations, finite), start=1):
        counts, _ = np.histogram(v, edges)
        top = 1 - (k - 1) * (height + gap)
        suffix = "" if k == 1 else str(k)
        data.append({"type": "bar", "x": mids.tolist(), "y": (counts / max(len(v), 1)).tolist(), "width": width,
                     "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "name": f"{name} ({act})",
                     "marker": {"color": LAYER_COLORS[(k - 1) % len(LAYER_COLORS)]},
                     "customdata": np.stack([edges[:-1], edges[1:], counts], axis=1).tolist(),
                     "hovertemplate": f"{name}: %{{customdata[2]}} values (%{{y:.1%}}) in "
                                      "[%{customdata[0]:.2f}, %{customdata[1]:.2f})<extra></extra>"})
        layout[f"yaxis{suffix}"] = {"domain": [max(top - height, 0.0), top], "anchor": f"x{suffix}",
                                    "title": {"text": name, "standoff": 4}, "tickformat": ".0%", "nticks": 3}
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "range": [lo, hi], "showticklabels": k == rows,
                                    **({"matches": "x"} if k > 1 else {}),
                                    **({"title": {"text": "pre-activation: what the activation function receives"}}
                                       if k == rows else {})}
        shapes += [{"type": "rect", "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x0": a, "x1": b, "y0": 0,
                    "y1": 1, "fillcolor": "#9aa0a6", "opacity": 0.18, "line": {"width": 0}, "layer": "below"}
                   for a, b in _flat_spans(act, lo, hi)]
    layout["shapes"] = shapes
    return go.Figure({"data": data, "layout": layout})


def _flat_spans(activation, lo, hi):
    """[(a, b)] of the parts of [lo, hi] where ``activation`` is flat (slope below FLAT_SLOPE of its top)."""
    if activation == "relu":
        return [[lo, 0.0]] if lo < 0 else []
    z = FLAT.get(activation)
    if z is None:
        return []
    return [[a, b] for a, b in ((lo, -z), (z, hi)) if b > a]
