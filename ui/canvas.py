"""Custom canvas views (Streamlit components v2, inline JS: no build step).

The JS and CSS live in ``ui/components/``; ``_shared.js`` is put in front of
each component's JS (inline components cannot import one another). Component
code is sent with every mount, so whole-line comments and indentation are
stripped once at import.
"""
import json
from pathlib import Path

import streamlit as st

_DIR = Path(__file__).parent / "components"


def _compact_js(source):
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def _register(name):
    js = _compact_js((_DIR / "_shared.js").read_text() + (_DIR / f"{name}.js").read_text())
    css_path = _DIR / f"{name}.css"
    css = css_path.read_text() if css_path.exists() else None
    return st.components.v2.component(f"nnp_{name}", html="<div></div>", js=js, css=css)


_network = _register("network_canvas")
_charts = _register("line_charts")
_picker = _register("image_picker")
NETWORK_EVENTS = ("feature", "edit", "plot_click", "shape")


def _handler(key, event, on_event):
    def handle():
        value = st.session_state[key].get(event)
        if value is not None:
            on_event(event, value)
    return handle


def frame_channel(key):
    """A hidden text element that carries JSON frames to a canvas; returns send(frame).

    Streamlit remounts a component whose data changes, which is too slow for
    live frames; a text element updates in place, and the canvas reads it.
    """
    with st.container(key=key):
        slot = st.empty()
    return lambda frame: slot.text(json.dumps(frame, separators=(",", ":")))


def network_canvas(channel, key, on_event):
    """The network canvas, drawing the frames sent on ``channel``; clicks call
    on_event(event, value) before the next run (events: NETWORK_EVENTS)."""
    return _network(data={"channel": channel}, key=key,
                    **{f"on_{e}_change": _handler(key, e, on_event) for e in NETWORK_EVENTS})


def line_charts(channel, key):
    """Line charts drawing the ``{"charts": [...]}`` frames sent on ``channel`` (viz/curves.py)."""
    return _charts(data={"channel": channel}, key=key)


def image_picker(items, selected, key, on_pick):
    """Clickable thumbnails (items: dicts of id, title, src); a click calls on_pick(id)."""
    _picker(data={"items": items, "selected": selected}, key=key,
            on_pick_change=_handler(key, "pick", lambda _, value: on_pick(value)))
