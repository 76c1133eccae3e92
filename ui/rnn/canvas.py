"""The RNN page's canvas: the network unrolled, heatmaps over time, lines, token strips."""
from pathlib import Path

from ..canvas import handler, register

_view = register("rnn_view", Path(__file__).parent / "components")


def rnn_view(channel, key, on_event):
    """The canvas drawing the frames sent on ``channel``; "visibility" reports the tab being
    hidden or shown again (a hidden tab stops training)."""
    return _view(data={"channel": channel}, key=key, on_visibility_change=handler(key, "visibility", on_event))
