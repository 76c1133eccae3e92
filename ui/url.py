"""The URL codec: settings <-> query parameters, forgiving of bad input.

``encode`` writes only what differs from the defaults, so links stay short.
``decode`` never raises: a malformed value is dropped and an out-of-range one
clamped, each with a notice the page shows.
"""
import math

from .settings import FIELDS, MAX_LAYERS, MlpSettings, normalise

MAX_VALUE_LENGTH = 200
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _fmt_number(x):
    return f"{x:g}"


def _encode_value(f, value):
    if f.kind == "bool":
        return "1" if value else "0"
    if f.kind in ("multi", "acts"):
        return ",".join(value)
    if f.kind in ("units", "rates"):
        return ",".join(_fmt_number(v) for v in value)
    if f.kind in ("ladder", "float"):
        return _fmt_number(value)
    return str(value)


def encode(settings):
    """Query parameters for ``settings``: only fields that differ from the defaults."""
    default = MlpSettings()
    return {f.url: _encode_value(f, getattr(settings, name)) for name, f in FIELDS.items()
            if getattr(settings, name) != getattr(default, name)}


class _Bad(ValueError):
    pass


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise _Bad(f"'{text}' is not a whole number") from None


def _float(text):
    try:
        x = float(text)
    except ValueError:
        raise _Bad(f"'{text}' is not a number") from None
    if not math.isfinite(x):
        raise _Bad(f"'{text}' is not a finite number")
    return x


def _clamp(x, lo, hi, name, notices):
    if x < lo or x > hi:
        notices.append(f"'{name}={x:g}' is out of range; using {min(max(x, lo), hi):g} (allowed {lo:g} to {hi:g}).")
        return type(x)(min(max(x, lo), hi))
    return x


def _items(text):
    return [t.strip() for t in text.split(",")] if text.strip() else []


def _decode_value(name, f, text, notices):
    if f.kind == "int":
        return _clamp(_int(text), *f.bounds, f.url, notices)
    if f.kind == "bool":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise _Bad(f"'{text}' is not on/off")
    if f.kind == "choice":
        if text in f.bounds:
            return text
        raise _Bad(f"'{text}' is not one of {', '.join(f.bounds)}")
    if f.kind == "ladder":
        x = _float(text)
        nearest = min(f.bounds, key=lambda v: abs(math.log10(v + 1e-9) - math.log10(max(x, 0) + 1e-9)))
        if nearest != x:
            notices.append(f"'{f.url}={text}' is not on the scale; using {nearest:g}.")
        return nearest
    items = _items(text)
    if f.kind == "multi":
        known = [t for t in items if t in f.bounds]
        if len(known) < len(items):
            notices.append(f"'{f.url}': ignored unknown value(s) {sorted(set(items) - set(known))}.")
        return tuple(dict.fromkeys(known))
    if len(items) > MAX_LAYERS:
        notices.append(f"'{f.url}': at most {MAX_LAYERS} hidden layers; kept the first {MAX_LAYERS}.")
        items = items[:MAX_LAYERS]
    if f.kind == "units":
        return tuple(_clamp(_int(t), *f.bounds, f.url, notices) for t in items)
    if f.kind == "rates":
        return tuple(_clamp(_float(t), *f.bounds, f.url, notices) for t in items)
    if f.kind == "acts":
        bad = [t for t in items if t and t not in f.bounds]
        if bad:
            raise _Bad(f"{bad} are not activations ({', '.join(f.bounds)})")
        return tuple(items)
    raise AssertionError(f.kind)


def decode(params):
    """(MlpSettings, notices) from a mapping of query parameters. Never raises."""
    by_url = {f.url: (name, f) for name, f in FIELDS.items()}
    values, notices = {}, []
    for key, text in params.items():
        if key not in by_url:
            notices.append(f"Unknown link parameter '{key}' ignored.")
            continue
        name, f = by_url[key]
        text = str(text)
        if len(text) > MAX_VALUE_LENGTH:
            notices.append(f"'{key}' is too long; ignored.")
            continue
        try:
            values[name] = _decode_value(name, f, text, notices)
        except _Bad as err:
            notices.append(f"'{key}': {err}; using the default.")
    settings = normalise(MlpSettings(**values))
    if "feat" in params and not values.get("features", True):
        notices.append("A link with no input features: x1 and x2 are used.")
    return settings, notices
