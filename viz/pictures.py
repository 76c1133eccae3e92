"""Pictures of a run for slides, drawn on the server with Pillow: arrays in, images out.

Every picture is at least ``SLIDE_WIDTH`` pixels wide at its full size, and can be drawn smaller
for an animation's frames (``width``). The colours are the playground's (``viz.palette``):
negative orange, positive blue. A ``View`` names a picture a page offers; ``png`` encodes one.
"""
import io
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import palette

SLIDE_WIDTH = 1920
BACKGROUND = (255, 255, 255)
INK = (40, 44, 52)
GREY = (150, 155, 160)


@dataclass(frozen=True)
class View:
    name: str                       # a file name's stem: "network", "kernels"
    label: str                      # the button's words
    render: object                  # render(snap, width) -> PIL.Image
    animates: bool = False          # worth an animation over the epochs


def png(image):
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False, compress_level=3)
    return buf.getvalue()


@lru_cache(maxsize=16)
def font(size):
    size = max(8, int(size))
    try:
        return ImageFont.load_default(size=size)
    except TypeError:                       # Pillow without FreeType sizes
        return ImageFont.load_default()


@lru_cache(maxsize=64)
def _rgb(hex_color):
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


LUT = palette.diverging_rgb(np.linspace(-1, 1, 256))        # (256, 3): a colour per code


def heatmap(values, size, scale=None):
    """An RGB image of a 2-D array on the diverging scale (±scale, default its largest magnitude),
    ``size`` (w, h) pixels, each value a crisp block."""
    v = np.asarray(values, np.float64)
    s = scale if scale is not None else (float(np.abs(v).max()) or 1.0)
    codes = np.round((np.clip(v / max(s, 1e-12), -1, 1) + 1) * 127.5).astype(np.uint8)
    image = Image.fromarray(LUT[codes], "RGB")
    return image.resize((max(1, int(size[0])), max(1, int(size[1]))), Image.NEAREST)


def canvas(width, height):
    image = Image.new("RGB", (int(width), int(height)), BACKGROUND)
    return image, ImageDraw.Draw(image)


def caption(image, text, size=None):
    """``image`` with a line of text (the epoch and loss of an animation's frame) along its top."""
    size = size or max(14, image.width // 45)
    out, draw = canvas(image.width, image.height + int(size * 1.8))
    out.paste(image, (0, int(size * 1.8)))
    draw.text((size * 0.6, size * 0.35), text, fill=INK, font=font(size))
    return out


def _title(draw, xy, text, size):
    draw.text(xy, text, fill=INK, font=font(size))


# -- curves -------------------------------------------------------------------------------------------------
def chart(series, title, width=SLIDE_WIDTH, height=None, y_range=None, percent=False, x=None):
    """A line chart: ``series`` {name: (values, colour)} over ``x`` (epochs)."""
    height = height or int(width * 0.5)
    image, draw = canvas(width, height)
    s = width / 1600
    left, right, top, bottom = 110 * s, width - 40 * s, 70 * s, height - 80 * s
    _title(draw, (left, 18 * s), title, 34 * s)
    values = [np.asarray(v, float) for v, _ in series.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values] + [np.zeros(0)])
    n = max((len(v) for v in values), default=0)
    xs = np.asarray(x if x is not None else np.arange(n), float)
    lo, hi = y_range or ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    x0, x1 = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    x1 = x1 if x1 > x0 else x0 + 1

    def px(xv, yv):
        return left + (xv - x0) / (x1 - x0) * (right - left), bottom - (yv - lo) / (hi - lo) * (bottom - top)

    draw.rectangle((left, top, right, bottom), outline=GREY, width=max(1, int(2 * s)))
    for k in range(5):
        yv = lo + (hi - lo) * k / 4
        _, yp = px(x0, yv)
        draw.line((left, yp, right, yp), fill=(230, 232, 235), width=1)
        label = f"{yv:.0%}" if percent else f"{yv:.3g}"
        draw.text((left - 12 * s, yp), label, fill=INK, font=font(22 * s), anchor="rm")
    for k in range(5):
        xv = x0 + (x1 - x0) * k / 4
        xp, _ = px(xv, lo)
        draw.text((xp, bottom + 14 * s), f"{xv:,.0f}", fill=INK, font=font(22 * s), anchor="mt")
    draw.text(((left + right) / 2, height - 8 * s), "epoch", fill=GREY, font=font(22 * s), anchor="mb")
    for k, (name, (v, color)) in enumerate(series.items()):
        v = np.asarray(v, float)
        pts = [px(xv, yv) for xv, yv in zip(xs, v) if np.isfinite(yv)]
        if len(pts) > 1:
            draw.line(pts, fill=_rgb(color), width=max(2, int(4 * s)), joint="curve")
        elif pts:
            draw.ellipse((pts[0][0] - 5, pts[0][1] - 5, pts[0][0] + 5, pts[0][1] + 5), fill=_rgb(color))
        lx = right - 260 * s
        ly = top + 16 * s + k * 34 * s
        draw.line((lx, ly, lx + 40 * s, ly), fill=_rgb(color), width=max(2, int(5 * s)))
        draw.text((lx + 52 * s, ly), name, fill=INK, font=font(24 * s), anchor="lm")
    return image


def curves(history, classification, width=SLIDE_WIDTH):
    """Loss (and accuracy) per epoch side by side: ``history`` is a snapshot's ``history["evals"]``."""
    ev = history
    parts = [chart({"train loss": (ev["train_loss"], palette.TRAIN_COLOR), "test loss": (ev["test_loss"],
                                                                                        palette.TEST_COLOR)},
                   "Loss", width // (2 if classification else 1), x=ev["epoch"])]
    if classification:
        parts.append(chart({"train": (ev["train_acc"], palette.TRAIN_COLOR), "test": (ev["test_acc"],
                                                                                     palette.TEST_COLOR)},
                           "Accuracy", width // 2, y_range=(0, 1), percent=True, x=ev["epoch"]))
    image, _ = canvas(width, parts[0].height)
    for k, part in enumerate(parts):
        image.paste(part, (k * part.width, 0))
    return image


# -- grids of maps -------------------------------------------------------------------------------------------
def kernels(layers, width=SLIDE_WIDTH):
    """Every conv layer's kernels: ``layers`` [(title, W (filters, channels, k, k))], one row of
    filters per layer (each filter's channels stacked), one colour scale per layer."""
    s = width / 1600
    pad, title_h = 24 * s, 46 * s
    rows = []
    for title, W in layers:
        F, C, k, _ = W.shape
        cell = min(120 * s, (width - 2 * pad) / max(F, 1) - 10 * s)
        cell_h = cell if C == 1 else min(cell, 420 * s / C)
        rows.append((title, W, cell, cell_h))
    height = int(sum(title_h + C_h * W.shape[1] + 30 * s for _, W, _, C_h in rows) + pad)
    image, draw = canvas(width, max(height, 200))
    y = pad / 2
    for title, W, cell, cell_h in rows:
        _title(draw, (pad, y), f"{title}: {W.shape[0]} kernels of {W.shape[2]}x{W.shape[3]}"
               + (f" x {W.shape[1]} channels" if W.shape[1] > 1 else ""), 28 * s)
        y += title_h
        image.paste(_kernel_grid(W, cell, cell_h, 10 * s), (int(pad), int(y)))
        y += cell_h * W.shape[1] + 30 * s
    return image


def _kernel_grid(W, cell, cell_h, gap):
    """One layer's kernels as one image, built in NumPy (a frame of an animation draws hundreds):
    filters side by side ``gap`` apart, each filter's channels stacked, one colour scale."""
    F, C, k, _ = W.shape
    px, py = max(1, int(cell // k)), max(1, int(cell_h // k))
    scale = float(np.abs(W).max()) or 1.0
    codes = np.round((np.clip(W / scale, -1, 1) + 1) * 127.5).astype(np.uint8)
    blocks = np.repeat(np.repeat(LUT[codes], py, axis=2), px, axis=3)       # (F, C, k*py, k*px, 3)
    step = k * px + int(gap)
    out = np.full((C * k * py, F * step, 3), 255, np.uint8)
    for f in range(F):
        out[:, f * step:f * step + k * px] = blocks[f].reshape(C * k * py, k * px, 3)
    return Image.fromarray(out, "RGB")


def confusion(matrix, names, width=SLIDE_WIDTH, title="Confusion matrix (rows: true class, columns: prediction)"):
    m = np.asarray(matrix)
    k = len(m)
    s = width / 1600
    size = min(110 * s, (width - 400 * s) / max(k, 1))
    height = int(160 * s + size * k + 60 * s)
    image, draw = canvas(width, height)
    _title(draw, (40 * s, 20 * s), title, 32 * s)
    left, top = 300 * s, 130 * s
    peak = max(int(m.max()), 1)
    for i in range(k):
        draw.text((left - 16 * s, top + (i + 0.5) * size), str(names[i]) if i < len(names) else str(i),
                  fill=INK, font=font(24 * s), anchor="rm")
        draw.text((left + (i + 0.5) * size, top - 12 * s), str(names[i]) if i < len(names) else str(i),
                  fill=INK, font=font(24 * s), anchor="mb")
        for j in range(k):
            v = m[i, j] / peak
            base = _rgb(palette.POSITIVE) if i == j else _rgb(palette.NEGATIVE)
            color = tuple(int(255 + (b - 255) * v) for b in base)
            box = (left + j * size, top + i * size, left + (j + 1) * size - 2, top + (i + 1) * size - 2)
            draw.rectangle(box, fill=color)
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), f"{int(m[i, j]):,}",
                      fill=(255, 255, 255) if v > 0.55 else INK, font=font(26 * s), anchor="mm")
    return image


def overview(image_in, columns, probs, names, width=SLIDE_WIDTH):
    """One image through a CNN: the input, each layer's maps [(title, maps (C, H, W))], the class
    probabilities."""
    s = width / 1600
    n = len(columns) + 2
    col_w = (width - 40 * s) / n
    height = int(980 * s)
    out, draw = canvas(width, height)
    top = 80 * s
    _title(draw, (20 * s, 16 * s), "One test image through the network", 32 * s)
    img = np.asarray(image_in, np.float64)[0]
    side = min(col_w - 20 * s, 300 * s)
    gray = Image.fromarray(np.round(np.clip(1 - img, 0, 1) * 255).astype(np.uint8), "L").convert("RGB")
    out.paste(gray.resize((int(side), int(side)), Image.NEAREST), (int(20 * s), int(top + 40 * s)))
    draw.text((20 * s, top), "input", fill=INK, font=font(24 * s))
    for c, (title, maps) in enumerate(columns, start=1):
        x = 20 * s + c * col_w
        draw.text((x, top), title, fill=INK, font=font(24 * s))
        maps = np.asarray(maps, np.float64)
        count = len(maps)
        cell = min(col_w - 20 * s, (height - top - 60 * s) / max(count, 1) - 4 * s)
        scale = float(np.abs(maps).max()) or 1.0
        for k, m in enumerate(maps):
            out.paste(heatmap(m, (cell, cell * m.shape[0] / max(m.shape[1], 1)), scale),
                      (int(x), int(top + 40 * s + k * (cell + 4 * s))))
    x = 20 * s + (n - 1) * col_w
    draw.text((x, top), "probabilities", fill=INK, font=font(24 * s))
    bar_h = min(60 * s, (height - top - 60 * s) / max(len(probs), 1))
    best = int(np.argmax(probs)) if len(probs) else -1
    for k, p in enumerate(probs):
        y = top + 40 * s + k * bar_h
        draw.text((x, y + bar_h / 2), str(names[k]) if k < len(names) else str(k), fill=INK, font=font(22 * s),
                  anchor="lm")
        draw.rectangle((x + 110 * s, y + 6 * s, x + 110 * s + (col_w - 140 * s) * float(p), y + bar_h - 6 * s),
                       fill=_rgb(palette.POSITIVE if k == best else palette.MIDDLE))
    return out


def recurrent(layers, grad_norm=None, tokens=None, width=SLIDE_WIDTH):
    """Inside a recurrent network for one sequence: per layer [(title, values (rows, T))] heatmaps
    (hidden state, gates, cell state), and the gradient through time (|d loss / d h_t|, log scale)."""
    s = width / 1600
    left, pad = 220 * s, 20 * s
    blocks = [(title, np.asarray(v, np.float64)) for title, v in layers]
    T = max((v.shape[1] for _, v in blocks), default=1)
    row_h = max(4.0, min(26 * s, 520 * s / max(sum(v.shape[0] for _, v in blocks), 1)))
    height = int(90 * s + sum(v.shape[0] * row_h + 40 * s for _, v in blocks) + (260 * s if grad_norm is not None
                                                                                    else 0))
    image, draw = canvas(width, height)
    _title(draw, (pad, 16 * s), "Inside the network: every unit (row) at every step (column)", 32 * s)
    y = 80 * s
    cell_w = (width - left - pad) / T
    for title, v in blocks:
        draw.text((pad, y + v.shape[0] * row_h / 2), title, fill=INK, font=font(24 * s), anchor="lm")
        image.paste(heatmap(v, (cell_w * v.shape[1], row_h * v.shape[0]), 1.0 if v.min() >= -1 and v.max() <= 1
                            else None), (int(left), int(y)))
        y += v.shape[0] * row_h + 40 * s
    if grad_norm is not None:
        g = np.log10(np.maximum(np.asarray(grad_norm, np.float64), 1e-12))
        lo, hi = float(g.min()), float(g.max())
        hi = hi if hi > lo else lo + 1
        draw.text((pad, y + 100 * s), "gradient\nthrough time\n(log scale)", fill=INK, font=font(22 * s), anchor="lm")
        for t, v in enumerate(g):
            h = (v - lo) / (hi - lo) * 200 * s + 4
            draw.rectangle((left + t * cell_w, y + 210 * s - h, left + (t + 1) * cell_w - 1, y + 210 * s),
                           fill=_rgb(palette.POSITIVE))
    return image


def network(inputs, hidden, output, weights, points=None, width=SLIDE_WIDTH, classes=2):
    """The MLP: columns of neurons, each a map over the input plane (``inputs`` [(label, map)],
    ``hidden`` [[map per neuron] per layer]), lines coloured by weight (``weights`` [W per layer,
    inputs to the output]), and the output's map large with the data ``points`` [(x, y, label)] in
    plane units [-1, 1]."""
    s = width / 1920
    height = int(1080 * s)
    image, draw = canvas(width, height)
    columns = [[m for _, m in inputs]] + hidden
    plot = 620 * s
    tile = min(110 * s, (height - 160 * s) / max(max(len(c) for c in columns), 1) - 16 * s)
    net_right = width - plot - 200 * s - tile
    col_x = [90 * s + k * (net_right - 90 * s) / max(len(columns) - 1, 1) for k in range(len(columns))]
    centres = []
    for k, maps in enumerate(columns):
        total = len(maps) * (tile + 16 * s)
        y0 = (height - total) / 2
        centres.append([(col_x[k] + tile / 2, y0 + j * (tile + 16 * s) + tile / 2) for j in range(len(maps))])
    for k, W in enumerate(weights[:len(columns) - 1]):
        W = np.asarray(W, np.float64)
        peak = float(np.abs(W).max()) or 1.0
        for i, a in enumerate(centres[k]):
            for j, b in enumerate(centres[k + 1]):
                w = W[i, j] / peak
                draw.line((a[0] + tile / 2, a[1], b[0] - tile / 2, b[1]),
                          fill=_rgb(palette.POSITIVE if w > 0 else palette.NEGATIVE),
                          width=max(1, int(abs(w) * 7 * s)))
    out_centre = (width - plot - 50 * s, height / 2)
    if len(weights) >= len(columns):
        W = np.asarray(weights[len(columns) - 1], np.float64)
        peak = float(np.abs(W).max()) or 1.0
        for i, a in enumerate(centres[-1]):
            w = W[i].mean() / peak
            draw.line((a[0] + tile / 2, a[1], out_centre[0], out_centre[1]),
                      fill=_rgb(palette.POSITIVE if w > 0 else palette.NEGATIVE), width=max(1, int(abs(w) * 7 * s)))
    for k, maps in enumerate(columns):
        for j, m in enumerate(maps):
            cx, cy = centres[k][j]
            tile_image = heatmap(m, (tile, tile), 1.0).transpose(Image.FLIP_TOP_BOTTOM)     # y up, as plotted
            image.paste(tile_image, (int(cx - tile / 2), int(cy - tile / 2)))
        if k < len(inputs) and k == 0:
            for j, (label, _) in enumerate(inputs):
                cx, cy = centres[0][j]
                plain = label.replace("₁", "1").replace("₂", "2").replace("²", "^2")   # the font has no sub/superscripts
                draw.text((cx - tile / 2 - 8 * s, cy), plain, fill=INK, font=font(22 * s), anchor="rm")
    left, top = width - plot - 40 * s, (height - plot) / 2
    if np.ndim(output) == 3:                     # class probabilities: the likeliest class's colour
        probs = np.asarray(output)
        cols = np.array([_rgb(c) for c in palette.CLASS_COLORS[:len(probs)]], float)
        rgb = np.einsum("khw,kc->hwc", probs, cols)
        mix = 0.35 + 0.65 * probs.max(axis=0)[..., None]
        rgb = (255 + (rgb - 255) * mix).clip(0, 255).astype(np.uint8)
        out_image = Image.fromarray(rgb, "RGB").resize((int(plot), int(plot)), Image.NEAREST)
    else:
        out_image = heatmap(output, (plot, plot), 1.0)
    image.paste(out_image.transpose(Image.FLIP_TOP_BOTTOM), (int(left), int(top)))
    draw.rectangle((left, top, left + plot, top + plot), outline=GREY, width=2)
    r = 6 * s
    for x, y, label in points if points is not None else ():
        px, py = left + (x + 1) / 2 * plot, top + (1 - y) / 2 * plot
        if classes > 2:
            color = _rgb(palette.CLASS_COLORS[int(label) % len(palette.CLASS_COLORS)])
        else:
            color = _rgb(palette.POSITIVE if label > 0 else palette.NEGATIVE)
        draw.ellipse((px - r, py - r, px + r, py + r), fill=color, outline=(255, 255, 255), width=max(1, int(1.5 * s)))
    _title(draw, (left, top - 46 * s), "Output over the input plane", 30 * s)
    return image
