"""bench/_streamlit_client.py without a server: synthetic ForwardMsgs in, BackMsgs out."""
import asyncio
import sys
import threading
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _streamlit_client import Session  # noqa: E402

FINISHED = ForwardMsg.ScriptFinishedStatus
F = "frag-1"


class FakeSocket:
    def __init__(self):
        self.sent = []

    async def send(self, data):
        msg = BackMsg()
        msg.ParseFromString(data)
        self.sent.append(msg)


def feed(s, msg):
    s._handle(msg, msg.SerializeToString())


def new_session(run, frags=(), page="page-hash"):
    m = ForwardMsg()
    m.new_session.page_script_hash = page
    m.new_session.main_script_hash = "main-hash"
    m.metadata.run.script_run_id = run
    m.metadata.run.fragment_ids.extend(frags)
    return m


def finished(run, frags=()):
    m = ForwardMsg()
    m.script_finished = FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY if frags else FINISHED.FINISHED_SUCCESSFULLY
    m.metadata.run.script_run_id = run
    m.metadata.run.fragment_ids.extend(frags)
    return m


def element(path, frag="", **kinds):
    m = ForwardMsg()
    m.metadata.delta_path.extend(path)
    m.delta.fragment_id = frag
    (kind, fields), = kinds.items()
    sub = getattr(m.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(sub, name).extend(value)
        else:
            setattr(sub, name, value)
    return m


def block(path, frag=""):
    m = ForwardMsg()
    m.metadata.delta_path.extend(path)
    m.delta.fragment_id = frag
    m.delta.add_block.vertical.SetInParent()
    return m


def full_run(s, run, slider=True):
    feed(s, new_session(run))
    feed(s, element([0, 0], markdown={"body": "title"}))
    feed(s, block([0, 1], frag=F))
    feed(s, element([0, 1, 0], frag=F, metric={"label": "Epoch", "body": "0"}))
    feed(s, element([0, 2], button={"id": "play-id", "label": "Play"}))
    if slider:
        feed(s, element([1, 0], slider={"id": "lr-id", "label": "Learning rate", "default": [3.0]}))
    feed(s, finished(run))


def epoch(s):
    return s.find("metric", "Epoch").body.body


def test_tree_follows_full_and_fragment_runs_and_drops_stale_widgets():
    s = Session("http://127.0.0.1:1", "mlp")
    full_run(s, "r1")
    assert epoch(s) == "0" and s.find("button", "Play") is not None
    assert s.widgets["lr-id"].double_array_value.data == [3.0]
    assert "play-id" not in s.widgets                       # a button has no lasting state

    feed(s, new_session("r2", [F]))                         # a fragment run redraws inside its block
    feed(s, element([0, 1, 0], frag=F, metric={"label": "Epoch", "body": "7"}))
    feed(s, finished("r2", [F]))
    assert epoch(s) == "7"
    assert s.find("button", "Play") is not None and "lr-id" in s.widgets

    full_run(s, "r3", slider=False)                         # the slider is gone from the page
    assert s.find("slider", "Learning rate") is None
    assert "lr-id" not in s.widgets
    assert not s.errors


def test_a_widget_takes_the_servers_value_only_when_set_value():
    s = Session("http://127.0.0.1:1", "mlp")
    feed(s, new_session("r1"))
    feed(s, element([1, 0], slider={"id": "w", "label": "x", "default": [1.0]}))
    feed(s, element([1, 0], slider={"id": "w", "label": "x", "default": [1.0], "value": [5.0], "set_value": True}))
    assert s.widgets["w"].double_array_value.data == [5.0]
    feed(s, element([1, 0], slider={"id": "w", "label": "x", "default": [1.0]}))
    assert s.widgets["w"].double_array_value.data == [5.0]   # the frontend keeps its own value
    feed(s, element([1, 1], selectbox={"id": "sel", "label": "y", "options": ["a", "b"], "default": 1}))
    feed(s, element([1, 2], checkbox={"id": "cb", "label": "z", "default": True}))
    feed(s, element([1, 3], file_uploader={"id": "up", "label": "csv"}))
    assert s.widgets["sel"].string_value == "b"
    assert s.widgets["cb"].bool_value is True
    assert s.widgets["up"].WhichOneof("value") == "file_uploader_state_value"


def test_cached_messages_come_back_by_reference():
    s = Session("http://127.0.0.1:1", "mlp")
    feed(s, new_session("r1"))
    big = element([0, 0], markdown={"body": "x" * 100})
    big.hash, big.metadata.cacheable = "h1", True
    feed(s, big)
    assert "h1" in s.cache
    ref = ForwardMsg()
    ref.ref_hash = "h1"
    ref.metadata.delta_path.extend([0, 1])
    feed(s, ref)
    assert s.counts["ref_hits"] == 1
    assert [n.kind for n in s.elements()] == ["markdown", "markdown"]


def test_reruns_carry_page_widgets_triggers_and_auto_rerun_timers():
    async def scenario():
        s = Session("http://127.0.0.1:1", "mlp", "net=8,8")
        s.ws = ws = FakeSocket()
        await s.rerun()
        first = ws.sent[-1].rerun_script
        assert (first.page_name, first.page_script_hash, first.query_string) == ("mlp", "", "net=8,8")

        full_run(s, "r1")
        await s.click(s.find("button", "Play"))
        click = ws.sent[-1].rerun_script
        assert click.page_script_hash == "page-hash" and not click.page_name and not click.fragment_id
        states = {w.id: w.WhichOneof("value") for w in click.widget_states.widgets}
        assert states == {"lr-id": "double_array_value", "play-id": "trigger_value"}

        auto = ForwardMsg()
        auto.auto_rerun.interval, auto.auto_rerun.fragment_id = 0.02, F
        feed(s, auto)
        task = s.auto_reruns[F][1]
        feed(s, auto)                                       # same id and interval: the same timer
        assert s.auto_reruns[F][1] is task
        await asyncio.sleep(0.15)
        ticks = [m.rerun_script for m in ws.sent[2:]]
        assert len(ticks) >= 4
        assert all(t.fragment_id == F and t.is_auto_rerun for t in ticks)
        assert all({w.id for w in t.widget_states.widgets} == {"lr-id"} for t in ticks)  # trigger was one-shot

        feed(s, new_session("r2"))                          # a full run clears every timer
        assert not s.auto_reruns
        n = len(ws.sent)
        await asyncio.sleep(0.08)
        assert len(ws.sent) == n
        s.ws = None
        await s.close()

    run_in_own_thread(lambda: asyncio.run(scenario()))


def run_in_own_thread(fn):
    """Run ``fn`` on a new thread: Playwright's sync API (the e2e tests, same process) keeps an
    event loop running on the main thread, where asyncio.run refuses to start another."""
    errors = []

    def target():
        try:
            fn()
        except BaseException as err:           # re-raised on the test's thread
            errors.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
