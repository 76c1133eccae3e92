"""Snapshot -> the run's history as compact line charts: loss, accuracy, gradient flow.

The charts are drawn in the browser by ``ui/components/line_charts.js`` from
these arrays, so they move with every frame: a Vega-Lite or Plotly chart is
re-embedded on each update, which on a 2-core machine held the whole page
to 6-8 frames a second. Histories are thinned to at most ``MAX_POINTS``
epochs and values keep 4 significant digits, about 1-5 KB a frame.
"""
import numpy as np

from .palette import TEST_COLOR, TRAIN_COLOR

MAX_POINTS = 150
KL_COLOR = "#6f4e9c"
# Chart lines, each 3:1 or more on white (WCAG 1.4.11; Tableau 10 deepened where it was lighter)
LAYER_COLORS = ("#4c78a8", "#c45a00", "#3a8d3a", "#d0404a", "#2b8a8a", "#a35d94", "#8c6048", "#767070")


def thinned(n, points=MAX_POINTS):
    """Indices of at most ``points`` of ``n`` evenly spaced epochs, the first and last included. With
    n > points the rounded positions are a step of more than 1 apart, so distinct (no np.unique: a
    sort, per chart and frame)."""
    return np.linspace(0, n - 1, points).round().astype(int) if n > points else np.arange(n)


def significant(a, digits=4):
    """``digits`` significant digits (vectorised: this runs for every frame); None where not finite."""
    a = np.asarray(a, float)
    finite = np.isfinite(a)
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(finite & (a != 0), a, 1.0)))))
    rounded = (np.round(np.where(finite, a, 0.0) * scale) / scale).tolist()
    return [v if ok else None for v, ok in zip(rounded, finite.tolist())]


def _chart(title, x, series, log=False, y_range=None, percent=False):
    return {"title": title, "x": [int(v) for v in x], "log": log, "range": y_range, "percent": percent,
            "series": [{"name": name, "color": color, "values": significant(values)}
                       for name, (values, color) in series.items()]}


def loss_chart(snap, log=False, title="Loss"):
    """Train and test loss after each epoch; ``log``: on a log scale (late, small changes show)."""
    ev = snap.history["evals"]
    i = thinned(len(ev["epoch"]))
    return _chart(title + (" (log scale)" if log else ""), ev["epoch"][i],
                  {"train": (ev["train_loss"][i], TRAIN_COLOR), "test": (ev["test_loss"][i], TEST_COLOR)}, log=log)


def kl_chart(snap):
    """A VAE's KL divergence to N(0, 1) (per image, summed over the code units), the mean of each
    epoch's training steps (``snap.history["kl"]``, per step). None for a network without one."""
    kl = snap.history.get("kl")
    if kl is None:
        return None
    ev = snap.history["evals"]
    steps = np.asarray(ev["step"], int)
    sums = np.concatenate([[0.0], np.cumsum(np.asarray(kl, float))])
    ends = np.minimum(steps, len(kl))
    starts = np.concatenate([[0], ends[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(ends > starts, (sums[ends] - sums[starts]) / np.maximum(ends - starts, 1), np.nan)
    i = thinned(len(ev["epoch"]))
    return _chart("KL divergence to N(0, 1) (per image)", ev["epoch"][i], {"KL": (means[i], KL_COLOR)})


def accuracy_chart(snap):
    """Train and test accuracy after each epoch (classification)."""
    ev = snap.history["evals"]
    i = thinned(len(ev["epoch"]))
    return _chart("Accuracy", ev["epoch"][i], {"train": (ev["train_acc"][i], TRAIN_COLOR),
                                                "test": (ev["test_acc"][i], TEST_COLOR)},
                  y_range=[0, 1], percent=True)


def gradient_chart(snap, layer_names):
    """Each layer's gradient norm, averaged over each epoch, on a log scale. ``layer_names``: the
    names of the layers with parameters in order, or (name, layer index) pairs of some of them (a
    batchnorm's gamma and beta have a column of their own, which pairs skip)."""
    ev = snap.history["evals"]
    norms = snap.history["grad_norms"]
    i = thinned(len(ev["epoch"]))
    columns = list(snap.history.get("param_layers", ()))
    pairs = [(item, k) if isinstance(item, str) else (item[0], columns.index(item[1]))
             for k, item in enumerate(layer_names)]
    # The first evaluation comes before any step: its norms are 0, which a log scale cannot show.
    series = {name: (np.where(norms[i, col] > 0, norms[i, col], np.nan), LAYER_COLORS[k % len(LAYER_COLORS)])
              for k, (name, col) in enumerate(pairs)}
    return _chart("Gradient size per layer (log scale)", ev["epoch"][i], series, log=True)


RUN_COLORS = (("#0d4a7a", "#4f8fc6"), ("#8f1416", "#e06666"), ("#1b5e1b", "#46993a"))   # (train, test) per run


def compared_accuracy_chart(snaps, titles, title="Test accuracy"):
    """The test accuracy of runs trained in lock step on one chart, one line each, against the steps
    they share (a comparison on a few examples counts steps, not epochs)."""
    evals = [s.history["evals"] for s in snaps]
    n = min(len(ev["step"]) for ev in evals)
    i = thinned(n)
    chart = _chart(title, evals[0]["step"][i],
                   {name: (ev["test_acc"][:n][i], colors[0]) for name, ev, colors in zip(titles, evals, RUN_COLORS)},
                   y_range=[0, 1], percent=True)
    chart["xlabel"] = "Step"
    return chart


def side_by_side(charts_of_runs, titles):
    """Several runs' charts merged: one chart of each kind with every run's series on it, named by
    its run (``titles``); x is the epoch they share (the runs train in lock step)."""
    if len(charts_of_runs) == 1:
        return charts_of_runs[0]
    merged = []
    for parts in zip(*charts_of_runs):
        n = min(len(p["x"]) for p in parts)
        series = [dict(s, name=f"{title} {s['name']}", color=colors[k % 2] if len(p["series"]) <= 2 else s["color"],
                       values=s["values"][:n])
                  for title, p, colors in zip(titles, parts, RUN_COLORS) for k, s in enumerate(p["series"])]
        merged.append(dict(parts[0], x=parts[0]["x"][:n], series=series))
    return merged
