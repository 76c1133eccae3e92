"""Plotly figures for the views a user hovers, zooms, selects or saves (shown while paused).

The live frames stay on the canvas components (viz/curves.py, viz/network_view.py);
these re-embed on every update, which is fine for a paused page.

Each figure has a table of the same numbers (``*_table``: a pandas DataFrame with named columns), the
text alternative a screen reader or keyboard user reads instead of hovering (issue 22). A table is at
most a few hundred rows: the timeline's points are thinned, a histogram's bins merged.
"""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .palette import NEGATIVE, POSITIVE, TEST_COLOR, TRAIN_COLOR

MAX_TIMELINE_POINTS = 400
HIST_BINS = 40
TIMELINE_TABLE_ROWS = 200      # a timeline's table: at most this many epochs (the first, the last, the one shown)
HISTOGRAM_TABLE_ROWS = 300     # a histograms' table: adjacent bins merged until it fits


def _layout(fig, height, **more):
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=36, b=10), template="plotly_white",
                      legend=dict(orientation="h", y=1.12, x=0), **more)
    return fig


def timeline_figure(evals, classification, selected=None):
    """Loss (and accuracy) per epoch; each point can be selected to rewind to that epoch."""
    epochs = np.asarray(evals["epoch"])
    keep = np.unique(np.linspace(0, len(epochs) - 1, MAX_TIMELINE_POINTS).round().astype(int)) \
        if len(epochs) > MAX_TIMELINE_POINTS else np.arange(len(epochs))
    fig = make_subplots(specs=[[{"secondary_y": classification}]])
    for name, key, color, dash in (("train loss", "train_loss", TRAIN_COLOR, None),
                                   ("test loss", "test_loss", TEST_COLOR, None)):
        fig.add_trace(go.Scatter(x=epochs[keep], y=np.asarray(evals[key])[keep], name=name,
                                 mode="lines+markers", marker=dict(size=5, color=color),
                                 line=dict(color=color, dash=dash),
                                 hovertemplate="epoch %{x}<br>" + name + " %{y:.4f}<extra></extra>"))
    if classification:
        for name, key, color in (("train accuracy", "train_acc", TRAIN_COLOR), ("test accuracy", "test_acc", TEST_COLOR)):
            fig.add_trace(go.Scatter(x=epochs[keep], y=np.asarray(evals[key])[keep], name=name,
                                     mode="lines", line=dict(color=color, dash="dot"),
                                     hovertemplate="epoch %{x}<br>" + name + " %{y:.1%}<extra></extra>"),
                          secondary_y=True)
        fig.update_yaxes(title_text="accuracy", tickformat=".0%", range=[0, 1.02], secondary_y=True)
    if selected is not None:
        fig.add_vline(x=selected, line=dict(color="#888", width=1, dash="dash"))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="loss", secondary_y=False)
    return _layout(fig, 300)           # Streamlit sets click-to-select, closest hover and pan


def timeline_table(evals, classification, selected=None, max_rows=TIMELINE_TABLE_ROWS):
    """The timeline's numbers: one row per epoch (evenly thinned to ``max_rows``, keeping the first,
    the last and the ``selected`` epoch), columns epoch, train loss, test loss and, for a classifier,
    train accuracy and test accuracy (fractions)."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    epochs = np.asarray(evals["epoch"])
    keep = np.arange(len(epochs))
    if len(epochs) > max_rows:
        keep = np.unique(np.linspace(0, len(epochs) - 1, max_rows).round().astype(int))
        hit = np.flatnonzero(epochs == selected) if selected is not None else ()
        if len(hit) and hit[0] not in keep and len(keep) > 2:     # the epoch shown takes its nearest's place
            inner = keep[1:-1]
            keep = np.sort(np.append(keep[keep != inner[np.argmin(np.abs(inner - hit[0]))]], hit[0]))
    columns = {"epoch": epochs[keep].astype(int)}
    names = [("train loss", "train_loss"), ("test loss", "test_loss")]
    if classification:
        names += [("train accuracy", "train_acc"), ("test accuracy", "test_acc")]
    for name, k in names:
        columns[name] = np.asarray(evals[k], float)[keep]
    return pd.DataFrame(columns)


def histogram_bins(values, bins=HIST_BINS):
    """(edges, counts) of the finite ``values`` in ``bins`` equal bins from their least to their
    largest (a constant array gets one unit around it): the figure's bars and its table's rows."""
    v = np.ravel(np.asarray(values, np.float64))
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (-1.0, 1.0)
    if hi - lo < 1e-12 * max(1.0, abs(lo)):
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(v, bins, (lo, hi))
    return edges, counts


def _histograms(layers):
    """[(name, "weights"/"gradients", edges, counts)] of ``layers`` (histogram_figure's argument)."""
    out = []
    for name, weights, grads in layers:
        out.append((name, "weights", *histogram_bins(weights)))
        if grads is not None:
            out.append((name, "gradients", *histogram_bins(grads)))
    return out


def histogram_figure(layers):
    """Per layer, the distribution of its weights and of their gradients.

    ``layers``: list of (name, weights array, gradient array or None). Saturating
    sigmoids show as gradients piled up at zero; ReLU keeps them spread. The bins are counted here
    (histogram_bins), so the browser gets 40 bars, not every weight, and the table has the same counts.
    """
    fig = make_subplots(rows=2, cols=max(len(layers), 1), shared_yaxes=False, vertical_spacing=0.18,
                        subplot_titles=[name for name, _, _ in layers] + [""] * len(layers))
    cols = {name: col for col, (name, _, _) in enumerate(layers, start=1)}
    for name, what, edges, counts in _histograms(layers):
        col = cols[name]
        fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=edges[1] - edges[0],
                             marker_color=POSITIVE if what == "weights" else NEGATIVE, name=what,
                             showlegend=col == 1, customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                             hovertemplate="[%{customdata[0]:.3g}, %{customdata[1]:.3g}): %{y} " + what
                                           + "<extra></extra>"),
                      row=1 if what == "weights" else 2, col=col)
    fig.update_yaxes(title_text="weights", row=1, col=1)
    fig.update_yaxes(title_text="gradients", row=2, col=1)
    fig.update_xaxes(title_text="weight value", row=1)
    fig.update_xaxes(title_text="d loss / d weight", row=2)
    _layout(fig, 400, bargap=0.05)
    return fig.update_layout(margin_t=70, legend_y=1.22)    # the legend above the subplot titles


def merge_bins(edges, counts, factor):
    """Every ``factor`` adjacent bins as one (``factor`` divides the number of bins)."""
    return edges[::factor], np.asarray(counts).reshape(-1, factor).sum(axis=1)


def merge_factor(histograms, bins, max_rows):
    """The least divisor of ``bins`` that brings ``histograms`` × ``bins`` rows to ``max_rows`` or under."""
    return next((f for f in range(1, bins + 1) if bins % f == 0 and histograms * bins // f <= max_rows), bins)


def histogram_table(layers, max_rows=HISTOGRAM_TABLE_ROWS, keep_empty=False):
    """histogram_figure's numbers: one row per bin of each layer's weights and of its gradients, columns
    layer, of (weights or gradients), bin from, bin to (the bin holds from <= value < to; the last
    also its upper end), count. Adjacent bins are merged (their counts added) until at most
    ``max_rows`` rows are left; empty bins are left out unless ``keep_empty``."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    hists = _histograms(layers)
    factor = merge_factor(len(hists), HIST_BINS, max_rows)
    rows = []
    for name, what, edges, counts in hists:
        edges, counts = merge_bins(edges, counts, factor)
        rows += [(name, what, float(a), float(b), int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts)
                 if c or keep_empty]
    return pd.DataFrame(rows, columns=["layer", "of", "bin from", "bin to", "count"])


def confusion_figure(matrix, labels):
    """Counts of (true class, predicted class) with hover values; the diagonal is right."""
    matrix = np.asarray(matrix)
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(go.Heatmap(z=share, x=labels, y=labels, customdata=matrix, colorscale="Blues",
                               zmin=0, zmax=1, text=matrix, texttemplate="%{text}", showscale=False,
                               hovertemplate="true %{y}, predicted %{x}: %{customdata} "
                                             "(%{z:.0%} of the true %{y})<extra></extra>"))
    fig.update_xaxes(title_text="predicted", type="category")
    fig.update_yaxes(title_text="true", type="category", autorange="reversed")
    return _layout(fig, 120 + 34 * len(labels))


def confusion_table(matrix, labels):
    """confusion_figure's numbers: one row per true class, one column per predicted class (counts),
    and each row's share right."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    matrix = np.asarray(matrix).astype(int)
    table = pd.DataFrame(matrix, index=pd.Index([f"true {c}" for c in labels], name="true class"),
                         columns=[f"predicted {c}" for c in labels])
    table["share right"] = [f"{d / t:.0%}" if t else "–" for d, t in zip(np.diag(matrix), matrix.sum(axis=1))]
    return table
