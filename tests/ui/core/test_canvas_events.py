"""Canvas events come from the browser: a malformed one is ignored and logged, never raised."""
from types import SimpleNamespace

import pytest

from ui import canvas


@pytest.fixture
def fake_state(monkeypatch):
    state = {}
    monkeypatch.setattr(canvas, "st", SimpleNamespace(session_state=state))
    return state


def test_an_event_reaches_its_handler(fake_state):
    seen = []
    fake_state["view"] = {"cell": {"pos": 0}}
    canvas.handler("view", "cell", lambda e, v: seen.append((e, v)))()
    assert seen == [("cell", {"pos": 0})]


@pytest.mark.parametrize("error", [KeyError, IndexError, TypeError, ValueError])
def test_a_crafted_event_is_ignored_and_logged(fake_state, caplog, error):
    def on_event(event, value):
        raise error("layer 99")
    fake_state["view"] = {"edit": {"layer": 99}}
    canvas.handler("view", "edit", on_event)()
    assert "malformed 'edit' event" in caplog.text


def test_a_bug_elsewhere_still_surfaces(fake_state):
    def on_event(event, value):
        raise RuntimeError("a real bug")
    fake_state["view"] = {"edit": 1}
    with pytest.raises(RuntimeError):
        canvas.handler("view", "edit", on_event)()
