"""Plotly figures and small pictures for the CNN page's per-run views: a digit's class probabilities,
test images as ink on paper. (A clicked cell's computation is drawn by the page's canvas from
viz.cnn.cell_frame.)"""
import numpy as np
import plotly.graph_objects as go

from .cnn import image_codes
from .palette import FRAME, POSITIVE


def probability_figure(probs, names, zoom=1.0):
    """Horizontal bars of the class probabilities, the most likely class coloured; ``zoom`` (presenter
    mode) scales the type and the rows: 12 px type is too small on a projector."""
    probs = np.asarray(probs, float)
    colors = [POSITIVE if k == int(np.argmax(probs)) else FRAME for k in range(len(probs))]
    fig = go.Figure(go.Bar(x=probs, y=list(names), orientation="h", marker_color=colors,
                           text=[f"{p:.0%}" for p in probs], textposition="outside", cliponaxis=False))
    fig.update_xaxes(range=[0, 1.15], showticklabels=False, showgrid=False)
    size = round((13 if zoom > 1 else 12) * zoom)          # the canvases' rule: 16 px at 125 %
    fig.update_yaxes(autorange="reversed", type="category", tickfont_size=size)   # (Streamlit's theme sets ticks')
    fig.update_layout(height=round((26 * len(probs) + 20) * zoom), margin=dict(l=4, r=round(30 * zoom), t=4, b=4),
                      template="plotly_white", showlegend=False, font_size=size)
    return fig


def ink_image(image, size=56):
    """A [0, 1] image as dark ink on white, ``size`` pixels square (nearest neighbour)."""
    codes = 255 - image_codes(image)
    reps = max(1, size // max(codes.shape))
    return np.kron(codes, np.ones((reps, reps), np.uint8))
