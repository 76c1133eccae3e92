"""All per-user state, created in one place and namespaced by page (DESIGN.md).

Every key a page keeps in ``st.session_state`` is ``"<page>_<name>"``, made by
``key(page, name)``, so two live pages never read each other's flags. Nothing
here is module-global: one server process serves every user.
"""
import ctypes
import gc
import logging
import threading
import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .url import EXTRAS, decode, encode

log = logging.getLogger(__name__)


def key(page, name):
    return f"{page}_{name}"


def page_run(page, settings_class, make_run):
    """This session's run of ``page``, created from the link on first use (its notices are kept to show)."""
    run_key, replace = key(page, "run"), key(page, "replace_run")
    session_janitor()
    if run_key not in st.session_state or st.session_state.get(replace):     # replace: a lesson opened anew
        settings, notices = decode(st.query_params.to_dict(), settings_class, base=link_base(page))
        st.session_state[run_key] = run = make_run(settings)
        st.session_state[replace] = False
        st.session_state[key(page, "notices")] = notices
        if notices:                       # a repaired link: the address bar shows what the page uses
            st.query_params.from_dict(link_params(page, run.settings))
        st.session_state.setdefault(key(page, "messages"), [])     # what was said before the run (a bad lesson link)
    return st.session_state[run_key]


def link_base(page):
    """The settings the page's link is written against: an open lesson's preset (ui/lessons), or
    None for the page's defaults."""
    return st.session_state.get(key(page, "link_base"))


def link_params(page, settings):
    """The query parameters of ``settings`` on ``page``: what differs from the link's base, and the
    parameters that are no setting (``?lesson=``) kept as they are."""
    extras = EXTRAS + type(settings).LINK_EXTRAS
    kept = {k: v for k, v in st.query_params.to_dict().items() if k in extras}
    return {**encode(settings, link_base(page)), **kept}


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


def expander_state(widget_key):
    """Keep a stateful expander's state a bool before it is drawn: Streamlit 1.67 takes whatever a
    message sends for it (a crafted one can send text or a list) and then fails to draw it."""
    if not isinstance(st.session_state.get(widget_key, False), bool):
        st.session_state[widget_key] = False


def request_app_rerun(page):
    """Ask for a whole-page rerun from a callback inside the live fragment (ui/live.py honours it).
    The request holds until a whole-page run gets to its end (``app_run_ended``): one cut short by
    the next click left the widgets below the live view on their old values, which the browser
    then sent back."""
    st.session_state[key(page, "rerun_app")] = True


def take_app_rerun(page):
    """True in a fragment's own run while a whole-page run is asked for (a whole-page run draws
    everything and answers it when it ends)."""
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:
        return False
    return bool(st.session_state.get(key(page, "rerun_app")))


def app_run_ended(page):
    """A whole-page run got to its end: the page shows what the callbacks changed."""
    st.session_state.pop(key(page, "rerun_app"), None)


# -- closed tabs: free their sessions --------------------------------------------------------
@st.cache_resource(show_spinner=False)
def session_janitor():
    """Shut down the sessions Streamlit has stopped keeping, every quarter of their time to live
    (at most 30 s); one thread a process.

    Streamlit 1.67 keeps a closed tab's session ``server.disconnectedSessionTTL`` seconds (120)
    so a dropped websocket can resume it, in a cache that lets go of an expired session only
    when another tab disconnects, and then without shutting it down (its uploaded and media
    files stay registered). So after a class closes its tabs, their runs held the memory until
    the next visitor (measured: 30 sessions, 1.35 times the idle RSS three minutes later).
    This takes the expired sessions out on Streamlit's event loop, shuts them down, and hands
    the freed memory back to the system. It reads Streamlit's private state: if a release
    changes that, it logs once and stops, and Streamlit behaves as before."""
    thread = threading.Thread(target=_janitor_loop, name="nnp-session-janitor", daemon=True)
    thread.start()
    return thread


def _janitor_loop():
    period = min(30.0, max(1.0, st.get_option("server.disconnectedSessionTTL") / 4))
    while runtime.exists():                     # AppTest runs pages without a server: nothing to do
        time.sleep(period)
        if not runtime.exists():                # the server stopped while this slept (tests)
            return
        try:
            rt = runtime.get_instance()
            cache = rt._session_mgr._session_storage._cache
            rt._get_async_objs().eventloop.call_soon_threadsafe(_reap, cache)
        except Exception:                       # noqa: BLE001 - a Streamlit without these internals
            log.warning("session janitor stopped: Streamlit's session storage is not as expected", exc_info=True)
            return


def _reap(cache):
    """On the event loop (the cache is not thread-safe): shut down the expired sessions, then
    collect them (sessions and runs hold reference cycles, and with runner.postScriptGC off an
    idle server would not run a full collection) and return the memory to the system."""
    count = _shut_down(cache.expire())
    if count:
        gc.collect()
        _malloc_trim()
        log.info("shut down %d expired session(s)", count)


def _shut_down(expired):
    """Shut the sessions down; no reference to them is left when this returns."""
    for _, info in expired:
        info.session.shutdown()
    return len(expired)


def _malloc_trim():
    """Return freed heap pages to the system (glibc keeps them, so RSS would not fall)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
