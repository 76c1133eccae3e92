"""The MLP canvas's event queue (ui/mlp/views.new_events): each click applied once, in order, and a
queue that is no queue (browser input: a crafted websocket message can send any text) refused as
malformed (BadEvent), never another exception."""
import json

import pytest
import streamlit as st

from ui.canvas import BadEvent
from ui.mlp.views import new_events


@pytest.fixture(autouse=True)
def fresh_session():
    st.session_state.clear()
    yield
    st.session_state.clear()


def queue(token, *items):
    return json.dumps({"token": token, "items": [list(i) for i in items]})


def test_each_event_of_the_queue_counts_once_in_order():
    plus = {"layer": 0, "delta": 1}
    assert new_events(queue(7, (1, "shape", plus), (2, "feature", "x1"))) == [("shape", plus), ("feature", "x1")]
    # the canvas resends what the page has not acknowledged yet: only the new ones count
    assert new_events(queue(7, (1, "shape", plus), (2, "feature", "x1"), (3, "shape", plus))) == [("shape", plus)]
    assert new_events(queue(7, (3, "shape", plus))) == []
    assert new_events(queue(8, (1, "feature", "x2"))) == [("feature", "x2")]       # a reloaded canvas: a new token
    assert new_events(queue(8, (2, "feature", "zz"), (3, "feature", "x1"))) == [("feature", "x1")]   # one bad item


@pytest.mark.parametrize("text", [
    "not json", "[]", json.dumps({"token": 1}), json.dumps({"token": -1, "items": []}),
    queue(1, (1, "zz", 0)), queue(1, (0, "feature", "x1")), json.dumps({"token": 1, "items": [[1, "feature"]]}),
    queue(1, (1, ["feature"], "x1")), queue(1, (1, {"e": 1}, "x1")), queue(1, (1, None, "x1")),     # unhashable names
    "[" * 4000 + "]" * 4000, '{"token": 1, "items": ' + "[" * 3000 + "]" * 3000 + "}",     # past the recursion limit
])
def test_a_queue_that_is_no_queue_is_malformed(text):
    with pytest.raises(BadEvent):
        new_events(text)
