"""Reading a user's CSV of 2-D points (x1, x2, label), refusing bad files clearly."""
import csv
import io
import math

import numpy as np

MAX_BYTES = 256 * 1024
MAX_ROWS = 2000
MIN_ROWS = 4
EXTENT = 6.0
COLUMNS = ("x1", "x2", "label")


def _number(text, row, column):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"row {row}: {column} = '{text[:20]}' is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"row {row}: {column} is {text.strip()}; only finite numbers are allowed")
    return value


def read_points_csv(raw, regression=False):
    """(points (n, 2), labels (n,), notes) from CSV bytes; ValueError says what is wrong.

    Classification labels take two values (the larger becomes +1, the smaller -1) or three (class
    0, 1 and 2, in their order). Points are scaled to fill the plane [-6, 6] when they reach beyond
    it or stay within half of it (points in [-1, 1] would sit in the middle sixth), regression labels
    into [-1, 1]; a note says so.
    """
    if len(raw) > MAX_BYTES:
        raise ValueError(f"the file is {len(raw) // 1024} KB; the limit is {MAX_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError("the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}; the header must name x1, x2 and label "
                         f"(found: {', '.join(header) or 'nothing'})")
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise ValueError(f"{len(body)} rows; at most {MAX_ROWS} are allowed")
    if len(body) < MIN_ROWS:
        raise ValueError(f"{len(body)} rows; at least {MIN_ROWS} are needed")
    cols = [header.index(c) for c in COLUMNS]
    values = np.empty((len(body), 3))
    for r, row in enumerate(body, start=2):
        if len(row) <= max(cols):
            raise ValueError(f"row {r}: expected {len(header)} values, found {len(row)}")
        values[r - 2] = [_number(row[c], r, name) for c, name in zip(cols, COLUMNS)]
    points, labels = values[:, :2], values[:, 2]
    notes = []
    biggest = np.abs(points).max()
    if biggest > EXTENT:
        points = points * (EXTENT * 0.95 / biggest)
        notes.append(f"Points were scaled by {EXTENT * 0.95 / biggest:.3g} to fit the plane [-6, 6].")
    elif 0 < biggest < EXTENT / 2:
        points = points * (EXTENT * 0.95 / biggest)
        notes.append(f"Points were scaled by {EXTENT * 0.95 / biggest:.3g} to fill the plane [-6, 6] "
                     f"(they lay within ±{biggest:.3g}).")
    if regression:
        top = np.abs(labels).max()
        if top > 1:
            labels = labels / top
            notes.append(f"Labels were divided by {top:.3g} to lie in [-1, 1].")
        return points, labels, notes
    kinds = np.unique(labels)
    if len(kinds) not in (2, 3):
        raise ValueError(f"classification needs 2 or 3 label values, found {len(kinds)}"
                         f" ({', '.join(f'{k:g}' for k in kinds[:5])}{', ...' if len(kinds) > 5 else ''})")
    if len(kinds) == 3:
        if not np.array_equal(kinds, [0.0, 1.0, 2.0]):
            notes.append(f"Three classes: labels {kinds[0]:g}, {kinds[1]:g} and {kinds[2]:g} are classes 0, 1 and 2.")
        return points, np.searchsorted(kinds, labels).astype(float), notes
    if not np.array_equal(kinds, [-1.0, 1.0]):
        notes.append(f"Label {kinds[1]:g} is shown as blue (+1) and {kinds[0]:g} as orange (-1).")
    return points, np.where(labels == kinds[1], 1.0, -1.0), notes
