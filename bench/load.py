"""Many live sessions at once, without a browser: the server's frame rate, health and cost.

    python bench/load.py --sessions 10 --seconds 30 [--pages mlp] [--query "net=8,8&data=spiral"]
                         [--url http://127.0.0.1:PORT [--pid PID[,PID...]]] [--after 180] [--json out.json]
                         [--wait-quiet 300] [--idle 3] [--load-timeout 300] [--no-cache]
    python bench/load.py --serve 2 --sessions 30 --seconds 120 --pages all   # through nginx
    python bench/load.py --browser [--sessions 1] ...      # the same, in headless Chromium

``--pages`` takes one URL path, a comma-separated mix (session i opens the i-th modulo the
list), or ``all``: every model page in app.py's navigation (tests/hosted/pages.py).
``--serve N`` starts ``scripts/serve.sh N`` (N app processes behind nginx, sticky sessions)
on free loopback ports and sends all traffic through nginx; the server figures then add up
the app processes and nginx, and each session's app process is reported (the
``X-NNP-Upstream`` header nginx adds).

Each session is an asyncio task speaking Streamlit's websocket protocol as the frontend
does (bench/_streamlit_client.py: the first ``rerun_script`` with the page name, every
widget's state echoed on each rerun, a button click as a one-shot trigger, the
``auto_rerun`` timers of ``run_every`` fragments). Starts are staggered over ~2 s. A
session opens the page, waits until it shows the ``Epoch`` metric and the script is
idle, presses ``Play``, follows the live view for ``--seconds`` and records every
distinct ``Step`` value with its arrival time (every page's metrics row has it, and it
moves with every frame that trained; a CNN's ``Epoch`` moves once in many frames), and
the ``Epoch`` at the start and the end; then it closes its socket like a closed tab.

Before them an unmeasured warm-up session per page (per page and app process with
``--serve``) plays until Step moves (``--no-warm-up`` skips it): a server whose Numba
cache is cold compiles the engine then, which can take minutes (up to ``--load-timeout``
s, default 300).

Meanwhile one task polls ``GET /_stcore/health`` every 0.5 s, and, for a server started
here (no ``--url``) or given by ``--pid``, another samples the server's CPU% and RSS from
/proc every 0.5 s: idle before the sessions, during them, and ``--after`` seconds after
they close. The load generator's own CPU% is sampled too (it shares the machine).

Per session it reports the distinct Step values received per second (upd/s), those a
60 Hz screen could show (scr/s: not replaced within 1/60 s; two frames flushed together
reach a browser as one repaint), epochs/s, the longest gap and whether Step rose
throughout (no gap over 5 s); across sessions (and per page) the median and min,
min/median and the sum of epochs/s; health p50/p95/max and failures per phase; server
CPU%; server RSS idle, at its peak (and the growth per session) and at the end of
``--after``; the CPU used by the load generator and by everything else on the machine (a
busy machine is flagged; ``--wait-quiet S`` first waits up to S s for the other processes
to go quiet).

``--browser`` runs the sessions in headless Chromium instead (Debian's /usr/bin/chromium,
one context per session) and counts distinct Step values on screen with a
MutationObserver, as bench/ui_frame_rate.py does: a check of the browserless client.

All traffic goes to 127.0.0.1. The run is bounded: it gives up after the load timeout,
the measured seconds and the after period.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _streamlit_client import Session  # noqa: E402
from tests.e2e.harness import streamlit_server  # noqa: E402
from tests.hosted.harness import served  # noqa: E402

METRIC = "Epoch"
PROGRESS = "Step"       # counted as updates: it moves with every frame that trained, on every page
PLAY, PAUSE = "Play", "Pause"
STAGGER_S = 2.0
POLL_S = 0.5
FRAME_S = 1 / 60         # a value replaced sooner than one 60 Hz frame never reaches a screen
STALL_S = 5.0           # a gap longer than this between Step updates: "did not rise throughout"
TICK = os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------- monitors
class Clock:
    """Phases of the run, on the monotonic clock."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.phase = "idle"
        self.marks = {"idle": 0.0}

    def now(self):
        return time.monotonic() - self.t0

    def enter(self, phase):
        self.phase = phase
        self.marks[phase] = self.now()


def _cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])          # utime + stime (fields 14, 15)


def _rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _tree_ticks(root, exclude=None):
    """CPU ticks of ``root`` and its descendants (Playwright's driver, Chromium), leaving out
    the subtree of ``exclude`` (a server started here is our child too)."""
    parent, ticks = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total = 0
    for p in ticks:
        q = p
        while q > 1 and q != root and q != exclude:
            q = parent.get(q, 0)
        if q == root:
            total += ticks[p]
    return total


def _machine_ticks():
    """(busy, total) ticks of all cores, from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)


def _server_ticks(pids):
    """{pid: CPU ticks} of the server processes still there."""
    out = {}
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            out[p] = _cpu_ticks(p)
    return out


async def monitor_process(server, clock, samples, stop):
    """Every 0.5 s: (t, phase, server CPU%, server RSS MB, load generator CPU% incl. children,
    CPU% of everything else on the machine, {pid: RSS MB}). 100 % = one core. ``server`` has
    ``pids()``, the server's processes now (app processes, and nginx when serving), and
    ``root``, the process whose subtree is the server (left out of the load generator's CPU)."""
    me = os.getpid()
    ncpu = os.cpu_count() or 1
    last_t, last_srv, last_me = time.monotonic(), _server_ticks(server.pids()), _tree_ticks(me, server.root)
    last_busy, last_total = _machine_ticks()
    while not stop.is_set():
        await asyncio.sleep(POLL_S)
        t = time.monotonic()
        dt = t - last_t
        srv_cpu = rss = float("nan")
        per_rss = {}
        pids = server.pids()
        if pids:
            ticks = _server_ticks(pids)
            srv_cpu = 100 * sum(v - last_srv.get(p, v) for p, v in ticks.items()) / TICK / dt
            last_srv = ticks
            for p in ticks:
                with contextlib.suppress(OSError, ValueError):
                    per_rss[p] = _rss_mb(p)
            rss = sum(per_rss.values()) if per_rss else float("nan")
        mine = _tree_ticks(me, server.root)
        my_cpu = max(0.0, 100 * (mine - last_me) / TICK / dt)
        busy, total = _machine_ticks()
        machine = 100 * ncpu * (busy - last_busy) / max(total - last_total, 1)
        others = max(0.0, machine - my_cpu - (0.0 if math.isnan(srv_cpu) else srv_cpu))
        samples.append((clock.now(), clock.phase, srv_cpu, rss, my_cpu, others, per_rss))
        last_t, last_me, last_busy, last_total = t, mine, busy, total


async def poll_health(base_url, clock, samples, stop, timeout=10.0):
    """GET /_stcore/health every 0.5 s: (t, phase, latency s or None on failure, detail)."""
    parsed = urllib.parse.urlsplit(base_url)
    host, port = parsed.hostname, parsed.port or 80
    loop = asyncio.get_running_loop()
    due = loop.time()
    while not stop.is_set():
        start, t = loop.time(), clock.now()
        phase = clock.phase
        try:
            async def get():
                reader, writer = await asyncio.open_connection(host, port)
                try:
                    writer.write(f"GET /_stcore/health HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
                                 f"Connection: close\r\n\r\n".encode())
                    await writer.drain()
                    return await reader.read()
                finally:
                    writer.close()
            data = await asyncio.wait_for(get(), timeout)
            status = int(data.split(b" ", 2)[1]) if data else 0
            if status == 200:
                samples.append((t, phase, loop.time() - start, "ok"))
            else:
                samples.append((t, phase, None, f"HTTP {status}"))
        except (OSError, asyncio.TimeoutError, ValueError, IndexError) as e:
            samples.append((t, phase, None, type(e).__name__))
        due += POLL_S
        await asyncio.sleep(max(0.0, due - loop.time()))
        due = max(due, loop.time())


async def wait_quiet(server, limit_s, threshold=25.0, need=3):
    """Wait (at most ``limit_s``) until the rest of the machine has used under ``threshold`` %
    CPU for ``need`` seconds in a row; return the seconds waited."""
    start = time.monotonic()
    ncpu = os.cpu_count() or 1
    quiet = 0

    def own_ticks():
        return _tree_ticks(os.getpid(), server.root) + sum(_server_ticks(server.pids()).values())

    last_busy, last_total = _machine_ticks()
    last_own = own_ticks()
    while quiet < need and time.monotonic() - start < limit_s:
        await asyncio.sleep(1.0)
        busy, total = _machine_ticks()
        own = own_ticks()
        others = 100 * ncpu * (busy - last_busy) / max(total - last_total, 1) - 100 * (own - last_own) / TICK
        quiet = quiet + 1 if others < threshold else 0
        last_busy, last_total, last_own = busy, total, own
    return time.monotonic() - start


async def warm_up(args, base_url, page):
    """One unmeasured session: open the page, press Play, wait until Step moves, close. A
    server whose engine is not compiled yet compiles now, not in the measured sessions."""
    start = time.monotonic()
    s = Session(base_url, page, args.query, cache=not args.no_cache)
    try:
        await s.connect()
        metric = await s.wait_for(lambda: s.find("metric", METRIC) and s.find("button", PLAY) and
                                  s.find("metric", PROGRESS), args.load_timeout)
        first = metric.body.body
        with contextlib.suppress(asyncio.TimeoutError):
            await s.wait_for(lambda: not s.running and s.full_runs_finished, 30)
        await s.click(s.find("button", PLAY))
        left = max(1.0, args.load_timeout - (time.monotonic() - start))
        await s.wait_for(lambda: (m := s.find("metric", PROGRESS)) is not None and m.body.body not in ("", first),
                         left)
        return time.monotonic() - start, None
    except asyncio.TimeoutError:
        return time.monotonic() - start, f"{PROGRESS} did not move within {args.load_timeout:g} s"
    except Exception as e:                      # noqa: BLE001 - reported; the run goes on
        return time.monotonic() - start, f"{type(e).__name__}: {e}"
    finally:
        await s.close()


# ----------------------------------------------------------------------------- sessions
def _number(text):
    try:
        return float(text.replace(",", "").replace("\u202f", "").strip())
    except (AttributeError, ValueError):
        return None


def new_record(i, page):
    return {"session": i, "page": page, "mode": "client", "connect_at": None, "loaded_at": None,
            "clicked_at": None, "playing_at": None, "ended_at": None, "updates": [], "error": None,
            "upstream": None, "epoch_first": None, "epoch_last": None}


async def client_session(i, args, base_url, clock, rec):
    """One browserless session: open the page, press Play, follow the live view."""
    last = {"value": None, "epoch": None}

    def on_delta(session, node):
        if node.kind == "metric" and node.proto.metric.label == PROGRESS:
            value = node.proto.metric.body
            if value and value != last["value"]:
                last["value"] = value
                if rec["clicked_at"] is not None:
                    rec["updates"].append((clock.now(), value))
        elif node.kind == "metric" and node.proto.metric.label == METRIC and node.proto.metric.body:
            last["epoch"] = node.proto.metric.body
            if rec["clicked_at"] is not None and clock.now() <= rec["clicked_at"] + args.seconds:
                rec["epoch_last"] = last["epoch"]
        elif node.kind == "button" and node.proto.button.label == PAUSE and rec["clicked_at"] is not None \
                and rec["playing_at"] is None:
            rec["playing_at"] = clock.now()

    s = Session(base_url, rec["page"], args.query, cache=not args.no_cache, on_delta=on_delta)
    rec["client"] = s
    try:
        rec["connect_at"] = clock.now()
        await s.connect()
        rec["upstream"] = s.upstream
        play = await s.wait_for(
            lambda: s.find("metric", METRIC) and s.find("button", PLAY), args.load_timeout)
        rec["loaded_at"] = clock.now()
        rec["first_value"] = last["value"]
        with contextlib.suppress(asyncio.TimeoutError):            # click once the script is idle
            await s.wait_for(lambda: not s.running and s.full_runs_finished, 30)
        play = s.find("button", PLAY) or play
        rec["clicked_at"] = clock.now()
        rec["updates"].append((rec["clicked_at"], last["value"]))   # the value on screen at the click
        rec["epoch_first"] = rec["epoch_last"] = last["epoch"]
        await s.click(play)
        deadline = rec["clicked_at"] + args.seconds
        while clock.now() < deadline and not s.closed.is_set():
            await asyncio.sleep(min(0.25, max(0.0, deadline - clock.now())))
        if s.closed.is_set():
            rec["error"] = "connection closed: " + "; ".join(s.errors[-3:])
    except asyncio.TimeoutError:
        rec["error"] = f"no {METRIC} metric and {PLAY} button within {args.load_timeout:g} s"
    except Exception as e:                      # noqa: BLE001 - reported per session
        rec["error"] = f"{type(e).__name__}: {e}"
    finally:
        rec["ended_at"] = clock.now()
        await s.close()
        rec["protocol_errors"] = s.errors[:20]
        rec["counts"] = dict(s.counts)
        rec["widgets_echoed"] = len(s.widgets)
        del rec["client"]


METRIC_TEXT = """(label) => {
  for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
    const l = m.querySelector('[data-testid=stMetricLabel]');
    if (l && l.textContent.trim() === label) return m.querySelector('[data-testid=stMetricValue]').textContent.trim();
  }
  return null;
}"""

OBSERVE = """(label) => {
  window.__updates = [];
  const value = () => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
      const l = m.querySelector('[data-testid=stMetricLabel]');
      if (l && l.textContent.trim() === label) {
        const v = m.querySelector('[data-testid=stMetricValue]');
        return v ? v.textContent.trim() : null;
      }
    }
    return null;
  };
  document.addEventListener('click', () => { window.__clickAt = performance.now(); }, true);
  let last = value();
  window.__initial = last;
  new MutationObserver(() => {
    const v = value();
    // an element being rebuilt is briefly empty: that is not an update
    if (v && v !== last) { last = v; window.__updates.push([performance.now(), v]); }
  }).observe(document.querySelector('[data-testid=stMain]'),
             {subtree: true, childList: true, characterData: true});
  return performance.now();
}"""


async def browser_session(i, args, base_url, clock, rec, browser):
    rec["mode"] = "browser"
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    received = []
    try:
        page = await context.new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
        rec["connect_at"] = clock.now()
        query = f"?{args.query}" if args.query else ""
        await page.goto(f"{base_url}/{rec['page']}{query}", timeout=args.load_timeout * 1000)
        await page.wait_for_function(
            """(label) => [...document.querySelectorAll('[data-testid=stMetricLabel]')]
                 .some(l => l.textContent.trim() === label)""", arg=METRIC, timeout=args.load_timeout * 1000)
        rec["loaded_at"] = clock.now()
        with contextlib.suppress(Exception):
            await page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                                         timeout=30_000)
        perf0 = await page.evaluate(OBSERVE, PROGRESS)
        wall0 = clock.now()                     # performance.now() == perf0 at about wall0
        rec["first_value"] = await page.evaluate("() => window.__initial")
        rec["epoch_first"] = await page.evaluate(METRIC_TEXT, METRIC)
        await page.get_by_role("button", name=PLAY).click()
        click_perf = await page.evaluate("() => window.__clickAt")
        rec["clicked_at"] = wall0 + (click_perf - perf0) / 1000
        rec["updates"].append((rec["clicked_at"], rec["first_value"]))
        await asyncio.sleep(max(0.0, rec["clicked_at"] + args.seconds - clock.now()))
        rec["epoch_last"] = await page.evaluate(METRIC_TEXT, METRIC)
        for t, v in await page.evaluate("() => window.__updates"):
            t = wall0 + (t - perf0) / 1000
            if rec["clicked_at"] < t <= rec["clicked_at"] + args.seconds:
                rec["updates"].append((t, v))
        rec["counts"] = {"bytes_in": sum(received), "forward_msgs": len(received)}
    except Exception as e:                      # noqa: BLE001 - reported per session
        rec["error"] = f"{type(e).__name__}: {e}".splitlines()[0]
    finally:
        rec["ended_at"] = clock.now()
        await context.close()


# ----------------------------------------------------------------------------- figures
def session_figures(rec, seconds):
    ups = rec["updates"]
    out = {k: rec.get(k) for k in ("session", "page", "upstream", "mode", "error")}
    if rec["clicked_at"] is None:
        return out | {"ok": False}
    start, end = rec["clicked_at"], rec["clicked_at"] + seconds
    changes = [(t, v) for t, v in ups[1:] if start < t <= end]
    times = [start] + [t for t, _ in changes] + [end]         # a session that died early stalls
    gaps = [b - a for a, b in zip(times, times[1:])]
    values = [_number(v) for _, v in changes]
    monotone = all(a is not None and b is not None and b >= a for a, b in zip(values, values[1:]))
    first_step = _number(ups[0][1]) if ups and ups[0][1] is not None else None
    last_step = values[-1] if values else first_step
    first_epoch, last_epoch = _number(rec.get("epoch_first")), _number(rec.get("epoch_last"))
    counts = rec.get("counts") or {}
    shown = sum(1 for a, b in zip(times[1:-1], times[2:-1] + [math.inf]) if b - a >= FRAME_S)
    out |= {
        "load_s": None if rec["loaded_at"] is None else round(rec["loaded_at"] - rec["connect_at"], 2),
        "clicked_at": round(start, 2),
        "updates": len(changes),
        "updates_per_s": len(changes) / seconds,
        "screen_updates_per_s": shown / seconds,
        "epochs_per_s": (last_epoch - first_epoch) / seconds
        if first_epoch is not None and last_epoch is not None else None,
        "first_update_s": round(changes[0][0] - start, 3) if changes else None,
        "longest_gap_s": round(max(gaps), 3) if gaps else None,
        "rose_throughout": bool(changes) and max(gaps) <= STALL_S and monotone
        and (last_step or 0) > (first_step or 0),
        "kb_in_per_s": counts.get("bytes_in", 0) / 1024 / max(rec["ended_at"] - rec["connect_at"], 1e-9),
    }
    out["ok"] = rec["error"] is None and out["rose_throughout"]
    return out


def _pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def rate_figures(per):
    """Median, min, min/median of updates/s and the sum of epochs/s over sessions' figures."""
    rates = [p["updates_per_s"] for p in per if "updates_per_s" in p]
    epochs = [p["epochs_per_s"] for p in per if p.get("epochs_per_s") is not None]
    screen = [p["screen_updates_per_s"] for p in per if "screen_updates_per_s" in p]
    med = statistics.median(rates) if rates else None
    return {
        "sessions": len(per),
        "sessions_ok": sum(bool(p.get("ok")) for p in per),
        "median_updates_per_s": med,
        "min_updates_per_s": min(rates) if rates else None,
        "min_over_median": (min(rates) / med) if rates and med else None,
        "median_screen_updates_per_s": statistics.median(screen) if screen else None,
        "sum_epochs_per_s": sum(epochs) if epochs else None,
    }


def summarize(args, records, health, procs, clock, pid):
    per = [session_figures(r, args.seconds) for r in records]
    across = rate_figures(per)
    pages = sorted({p["page"] for p in per})
    across["pages"] = {page: rate_figures([p for p in per if p["page"] == page]) for page in pages}
    upstreams = [p["upstream"] for p in per if p.get("upstream")]
    across["sessions_per_upstream"] = {u: upstreams.count(u) for u in sorted(set(upstreams))}
    clicks = [r["clicked_at"] for r in records if r["clicked_at"] is not None]
    if len(clicks) == len(records) and records:
        lo, hi = max(clicks), min(c + args.seconds for c in clicks)
        across["all_playing_window_s"] = round(max(0.0, hi - lo), 2)
        if hi - lo >= 1.0:
            common = [sum(1 for t, _ in r["updates"][1:] if lo < t <= hi) / (hi - lo) for r in records]
            across["all_playing_updates_per_s"] = [round(c, 2) for c in common]

    def health_stats(phases):
        lat = [s[2] for s in health if s[1] in phases and s[2] is not None]
        fails = [s for s in health if s[1] in phases and s[2] is None]
        return {"polls": len(lat) + len(fails), "failures": len(fails),
                "failure_kinds": sorted({f[3] for f in fails}),
                "p50_ms": _ms(_pct(lat, 50)), "p95_ms": _ms(_pct(lat, 95)), "max_ms": _ms(max(lat, default=None))}

    health_out = {"load": health_stats({"load"}), "idle": health_stats({"idle"}), "after": health_stats({"after"})}

    def proc_stats(phase, since=None):
        rows = [s for s in procs if s[1] == phase and (since is None or s[0] >= since)]
        cpu = [s[2] for s in rows if not math.isnan(s[2])]
        rss = [s[3] for s in rows if not math.isnan(s[3])]
        mine = [s[4] for s in rows]
        others = [s[5] for s in rows]
        return {"cpu_mean": _r(statistics.fmean(cpu)) if cpu else None,
                "cpu_max": _r(max(cpu)) if cpu else None,
                "rss_mb_mean": _r(statistics.fmean(rss)) if rss else None,
                "rss_mb_peak": _r(max(rss)) if rss else None,
                "rss_mb_last": _r(rss[-1]) if rss else None,
                "loadgen_cpu_mean": _r(statistics.fmean(mine)) if mine else None,
                "other_processes_cpu_mean": _r(statistics.fmean(others)) if others else None}

    server = {"pid": pid, "idle": proc_stats("idle"), "load": proc_stats("load"), "after": proc_stats("after")}
    if "after" in clock.marks and args.after >= 20:
        server["after_last_10s"] = proc_stats("after", since=clock.now() - 10)
    server["memory"] = memory_figures(server, len(records))
    return {"args": {k: v for k, v in vars(args).items()}, "sessions": per, "across": across,
            "health": health_out, "server": server, "phases": clock.marks,
            "raw": {"updates": {r["session"]: r["updates"] for r in records},
                    "health": health, "process": procs,
                    "session_detail": [{k: r.get(k) for k in ("session", "page", "upstream", "connect_at",
                                                              "loaded_at", "clicked_at",
                                                              "playing_at", "ended_at", "counts",
                                                              "widgets_echoed", "protocol_errors")}
                                       for r in records]}}


def memory_figures(server, sessions):
    """The server's RSS: idle (the end of the idle phase), peak under load, the growth per session,
    the end of the after phase and its ratio to idle (sessions closed: is the memory back?)."""
    idle, peak, after = (server["idle"]["rss_mb_last"], server["load"]["rss_mb_peak"],
                         server["after"]["rss_mb_last"])
    return {"idle_mb": idle, "peak_mb": peak, "after_mb": after,
            "mb_per_session": _r((peak - idle) / sessions) if idle and peak and sessions else None,
            "after_over_idle": round(after / idle, 3) if idle and after else None}


def _ms(x):
    return None if x is None else round(1000 * x, 1)


def _r(x):
    return None if x is None else round(x, 1)


def _f(x, fmt="{:.1f}"):
    return "-" if x is None else fmt.format(x)


def print_report(rep, out=sys.stdout):
    def say(text=""):
        print(text, file=out)

    a, c, s = rep["args"], rep["across"], rep["server"]
    say(f"\n{a['sessions']} {'browser' if a['browser'] else 'browserless'} session(s), {a['seconds']:g} s "
        f"playing, {'pages' if len(a['pages']) > 1 else 'page'} {', '.join('/' + p for p in a['pages'])}"
        f"{'?' + a['query'] if a['query'] else ''}{' through nginx, ' + str(a['serve']) + ' app processes' if a['serve'] else ''}")
    say(f"{'sess':>4} {'page':>5} {'load s':>7} {'upd/s':>6} {'scr/s':>6} {'epochs/s':>9} {'1st upd s':>9} "
        f"{'max gap s':>9} {'rose':>5} {'KB/s in':>8}  error")
    for p in rep["sessions"]:
        rose = "yes" if p.get("rose_throughout") else "NO"
        say(f"{p['session']:>4} {p['page']:>5} {_f(p.get('load_s')):>7} {_f(p.get('updates_per_s')):>6} "
            f"{_f(p.get('screen_updates_per_s')):>6} {_f(p.get('epochs_per_s')):>9} "
            f"{_f(p.get('first_update_s'), '{:.2f}'):>9} {_f(p.get('longest_gap_s'), '{:.2f}'):>9} "
            f"{rose:>5} {_f(p.get('kb_in_per_s')):>8}  {p.get('error') or ''}")
    say("(upd/s: distinct Step values received; scr/s: those not replaced within one 60 Hz frame)")
    say(f"across sessions: median {_f(c['median_updates_per_s'])} updates/s "
        f"({_f(c['median_screen_updates_per_s'])} scr/s), min {_f(c['min_updates_per_s'])}, "
        f"min/median {_f(c['min_over_median'], '{:.2f}')}, sum {_f(c['sum_epochs_per_s'])} epochs/s, "
        f"{c['sessions_ok']}/{c['sessions']} rose throughout")
    if len(c["pages"]) > 1:
        for page, pc in c["pages"].items():
            say(f"  /{page}: {pc['sessions']} sessions, median {_f(pc['median_updates_per_s'])} updates/s, "
                f"min {_f(pc['min_updates_per_s'])}, min/median {_f(pc['min_over_median'], '{:.2f}')}, "
                f"{pc['sessions_ok']}/{pc['sessions']} rose throughout")
    if c["sessions_per_upstream"]:
        say("sessions per app process: " + ", ".join(f"{u} {n}" for u, n in c["sessions_per_upstream"].items()))
    if "all_playing_window_s" in c:
        say(f"window with every session playing: {c['all_playing_window_s']} s"
            + (f", updates/s in it: {c['all_playing_updates_per_s']}" if "all_playing_updates_per_s" in c else ""))
    for phase in ("idle", "load", "after"):
        h = rep["health"][phase]
        if h["polls"]:
            say(f"health ({phase}): p50 {_f(h['p50_ms'])} ms, p95 {_f(h['p95_ms'])} ms, "
                f"max {_f(h['max_ms'])} ms, {h['failures']}/{h['polls']} failed {' '.join(h['failure_kinds'])}")
    if s["pid"]:
        last = f" (last 10 s {_f(s['after_last_10s']['cpu_mean'])})" if "after_last_10s" in s else ""
        say(f"server CPU% mean: idle {_f(s['idle']['cpu_mean'])}, load {_f(s['load']['cpu_mean'])}, "
            f"after {_f(s['after']['cpu_mean'])}{last}")
        m = s["memory"]
        say(f"server RSS MB: idle {_f(m['idle_mb'])}, peak under load {_f(m['peak_mb'])} "
            f"({_f(m['mb_per_session'])} per session), at the end {_f(m['after_mb'])} "
            f"({_f(m['after_over_idle'], '{:.2f}')} of idle)")
    busy = s["load"]["other_processes_cpu_mean"]
    say(f"CPU% during load (100 = one core of {os.cpu_count()}): load generator with its child processes "
        f"{_f(s['load']['loadgen_cpu_mean'])}, everything else on the machine {_f(busy)}")
    if busy is not None and busy > 30:
        say(f"WARNING: other processes used {busy:.0f}% CPU during the run: the figures above are "
            f"not this app's alone")


# ----------------------------------------------------------------------------- main
class Server:
    """What is measured: ``url`` takes the traffic; ``pids()`` are its processes now; ``root``
    is the process whose subtree it is (None when it is not ours); ``warm_urls`` are the
    addresses a warm-up session opens (every app process, when behind nginx)."""

    def __init__(self, url, pids=(), root=None, warm_urls=None):
        self.url, self.root = url, root
        self._pids = pids if callable(pids) else (lambda: list(pids))
        self.warm_urls = warm_urls or [url]

    def pids(self):
        return self._pids()


async def run(args, server):
    base_url = server.url
    warm = []
    if not args.no_warm_up:
        jobs = [(url, page) for url in server.warm_urls for page in args.pages]
        for (url, page), (seconds, problem) in zip(jobs, await asyncio.gather(
                *(warm_up(args, url, page) for url, page in jobs))):
            warm.append({"url": url, "page": page, "seconds": round(seconds, 1), "error": problem})
            print(f"warm-up session {url}/{page}: {seconds:.1f} s{'; ' + problem if problem else ''}",
                  file=sys.stderr)
        await asyncio.sleep(3.0)                # let their training leases run out
    if args.wait_quiet:
        waited = await wait_quiet(server, args.wait_quiet)
        print(f"waited {waited:.0f} s for a quiet machine", file=sys.stderr)
    clock = Clock()
    stop = asyncio.Event()
    health, procs = [], []
    monitors = [asyncio.create_task(poll_health(base_url, clock, health, stop)),
                asyncio.create_task(monitor_process(server, clock, procs, stop))]
    await asyncio.sleep(args.idle)
    records = [new_record(i, args.pages[i % len(args.pages)]) for i in range(args.sessions)]
    clock.enter("load")
    browser = pw = None
    try:
        if args.browser:
            from playwright.async_api import async_playwright

            from tests.e2e.harness import launch_chromium
            pw = await async_playwright().start()
            browser = await launch_chromium(pw)

        async def one(i):
            await asyncio.sleep(STAGGER_S * i / max(args.sessions - 1, 1) if args.sessions > 1 else 0)
            if args.browser:
                await browser_session(i, args, base_url, clock, records[i], browser)
            else:
                await client_session(i, args, base_url, clock, records[i])

        bound = STAGGER_S + args.load_timeout + 30 + args.seconds + 30
        tasks = [asyncio.create_task(one(i)) for i in range(args.sessions)]
        done, pending = await asyncio.wait(tasks, timeout=bound)
        for t in pending:
            t.cancel()
        for i, t in enumerate(tasks):
            if t in pending and records[i]["error"] is None:
                records[i]["error"] = "timed out"
                records[i]["ended_at"] = records[i]["ended_at"] or clock.now()
    finally:
        if browser is not None:
            await browser.close()
        if pw is not None:
            await pw.stop()
    clock.enter("after")
    if args.after > 0:
        print(f"sessions closed; watching the server for {args.after:g} s more", file=sys.stderr)
        await asyncio.sleep(args.after)
    stop.set()
    await asyncio.gather(*monitors, return_exceptions=True)
    rep = summarize(args, records, health, procs, clock, server.pids())
    rep["warm_up"] = warm
    return rep


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds each session plays")
    ap.add_argument("--pages", "--page", default="mlp",
                    help="URL path of the page (mlp), a comma-separated mix (mlp,cnn), or all: every model page")
    ap.add_argument("--query", default="", help='query string, e.g. "net=8,8&data=spiral"')
    ap.add_argument("--url", default=None, help="an already running server (default: start one)")
    ap.add_argument("--pid", default=None, help="the --url server's process id(s), comma-separated, for CPU/RSS")
    ap.add_argument("--serve", type=int, default=0, metavar="N",
                    help="start scripts/serve.sh N (N app processes behind nginx) and go through nginx")
    ap.add_argument("--app-dir", default=str(ROOT), help="where app.py lives when starting a server")
    ap.add_argument("--after", type=float, default=180.0, help="seconds to watch the server after the sessions")
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of idle baseline before the sessions")
    ap.add_argument("--load-timeout", type=float, default=300.0,
                    help="seconds to wait for the page's first metric (a cold Numba cache compiles)")
    ap.add_argument("--wait-quiet", type=float, default=0.0,
                    help="first wait up to this many seconds until other processes leave the CPUs idle")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="skip the unmeasured first session that plays until Epoch moves (compiles the engine)")
    ap.add_argument("--browser", action="store_true", help="headless Chromium sessions instead")
    ap.add_argument("--no-cache", action="store_true", help="advertise no forward-message cache")
    ap.add_argument("--json", default=None, help="write the full report here")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.after < 0 or args.idle < 0:
        ap.error("--sessions >= 1, --seconds > 0, --after >= 0, --idle >= 0")
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost"):
            ap.error("--url must point at this machine (127.0.0.1)")
        args.url = args.url.rstrip("/").replace("://localhost", "://127.0.0.1")
    if args.url and args.serve:
        ap.error("--url or --serve, not both")
    args.query = args.query.lstrip("?")
    args.pages = _pages(args.pages)
    args.pid = [int(p) for p in args.pid.split(",") if p.strip()] if args.pid else []
    return args


def _pages(text):
    if text.strip() == "all":
        from tests.hosted.pages import model_pages
        return [p.path for p in model_pages()]
    return [p.strip().strip("/") for p in text.split(",") if p.strip()]


def main(argv=None):
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.url:
            server = Server(args.url, args.pid, root=args.pid[0] if len(args.pid) == 1 else None)
        elif args.serve:
            s = stack.enter_context(served(args.serve, timeout=args.load_timeout))
            server = Server(s.url, lambda: s.app_pids() + s.nginx_pids(), root=s.proc.pid,
                            warm_urls=[f"http://127.0.0.1:{p}" for p in s.app_ports])
        else:
            url, pid = stack.enter_context(streamlit_server(args.app_dir, timeout=180))
            server = Server(url, [pid], root=pid)
        rep = asyncio.run(run(args, server))
    print_report(rep)
    if args.json:
        Path(args.json).write_text(json.dumps(rep, indent=1, default=str))
    return rep


if __name__ == "__main__":
    main()
