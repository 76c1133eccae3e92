"""Hostile links for any page, made from its settings' fields: random strings, huge and negative
numbers, NaN and infinities, unicode, markup, over-long values, too many items, repeated,
unknown and missing keys.

``hostile_link(settings_class, rng)`` gives (query string, whether the link must bring a
notice): the query is what a browser sends (percent-encoded, keys may repeat); a link must
bring a notice when the value Streamlit keeps for a key (the last one) is bad for its field,
or a key is unknown.
"""
import math
import string
from urllib.parse import parse_qs, quote

from ui.url import MAX_VALUE_LENGTH

MARKUP = ["[Click here to log in](https://example.com/phish)", "![img](https://example.com/x.png)",
          "<img src=https://example.com/y.png>", "<b>bold</b>", "**x**", ":red[x]", "$x^2$",
          "https://example.com/phish", "<script>alert(1)</script>", "`code`", "# head"]
UNICODE = ["ä€😀", "\u202e", "\u0000", "\ufeff", "𝟙𝟚", "١٢٣", "ﬁ", "\u200b1", "ｘ", "Ω≈ç√"]
NUMBERS = ["nan", "NaN", "inf", "-inf", "1e308", "1e400", "-1e400", "9" * 60, "-" + "9" * 60, "0x10", "1_000",
           "-0", "+5", "1e-400", "3.", ".5", "1/2", "٣"]
UNKNOWN_KEYS = ["zz", "", "data[]", "DATA", "💥", "<b>", "x" * 300, "a b", "lr ", "__proto__"]
ALPHABET = string.printable + "".join(UNICODE)


def _random_text(rng, n=None):
    n = rng.randrange(0, 40) if n is None else n
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def _bad_number(f, rng):
    """A value no numeric field accepts as it is (a notice follows)."""
    lo, hi = (min(f.bounds), max(f.bounds)) if f.kind == "ladder" else f.bounds
    return rng.choice([
        rng.choice(NUMBERS[:8]),                                   # nan, inf, overflow
        repr(hi + rng.choice([1, 7, 10**6, 10**30])),              # above
        repr(lo - rng.choice([1, 3, 10**6, 10**30])),              # below
        _random_text(rng, rng.randrange(1, 12)) + "x",             # not a number
        rng.choice(MARKUP), rng.choice(UNICODE[:3]) + "1",
    ])


def bad_value(f, rng):
    """A value for field ``f`` that must bring a notice."""
    if rng.random() < 0.05:
        return "7" * (MAX_VALUE_LENGTH + 1 + rng.randrange(500))      # too long
    if f.kind in ("int", "float", "ladder"):
        return _bad_number(f, rng)
    if f.kind == "bool":
        return rng.choice(["maybe", "2", "-1", "nan", "yes!", "", "TRUE1"] + MARKUP + UNICODE[:3])
    if f.kind == "choice":
        return rng.choice(MARKUP + UNICODE[:3] + ["", " ", f.bounds[0] + "x", f.bounds[0].upper() + "!"])
    options = list(f.bounds) if f.kind in ("multi", "choices") else []
    if f.kind in ("ints", "floats"):
        good = [str(f.bounds[0])] * rng.randrange(0, 3)
        items = good + [_bad_number(f, rng).replace(",", "")]
        if f.max_items and rng.random() < 0.3:
            items = [str(f.bounds[0])] * (f.max_items + 1 + rng.randrange(5))      # too many
        return ",".join(items)
    if f.kind == "choices" and f.max_items and rng.random() < 0.3:
        return ",".join([options[0]] * (f.max_items + 1 + rng.randrange(5)))
    empty = [""] if f.kind == "choices" and f.item_default != "" else []      # an item that needs a value
    extra = rng.choice(MARKUP + UNICODE[:2] + ["zzz"] + empty).replace(",", "")
    picked = rng.sample(options, rng.randrange(0, min(2, len(options)) + 1))
    return ",".join((picked or options[:1] if extra == "" else picked) + [extra])     # "relu,": an empty item


def good_value(f, rng):
    """A value field ``f`` accepts as it is (no notice of its own)."""
    if f.kind == "int":
        return str(rng.randint(*f.bounds))
    if f.kind == "float":
        return f"{rng.uniform(*f.bounds):.3f}"
    if f.kind == "ladder":
        return f"{rng.choice(f.bounds):g}"
    if f.kind == "bool":
        return rng.choice(["0", "1", "true", "off"])
    if f.kind == "choice":
        return rng.choice(f.bounds)
    if f.kind == "multi":
        return ",".join(rng.sample(list(f.bounds), rng.randrange(1, len(f.bounds) + 1)))
    n = rng.randrange(1, (f.max_items or 3) + 1)
    if f.kind == "ints":
        return ",".join(str(rng.randint(*f.bounds)) for _ in range(n))
    if f.kind == "floats":
        return ",".join(f"{rng.uniform(*f.bounds):.2f}" for _ in range(n))
    return ",".join(rng.choice(f.bounds) for _ in range(n))


def hostile_link(settings_class, rng):
    """(query string, must_notice) for a random hostile link to a page with these settings."""
    fields = list(settings_class.FIELDS.values())
    pairs = []                           # (key, value, bad)
    for _ in range(rng.randrange(0, 7)):
        r = rng.random()
        if r < 0.12:
            pairs.append((rng.choice(UNKNOWN_KEYS + [_random_text(rng, 5)]), _random_text(rng), True))
        else:
            f = rng.choice(fields)
            bad = r < 0.75
            pairs.append((f.url, bad_value(f, rng) if bad else good_value(f, rng), bad))
    if pairs and rng.random() < 0.2:                               # a repeated key: the last one counts
        key, value, bad = rng.choice(pairs)
        pairs.append((key, value, bad))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe=',')}" for k, v, _ in pairs)
    return query, must_notice(query, settings_class, {(k, v): bad for k, v, bad in pairs})


def query_dict(query):
    """The parameters a page reads from ``query``, as ``st.query_params.to_dict()`` gives them:
    Streamlit's parse_qs, the last value of a repeated key, no ``embed`` keys."""
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()
            if k.lower() not in ("embed", "embed_options")}


def must_notice(query, settings_class, bad):
    urls = {f.url for f in settings_class.FIELDS.values()}
    params = query_dict(query)
    return any(k not in urls or bad.get((k, v), False) for k, v in params.items())


def within_bounds(settings):
    """The fields of ``settings`` that are outside their bounds (empty: all fine)."""
    wrong = []
    for name, f in settings.FIELDS.items():
        v = getattr(settings, name)
        if f.kind in ("int", "float"):
            ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) \
                and f.bounds[0] <= v <= f.bounds[1] and (f.kind == "float" or isinstance(v, int))
        elif f.kind == "bool":
            ok = isinstance(v, bool)
        elif f.kind in ("choice", "ladder"):
            ok = v in f.bounds
        elif f.kind == "multi":
            ok = isinstance(v, tuple) and set(v) <= set(f.bounds) and len(set(v)) == len(v)
        else:
            ok = isinstance(v, tuple) and (not f.max_items or len(v) <= f.max_items) and all(
                (f.bounds[0] <= x <= f.bounds[1] and math.isfinite(x)) if f.kind in ("ints", "floats")
                else (x == f.item_default or x in f.bounds) for x in v)
        if not ok:
            wrong.append(f"{name}={v!r}")
    return wrong
