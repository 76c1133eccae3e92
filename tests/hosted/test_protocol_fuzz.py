"""Crafted websocket messages against the real app (`streamlit run`): every model page's widgets and
canvas events get values no browser would send (tests/hosted/protocol_fuzz.py), one by one and in
bursts, through bench/_streamlit_client.py. After each batch the page must still work: no exception
element was shown, the server answers its health check and logged no traceback from the app's code,
and Play, Step (the Epoch metric moves) and Reset (back to 0) do what they say.

The Lessons page (/lessons) has no run: its widgets (the progress reset) and its progress store get
the same crafted values, and after each batch it must still list the whole course.

The normal run sends a quick share (24 values a page); ``NNP_FUZZ_FULL=1`` sends at least 500
a page, from several links (each page's default, links that show the widgets some settings hide,
a lesson, presenter mode), checking the controls after every batch.
"""
import asyncio
import json
import math
import os
import random
import re
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.hosted import protocol_fuzz as pf
from tests.hosted.harness import run_coroutine
from tests.hosted.pages import ROOT, Page, model_pages

sys.path.insert(0, str(ROOT / "bench"))
from _streamlit_client import Session  # noqa: E402

PAGES = model_pages()


class _NoSettings:
    """The Lessons page's settings: none (it has no run and no link fields)."""
    FIELDS = {}


LESSONS = Page("lessons", "app_pages/lessons.py", _NoSettings, None)
# hostile values a page, in batches of ``batch`` whose last ``burst`` go without waiting; the controls
# are checked after every batch (full) or after the last one. A playing page's runs last a live box (2 s):
# the quick run leaves Play to the controls check.
QUICK = dict(values=24, batch=24, burst=8, every_batch=False, play=False)
FULL = dict(values=510, batch=51, burst=12, every_batch=True, play=True)
LEGIT_SHARE = 0.15          # values a browser could send, mixed in: the page moves on and mounts other widgets
RUN_TIMEOUT = 60            # seconds for the page to finish its runs after a message (a big network's Step)


# -- the server's log ---------------------------------------------------------------------------------
class ServerLog:
    """The app process's output (its stdout is the log file the harness keeps), read from an offset."""

    def __init__(self, pid):
        self.path = Path(os.readlink(f"/proc/{pid}/fd/1"))
        self.offset = self.path.stat().st_size
        self.recent = ""            # the last of what was read: a failure quotes it (the log is deleted after)

    def new_text(self):
        with open(self.path, errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
        self.offset += len(text.encode("utf-8", errors="replace"))
        self.recent = (self.recent + text)[-200_000:]
        return text


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def app_tracebacks(text, root=ROOT):
    """The tracebacks in ``text`` with a frame in the app's own code (not the venv's packages): their
    last line and the app's last frame. Reads Python's format and rich's boxed one (Streamlit logs a
    callback's exception with rich: frames as ``/path/file.py:12 in name`` lines)."""
    found = []
    for block in re.split(r"(?=Traceback \(most recent call last\))", ANSI.sub("", text))[1:]:
        lines = [ln.strip(" \t│╭╮╰╯─") for ln in block.splitlines()[1:]]
        end = next((k for k, ln in enumerate(lines) if re.match(r"[A-Za-z_][\w.]*(: |$)", ln)
                    and not ln.startswith("File ")), len(lines))
        frames = [re.sub(r'^File "([^"]+)", line (\d+), in ', r"\1:\2 in ", ln) for ln in lines[:end]
                  if ln.startswith((f'File "{root}/', f"{root}/"))]
        mine = [f for f in frames if "/.venv/" not in f and "site-packages" not in f]
        if mine:
            found.append(f"{lines[end] if end < len(lines) else '?'} at {mine[-1]}")
    return found


def last_traceback(text, limit=3000):
    """The last traceback in ``text`` of any origin (Streamlit's own too), ANSI colours removed."""
    text = ANSI.sub("", text)
    at = text.rfind("Traceback (most recent call last)")
    return text[at:at + limit] if at >= 0 else ""


def healthy(url):
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            return r.status == 200
    except OSError:
        return False


# -- one session -----------------------------------------------------------------------------------------
@dataclass
class Fuzzed:
    page: str
    sent: int = 0                 # hostile values
    legit: int = 0
    bursts: int = 0
    kinds: dict = field(default_factory=dict)       # target kind -> hostile values sent
    failures: list = field(default_factory=list)
    seconds: float = 0.0


def _exceptions(session):
    return [f"{e.body.type}: {e.body.message[:200]}" for e in session.elements("exception")]


def _playing(s):
    return _button(s, "Pause") is not None


async def _settle(s, before, fragment, timeout=RUN_TIMEOUT):
    """Wait until the run a message asked for has finished: a full run (or, for a fragment's message,
    any run) finished after ``before`` (the session's (full, any) finished runs then), and nothing
    runs, unless the page plays (its live fragment then runs all the time)."""
    full, any_ = before
    def done():
        ran = s.full_runs_finished > full if not fragment else _finished(s) > any_
        return ran and (not s.running or _playing(s))
    await s.wait_for(done, timeout)
    await asyncio.sleep(0.1)
    await s.wait_for(lambda: not s.running or _playing(s), timeout)


def _fragments(s):
    return {e.fragment_id for e in s.elements()}


def _counts(s):
    return s.full_runs_finished, _finished(s)


def _finished(s):
    return s.full_runs_finished + s.fragment_runs_finished


async def send(s, states, fragment_id, trigger):
    """Send ``states`` as the browser sends a change: value widgets keep the crafted value (the page
    must answer it), triggers are one-shot."""
    for st in states:
        if trigger:
            s.widgets.pop(st.id, None)
        else:
            s.widgets[st.id] = st
    await s.rerun(fragment_id=fragment_id, triggers=states if trigger else ())


def _button(s, label):
    return s.find("button", label)


def _metric(s, label):
    m = s.find("metric", label)
    if m is None:
        return None
    try:
        return int(m.body.body.replace(",", ""))
    except ValueError:
        return None


def _epoch(s):
    return _metric(s, "Epoch")


def _diverged(s):
    return _button(s, "Reset the network") is not None


async def _click(s, label, timeout=RUN_TIMEOUT):
    b = _button(s, label)
    if b is None or b.body.disabled:
        raise AssertionError(f"no enabled {label} button")
    before = _counts(s)
    await s.click(b)
    await _settle(s, before, "", timeout)


async def controls_work(s):
    """Pause if playing; Reset gives epoch 0; Step moves it (or says the run diverged); Reset gives 0;
    Play shows Pause and the steps move; Pause shows Play. Returns what failed."""
    try:
        if _button(s, "Pause"):
            await _click(s, "Pause")
        await _click(s, "Reset")
        if _epoch(s) != 0:
            return [f"Reset: Epoch shows {_epoch(s)}"]
        await _click(s, "Step")
        if not (_epoch(s) or 0) >= 1 and not _diverged(s):
            return [f"Step: Epoch shows {_epoch(s)}"]
        await _click(s, "Reset")
        if _epoch(s) != 0:
            return [f"Reset after Step: Epoch shows {_epoch(s)}"]
        await _click(s, "Play")
        try:       # training moves: the Step metric (a legit batch of 1 makes an epoch longer than the wait)
            await s.wait_for(lambda: _button(s, "Pause") and (_metric(s, "Step") or 0) >= 1, 30)
        except asyncio.TimeoutError:
            if not _diverged(s):
                return [f"Play: no Pause button or the Step stays at {_metric(s, 'Step')}"]
        if _button(s, "Pause"):
            await _click(s, "Pause")
        if not _button(s, "Play"):
            return ["Pause: no Play button"]
        return []
    except (AssertionError, asyncio.TimeoutError) as e:
        return [f"controls: {type(e).__name__} {e}"]


def _course_size():
    from ui.lessons.model import load_course
    return len(load_course().lessons)


def _lessons_listed(s):
    return len(list(s.elements("page_link")))


async def course_works(s):
    """The Lessons page after a batch: a new run of it lists the whole course. Returns what failed."""
    try:
        before = _counts(s)
        await s.rerun()
        await _settle(s, before, "")
    except asyncio.TimeoutError:
        return ["the Lessons page did not finish a run"]
    n, want = _lessons_listed(s), _course_size()
    return [] if n == want else [f"the Lessons page lists {n} lessons of {want}"]


async def wait_course(s, timeout=120):
    await s.wait_for(lambda: s.full_runs_finished and not s.running and _lessons_listed(s), timeout)


async def wait_ready(s, timeout=300):
    """The page is drawn and its engine ready (Play enabled, as after a cold compile)."""
    await s.wait_for(lambda: s.full_runs_finished, timeout)
    await s.wait_for(lambda: not s.running and any(b.body.label in ("Play", "Pause") and not b.body.disabled
                                                   for b in s.elements("button")), timeout)


def _pick(s, page, events, rng, n, play=True):
    """``n`` hostile values for the session's current widgets, round-robin over the targets (each a
    random case of its own), with a share of legit ones between them. Returns (target, what, states,
    trigger, hostile) tuples."""
    ts = [t for t in pf.targets(s, page.settings, page.path, events) if play or t.key != f"{page.path}_play"]
    rng.shuffle(ts)
    chosen, bad = [], 0
    while bad < n and ts:
        for t in ts:
            if bad >= n:
                break
            if rng.random() < LEGIT_SHARE and (case := pf.legit(t, rng)):
                chosen.append((t, *case, False))
            elif cases := pf.hostile(t, rng):
                chosen.append((t, *rng.choice(cases), True))
                bad += 1
    return chosen


async def _quiet(s, before, fragment, timeout=RUN_TIMEOUT):
    """After a burst: its last run finished (``_settle``) and no message came for 0.4 s (a playing page
    sends frames: then 3 s is enough)."""
    await _settle(s, before, fragment, timeout)
    start = time.monotonic()
    while time.monotonic() - start < 3:
        count = s.counts["forward_msgs"]
        await asyncio.sleep(0.4)
        if count == s.counts["forward_msgs"] and not s.running:
            return


async def fuzz_session(url, page, link, batches, cfg, events, rng, log, out):
    on_delta_exceptions = []

    def on_delta(session, node):
        if node.kind == "exception":
            on_delta_exceptions.append(f"{node.body.type}: {node.body.message[:200]}")

    s = Session(url, page.path, link, on_delta=on_delta)
    try:
        await s.connect()
        await (wait_ready(s) if page.description else wait_course(s))
        for b in range(batches):
            where = f"{page.path}?{link} batch {b + 1}"
            picked = _pick(s, page, events, rng, cfg["batch"], cfg["play"])
            burst_at, burst_from = len(picked) - cfg["burst"], None
            sent_here = []
            for k, (t, what, states, trigger, bad) in enumerate(picked):
                # A fragment's widget sends a rerun of its fragment, while the fragment is there (the
                # server ignores a rerun of a fragment the page no longer draws: no run ends then).
                # The batch's last message reruns the page, so its burst ends with a run.
                fragment = t.fragment_id if rng.random() < 0.5 and t.fragment_id in _fragments(s) else ""
                fragment = "" if k == len(picked) - 1 else fragment
                before = _counts(s)
                if k == burst_at:
                    burst_from = before
                await send(s, states, fragment, trigger)
                sent_here.append(f"{t.kind} {t.key or t.wid[-20:]}: {what}")
                out.sent += bad
                out.legit += not bad
                if bad:
                    out.kinds[t.kind] = out.kinds.get(t.kind, 0) + 1
                if k < burst_at:             # one by one; the last ones as a burst, without waiting
                    try:
                        await _settle(s, before, fragment)
                    except asyncio.TimeoutError:
                        out.failures.append(f"{where}: no finished run after {sent_here[-1]}")
                        return
                    if on_delta_exceptions:
                        out.failures.append(f"{where}: exception after {sent_here[-1]}: {on_delta_exceptions[:2]}")
                        return
            if burst_at < len(picked):
                out.bursts += 1
                try:
                    await _quiet(s, burst_from, "")
                except asyncio.TimeoutError:
                    out.failures.append(f"{where}: no finished run after a burst of {cfg['burst']}")
                    return
            problems = list(dict.fromkeys(on_delta_exceptions + _exceptions(s)))
            problems += [f"client: {e}" for e in s.errors]
            if not healthy(url):
                problems.append("server unhealthy")
            problems += [f"traceback: {t}" for t in app_tracebacks(log.new_text())]
            if problems:
                out.failures.append(f"{where}: {problems[:3]}; last sent: {sent_here[-5:]}")
                return
            works = controls_work if page.description else course_works
            failed = await works(s) if cfg["every_batch"] or b == batches - 1 else []
            failed += [f"traceback: {t}" for t in app_tracebacks(log.new_text())]
            failed += _exceptions(s)
            if failed:
                out.failures.append(f"{where}: after the batch, {failed[:3]}; last sent: {sent_here[-5:]}")
                return
    finally:
        if out.failures and (tb := last_traceback(log.recent + log.new_text())):
            out.failures.append(f"the server's last traceback:\n{tb}")
        await s.close()


def start_links(page, full):
    """The links a page is fuzzed from: its defaults; in the full run also a link for each widget that
    some setting hides (the first choice value that shows it), a lesson of the page and presenter mode."""
    if not full:
        return [""]
    links, cls = [""], page.settings
    default = cls()
    for f in cls.FIELDS.values():
        if not f.shown or f.shown(default):
            continue
        for c in cls.FIELDS.values():
            if c.kind == "choice":
                shows = [v for v in c.bounds if f.shown(cls.from_values({_name(cls, c): v}))]
                if shows:
                    links.append(f"{c.url}={shows[0]}")
                    break
    from ui.lessons.model import load_course
    lessons = [lesson.id for lesson in load_course().lessons if lesson.page == page.path]
    links += [f"lesson={lessons[0]}"] if lessons else []
    if "present" in cls.FIELDS:
        links.append(f"{cls.FIELDS['present'].url}=1")
    return list(dict.fromkeys(links))


def _name(cls, f):
    return next(name for name, g in cls.FIELDS.items() if g is f)


async def fuzz_page(url, page, cfg, full, log):
    out = Fuzzed(page.path)
    start = time.monotonic()
    events = pf.component_events()
    rng = random.Random(f"protocol-{page.path}")
    links = start_links(page, full)
    batches = math.ceil(cfg["values"] / cfg["batch"])
    for i, link in enumerate(links):
        n = batches // len(links) + (i < batches % len(links))
        if n:
            await fuzz_session(url, page, link, n, cfg, events, rng, log, out)
        if out.failures:
            break
    out.seconds = time.monotonic() - start
    return out


def test_the_components_are_found():
    events = pf.component_events()
    assert "edit" in events["nnp_network_canvas"] and "visibility" in events["nnp_rnn_view"]


def test_a_traceback_through_the_apps_code_is_told_from_streamlits_own():
    venv = f"{ROOT}/.venv/lib/python3.11/site-packages/streamlit"
    app = ('Traceback (most recent call last):\n'
           f'  File "{venv}/x.py", line 1, in f\n'
           f'  File "{ROOT}/ui/inspect.py", line 80, in _on_select\n'
           '    run.rewind_to(int(max(p["x"] for p in points)))\n'
           "ValueError: invalid literal for int() with base 10: 'zz'\n")
    streamlit_only = ('Traceback (most recent call last):\n'
                      f'  File "{venv}/x.py", line 1, in f\n'
                      'TypeError: object of type \'int\' has no len()\n')
    rich = ("\x1b[31m──\x1b[0m Traceback (most recent call last) ──\n"
            f"\x1b[31m \x1b[0m \x1b[2m{venv}/runtime/\x1b[0m\x1b[1mexec_co\x1b[0m \n de.py:136 in exec \n"
            f"\x1b[31m \x1b[0m \x1b[2m{ROOT}/ui/\x1b[0m\x1b[1mcanvas.py\x1b[0m:39 in check \n"
            "  ❱  39 │   │   if isinstance(value, bool) or n  \n"
            "────────────\nOverflowError: int too large to convert to float\n")
    assert app_tracebacks(streamlit_only + app + rich) == [
        f"ValueError: invalid literal for int() with base 10: 'zz' at {ROOT}/ui/inspect.py:80 in _on_select",
        f"OverflowError: int too large to convert to float at {ROOT}/ui/canvas.py:39 in check"]
    assert app_tracebacks(streamlit_only) == []
    last = last_traceback(app + streamlit_only)
    assert last.startswith("Traceback") and "no len()" in last and last_traceback("ok") == ""
    assert last_traceback(rich).endswith("OverflowError: int too large to convert to float\n")


@pytest.mark.parametrize("page", PAGES + [LESSONS], ids=lambda p: p.path)
def test_crafted_widget_values_and_events_leave_a_working_page(app_server, page, fuzz_full):
    url, pid = app_server
    cfg = FULL if fuzz_full else QUICK
    log = ServerLog(pid)
    out = run_coroutine(fuzz_page(url, page, cfg, fuzz_full, log))
    print(f"\n{page.path}: {out.sent} crafted values ({out.bursts} bursts) and {out.legit} legit ones in "
          f"{out.seconds:.1f} s; by kind: {dict(sorted(out.kinds.items()))}")
    assert not out.failures, "\n".join(out.failures)         # whole: a repr would be cut short
    assert out.sent >= cfg["values"], out


# -- what the fuzz found, each a crafted message of its own ------------------------------------------------
@dataclass
class Found:
    path: str               # the page
    link: str               # its query
    key: str                # the crafted widget's key (a regular expression)
    crafted: object         # target -> [WidgetState]
    before: tuple = ()      # (key, value a browser could send for it) or a button's label, done first, in order


UNKNOWN_FILE = [{"file_id": "no-such-file", "name": "points.csv", "size": 10}]


def _unknown_file(t):
    return [pf.state(t.wid, file_uploader_state_value=UNKNOWN_FILE)]


def _event(payloads):
    return lambda t: [pf.state(pf.TRIGGERS.format(t.wid), json_trigger_value=payloads)]


FOUND = {
    # An upload the server does not hold (a crafted file id, or one deleted meanwhile) reached the page's
    # upload callback as Streamlit's DeletedFile, which has no getvalue().
    "unknown CSV upload": Found("mlp", "", r"mlp_csv_\d+", _unknown_file),
    "unknown digit upload": Found("cnn", "", r"cnn_upload_\d+", _unknown_file),
    "unknown model upload": Found("rnn", "", r"rnn_model_upload", _unknown_file, before=(
        (r"rnn_take_away_open", lambda t: [pf.state(t.wid, bool_value=True)]),      # the box is made only open
        (r"rnn_take_part", lambda t: [pf.state(t.wid, string_array_value=["Open a model"])]),
        (r"rnn_model_upload_on", lambda t: [pf.state(t.wid, bool_value=True)]))),
    # A stateful expander takes its state as it comes (Streamlit 1.67 does not make it a bool) and
    # failed drawing a string.
    "a string for the look-closer expander": Found("rnn", "", r"rnn_look_closer",
                                                   lambda t: [pf.state(t.wid, string_value="open")]),
    "a list for the point-numbers expander": Found("mlp", "", r"mlp_numbers_\w+",
                                                   lambda t: [pf.state(t.wid, string_array_value=["open"])]),
    # JSON's integers have no size limit: one beyond any float overflowed the canvas's number check.
    "a huge integer in a canvas event": Found("mlp", "", r"mlp_network", _event(
        '[{"event": "edit", "value": {"layer": 0, "name": "W", "i": 0, "j": 0, "value": 1' + "0" * 400 + '}}]')),
    # An event for a component the page no longer draws (the lesson panel was left): its callback still
    # ran, and found no state under the component's key.
    "an event for a component no longer drawn": Found("mlp", "lesson=neurons-weights", r"lesson_store_mlp",
                                                      _event('[{"event": "progress", "value": "{}"}]'),
                                                      before=("Leave",)),
    # An empty item passed the guard of every list of choices (it means "as all layers" for the MLP's
    # activations); a CNN block's activation '' then failed the engine's build in the callback.
    "an empty option for a conv block's activation": Found("cnn", "", r"cnn_w_acts_0",
                                                           lambda t: [pf.state(t.wid, string_value="")]),
    # A selection on the timeline is the browser's: a point whose x is no epoch failed int().
    "a selected point that is no epoch": Found("mlp", "", r"mlp_timeline_\w*", lambda t: [pf.state(
        t.wid, string_value=json.dumps({"selection": {"points": [{"x": "zz"}, {"y": 1}, 7], "box": [], "lasso": [],
                                                      "point_indices": []}}))], before=(
        "Step", "Step", (r"mlp_look_closer", lambda t: [pf.state(t.wid, bool_value=True)]))),
    # Browser text parsed as JSON: nested deeper than Python's recursion limit, json.loads raised
    # RecursionError (not ValueError) out of the canvas's queue and the lesson store's progress; a
    # queue item naming its event with a list failed the event lookup (unhashable).
    "a canvas queue nested past the recursion limit": Found("mlp", "", r"mlp_network", _event(json.dumps(
        [{"event": "events", "value": "[" * 3999 + "]" * 3999}]))),
    "a list as an event's name in the canvas queue": Found("mlp", "", r"mlp_network", _event(json.dumps(
        [{"event": "events", "value": json.dumps({"token": 1, "items": [[1, ["feature"], "x1"]]})}]))),
    "lesson progress nested past the recursion limit": Found("mlp", "lesson=neurons-weights", r"lesson_store_mlp",
                                                             _event(json.dumps([{"event": "progress",
                                                                                 "value": "[" * 30_000}]))),
}


def _target(s, path, pattern):
    page = next(p for p in PAGES if p.path == path)
    return next((t for t in pf.targets(s, page.settings, path, {}) if re.fullmatch(pattern, t.key)), None)


async def replay(url, found, log):
    """What ``found`` leaves on its page: exceptions, the app's tracebacks, a missing Play button."""
    s = Session(url, found.path, found.link)
    try:
        await s.connect()
        await wait_ready(s)
        seen = _target(s, found.path, found.key)     # a widget the steps take away is crafted for all the same
        for step in found.before:
            if isinstance(step, str):
                await _click(s, step)
                continue
            t = _target(s, found.path, step[0])
            assert t is not None, f"no widget {step[0]} on /{found.path}?{found.link}"
            before = _counts(s)
            await send(s, step[1](t), t.fragment_id, False)
            await _settle(s, before, t.fragment_id)
        target = _target(s, found.path, found.key) or seen
        assert target is not None, f"no widget {found.key} on /{found.path}?{found.link}"
        before = _counts(s)
        await send(s, found.crafted(target), target.fragment_id, False)
        await _settle(s, before, target.fragment_id)
        return _exceptions(s) + [f"traceback: {t}" for t in app_tracebacks(log.new_text())] + (
            [] if _button(s, "Play") else ["no Play button"])
    finally:
        await s.close()


@pytest.mark.parametrize("case", list(FOUND), ids=lambda c: c.replace(" ", "-"))
def test_what_the_fuzz_found_leaves_a_working_page(app_server, case):
    url, pid = app_server
    assert run_coroutine(replay(url, FOUND[case], ServerLog(pid))) == []
