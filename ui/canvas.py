"""Canvas components (Streamlit components v2, inline JS: no build step) and their frame channel.

Shared JS lives in ``ui/components/_shared.js`` and is put in front of each
component's JS (inline components cannot import one another). Component code
is sent with every mount, so whole-line comments and indentation are stripped
once at import. A page's own components live in ``ui/<page>/components/``.
"""
import json
import logging
from pathlib import Path

import streamlit as st
from streamlit.proto.Text_pb2 import Text as TextProto

SHARED = Path(__file__).parent / "components"
log = logging.getLogger(__name__)


def _compact_js(source):
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def register(name, folder=SHARED):
    """A v2 component from ``<folder>/<name>.js`` (and ``.css`` if present), with the shared helpers."""
    folder = Path(folder)
    # UTF-8 whatever the locale says: the scripts hold "·" and "−". A hosted app process once read
    # them as ASCII on its first page visit (likely LLVM's setlocale, loading in the warm-up thread).
    js = _compact_js((SHARED / "_shared.js").read_text("utf-8") + (folder / f"{name}.js").read_text("utf-8"))
    css_path = folder / f"{name}.css"
    css = css_path.read_text("utf-8") if css_path.exists() else None
    return st.components.v2.component(f"nnp_{name}", html="<div></div>", js=js, css=css)


def handler(key, event, on_event):
    """A component callback: on_event(event, value) when the trigger ``event`` fired."""
    def handle():
        value = st.session_state[key].get(event)
        if value is None:
            return
        try:
            on_event(event, value)
        except (KeyError, IndexError, TypeError, ValueError):    # a crafted event: the browser is not trusted
            log.warning("ignored a malformed %r event: %.200r", event, value)
    return handle


def frame_channel(key):
    """A hidden text element that carries JSON frames to a canvas; returns send(frame).

    Streamlit remounts a component whose data changes, which is too slow for
    live frames; a text element updates in place, and the canvas reads it.
    """
    with st.container(key=key):
        slot = st.empty()

    def send(frame):
        body = json.dumps(frame, separators=(",", ":"))
        try:        # st.text's own path dedents the text first: a regex pass over the whole frame
            slot._enqueue("text", TextProto(body=body))
        except AttributeError:          # a Streamlit without the private _enqueue
            slot.text(body)
    return send


_charts = register("line_charts")
_picker = register("image_picker")


def line_charts(channel, key):
    """Line charts drawing the ``{"charts": [...]}`` frames sent on ``channel`` (viz/curves.py)."""
    return _charts(data={"channel": channel}, key=key)


def image_picker(items, selected, key, on_pick):
    """Clickable thumbnails (items: dicts of id, title, src); a click calls on_pick(id)."""
    # A tuple, not a list: Streamlit checks a list in a component's data for a data frame, which
    # imports pandas and pyarrow (half a second on the first page run).
    _picker(data={"items": tuple(items), "selected": selected}, key=key,
            on_pick_change=handler(key, "pick", lambda _, value: on_pick(value)))
