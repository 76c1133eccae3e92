"""The CNN page's canvas components: the live views (one component, four views) and the digit pad."""
from pathlib import Path

from ..canvas import handler, register

EVENTS = ("cell", "probe", "confusion", "visibility")
_views = register("cnn_views", Path(__file__).parent / "components")
_pad = register("digit_pad", Path(__file__).parent / "components")


def cnn_view(view, channel, key, on_event, clickable=True, live=False, label=""):
    """One of the views "overview", "kernels", "strip", "confusion", drawn from the frames sent on
    ``channel``; clicks call on_event(event, value). ``live``: this one reports the tab's visibility."""
    return _views(data={"view": view, "channel": channel, "clickable": clickable, "live": live, "label": label},
                  key=key, **{f"on_{e}_change": handler(key, e, on_event) for e in EVENTS})


def digit_pad(key, on_event):
    """The drawing pad: on_event("drawn", png data URL) after each stroke, on_event("cleared", True)."""
    return _pad(key=key, **{f"on_{e}_change": handler(key, e, on_event) for e in ("drawn", "cleared")})
