"""Plotly figures for the views a user hovers, zooms, selects or saves (shown while paused).

The live frames stay on the canvas components (viz/curves.py, viz/network_view.py);
these re-embed on every update, which is fine for a paused page.
"""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .palette import NEGATIVE, POSITIVE, TEST_COLOR, TRAIN_COLOR

MAX_TIMELINE_POINTS = 400
HIST_BINS = 40


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


def histogram_figure(layers):
    """Per layer, the distribution of its weights and of their gradients.

    ``layers``: list of (name, weights array, gradient array or None). Saturating
    sigmoids show as gradients piled up at zero; ReLU keeps them spread.
    """
    fig = make_subplots(rows=2, cols=max(len(layers), 1), shared_yaxes=False, vertical_spacing=0.18,
                        subplot_titles=[name for name, _, _ in layers] + [""] * len(layers))
    for col, (name, weights, grads) in enumerate(layers, start=1):
        fig.add_trace(go.Histogram(x=np.ravel(weights), nbinsx=HIST_BINS, marker_color=POSITIVE, name="weights",
                                   showlegend=col == 1, hovertemplate="%{x}: %{y} weights<extra></extra>"),
                      row=1, col=col)
        if grads is not None:
            fig.add_trace(go.Histogram(x=np.ravel(grads), nbinsx=HIST_BINS, marker_color=NEGATIVE,
                                       name="gradients", showlegend=col == 1,
                                       hovertemplate="%{x}: %{y} gradients<extra></extra>"), row=2, col=col)
    fig.update_yaxes(title_text="weights", row=1, col=1)
    fig.update_yaxes(title_text="gradients", row=2, col=1)
    fig.update_xaxes(title_text="weight value", row=1)
    fig.update_xaxes(title_text="d loss / d weight", row=2)
    _layout(fig, 400, bargap=0.05)
    return fig.update_layout(margin_t=70, legend_y=1.22)    # the legend above the subplot titles


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
