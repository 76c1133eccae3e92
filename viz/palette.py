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
