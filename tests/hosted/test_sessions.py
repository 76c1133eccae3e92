"""A closed tab's session is shut down once Streamlit stops keeping it for a reconnect
(ui/state.py's janitor), even when no other tab disconnects after it: its files and its run's
memory are let go. Seen from outside: the file its download button served is deleted at the
next visitor's script run (Streamlit deletes a download file one clean-up pass after its last
session let go of it)."""
import asyncio
import sys
import urllib.error
import urllib.request

from tests.e2e.harness import streamlit_server
from tests.hosted.harness import run_coroutine
from tests.hosted.pages import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from _streamlit_client import Session  # noqa: E402

TTL = 2          # seconds Streamlit keeps a closed tab's session here (120 by default)


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


async def _visit(base, query=""):
    """Open /mlp until its setup download is there; return (session, the download's URL)."""
    s = Session(base, "mlp", query)
    await s.connect()
    button = await s.wait_for(lambda: s.find("download_button", "Setup (.json)"), 180)
    await s.wait_for(lambda: s.full_runs_finished and not s.running, 60)
    return s, base + button.body.url


async def _scenario(base):
    first, media = await _visit(base, "seed=123")     # a file of its own (files are named by content)
    await first.close()
    kept = _status(media)
    await asyncio.sleep(TTL + 3)                # past its time to live, and a janitor round
    second, _ = await _visit(base)              # its script run is Streamlit's clean-up pass
    await asyncio.sleep(1.0)
    try:
        return kept, _status(media)
    finally:
        await second.close()


def test_a_closed_tabs_session_is_shut_down_after_its_time_to_live(monkeypatch):
    monkeypatch.setenv("STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL", str(TTL))
    with streamlit_server(ROOT, timeout=180) as (url, _):
        kept, after = run_coroutine(_scenario(url))
        assert kept == 200                      # kept while the tab may still come back
        assert after == 404, "the closed tab's session was never shut down"
        assert _status(url + "/_stcore/health") == 200
