"""Canvas events come from the browser: a value of the wrong shape, or one a page finds names
nothing (BadEvent), is ignored and logged; any other exception is a bug and surfaces."""
import math
from types import SimpleNamespace

import pytest

from ui import canvas
from ui.canvas import BadEvent, Choice, Num, Text, checked

SHAPE = {"layer": Num(0, 5, whole=True), "name": Choice(("W", "b")), "value": Num()}


@pytest.fixture
def fake_state(monkeypatch):
    state = {}
    monkeypatch.setattr(canvas, "st", SimpleNamespace(session_state=state))
    return state


def test_an_event_of_its_shape_reaches_its_handler(fake_state):
    seen = []
    fake_state["view"] = {"edit": {"layer": 2.0, "name": "W", "value": -0.5}}
    canvas.handler("view", "edit", SHAPE, lambda e, v: seen.append((e, v)))()
    assert seen == [("edit", {"layer": 2, "name": "W", "value": -0.5})]
    assert isinstance(seen[0][1]["layer"], int)


@pytest.mark.parametrize("value", [
    None, 1, "edit", [], {"layer": 1}, {"layer": 1, "name": "W", "value": 1, "extra": 0},
    {"layer": 9, "name": "W", "value": 1}, {"layer": 1.5, "name": "W", "value": 1},
    {"layer": True, "name": "W", "value": 1}, {"layer": 1, "name": "Z", "value": 1},
    {"layer": 1, "name": "W", "value": math.nan}, {"layer": 1, "name": "W", "value": math.inf},
    {"layer": 1, "name": "W", "value": "1e39"}, {"layer": 1, "name": ["W"], "value": 1},
    {"layer": 1, "name": "W", "value": 10 ** 400}, {"layer": -10 ** 400, "name": "W", "value": 1},   # JSON ints
])
def test_a_crafted_event_never_reaches_the_handler_and_is_logged(fake_state, caplog, value):
    seen = []
    fake_state["view"] = {"edit": value}
    canvas.handler("view", "edit", SHAPE, lambda e, v: seen.append(v))()
    assert seen == []
    assert value is None or "malformed 'edit' event" in caplog.text


def test_an_event_for_a_component_no_longer_drawn_is_ignored(fake_state):
    seen = []                    # the page left the component out of its last run: no state under its key
    canvas.handler("view", "edit", SHAPE, lambda e, v: seen.append(v))()
    assert seen == []


def test_a_handler_that_finds_the_value_names_nothing_says_so(fake_state, caplog):
    def on_event(event, value):
        raise BadEvent("no layer 4")
    fake_state["view"] = {"edit": {"layer": 4, "name": "W", "value": 1}}
    canvas.handler("view", "edit", SHAPE, on_event)()
    assert "no layer 4" in caplog.text


@pytest.mark.parametrize("error", [KeyError, IndexError, TypeError, ValueError, RuntimeError])
def test_a_bug_in_a_handler_surfaces(fake_state, error):
    def on_event(event, value):
        raise error("a real bug")
    fake_state["view"] = {"edit": {"layer": 1, "name": "b", "value": 0}}
    with pytest.raises(error):
        canvas.handler("view", "edit", SHAPE, on_event)()


def test_shapes():
    assert checked(3, Num(0, 3, whole=True)) == 3
    assert checked("a" * 5, Text(5)) == "aaaaa"
    for value, shape in [("a" * 6, Text(5)), (4, Num(0, 3)), (b"x", Text()), (0.5, Num(whole=True)),
                         ({"a": 1}, {"b": Num()}), ("x", Choice((1, 2)))]:
        with pytest.raises(BadEvent):
            checked(value, shape)


def test_a_frame_with_nan_or_infinity_is_sent_as_json_with_nulls(monkeypatch):
    sent = []

    class Slot:
        def _enqueue(self, kind, proto):
            sent.append(proto.body)

    class Box:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(canvas, "st", SimpleNamespace(container=lambda key: Box(), empty=lambda: Slot()))
    send = canvas.frame_channel("k")
    send({"w": [1.0, math.inf, -math.inf], "loss": math.nan, "s": "NaN"})
    assert sent == ['{"w":[1.0,null,null],"loss":null,"s":"NaN"}']
