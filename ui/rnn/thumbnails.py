"""The home page's picture of the RNN page: a cell unrolled over time and its hidden state."""
import base64

import numpy as np

from viz.palette import diverging_rgb

STEPS, UNITS, CELL = 12, 6, 9


def rnn_thumbnail():
    """An SVG (data URI): a wave read step by step, the hidden state as coloured cells per step,
    arrows carrying it forward."""
    t = np.arange(STEPS)
    hidden = np.tanh(1.6 * np.sin(0.5 * t[None, :] + np.arange(UNITS)[:, None] * 1.1))   # (units, steps)
    parts = []
    for s in range(STEPS):
        x = 8 + s * (CELL + 7)
        for u in range(UNITS):
            r, g, b = diverging_rgb(hidden[u, s])
            parts.append(f'<rect x="{x}" y="{14 + u * CELL}" width="{CELL - 1}" height="{CELL - 1}" fill="rgb({r},{g},{b})"/>')
        if s < STEPS - 1:
            y = 14 + UNITS * CELL / 2
            parts.append(f'<path d="M{x + CELL} {y}h5" stroke="#0877bd" stroke-width="1.5" marker-end="url(#a)"/>')
    wave = " ".join(f"{8 + s * (CELL + 7) + CELL / 2:.1f},{84 - 10 * np.sin(0.5 * s):.1f}" for s in range(STEPS))
    parts.append(f'<polyline points="{wave}" fill="none" stroke="#808495" stroke-width="1.5"/>')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
           '<defs><marker id="a" markerWidth="4" markerHeight="4" refX="3" refY="2" orient="auto">'
           '<path d="M0,0L4,2L0,4z" fill="#0877bd"/></marker></defs>' + "".join(parts) + "</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
