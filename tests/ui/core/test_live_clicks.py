"""The live loop ends its frame box for a click waiting to be handled, also when the browser's timer
asked for a rerun after the click (the two requests merge into one flagged as the timer's)."""
import json
from types import SimpleNamespace

from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

from ui import live


def waiting(monkeypatch, *requests):
    queue = ScriptRequests()
    for data in requests:
        queue.request_rerun(data)
    monkeypatch.setattr(live, "get_script_run_ctx", lambda: SimpleNamespace(script_requests=queue))
    return live._click_waiting()


def click():
    states = WidgetStates()
    states.widgets.append(WidgetState(id="$$ID-canvas-mlp_network__events",
                                      json_trigger_value=json.dumps({"event": "shape", "value": {}})))
    return RerunData(widget_states=states, fragment_id="live")


def timer():
    return RerunData(widget_states=WidgetStates(), fragment_id="live", is_auto_rerun=True)


def test_a_click_merged_with_a_later_timer_still_ends_the_box(monkeypatch):
    assert waiting(monkeypatch, click())
    assert waiting(monkeypatch, click(), timer())
    assert waiting(monkeypatch, timer(), click())


def test_a_timer_alone_does_not(monkeypatch):
    assert not waiting(monkeypatch, timer())
    assert not waiting(monkeypatch, timer(), timer())
    assert not waiting(monkeypatch)
