"""The widget binder against what a browser really sends: every widget's value with every rerun,
including the old value of a widget the page has not redrawn since a canvas click changed it."""
from types import SimpleNamespace

import pytest

from ui import widgets
from ui.mlp.settings import MlpSettings
from ui.widgets import Widgets


@pytest.fixture
def binder(monkeypatch):
    state = {}
    monkeypatch.setattr(widgets, "st", SimpleNamespace(session_state=state))
    w = Widgets("mlp", MlpSettings)
    s = MlpSettings()
    w.sync(s)
    for name in ("layers", "hidden_0", "hidden_1", "features", "lr"):     # the page draws them
        w._drawn(w.key(name))
    return w, state, s


def test_a_stale_value_of_a_widget_is_no_change(binder):
    w, state, s = binder
    clicked = s.with_(hidden=(4, 3), features=("x1",))     # "+" on layer 2 and X2 off, on the canvas
    w.sync(clicked)                                         # Widgets.apply writes them to the widgets' state
    state[w.key("hidden_1")] = 2                            # the browser sends what its widgets still show
    state[w.key("features")] = ["x1", "x2"]
    assert w.read(clicked).normalise() == clicked


def test_a_change_the_user_made_counts(binder):
    w, state, s = binder
    state[w.key("hidden_1")] = 5
    state[w.key("layers")] = 3
    state[w.key("lr")] = 0.3
    read = w.read(s)
    assert (read.hidden, read.lr) == ((4, 5, 2), 0.3)
    state[w.key("lr")] = 0.03                               # and back again before the page redrew it
    assert w.read(read).lr == 0.03


def test_a_browser_a_few_redraws_behind_changes_nothing(binder):
    w, state, s = binder
    for units in (3, 4, 5):                                  # three quick "+" clicks, each redrawn
        w.sync(s.with_(hidden=(4, units)))
        w._drawn(w.key("hidden_1"))
    state[w.key("hidden_1")] = 3                             # the browser has seen only the first redraw
    assert w.read(s.with_(hidden=(4, 5))).hidden == (4, 5)


def test_a_stale_preset_box_is_no_pick(binder):
    """A canvas click made the settings custom; the browser, not yet redrawn, sends the preset box's
    old value: that is no pick (it re-applied the preset and undid the click, in Chromium)."""
    w, state, _ = binder
    box = w.key("preset")
    w.follow(box, "playground", lambda: None)
    w.follow(box, "custom", lambda: None)                   # the click's rerun draws the box as custom
    state[box] = "playground"                               # the stale echo
    assert not w.chosen(box)
    state[box] = "deep_sigmoid"                             # a real pick
    assert w.chosen(box)


def test_the_preset_picked_before_can_be_picked_again_at_once(binder):
    w, state, _ = binder
    box = w.key("preset")
    w.follow(box, "playground", lambda: None)
    state[box] = "deep_sigmoid"
    assert w.chosen(box)
    w.follow(box, "deep_sigmoid", lambda: None)
    state[box] = "playground"                               # back at once: the user's pick, not an echo
    assert w.chosen(box)
