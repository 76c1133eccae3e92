"""Non-text contrast (WCAG 2.1, 1.4.11): every line and border that carries meaning is at least 3:1
against the ground it is drawn on, after its opacity is blended in.

The colours are read from their one source, ``viz.palette`` (the canvases get them as the ``PALETTE``
constant ui/canvas.py puts in front of each script) and the chart modules' series colours; the canvas
scripts are scanned for stroke colours written into them directly.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from ui import canvas
from viz import curves, palette, rnn

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "ui").glob("**/components/*.js"))
RATIO = 3.0


def ratio_on(color, alpha, ground):
    return palette.contrast(palette.blend(color, alpha, ground), ground)


def test_contrast_matches_the_wcag_definition():
    assert palette.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert palette.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)     # WebAIM's example
    assert palette.contrast("#f59322", "#ffffff") < 2.5          # the old orange: why lines use NEGATIVE_LINE
    assert ratio_on("#0877bd", 0.35, "#ffffff") < RATIO          # the old thinnest link
    assert palette.min_alpha("#000000") == pytest.approx(0.43, abs=0.02)


@pytest.mark.parametrize("what", palette.LINES)
def test_each_line_colour_reaches_3_to_1_on_its_ground(what):
    color, alpha, grounds = palette.LINES[what]
    for ground in grounds:
        assert ratio_on(color, alpha, ground) >= RATIO, f"{what}: {color} at {alpha} on {ground}"


def test_the_least_link_opacity_is_the_least_that_reaches_3_to_1():
    for sign, color in (("pos", palette.POSITIVE_LINE), ("neg", palette.NEGATIVE_LINE)):
        alpha = palette.LINK_MIN_ALPHA[sign]
        assert ratio_on(color, alpha, palette.PAGE) >= RATIO > ratio_on(color, alpha - 0.01, palette.PAGE)


SERIES = {
    "per-layer curves and bands": curves.LAYER_COLORS,
    "compared runs, training and test": [c for pair in curves.RUN_COLORS for c in pair],
    "RNN symbols (token outlines, bars)": rnn.SYMBOL_COLORS,
    "RNN distractors, input and truth": (rnn.DISTRACTOR_COLOR, rnn.INPUT_COLOR, rnn.TRUTH_COLOR),
}       # the classes' colours are fills: the MLP's points have rings, the RNN's bars their numbers


@pytest.mark.parametrize("what", SERIES)
def test_chart_series_colours_reach_3_to_1_on_white(what):
    for color in SERIES[what]:
        assert palette.contrast(color, palette.PAGE) >= RATIO, f"{what}: {color}"


def test_every_point_has_a_ring_at_3_to_1_on_whatever_the_plot_shows():
    grounds = palette.point_grounds()
    assert len(grounds) > 256
    dark, light = palette.POINT_DARK, palette.POINT_LIGHT
    assert palette.contrast(dark, light) >= RATIO          # the two rings tell apart from each other
    worst = min(max(palette.contrast(g, dark), palette.contrast(g, light)) for g in grounds)
    assert worst >= RATIO
    # neither ring alone would do: white vanishes on the light grey, black on the dark red
    assert min(palette.contrast(g, light) for g in grounds) < RATIO
    assert min(palette.contrast(g, dark) for g in grounds) < RATIO


def test_every_canvas_script_gets_the_palette():
    for path in SCRIPTS:
        js = canvas.script(path.stem, path.parent)
        head = js.split("\n", 1)[0]
        assert head.startswith("const PALETTE = "), path
        assert json.loads(head[len("const PALETTE = "):].rstrip(";")) == palette.canvas_constants()


HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
RGBA = re.compile(r"rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)")
STROKE = re.compile(r"(?:strokeStyle|\b(?:line|rule|faint|axis|frameColor|border|LINE))\s*[:=]\s*([^;]+)")


def _hex6(h):
    return h if len(h) == 7 else "#" + "".join(c * 2 for c in h[1:])


def test_no_canvas_script_strokes_a_faint_colour_of_its_own():
    """A line drawn with a colour written into a script (not from PALETTE) is 3:1 on white too;
    white itself only as the light half of a black-and-white pair (focus ring, point rings)."""
    faint = []
    for path in SCRIPTS:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            stroke = " ".join(STROKE.findall(line))
            for h in map(_hex6, HEX.findall(stroke)):
                if h.lower() != "#ffffff" and palette.contrast(h, palette.PAGE) < RATIO:
                    faint.append(f"{path.name}:{n} {h}")
            for r, g, b, a in RGBA.findall(stroke):
                rgb = np.array([int(r), int(g), int(b)], float)
                seen = float(a) * rgb + (1 - float(a)) * 255
                if palette.contrast(seen, palette.PAGE) < RATIO:
                    faint.append(f"{path.name}:{n} rgba({r},{g},{b},{a})")
    assert not faint, "strokes below 3:1 on white: " + ", ".join(faint)
    # the scan bites: the old frame colour would be caught
    assert palette.contrast("#c4c9d4", palette.PAGE) < RATIO
