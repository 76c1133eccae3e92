"""The URL codec, generic over a page's settings class: settings <-> query parameters.

``encode`` writes only what differs from the defaults, so links stay short.
``decode`` never raises: a malformed value is dropped and an out-of-range one
clamped, each with a notice the page shows (as plain text: links are user input).
``bounded`` does the same for settings that come from widgets or canvas events.
"""
import math
from dataclasses import replace

MAX_VALUE_LENGTH = 200
MAX_NOTICES = 10           # a link with a thousand bad parameters gets ten notices and a count
EXTRAS = ("lesson", "model")   # link parameters that are no setting: the codec leaves them to others
                               # (ui/lessons; ui/take_away: a shipped model's name)
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
LIST_KINDS = ("multi", "ints", "floats", "choices")


def _fmt_number(x):
    return f"{x:g}"


def _encode_value(f, value):
    if f.kind == "bool":
        return "1" if value else "0"
    if f.kind in ("multi", "choices"):
        return ",".join(value)
    if f.kind in ("ints", "floats"):
        return ",".join(_fmt_number(v) for v in value)
    if f.kind in ("ladder", "float"):
        return _fmt_number(value)
    return str(value)


def encode(settings, base=None):
    """Query parameters for ``settings``: only the fields that differ from the defaults (or from
    ``base``, the settings a link starts from: an open lesson's preset)."""
    default = settings.defaults() if base is None else base
    return {f.url: _encode_value(f, getattr(settings, name)) for name, f in settings.FIELDS.items()
            if getattr(settings, name) != getattr(default, name)}


class _Bad(ValueError):
    pass


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise _Bad(f"'{_short(text)}' is not a whole number") from None


def _float(text):
    try:
        x = float(text)
    except ValueError:
        raise _Bad(f"'{_short(text)}' is not a number") from None
    if not math.isfinite(x):
        raise _Bad(f"'{_short(text)}' is not a finite number")
    return x


def _short(text, n=40):
    return text if len(text) <= n else text[:n] + "…"


def _clamp(x, lo, hi, name, notices):
    if x < lo or x > hi:
        notices.append(f"'{name}={x:g}' is out of range; using {min(max(x, lo), hi):g} (allowed {lo:g} to {hi:g}).")
        return type(x)(min(max(x, lo), hi))
    return x


def _items(text):
    return [t.strip() for t in text.split(",")] if text.strip() else []


def _decode_scalar(f, text, notices):
    if f.kind == "int":
        return _clamp(_int(text), *f.bounds, f.url, notices)
    if f.kind == "float":
        return _clamp(_float(text), *f.bounds, f.url, notices)
    if f.kind == "bool":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise _Bad(f"'{_short(text)}' is not on/off")
    if f.kind == "choice":
        if text in f.bounds:
            return text
        raise _Bad(f"'{_short(text)}' is not one of {', '.join(f.bounds)}")
    if f.kind == "ladder":
        x = _float(text)
        nearest = min(f.bounds, key=lambda v: abs(math.log10(v + 1e-9) - math.log10(max(x, 0) + 1e-9)))
        if nearest != x:
            notices.append(f"'{f.url}={_short(text)}' is not on the scale; using {nearest:g}.")
        return nearest
    raise AssertionError(f.kind)


def _decode_list(f, text, notices):
    items = _items(text)
    if f.kind == "multi":
        known = [t for t in items if t in f.bounds]
        if len(known) < len(items):
            unknown = sorted({_short(t, 20) for t in items} - set(known))[:5]
            notices.append(f"'{f.url}': ignored unknown value(s) {', '.join(unknown)}.")
        return tuple(dict.fromkeys(known))
    if f.max_items and len(items) > f.max_items:
        notices.append(f"'{f.url}': at most {f.max_items} values; kept the first {f.max_items}.")
        items = items[:f.max_items]
    if f.kind in ("ints", "floats"):
        number = _int if f.kind == "ints" else _float
        return tuple(_item(f, k, lambda t: _clamp(number(t), *f.bounds, f.url, notices), t, notices)
                     for k, t in enumerate(items))
    # an empty item only where it is the items' default (a layer's activation "as all layers"), not where
    # every item needs a value of its own (the engine refused '' when the network was built)
    bad = [_short(t, 20) or "''" for t in items if t not in f.bounds and t != f.item_default]
    if bad:
        raise _Bad(f"{', '.join(bad[:5])} not among {', '.join(f.bounds)}")
    return tuple(items)


def _item(f, k, read, text, notices):
    """Item ``k`` of a list of numbers read by ``read``; a bad item of a list whose items have a
    default (a layer's) becomes that default with a notice, and the good items are kept (a link
    once said "using 16" for one item and then dropped the whole list for another)."""
    try:
        return read(text)
    except _Bad as err:
        if f.item_default is None:
            raise
        notices.append(f"'{f.url}': item {k + 1}: {err}; using {f.label_of(f.item_default)} there.")
        return f.item_default


def decode(params, settings_class, base=None):
    """(settings, notices) from a mapping of query parameters; the fields a link leaves out come from
    the defaults (or from ``base``, as ``encode`` wrote them). Never raises."""
    by_url = {f.url: (name, f) for name, f in settings_class.FIELDS.items()}
    values, notices = {}, []
    for key, text in params.items():
        if key in EXTRAS or key in settings_class.LINK_EXTRAS:
            continue
        if key not in by_url:
            notices.append(f"Unknown link parameter '{_short(str(key), 30)}' ignored.")
            continue
        name, f = by_url[key]
        text = str(text)
        if len(text) > MAX_VALUE_LENGTH:
            notices.append(f"'{key}' is too long; ignored.")
            continue
        try:
            decoded = _decode_list(f, text, notices) if f.kind in LIST_KINDS else _decode_scalar(f, text, notices)
        except _Bad as err:
            notices.append(f"'{key}': {err}; using the default.")
            continue
        values[name] = decoded
    settings = settings_class.from_values(values) if base is None else replace(base, **values)
    normalised = settings.normalise()
    notices += normalisation_notices(settings, normalised)
    return normalised, _at_most(notices)


def _at_most(notices, n=MAX_NOTICES):
    notices = list(dict.fromkeys(notices))
    return notices if len(notices) <= n else notices[:n] + [f"… and {len(notices) - n} more problems with the link."]


def normalisation_notices(before, after):
    """What ``normalise`` changed, said in words (so a link never changes silently): the page's own
    notes (``Settings.normalise_notes``), then the fields they leave unexplained."""
    notes, explained = after.normalise_notes(before)
    notes = list(notes)
    for name, f in before.FIELDS.items():
        if name in explained:
            continue
        old, new = getattr(before, name), getattr(after, name)
        if old != new and f.kind not in LIST_KINDS:
            notes.append(f"'{f.url}={_encode_value(f, old)}' does not fit the rest of the link; "
                         f"using {_encode_value(f, new)}.")
        elif not old and new:
            notes.append(f"'{f.url}' cannot be empty; using {_encode_value(f, new)}.")
        elif f.kind in LIST_KINDS and len(new) < len(old):
            notes.append(f"'{f.url}={_encode_value(f, old)}' does not fit the rest of the link; "
                         f"using {_encode_value(f, new)}.")
    return notes


# -- settings from anywhere: widgets and canvas events are as untrusted as a link ------------
def bounded(settings):
    """``settings`` with every field inside its bounds, and what was changed, in words.

    A browser's widgets and canvas events keep values in range, but a crafted websocket message
    can send any value for any widget, so a page's run passes every change through here
    (``ui.run.Run.update``): out-of-range numbers are clamped, a value of the wrong kind or not
    among the choices falls back to the default. Never raises."""
    fixed, notices = {}, []
    for name, f in settings.FIELDS.items():
        value = getattr(settings, name)
        try:
            checked = _bounded_value(f, value, notices)
        except (_Bad, TypeError, ValueError, OverflowError) as err:
            checked = getattr(type(settings)(), name)
            notices.append(f"'{f.url}': {err if isinstance(err, _Bad) else 'not a valid value'}; using the default.")
        if checked != value or type(checked) is not type(value):
            fixed[name] = checked
    notices = _at_most(notices)
    if not fixed:
        return settings, notices
    return replace(settings, **fixed).normalise(), notices


def _number(value, whole=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Bad(f"'{_short(str(value))}' is not a {'whole number' if whole else 'finite number'}")
    if whole and value != int(value):
        raise _Bad(f"'{_short(str(value))}' is not a whole number")
    return int(value) if whole else float(value)


def _bounded_value(f, value, notices):
    """``value`` of field ``f`` inside its bounds (a notice for each change), or raise _Bad."""
    if f.kind in ("int", "float"):
        return _clamp(_number(value, f.kind == "int"), *f.bounds, f.url, notices)
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise _Bad(f"'{_short(str(value))}' is not on/off")
        return value
    if f.kind == "choice":
        if not isinstance(value, str) or value not in f.bounds:
            raise _Bad(f"'{_short(str(value))}' is not one of {', '.join(f.bounds)}")
        return value
    if f.kind == "ladder":
        return _decode_scalar(f, _fmt_number(_number(value)), notices) if value not in f.bounds else value
    items = list(value) if isinstance(value, (tuple, list)) else None
    if items is None:
        raise _Bad(f"'{_short(str(value))}' is not a list")
    if f.kind == "multi":
        return _decode_list(f, ",".join(str(v) for v in items), notices)
    if f.max_items and len(items) > f.max_items:
        notices.append(f"'{f.url}': at most {f.max_items} values; kept the first {f.max_items}.")
        items = items[:f.max_items]
    if f.kind in ("ints", "floats"):
        return tuple(_clamp(_number(v, f.kind == "ints"), *f.bounds, f.url, notices) for v in items)
    bad = [_short(str(v), 20) or "''" for v in items
           if v != f.item_default and (not isinstance(v, str) or v not in f.bounds)]
    if bad:
        raise _Bad(f"{', '.join(bad[:5])} not among {', '.join(f.bounds)}")
    return tuple(items)


def settle(settings, before=None):
    """``settings`` as a run takes them from a user: bounded, changed after ``before`` as the page
    says (``Settings.after_change``), made consistent; and what was changed, in words."""
    settings, notices = bounded(settings)
    if before is not None and type(before) is type(settings):
        notices += settings.change_notes(before)
        settings = settings.after_change(before)
    settled = settings.normalise()
    return settled, notices + adjustment_notices(settings, settled)


def adjustment_notices(wanted, settled):
    """What ``normalise`` changed in settings a user chose: the page's own notes
    (``Settings.normalise_notes``), then the other fields, said with their labels."""
    notes, explained = settled.normalise_notes(wanted)
    notes = list(notes)
    for name, f in wanted.FIELDS.items():
        if name in explained:
            continue
        old, new = getattr(wanted, name), getattr(settled, name)
        if old == new or not f.label or (f.kind in LIST_KINDS and old and len(new) >= len(old)):
            continue
        if f.kind in LIST_KINDS and not old:
            notes.append(f"{f.label} cannot be empty; using {', '.join(map(f.label_of, new))}.")
        elif f.kind in LIST_KINDS:
            notes.append(f"{f.label}: {', '.join(map(f.label_of, old))} does not fit the other settings; "
                         f"using {', '.join(map(f.label_of, new))}.")
        else:
            notes.append(f"{f.label}: {f.label_of(old)} does not fit the other settings; using {f.label_of(new)}.")
    return notes
