"""The palette under simulated colour-vision deficiency (issue 22, WCAG 1.4.1 and 1.4.11).

Each pair of colours that tells two things apart must stay at least 20 apart in CIEDE2000 for a
viewer with protanopia, deuteranopia or tritanopia. The simulation is Machado, Oliveira & Fernandes
(2009, IEEE TVCG 15(6)), severity 1 (full dichromacy), applied in linear sRGB as colorspacious does;
CIEDE2000 is Sharma, Wu & Dalal (2005), checked here against pairs of their published test data.
"""
import itertools

import numpy as np
import pytest

from viz import palette

MACHADO = {      # linear sRGB -> linear sRGB, severity 1.0
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
VISIONS = (None, *MACHADO)
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DIFFERENCE = 20


def hex_rgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def to_linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(c):
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def seen(hex_color, vision):
    """sRGB in [0, 1] as a viewer with ``vision`` (None: typical) sees ``hex_color``."""
    rgb = hex_rgb(hex_color)
    return rgb if vision is None else to_srgb(np.array(MACHADO[vision]) @ to_linear(rgb))


def lab(rgb):
    xyz = SRGB_TO_XYZ @ to_linear(rgb) / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2):
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1 = np.degrees(np.arctan2(b1, a1p)) % 360 if c1 else 0.0
    h2 = np.degrees(np.arctan2(b2, a2p)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c, d_h = L2 - L1, c2 - c1, 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (L1 + L2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    theta = 30 * np.exp(-((h_mean - 275) / 25) ** 2)
    r_c = 2 * np.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -np.sin(np.radians(2 * theta)) * r_c
    return float(np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)))


def difference(a, b, vision):
    return ciede2000(lab(seen(a, vision)), lab(seen(b, vision)))


def lighter(h):      # a discretized output area: 30 % towards white (network_canvas.js, lighter)
    rgb = np.round(hex_rgb(h) * 255 + 0.3 * (255 - hex_rgb(h) * 255)).astype(int)
    return "#" + "".join(f"{v:02x}" for v in rgb)


@pytest.mark.parametrize("lab1, lab2, expected", [          # Sharma, Wu & Dalal (2005), table 1
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, 0, 0), (50, -1, 2), 2.3669),
    ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
])
def test_ciede2000_matches_published_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_grey_and_merges_red_with_green():
    for vision in MACHADO:       # a dichromat sees greys as they are ...
        assert np.allclose(seen("#808080", vision), hex_rgb("#808080"), atol=0.01)
    # ... and the classic confusion pairs merge: pure red and green for a deuteranope (a check
    # that the simulation bites: without it the difference is over 80)
    assert difference("#ff0000", "#00ff00", None) > 80
    assert difference("#e15759", "#59a14f", "deuteranopia") < 5


PAIRS = {
    "classes": palette.CLASS_COLORS,
    "classes, discretized output": tuple(map(lighter, palette.CLASS_COLORS)),
    "signs (weights, values)": (palette.NEGATIVE, palette.POSITIVE),
    "right and wrong": (palette.RIGHT, palette.WRONG),
    "training and test curves": (palette.TRAIN_COLOR, palette.TEST_COLOR),
}


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "typical")
@pytest.mark.parametrize("what", PAIRS)
def test_palette_told_apart_under_colour_vision_deficiency(what, vision):
    worst = min((difference(a, b, vision), a, b) for a, b in itertools.combinations(PAIRS[what], 2))
    assert worst[0] >= MIN_DIFFERENCE, f"{what}: {worst[1]} and {worst[2]} differ by {worst[0]:.1f} ({vision})"


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "typical")
def test_class_colours_stand_out_from_the_background(vision):
    for color in palette.CLASS_COLORS:
        for ground in ("#ffffff", palette.MIDDLE):
            assert difference(color, ground, vision) >= MIN_DIFFERENCE
