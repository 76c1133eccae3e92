"""The home page's picture of the autoencoder page: codes of digits on a plane, grouped by kind."""
import base64

import numpy as np

from viz.palette import LABEL_COLORS


def code_plane_picture(n=160, seed=3):
    """An SVG (data URI): clouds of dots, one colour a digit, as a trained code plane shows them."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(30, 270, (6, 2)) * np.array([1, 0.4]) + np.array([0, 30])
    dots = []
    for k in range(n):
        label = k % len(centres)
        x, y = centres[label] + rng.normal(0, 14, 2)
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LABEL_COLORS[label]}"/>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150">'
           '<rect width="300" height="150" fill="#fafafa"/>' + "".join(dots) + "</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
