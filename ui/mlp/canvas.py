"""The MLP's network canvas: every neuron's map, the links, the output plane."""
from pathlib import Path

from ..canvas import handler, register

EVENTS = ("feature", "edit", "plot_click", "shape", "visibility")
_network = register("network_canvas", Path(__file__).parent / "components")


def network_canvas(channel, key, on_event):
    """The canvas drawing the frames sent on ``channel``; clicks call on_event(event, value)
    before the next run. "visibility" reports the tab being hidden or shown again."""
    return _network(data={"channel": channel}, key=key,
                    **{f"on_{e}_change": handler(key, e, on_event) for e in EVENTS})
