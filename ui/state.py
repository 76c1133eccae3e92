"""All per-user state, created in one place and namespaced by page (DESIGN.md).

Every key a page keeps in ``st.session_state`` is ``"<page>_<name>"``, made by
``key(page, name)``, so two live pages never read each other's flags. Nothing
here is module-global: one server process serves every user.
"""
import streamlit as st

from .url import decode


def key(page, name):
    return f"{page}_{name}"


def page_run(page, settings_class, make_run):
    """This session's run of ``page``, created from the link on first use (its notices are kept to show)."""
    run_key = key(page, "run")
    if run_key not in st.session_state:
        settings, notices = decode(st.query_params.to_dict(), settings_class)
        st.session_state[run_key] = make_run(settings)
        st.session_state[key(page, "notices")] = notices
        st.session_state[key(page, "messages")] = []
    return st.session_state[run_key]


def current_run(page):
    return st.session_state[key(page, "run")]


def say(page, message, kind="info"):
    """Queue a message for the page's next run (callbacks cannot draw)."""
    st.session_state.setdefault(key(page, "messages"), []).append((kind, message))


def pop_messages(page):
    """The link's notices, the run's (settings it had to bound) and the queued messages, each once:
    (kind, text) pairs."""
    run = st.session_state.get(key(page, "run"))
    notices = st.session_state.get(key(page, "notices"), []) + list(getattr(run, "notices", None) or [])
    messages = st.session_state.get(key(page, "messages"), [])
    st.session_state[key(page, "notices")] = []
    st.session_state[key(page, "messages")] = []
    if getattr(run, "notices", None):
        run.notices = []
    return [("warning", n) for n in dict.fromkeys(notices)] + messages


def request_app_rerun(page):
    """Ask for a whole-page rerun from a callback inside the live fragment (ui/live.py honours it)."""
    st.session_state[key(page, "rerun_app")] = True


def take_app_rerun(page):
    return st.session_state.pop(key(page, "rerun_app"), False)
