"""Canvas components (Streamlit components v2, inline JS: no build step), their events and frame channel.

Shared JS lives in ``ui/components/_shared.js`` and is put in front of each
component's JS (inline components cannot import one another), after a ``PALETTE``
constant: the line colours of ``viz.palette`` (their one source, checked for contrast). Component code
is sent with every mount, so whole-line comments and indentation are stripped
once at import. A page's own components live in ``ui/<page>/components/``.

A component's events come from the browser, so anyone can send any value: each
event names the shape of its value (``Num``, ``Choice``, ``Text``, a dict of
them), a value of another shape is logged and ignored before the page sees it,
and a page's handler raises ``BadEvent`` for a well-shaped value that names
nothing real (layer 99). Any other exception is a bug and surfaces.
"""
import json
import logging
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.proto.Text_pb2 import Text as TextProto

from viz.palette import canvas_constants

from .digit import MAX_BYTES as DRAWING_BYTES

SHARED = Path(__file__).parent / "components"
log = logging.getLogger(__name__)


class BadEvent(ValueError):
    """An event whose value does not fit its shape, or names something that does not exist."""


@dataclass(frozen=True)
class Num:
    """A finite number in [lo, hi] (a whole one with ``whole``)."""
    lo: float = -math.inf
    hi: float = math.inf
    whole: bool = False

    def check(self, value):
        # JSON's integers have no size limit: one beyond every float would overflow isfinite()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > sys.float_info.max \
                or not math.isfinite(value):
            raise BadEvent(f"{value!r:.40} is not a finite number")
        if self.whole and value != int(value):
            raise BadEvent(f"{value!r} is not a whole number")
        if not self.lo <= value <= self.hi:
            raise BadEvent(f"{value!r} is outside [{self.lo}, {self.hi}]")
        return int(value) if self.whole else float(value)


@dataclass(frozen=True)
class Choice:
    """One of ``values``."""
    values: tuple

    def check(self, value):
        if not isinstance(value, (str, int, float, bool)) or value not in self.values:
            raise BadEvent(f"{value!r:.40} is not one of the choices")
        return value


@dataclass(frozen=True)
class Text:
    """A string of at most ``max_length`` characters."""
    max_length: int = 1000

    def check(self, value):
        if not isinstance(value, str) or len(value) > self.max_length:
            raise BadEvent("not a string of the allowed length")
        return value


def checked(value, shape):
    """``value`` if it has ``shape`` (a Num, Choice or Text, or a dict of them: a JSON object with
    exactly those keys), else BadEvent."""
    if isinstance(shape, dict):
        if not isinstance(value, dict) or set(value) != set(shape):
            raise BadEvent(f"expected an object with keys {sorted(shape)}")
        return {name: checked(value[name], sub) for name, sub in shape.items()}
    return shape.check(value)


VISIBILITY = Choice(("visible", "hidden"))


def _compact_js(source):
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def script(name, folder=SHARED):
    """Component ``name``'s script as sent: the PALETTE constant, the shared helpers, its own code."""
    # UTF-8 whatever the locale says: the scripts hold "·" and "−". A hosted app process once read
    # them as ASCII on its first page visit (likely LLVM's setlocale, loading in the warm-up thread).
    return _compact_js(f"const PALETTE = {json.dumps(canvas_constants())};\n" + (SHARED / "_shared.js").read_text("utf-8")
                       + (Path(folder) / f"{name}.js").read_text("utf-8"))


def register(name, folder=SHARED):
    """A v2 component from ``<folder>/<name>.js`` (and ``.css`` if present), with the shared helpers."""
    folder = Path(folder)
    js = script(name, folder)
    css_path = folder / f"{name}.css"
    css = css_path.read_text("utf-8") if css_path.exists() else None
    return st.components.v2.component(f"nnp_{name}", html="<div></div>", js=js, css=css)


def component(name, folder, events):
    """A mount function for component ``name`` whose events have the shapes ``events`` (event ->
    shape): ``mount(key, on_event, **data)``; ``on_event(event, value)`` gets checked values."""
    comp = register(name, folder)

    def mount(key, on_event, **data):
        return comp(data=data, key=key,
                    **{f"on_{event}_change": handler(key, event, shape, on_event) for event, shape in events.items()})
    return mount


def handler(key, event, shape, on_event):
    """A component callback: on_event(event, value) when the trigger ``event`` fired with a value of
    ``shape``; a value of another shape, or one the page finds names nothing (BadEvent), is logged
    and ignored: the browser is not trusted."""
    def handle():
        state = st.session_state.get(key)          # None: the page no longer draws the component
        raw = state.get(event) if hasattr(state, "get") else None
        if raw is None:
            return
        try:
            on_event(event, checked(raw, shape))
        except BadEvent as err:
            log.warning("ignored a malformed %r event (%s): %.200r", event, err, raw)
    return handle


def frame_channel(key):
    """A hidden text element that carries JSON frames to a canvas; returns send(frame).

    Streamlit remounts a component whose data changes, which is too slow for
    live frames; a text element updates in place, and the canvas reads it.
    """
    with st.container(key=key):
        slot = st.empty()

    def send(frame):
        try:
            body = json.dumps(frame, separators=(",", ":"), allow_nan=False)
        except ValueError:              # NaN or Infinity (a diverged run): JSON has no such numbers
            body = json.dumps(_finite(frame), separators=(",", ":"), allow_nan=False)
        try:        # st.text's own path dedents the text first: a regex pass over the whole frame
            slot._enqueue("text", TextProto(body=body))
        except AttributeError:          # a Streamlit without the private _enqueue
            slot.text(body)
    return send


def _finite(value):
    """``value`` with every NaN or infinite float replaced by None (JSON null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


_charts = register("line_charts")
image_picker_component = component("image_picker", SHARED, {"pick": Text(100)})
# A drawing arrives as a PNG data URL: base64 takes 4/3 of the bytes, ui/digit.py bounds the rest.
digit_pad_component = component("digit_pad", SHARED, {"drawn": Text(DRAWING_BYTES * 4 // 3 + 100),
                                                       "cleared": Choice((True,))})


def line_charts(channel, key, zoom=1.0, contrast=False, compact=False, label=None):
    """Line charts drawing the ``{"charts": [...]}`` frames sent on ``channel`` (viz/curves.py), at
    presenter mode's ``zoom`` and in its high-contrast look; ``compact``: smaller charts, more to a row
    (viz/activations.py's bands); ``label``: what the canvas is, for a screen reader."""
    data = {"channel": channel, "zoom": zoom, "contrast": contrast}
    if compact or label:
        data.update(compact=compact, label=label)
    return _charts(data=data, key=key)


def image_picker(items, selected, key, on_pick):
    """Clickable thumbnails (items: dicts of id, title, src); a click calls on_pick(id) with an id
    of ``items``."""
    ids = {item["id"] for item in items}

    def picked(_, value):
        if value not in ids:
            raise BadEvent(f"no item {value!r:.40}")
        on_pick(value)
    # A tuple, not a list: Streamlit checks a list in a component's data for a data frame, which
    # imports pandas and pyarrow (half a second on the first page run).
    image_picker_component(key, picked, items=tuple(items), selected=selected)


def digit_pad(key, on_event, clear=0, zoom=1.0, label="Draw a digit here"):
    """A square pad to draw on with a mouse, a pen or a finger: ``on_event("drawn", data URL of a
    PNG)`` after each stroke (read it with ui.digit.read_data_url), ``on_event("cleared", True)``
    when its Clear button empties it. A new ``clear`` value empties it from the server (an upload
    replaced the drawing)."""
    return digit_pad_component(key, on_event, clear=clear, zoom=zoom, label=label)
