"""Crafted websocket messages for any page: hostile widget values and canvas events, made from the
page's element tree (what a session has mounted) and its settings' fields.

A browser only sends what its widgets offer; a crafted client (bench/_streamlit_client.py, which
speaks the protocol as the frontend does) can send any value for any widget id it has seen. Each
``WidgetState`` made here carries the value in a field Streamlit's own deserializer for that
widget takes (what it does with the others is Streamlit's business: see ``STREAMLIT_REJECTS``),
so every value reaches Streamlit's widget code and, through it, the page's callbacks.

- ``targets(session, page)``: every widget and component of the session's tree, with the settings
  field its key names (``<page>_w_<field>``, ``<page>_w_<field>_<i>``, a list's count) and, for a
  canvas, the shapes of its events (``component_events``).
- ``hostile(target, rng)``: crafted values for one target, as (what, [WidgetState], trigger): wrong
  types, NaN and infinities, huge and negative numbers, unknown options, out-of-range indexes,
  malformed and oversized JSON, events naming layers, cells or images that do not exist.
- ``legit(target, rng)``: a value the widget itself could send (so the page changes, and widgets
  that only some settings show are mounted and fuzzed too).

A v2 component's events travel as the frontend sends them (Streamlit 1.67's BidiComponent:
``setTriggerValue(event, value)`` sets the JSON text ``[{"event": ..., "value": ...}]`` on the
widget ``$$STREAMLIT_INTERNAL_KEY_<component id>__events``, several events in one flush append to
the list); its state (``setStateValue``) is a JSON object on the component's own id, whose changed
keys call the same callbacks.
"""
import base64
import importlib
import inspect
import io
import json
import math
import pkgutil
import re
from dataclasses import dataclass
from dataclasses import field as _default

from streamlit.proto.WidgetStates_pb2 import WidgetState

from ui.url import LIST_KINDS

TRIGGERS = "$$STREAMLIT_INTERNAL_KEY_{}__events"      # a v2 component's event aggregator widget
HUGE_TEXT = 200_000                                   # characters of an oversized string
MARKUP = ["<script>alert(1)</script>", "[x](https://example.com)", "**b**", ":red[x]", "\u202e", "\x00", "😀" * 5]

# Proto fields Streamlit 1.67's own deserializers fail on (measured: one sent for the widget ends the
# script run with "Uncaught app execution", before any app code runs, and the session stays broken
# while the server keeps the value): Streamlit's, not the page's. Kept out of the fuzz.
STREAMLIT_REJECTS = {
    "selectbox": "any field but string_value", "radio": "any field but string_value",
    "slider": "bool, int, double, string array, json or trigger values", "select_slider": "any but string arrays",
    "number_input": "strings, arrays, json and bytes; NaN or an infinity for a whole number (int(inf))", "button_group": "any but string arrays",
    "multiselect": "any but string arrays", "file_uploader": "any but its FileUploaderState",
    "plotly_chart": "text that is not JSON, or JSON without a 'selection' object",
    "triggers": "JSON nested deeper than Python's recursion limit (json.loads raises RecursionError)",
    "component state": "text that is not JSON (json.loads raises before the component's own serde)",
}


@dataclass
class Target:
    kind: str               # slider, select_slider, selectbox, ..., component, expander, plotly_chart
    wid: str                # the widget id the server gave it
    key: str                # the user key in the id ("mlp_w_lr"), "" for none
    fragment_id: str        # the fragment it was drawn in ("" for the page)
    proto: object           # its element (or block) message
    field: object = None    # the settings Field its key names, if any
    item: bool = False      # an item of a list field (a scalar of the list's kind)
    count: bool = False     # the number-of-items widget of a list field
    events: dict = _default(default_factory=dict)     # a component's event -> shape (ui.canvas)

    @property
    def options(self):
        p = self.proto
        if self.kind == "button_group":
            return [o.content for o in p.options]
        return list(getattr(p, "options", []))


def key_of(wid):
    """The user key of a widget id (Streamlit 1.67: ``$$ID-<hash>-<key>``), "" when it has none."""
    m = re.match(r"\$\$ID-[0-9a-f]+-(.*)$", wid)
    return m.group(1) if m and m.group(1) != "None" else ""


def settings_field(settings_class, page, key):
    """(field, item, count) of the widget key ``<page>_w_...``, or (None, False, False)."""
    prefix = f"{page}_w_"
    if not key.startswith(prefix):
        return None, False, False
    name = key[len(prefix):]
    fields = settings_class.FIELDS
    if name in fields:
        return fields[name], False, False
    m = re.match(r"(.+)_(\d+)$", name)
    if m and m.group(1) in fields and fields[m.group(1)].kind in LIST_KINDS:
        return fields[m.group(1)], True, False
    counted = [f for f in fields.values() if f.count == name]
    if counted:
        return counted[0], False, True
    return None, False, False


# -- the page's canvases: their events and shapes, from the page's own modules ------------------------
def component_events(packages=("ui",)):
    """Component name ("nnp_network_canvas") -> {event: shape} of every mount function that
    ``ui.canvas.component`` made in the modules of ``packages`` (each page's package, the shared core
    and the lessons): the shapes a page's handler checks events against."""
    found = {}
    for package in packages:
        root = importlib.import_module(package)
        names = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
        for name in names:
            module = importlib.import_module(name)
            for obj in vars(module).values():
                if inspect.isfunction(obj) and obj.__qualname__ == "component.<locals>.mount":
                    closure = inspect.getclosurevars(obj).nonlocals
                    name = inspect.getclosurevars(closure["comp"]).nonlocals["component_key"]
                    found[name.rsplit(".", 1)[-1]] = closure["events"]
    return found


def targets(session, settings_class, page, events):
    """Every widget, keyed block and component of ``session``'s element tree."""
    from _streamlit_client import Block, _walk          # noqa: PLC0415 - bench/ is on sys.path in the tests
    found = []
    for root in session.roots:
        for node in _walk(root):
            if isinstance(node, Block):
                if node.kind == "expandable" and node.proto is not None and node.proto.expandable.id:
                    p = node.proto.expandable
                    found.append(Target("expander", p.id, key_of(p.id), node.fragment_id, p))
                continue
            body = node.body
            wid = getattr(body, "id", "") if body is not None else ""
            if not wid or not isinstance(wid, str):
                continue
            kind = node.kind
            if kind == "slider" and body.type == body.SELECT_SLIDER:
                kind = "select_slider"
            if kind == "plotly_chart" and not body.selection_mode:
                continue
            t = Target(kind, wid, key_of(wid), node.fragment_id, body)
            if kind == "bidi_component":
                t.kind, t.events = "component", events.get(body.component_name.rsplit(".", 1)[-1], {})
            t.field, t.item, t.count = settings_field(settings_class, page, t.key)
            found.append(t)
    return found


# -- widget states ------------------------------------------------------------------------------------
def state(wid, **value):
    """A WidgetState of ``wid`` with one value field set (arrays from lists)."""
    (name, v), = value.items()
    s = WidgetState(id=wid)
    if name.endswith("_array_value"):
        getattr(s, name).data.extend(v)
    elif name == "file_uploader_state_value":
        s.file_uploader_state_value.SetInParent()
        for info in v:
            s.file_uploader_state_value.uploaded_file_info.add(**info)
    else:
        setattr(s, name, v)
    return s


def _strings(rng, options=()):
    """Strings no option list offers, and some of its options spelt differently."""
    out = ["", " ", "zz", "None", "null", "NaN", "-1", "1e308", "0", "[]", "{}", "x" * HUGE_TEXT,
           rng.choice(MARKUP), json.dumps(list(options)[:3])]
    for o in list(options)[:4]:
        out += [o.upper(), o + " ", o * 3, o[:-1] or "?"]
    return out


def _numbers(lo, hi, whole):
    """Numbers a widget never sends: NaN, infinities, huge, negative, just outside its bounds."""
    xs = [math.nan, math.inf, -math.inf, 1e308, -1e308, 2.0 ** 63, -(2.0 ** 63), 1e-300, -0.0, -1.0]
    if lo is not None:
        xs += [lo - 1, lo - 1e9, hi + 1, hi + 1e9]
    if whole and lo is not None:
        xs += [lo + 0.5, (lo + hi) / 2 + 0.25]
    return xs


def _bounds(t):
    f, p = t.field, t.proto
    if f is not None and f.kind in ("int", "float", "ints", "floats") and not t.count:
        return f.bounds
    if f is not None and t.count:
        return f.min_items, f.max_items
    if hasattr(p, "has_min") and p.has_min and p.has_max:
        return p.min, p.max
    if hasattr(p, "min") and t.kind == "slider":
        return p.min, p.max
    return None, None


def hostile(t, rng):
    """Crafted values for target ``t``: (what, [WidgetState], is a one-shot trigger)."""
    make = _HOSTILE.get(t.kind)
    return make(t, rng) if make else []


def _h_number_input(t, rng):
    lo, hi = _bounds(t)
    whole = t.proto.data_type == t.proto.INT
    out = [(f"number {x!r}", [state(t.wid, double_value=x)], False) for x in _numbers(lo, hi, whole)
           if math.isfinite(x) or not whole]
    out += [(f"int {x}", [state(t.wid, int_value=x)], False) for x in (2 ** 63 - 1, -(2 ** 63), -5, 10 ** 12)]
    out += [("a boolean for a number", [state(t.wid, bool_value=rng.random() < 0.5)], False),
            ("a trigger for a number", [state(t.wid, trigger_value=True)], False)]
    return out


def _h_slider(t, rng):
    lo, hi = _bounds(t)
    whole = t.proto.data_type == t.proto.INT
    out = [(f"slider [{x!r}]", [state(t.wid, double_array_value=[x])], False) for x in _numbers(lo, hi, whole)]
    out += [("slider []", [state(t.wid, double_array_value=[])], False),
            ("slider range", [state(t.wid, double_array_value=[lo or 0, hi or 1])], False),
            ("slider 1000 values", [state(t.wid, double_array_value=[lo or 0] * 1000)], False),
            ("slider ints", [state(t.wid, int_array_value=[2 ** 62, -(2 ** 62)][:rng.randrange(1, 3)])], False),
            ("a string for a number", [state(t.wid, string_value=rng.choice(["", "zz", "12", "x" * 5000]))], False)]
    return out


def _h_select_slider(t, rng):
    opts = t.options
    out = [(f"select_slider {s[:20]!r}", [state(t.wid, string_array_value=[s])], False) for s in _strings(rng, opts)]
    out += [("select_slider []", [state(t.wid, string_array_value=[])], False),
            ("select_slider range", [state(t.wid, string_array_value=opts[:1] + opts[-1:])], False),
            ("select_slider 5000 items", [state(t.wid, string_array_value=opts * (5000 // max(len(opts), 1)))], False),
            ("a JSON object for a slider", [state(t.wid, json_value='{"value": [1e308]}')], False)]
    return out


def _h_selectbox(t, rng):
    out = [(f"option {s[:20]!r}", [state(t.wid, string_value=s)], False) for s in _strings(rng, t.options)]
    out += [("a list for a selectbox", [state(t.wid, json_trigger_value=json.dumps(t.options[:2]))], False)]
    return out


def _h_button_group(t, rng):
    opts = t.options
    lists = [[s] for s in _strings(rng, opts)[:10]] + [
        [], opts, opts * 50, [opts[0], opts[0]] if opts else ["a", "a"], [rng.choice(MARKUP)] + opts[:1],
        ["x" * HUGE_TEXT], [str(i) for i in range(2000)]]
    return [(f"options {v[:3]!r}"[:60], [state(t.wid, string_array_value=v)], False) for v in lists]


def _h_checkbox(t, rng):
    return [("an int for a toggle", [state(t.wid, int_value=rng.choice([2, -1, 10 ** 12]))], False),
            ("NaN for a toggle", [state(t.wid, double_value=math.nan)], False),
            ("a string for a toggle", [state(t.wid, string_value=rng.choice(["no", "", "false", "x" * 5000]))], False),
            ("a list for a toggle", [state(t.wid, string_array_value=["off"])], False),
            ("a trigger for a toggle", [state(t.wid, trigger_value=True)], False)]


def _h_button(t, rng):
    return [("click", [state(t.wid, trigger_value=True)], True),
            ("a string for a button", [state(t.wid, string_value="zz")], True),
            ("a number for a button", [state(t.wid, double_value=math.nan)], True),
            ("a string trigger for a button", [state(t.wid, json_trigger_value='[{"event": "click"}]')], True)]


def _h_file_uploader(t, rng):
    infos = [[{"file_id": "no-such-file", "name": "x.csv", "size": 10}],
             [{"file_id": "", "name": "", "size": 0}],
             [{"file_id": "../../etc/passwd", "name": "../../etc/passwd", "size": 2 ** 62,
               "file_urls": {"upload_url": "http://example.com/", "delete_url": "http://example.com/"}}],
             [{"file_id": f"f{i}", "name": f"{i}.png", "size": i} for i in range(50)],
             [{"file_id": "x" * 10000, "name": rng.choice(MARKUP) + ".csv", "size": 2 ** 64 - 1}]]
    return [(f"{len(v)} unknown file(s)", [state(t.wid, file_uploader_state_value=v)], False) for v in infos]


def _h_expander(t, rng):
    return [("an int for an expander", [state(t.wid, int_value=7)], False),
            ("a string for an expander", [state(t.wid, string_value="open")], False),
            ("NaN for an expander", [state(t.wid, double_value=math.nan)], False)]


def _selection(points=None, **extra):
    return json.dumps({"selection": {"points": [] if points is None else points, "point_indices": [], "box": [],
                                     "lasso": [], **extra}}, allow_nan=True)


def _h_plotly(t, rng):
    sels = [[{"x": "zz"}], [{}], [{"x": math.nan}], [{"x": math.inf}], [{"x": 1e308}], [{"x": -5}], [{"x": None}],
            [{"x": [1, 2]}], [{"x": {"a": 1}}], "points", [None], [7], [{"x": 10 ** 400}], [{"x": True}],
            [{"x": 1}] * 5000]
    out = [(f"selection {json.dumps(p, allow_nan=True)[:40]}", [state(t.wid, string_value=_selection(p))], False)
           for p in sels]
    out += [("selection not a list", [state(t.wid, string_value=json.dumps({"selection": {"points": {"x": 1}}}))],
             False),
            ("selection without points", [state(t.wid, string_value=json.dumps({"selection": {}}))], False)]
    return out


# -- canvas events ----------------------------------------------------------------------------------------
def _bad_for(shape, rng):
    """JSON values that do not have ``shape`` (a Num, Choice, Text or a dict of them)."""
    from ui.canvas import Choice, Num, Text          # noqa: PLC0415
    common = [None, True, [], {}, "zz", [1, 2], {"value": 1}, 10 ** 400, -(10 ** 400), math.nan, math.inf]
    if isinstance(shape, dict):
        keys = list(shape)
        good = legit_value(shape, rng)
        out = [[good], list(good), {k: good[k] for k in keys[:-1]}, {**good, "extra": 1}, {**good, "__proto__": {}}]
        for k in keys:
            out += [{**good, k: v} for v in _bad_for(shape[k], rng)[:8]]
        return out + common
    if isinstance(shape, Num):
        lo = shape.lo if math.isfinite(shape.lo) else -1e9
        hi = shape.hi if math.isfinite(shape.hi) else 1e9
        out = [lo - 1, hi + 1, -(10 ** 400), 10 ** 400, 1e400, -1e400, math.nan, "1", True, [lo]]
        if shape.whole:
            out += [lo + 0.5, 2.0 ** 70]
        return out + common
    if isinstance(shape, Choice):
        strs = [v for v in shape.values if isinstance(v, str)]
        return [s.upper() for s in strs[:3]] + [[v] for v in shape.values[:2]] + [{"v": 1}] + common
    if isinstance(shape, Text):
        return ["x" * (shape.max_length + 1), 5, ["x"], {"x": 1}, "[" * min(shape.max_length, 60_000)] + common
    return common


def legit_value(shape, rng):
    """A value of ``shape``, anywhere in its bounds: it may name a layer, cell or image that does not exist."""
    from ui.canvas import Choice, Num, Text          # noqa: PLC0415
    if isinstance(shape, dict):
        return {k: legit_value(s, rng) for k, s in shape.items()}
    if isinstance(shape, Num):
        lo = shape.lo if math.isfinite(shape.lo) else -1e6
        hi = shape.hi if math.isfinite(shape.hi) else 1e6
        x = rng.choice([lo, hi, rng.uniform(lo, hi), (lo + hi) / 2])
        return int(round(x)) if shape.whole else x
    if isinstance(shape, Choice):
        return rng.choice(shape.values)
    if isinstance(shape, Text):
        return rng.choice(_texts(shape, rng))
    raise TypeError(shape)


def _png(width, height, rng):
    from PIL import Image          # noqa: PLC0415
    buf = io.BytesIO()
    Image.new("L", (width, height), rng.randrange(256)).save(buf, "PNG")
    return buf.getvalue()


def _texts(shape, rng):
    """Strings of at most the shape's length: ids that name nothing, JSON a page parses, data URLs."""
    n = shape.max_length
    data_url = "data:image/png;base64,"
    png = _png(rng.choice([1, 28, 300]), rng.choice([1, 28, 5]), rng)
    bomb = _png(1, 1, rng)[:16] + (60_000).to_bytes(4, "big") + (60_000).to_bytes(4, "big") + _png(1, 1, rng)[24:]
    texts = ["", "zz", "circle", "../../etc", rng.choice(MARKUP), "x" * n, "{}", "[]", "null", "NaN",
             json.dumps({"lessons": {"learning-rate": {"opened": 1, "answers": {"0": 99, "x": 1, "-1": -1},
                                                       "ticks": ["zz", 5, None]}}}),
             json.dumps({"lessons": [1, 2]}), json.dumps({"lessons": {"zz": {"answers": [1]}}}),
             json.dumps({"lessons": {"learning-rate": {"answers": {"0": True, "1": 1e308}, "ticks": "right"}}}),
             "[" * (n // 2) + "]" * (n // 2), '{"a":' * (n // 6),
             data_url + base64.b64encode(png).decode(), data_url + base64.b64encode(bomb).decode(),
             data_url + "!!!notbase64", data_url, "data:image/jpeg;base64,AAAA", "data:text/html,<b>x</b>",
             data_url + base64.b64encode(b"GIF89a" + b"\0" * 100).decode()]
    return [t[:n] for t in texts]


def _payload(event, value):
    return {"event": event, "value": value}


def _triggers(t, payloads):
    return state(TRIGGERS.format(t.wid), json_trigger_value=json.dumps(payloads, allow_nan=True))


def _h_component(t, rng):
    out = []
    for event, shape in t.events.items():
        for v in _bad_for(shape, rng):
            out.append((f"{event} {json.dumps(v, allow_nan=True, default=str)[:50]}", [_triggers(t, [_payload(event, v)])],
                        True))
        for _ in range(4):                               # well shaped, naming whatever lies in its bounds
            v = legit_value(shape, rng)
            out.append((f"{event} in bounds {json.dumps(v)[:50]}", [_triggers(t, [_payload(event, v)])], True))
        out.append((f"{event} through the state", [state(t.wid, json_value=json.dumps(
            {event: rng.choice(_bad_for(shape, rng))}, allow_nan=True))], False))
    events = list(t.events) or ["zz"]
    raw = ["not json", "null", "7", '"edit"', "{}", "[]", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "[" * 50,
           json.dumps([{"event": 5, "value": 1}]), json.dumps([{"value": 1}]), json.dumps([{"event": None}]),
           json.dumps([{"event": "zz", "value": 1}]), json.dumps([{"event": "__proto__", "value": {}}]),
           json.dumps([_payload(rng.choice(events), None)]),
           json.dumps([_payload(e, legit_value(t.events[e], rng)) for e in events if e in t.events] * 30),
           json.dumps({"event": rng.choice(events), "value": "x" * HUGE_TEXT}),
           json.dumps([_payload(rng.choice(events), [[[[["deep"]]]]])] * 3)]
    out += [(f"raw {r[:40]!r}", [state(TRIGGERS.format(t.wid), json_trigger_value=r)], True) for r in raw]
    out += [("state a number", [state(t.wid, json_value="1e999")], False),
            ("state a list", [state(t.wid, json_value="[1, 2]")], False),
            ("a string state", [state(t.wid, string_value="zz")], False)]
    return out


_HOSTILE = {"number_input": _h_number_input, "slider": _h_slider, "select_slider": _h_select_slider,
            "selectbox": _h_selectbox, "radio": _h_selectbox, "button_group": _h_button_group,
            "multiselect": _h_button_group, "checkbox": _h_checkbox, "button": _h_button,
            "download_button": _h_button, "file_uploader": _h_file_uploader, "expander": _h_expander,
            "plotly_chart": _h_plotly, "component": _h_component}


# -- values a browser could send -----------------------------------------------------------------------------
def legit(t, rng):
    """(what, [WidgetState], trigger) a browser could send for ``t``, or None."""
    p, opts = t.proto, t.options
    if t.kind == "number_input":
        lo, hi = _bounds(t)
        lo, hi = (lo, hi) if lo is not None else (0, 100)
        x = rng.randint(int(lo), int(min(hi, lo + 20))) if p.data_type == p.INT else rng.uniform(lo, hi)
        s = state(t.wid, int_value=x) if p.data_type == p.INT else state(t.wid, double_value=x)
        return f"number {x}", [s], False
    if t.kind == "slider":
        n = round((p.max - p.min) / p.step) if p.step else 0
        x = p.min + p.step * rng.randint(0, n) if n else p.min
        return f"slider {x:g}", [state(t.wid, double_array_value=[x])], False
    if t.kind in ("select_slider", "selectbox", "radio") and opts:
        o = rng.choice(opts)
        field = "string_value" if t.kind != "select_slider" else "string_array_value"
        return f"option {o!r}", [state(t.wid, **{field: o if t.kind != "select_slider" else [o]})], False
    if t.kind in ("button_group", "multiselect") and opts:
        multi = t.kind == "multiselect" or p.click_mode == p.MULTI_SELECT
        v = rng.sample(opts, rng.randint(1, len(opts))) if multi else [rng.choice(opts)]
        return f"options {v!r}", [state(t.wid, string_array_value=v)], False
    if t.kind == "checkbox":
        return "toggle", [state(t.wid, bool_value=rng.random() < 0.5)], False
    if t.kind == "expander":
        return "open", [state(t.wid, bool_value=rng.random() < 0.8)], False
    if t.kind == "button" and not p.disabled:
        return "click", [state(t.wid, trigger_value=True)], True
    if t.kind == "component" and t.events:
        event = rng.choice(list(t.events))
        v = legit_value(t.events[event], rng)
        return f"{event} {json.dumps(v)[:40]}", [_triggers(t, [_payload(event, v)])], True
    return None
