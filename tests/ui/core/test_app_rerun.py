"""A callback in the live fragment asks for a whole-page run (the widgets outside the fragment must
show what it changed): the request holds until a whole-page run gets to its end."""
from types import SimpleNamespace

from ui import state


def test_the_request_holds_until_a_whole_page_run_ends(monkeypatch):
    ss = {}
    ctx = SimpleNamespace(fragment_ids_this_run=["live"])
    monkeypatch.setattr(state, "st", SimpleNamespace(session_state=ss))
    monkeypatch.setattr(state, "get_script_run_ctx", lambda: ctx)
    assert not state.take_app_rerun("p")
    state.request_app_rerun("p")
    assert state.take_app_rerun("p")                 # the fragment's run asks for the page
    ctx.fragment_ids_this_run = []
    assert not state.take_app_rerun("p")             # the whole-page run does not ask again ...
    ctx.fragment_ids_this_run = ["live"]
    assert state.take_app_rerun("p")                 # ... and, cut short by the next click, is asked for again
    state.app_run_ended("p")
    assert not state.take_app_rerun("p")
