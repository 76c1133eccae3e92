"""Plotly figures and small pictures for the CNN page's paused and per-run views: a cell's
arithmetic, a pooling window, a digit's class probabilities."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .cnn import LAYER_TITLES, image_codes
from .palette import DIVERGING, POSITIVE

INK_SCALE = [[0.0, "#ffffff"], [1.0, "#111111"]]


def layer_title(layers, pos):
    """A layer's name as the overview titles it, numbered among its kind: "conv 2 (relu)"."""
    kind = layers[pos][1]
    n = sum(1 for _, k, _, _ in layers[:pos + 1] if k == kind)
    act = layers[pos][2]
    return f"{LAYER_TITLES[kind]} {n}" + (f" ({act})" if kind == "conv2d" and act != "linear" else "")


def _heatmap(values, signed=True, scale=None, text=True):
    v = np.asarray(values, float)
    m = scale if scale is not None else max(float(np.abs(v).max()), 1e-9)
    return go.Heatmap(z=v, zmin=-m if signed else 0, zmax=m, colorscale=DIVERGING if signed else INK_SCALE,
                      showscale=False, text=np.round(v, 3) if text else None,
                      texttemplate="%{text}" if text and v.size <= 49 else None,
                      hovertemplate="row %{y}, column %{x}: %{z:.4f}<extra></extra>", xgap=1, ygap=1)


def conv_cell_figure(n, channel):
    """The receptive patch (input channel ``channel``), the kernel slice and their products."""
    k = n["size"]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.06,
                        subplot_titles=("input patch", "kernel", f"products (sum {n['sums'][channel]:.3f})"))
    fig.add_trace(_heatmap(n["patch"][channel]), row=1, col=1)
    fig.add_trace(_heatmap(n["kernel"][channel]), row=1, col=2)
    fig.add_trace(_heatmap(n["products"][channel]), row=1, col=3)
    return _square(fig, k, height=min(120 + 34 * k, 330))


def pool_cell_figure(n):
    """The pooling window, with the winner outlined for max pooling."""
    fig = go.Figure(_heatmap(n["window"]))
    if n["kind"] == "max":
        r, c = n["winner"]
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color="#e8112d", width=3))
    return _square(fig, n["size"], height=200, width=240)


def _square(fig, k, height, width=None):
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed",
                     scaleanchor="x", constrain="domain")
    for axis in range(2, len(fig.data) + 1):
        fig.update_yaxes(scaleanchor=f"x{axis}", row=1, col=axis)
    fig.update_layout(height=height, width=width, margin=dict(l=4, r=4, t=30, b=4), template="plotly_white",
                      font=dict(size=12))
    return fig


def probability_figure(probs, names):
    """Horizontal bars of the class probabilities, the most likely class coloured."""
    probs = np.asarray(probs, float)
    colors = [POSITIVE if k == int(np.argmax(probs)) else "#9aa3b5" for k in range(len(probs))]
    fig = go.Figure(go.Bar(x=probs, y=list(names), orientation="h", marker_color=colors,
                           text=[f"{p:.0%}" for p in probs], textposition="outside", cliponaxis=False))
    fig.update_xaxes(range=[0, 1.15], showticklabels=False, showgrid=False)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(height=26 * len(probs) + 20, margin=dict(l=4, r=30, t=4, b=4), template="plotly_white",
                      showlegend=False)
    return fig


def ink_image(image, size=56):
    """A [0, 1] image as dark ink on white, ``size`` pixels square (nearest neighbour)."""
    codes = 255 - image_codes(image)
    reps = max(1, size // max(codes.shape))
    return np.kron(codes, np.ones((reps, reps), np.uint8))
