"""The playground's colours, shared by every figure and the canvas views.

Negative values are orange, positive blue, zero a light grey, as in
TensorFlow Playground; a third class is dark red. Each pair that tells two things apart (the classes,
the signs, right and wrong, training and test) stays at least 20 apart (CIEDE2000) for viewers with
protanopia, deuteranopia or tritanopia: tests/viz/test_palette_colour_vision.py simulates each.
TensorFlow Playground's green third class was 11 from the orange for protanopes and 12 from the blue
for tritanopes.
"""
import numpy as np

NEGATIVE = "#f59322"
MIDDLE = "#e8eaeb"
POSITIVE = "#0877bd"
CLASS_COLORS = (POSITIVE, NEGATIVE, "#a50f15")      # class 0, 1, 2 of a multi-class set
RIGHT, WRONG = POSITIVE, "#e45756"                  # a prediction that is right or wrong (the RNN's text)
# Ten labels (digits on the code plane): Tableau 10. Ten colours cannot all stay apart for a dichromat:
# under simulated deuteranopia its red and green differ by 1 (CIEDE2000): colour alone does not tell a
# dichromat a digit's label.
LABEL_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#79706e")
TRAIN_COLOR, TEST_COLOR = "#1f77b4", "#d62728"       # curves
DIVERGING = [[0.0, NEGATIVE], [0.5, MIDDLE], [1.0, POSITIVE]]   # Plotly colorscale on [-1, 1]


def _rgb(hex_color):
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], float)


def diverging_rgb(values):
    """RGB uint8 (..., 3) for values in [-1, 1] (clipped) on the orange-grey-blue scale."""
    v = np.clip(np.asarray(values, float), -1, 1)[..., None]
    neg, mid, pos = _rgb(NEGATIVE), _rgb(MIDDLE), _rgb(POSITIVE)
    rgb = np.where(v < 0, mid + (neg - mid) * -v, mid + (pos - mid) * v)
    return rgb.round().astype(np.uint8)


# -- Lines and borders (WCAG 2.1, 1.4.11 non-text contrast) -----------------------------------------
# Every line or border that carries meaning is at least 3:1 against the ground it is drawn on, after
# its opacity is blended in. The canvases (ui/**/components/*.js) read these through the ``PALETTE``
# constant that ui/canvas.py puts in front of each script (``canvas_constants``), so this module is the
# one place they are set; tests/viz/test_line_contrast.py checks each entry of ``LINES``.
NON_TEXT_CONTRAST = 3.0
PAGE = "#ffffff"                 # the page (and most canvases') ground
PANEL = "#fafafa"                # the autoencoder's code plane and histogram
TRACK = "#eef0f3"                # the CNN's probability bars' track
NEGATIVE_LINE = "#cc5500"        # orange for lines (weight links, bias marks): #f59322 is 2.3:1 on white
POSITIVE_LINE = POSITIVE         # 4.8:1 on white
FRAME = "#7d828d"                # frames, rules, inactive outlines, plane borders (was #b9bec9, 1.9:1)
BAR = "#4f8fc6"                  # the autoencoder's histogram bars (was #6c9fca, 2.7:1 on its panel)
ACCENT = "#e8112d"               # the CNN's selected cell and the lines to it
POINT_DARK, POINT_LIGHT = "#111111", "#ffffff"   # the two rings round every data point (see POINT_GROUNDS)


def _linear(rgb):
    c = np.asarray(rgb, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(color):
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour or an RGB triple in 0-255."""
    rgb = _rgb(color) if isinstance(color, str) else np.asarray(color, float)
    return float(_linear(rgb) @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def blend(color, alpha, ground):
    """``color`` drawn with opacity ``alpha`` over ``ground`` (canvas source-over, in sRGB): RGB 0-255."""
    return alpha * _rgb(color) + (1 - alpha) * _rgb(ground)


def min_alpha(color, ground=PAGE, ratio=NON_TEXT_CONTRAST):
    """The least opacity (rounded up to 0.01) at which ``color`` over ``ground`` reaches ``ratio``."""
    for step in range(1, 101):
        if contrast(blend(color, step / 100, ground), ground) >= ratio:
            return step / 100
    raise ValueError(f"{color} never reaches {ratio}:1 on {ground}")


# The weakest weight link is drawn with this opacity, the strongest opaque (network_canvas.js).
LINK_MIN_ALPHA = {"pos": min_alpha(POSITIVE_LINE), "neg": min_alpha(NEGATIVE_LINE)}
CONNECT_ALPHA = min_alpha(ACCENT)      # the CNN's line from the kernel's window to the cell it computes

# name -> (colour, opacity, the grounds it is drawn on). Gradient heatmaps are not lines (their values
# are told in text and tables); the line charts' light inner grid lines are decorative: the ticks and the
# tables carry the values.
LINES = {
    "weight link, positive (thinnest)": (POSITIVE_LINE, LINK_MIN_ALPHA["pos"], (PAGE,)),
    "weight link, negative (thinnest)": (NEGATIVE_LINE, LINK_MIN_ALPHA["neg"], (PAGE,)),
    "bias mark, positive (weakest)": (POSITIVE_LINE, LINK_MIN_ALPHA["pos"], (PAGE,)),
    "bias mark, negative (weakest)": (NEGATIVE_LINE, LINK_MIN_ALPHA["neg"], (PAGE,)),
    "frames, rules, plane borders, cell grid": (FRAME, 1.0, (PAGE, PANEL, TRACK)),
    "CNN probability bar (not the top class)": (FRAME, 1.0, (TRACK,)),
    "CNN selected cell": (ACCENT, 1.0, (PAGE,)),
    "CNN window-to-cell line": (ACCENT, CONNECT_ALPHA, (PAGE,)),
    "autoencoder histogram bar": (BAR, 1.0, (PANEL,)),
    "training curve": (TRAIN_COLOR, 1.0, (PAGE,)),
    "test curve": (TEST_COLOR, 1.0, (PAGE,)),
    "weight or value line, positive": (POSITIVE, 1.0, (PAGE,)),
    "RNN wrong-token mark": (WRONG, 1.0, (PAGE,)),
}


def point_grounds():
    """Every colour the MLP's output plot can show under a data point: the diverging scale, the
    discretized (30 % lighter) signs and classes, and the classes' blends with the grey."""
    scale = [tuple(c) for c in diverging_rgb(np.linspace(-1, 1, 256))]
    light = [tuple(_rgb(c) + 0.3 * (255 - _rgb(c))) for c in (NEGATIVE, POSITIVE, *CLASS_COLORS)]
    mixes = [tuple(p * _rgb(c) + (1 - p) * _rgb(MIDDLE)) for c in CLASS_COLORS for p in np.linspace(0, 1, 21)]
    return [np.round(np.array(c, float)) for c in scale + light + mixes]


def canvas_constants():
    """The colours the canvas scripts draw lines with: the ``PALETTE`` constant (ui/canvas.py)."""
    return {"neg": NEGATIVE, "pos": POSITIVE, "mid": MIDDLE, "negLine": NEGATIVE_LINE, "posLine": POSITIVE_LINE,
            "linkMin": LINK_MIN_ALPHA, "frame": FRAME, "bar": BAR, "accent": ACCENT, "connectAlpha": CONNECT_ALPHA,
            "pointDark": POINT_DARK, "pointLight": POINT_LIGHT, "wrong": WRONG}
