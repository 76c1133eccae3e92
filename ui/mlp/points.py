"""The user's own points in the page's link: a compact, bounded encoding (the ``pts`` parameter).

A teacher clicks a few points onto a data set, or loads a hand-made CSV, and shares the link: the
class opens the same points. The link holds at most ``LINK_MAX_POINTS`` of them (a CSV of 2,000 stays
a file to share, and the downloaded setup holds every point).

    pts=<mode><base64url>

mode ``a``: points added to the generated data set (the link's other settings make it again);
mode ``o``: the user's own data set, which replaces it (split into training and test points by the
link's training share and seed, as a CSV is). Each point is 3 bytes, 4 characters: x and y in steps
of 0.05 over [-6, 6] (codes 0-240), then a label byte whose top bit marks a point added to the
training data by a click; its low bits are the class (0 orange -1, 1 blue +1; or 0, 1, 2 of three
classes) or, for a regression, (value + 1) * 50 (0-100). Anything else is refused with a reason.
"""
import base64
import binascii
import json
import math
import re
from urllib.parse import parse_qsl, urlparse

import numpy as np

from ..url import decode as decode_link

EXTENT = 6.0
STEP = 0.05                      # coordinates in the link: 241 values over [-6, 6]
LINK_MAX_POINTS = 300            # 1,201 characters of link at most
ADDED = 0x80                     # label byte: a point a click added to the training data
_ALPHABET = re.compile(r"^[A-Za-z0-9_-]*$")


def _codes(xy):
    return np.clip(np.round((np.asarray(xy, float) + EXTENT) / STEP), 0, 2 * EXTENT / STEP).astype(np.uint8)


def _label_codes(labels, classes):
    labels = np.asarray(labels, float)
    if classes == 0:
        return np.clip(np.round((labels + 1) * 50), 0, 100).astype(np.uint8)
    if classes == 2:
        return (labels > 0).astype(np.uint8)
    return np.clip(np.round(labels), 0, classes - 1).astype(np.uint8)


def encode(own, added, classes):
    """The ``pts`` value for the user's own data set ``own`` ((xy, labels) or None) and the points a
    click added (a list of (x, y, label)); None when there is nothing to say or too much for a link."""
    xy = np.zeros((0, 2))
    labels = np.zeros(0)
    if own is not None:
        xy, labels = np.asarray(own[0], float).reshape(-1, 2), np.asarray(own[1], float)
    flags = np.zeros(len(xy), np.uint8)
    if added:
        extra = np.asarray(added, float).reshape(-1, 3)
        xy, labels = np.vstack([xy, extra[:, :2]]), np.concatenate([labels, extra[:, 2]])
        flags = np.concatenate([flags, np.full(len(extra), ADDED, np.uint8)])
    if not len(xy) or len(xy) > LINK_MAX_POINTS:
        return None
    packed = np.column_stack([_codes(xy), _label_codes(labels, classes) | flags]).astype(np.uint8)
    body = base64.urlsafe_b64encode(packed.tobytes()).decode("ascii").rstrip("=")
    return ("o" if own is not None else "a") + body


def decode(text, classes):
    """(own, added) from a ``pts`` value for a problem with ``classes`` (2, 3; 0 for a regression):
    own is (xy, labels) or None, added a list of (x, y, label). ValueError says what is wrong."""
    if not isinstance(text, str) or len(text) < 5 or text[0] not in "ao":
        raise ValueError("it does not start with a (added points) or o (own points) and a point")
    body = text[1:]
    if len(body) > 4 * LINK_MAX_POINTS:
        raise ValueError(f"a link holds at most {LINK_MAX_POINTS} points")
    if len(body) % 4 or not _ALPHABET.match(body):
        raise ValueError("it is not a whole number of points in base64url")
    try:
        raw = np.frombuffer(base64.urlsafe_b64decode(body), np.uint8).reshape(-1, 3)
    except (binascii.Error, ValueError):
        raise ValueError("it is not base64url") from None
    if (raw[:, :2] > 2 * EXTENT / STEP).any():
        raise ValueError("a coordinate lies outside the plane [-6, 6]")
    xy = raw[:, :2].astype(float) * STEP - EXTENT
    added_flags, codes = (raw[:, 2] & ADDED) > 0, raw[:, 2] & ~np.uint8(ADDED)
    top = 100 if classes == 0 else classes - 1
    if (codes > top).any():
        raise ValueError(f"a label does not fit {'a regression' if classes == 0 else f'{classes} classes'}")
    labels = codes / 50.0 - 1 if classes == 0 else np.where(codes > 0, 1.0, -1.0) if classes == 2 else codes.astype(float)
    own = (xy[~added_flags], labels[~added_flags]) if text[0] == "o" else None
    if text[0] == "a" and not added_flags.all():
        raise ValueError("added points must be marked as added")
    if own is not None and len(own[0]) < 4:
        raise ValueError("an own data set needs at least 4 points")
    added = [(float(x), float(y), float(v)) for (x, y), v in zip(xy[added_flags], labels[added_flags])]
    return own, added


SETUP_MAX_BYTES = 512 * 1024
SETUP_MAX_POINTS = 2000


def read_setup(raw, settings_class):
    """(settings, own, added, notices) from a setup the page downloaded (.json): the settings its link
    names (checked as a link is) and its points (own: (xy, labels) or None; added: (x, y, label)s).
    ValueError says what is wrong."""
    if len(raw) > SETUP_MAX_BYTES:
        raise ValueError(f"the file is {len(raw) // 1024} KB; a setup is at most {SETUP_MAX_BYTES // 1024} KB")
    try:
        setup = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):      # RecursionError: nested too deep
        raise ValueError("it is not a setup file (JSON) nor a CSV") from None
    link = setup.get("link", "") if isinstance(setup, dict) else None
    if not isinstance(link, str) or len(link) > 4000:
        raise ValueError("it is not a setup this page wrote (no link)")
    params = {k: v for k, v in parse_qsl(urlparse(link).query) if k != "pts"}
    settings, notices = decode_link(params, settings_class)
    part = setup.get("points") or {}
    if not isinstance(part, dict):
        raise ValueError("its points are not a list")
    own, added = _rows(part.get("own"), settings.classes), _rows(part.get("added"), settings.classes)
    if own is not None and len(own) < 4:
        raise ValueError("its own data set has fewer than 4 points")
    return (settings, None if own is None else (own[:, :2], own[:, 2]),
            [] if added is None else [tuple(map(float, p)) for p in added], notices)


def _rows(rows, classes):
    if rows is None:
        return None
    if not isinstance(rows, list) or len(rows) > SETUP_MAX_POINTS:
        raise ValueError(f"its points are not a list of at most {SETUP_MAX_POINTS} [x1, x2, label]")
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in row)):
            raise ValueError("a point is not [x1, x2, label] of finite numbers")
        if abs(row[0]) > EXTENT or abs(row[1]) > EXTENT:
            raise ValueError("a point lies outside the plane [-6, 6]")
        label = row[2]
        if classes == 0 and abs(label) > 1 or classes == 2 and label not in (-1, 1) or \
                classes > 2 and label not in range(classes):
            raise ValueError(f"a label does not fit {'a regression' if classes == 0 else f'{classes} classes'}")
    return np.asarray(rows, float).reshape(-1, 3)
