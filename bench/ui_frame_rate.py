"""Live MLP page speed in one Chromium tab: updates on screen, Play and Pause latency, CPU per update.

    python bench/ui_frame_rate.py [--seconds 8] [--pauses 12] [--url-query "net=8,8,8,8,8,8&data=spiral"]
                                  [--app-dir DIR]   # another checkout, e.g. to compare two versions

Starts the real app, opens it in headless Chromium (Debian's /usr/bin/chromium),
presses Play and counts distinct values of the Step metric (a MutationObserver
in the page), the epochs each update advances, and the websocket bytes received.
Over the same seconds it reads the server process's CPU time (/proc) and the
tab's main-thread time (Chrome's Performance metrics: script, style, layout), so
both are reported per delivered update. Then it pauses ``--pauses`` times, each
at a random moment 0.4-1.6 s after Play: Pause latency is how long after the
browser saw the click the Step metric kept changing, Play latency how long after
the click the first new Step showed. Finally it times the server's work per frame
in this process (training, snapshot + frame, charts, JSON) for the same settings.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import launch_chromium, streamlit_server  # noqa: E402
from _page_timing import open_observed, play, random_pause, steady_figures  # noqa: E402


def browser_figures(url, pid, query, seconds, pauses, seed=0):
    rng = random.Random(seed)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page, cdp, received = open_observed(browser, f"{url}/mlp?{query}")
        plays = [play(page)]
        time.sleep(1.5)                                   # let the loop settle
        out = steady_figures(page, cdp, pid, received, seconds)
        pause_latencies = []
        for cycle in range(pauses):
            if cycle:
                plays.append(play(page))
            pause_latencies.append(random_pause(page, rng, settle=1.5))
        browser.close()
    out.update(pause=pause_latencies, play=[p for p in plays if p is not None], play_missed=plays.count(None))
    return out


def server_figures(query, frames=60):
    """Milliseconds per frame of the server's work, measured in this process."""
    from urllib.parse import parse_qsl

    from ui.mlp.run import MlpRun
    from ui.mlp.settings import MlpSettings
    from ui.mlp.views import dense_names
    from ui.url import decode
    from viz.curves import accuracy_chart, gradient_chart, loss_chart

    settings, _ = decode(dict(parse_qsl(query)), MlpSettings)
    run = MlpRun(settings)
    run.advance(1)
    split = {"train": [], "snapshot+frame": [], "charts": [], "json": []}
    for _ in range(frames):
        t0 = time.perf_counter()
        run.advance(settings.speed)
        t1 = time.perf_counter()
        frame = run.frame(run.snap, interactive=False, full=False)
        t2 = time.perf_counter()
        charts = [loss_chart(run.snap), accuracy_chart(run.snap), gradient_chart(run.snap, [n for n, _ in dense_names(run.snap)])]
        t3 = time.perf_counter()
        json.dumps(frame), json.dumps(charts)
        t4 = time.perf_counter()
        for k, v in zip(split, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            split[k].append(v * 1e3)
    return {k: statistics.median(v) for k, v in split.items()}, run.trainer.steps_per_epoch


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--pauses", type=int, default=12)
    ap.add_argument("--url-query", default="net=8,8,8,8,8,8&data=spiral")
    ap.add_argument("--app-dir", default=str(ROOT), help="the checkout whose app.py to serve (default: this one)")
    ap.add_argument("--browser-only", action="store_true", help="skip the in-process server timing")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with streamlit_server(args.app_dir) as (url, pid):
        b = browser_figures(url, pid, args.url_query, args.seconds, args.pauses)
    s, per_epoch = ({}, 25) if args.browser_only else server_figures(args.url_query)
    steps = [q[1] - p[1] for p, q in zip(b["updates"], b["updates"][1:])]
    epochs = [n / per_epoch for n in steps] or [0]
    print(f"app: {args.app_dir}; settings: {args.url_query} ({per_epoch} steps per epoch); "
          f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"screen updates per second:   {b['fps']:.1f}")
    print(f"epochs per update:           min {min(epochs):g}, median {statistics.median(epochs):g}")
    print(f"play to first update:        median {ms(statistics.median(b['play']))}, "
          f"max {ms(max(b['play']))} ({len(b['play'])} plays, {b['play_missed']} without an update in 3 s)")
    print(f"pause latency:               median {ms(statistics.median(b['pause']))}, "
          f"max {ms(max(b['pause']))} ({len(b['pause'])} pauses at random moments)")
    print(f"bytes received per update:   {b['bytes_per_update'] / 1024:.1f} KB")
    print(f"server CPU per update:       {b['server_ms_per_update']:.1f} ms (the whole server process)")
    print("browser ms per update:       " + ", ".join(f"{k.replace('Duration', '').lower()} {v:.1f}"
                                                       for k, v in b["browser_ms_per_update"].items()))
    if s:
        print("server ms per frame (median, in this process): " + ", ".join(f"{k} {v:.2f}" for k, v in s.items()))


if __name__ == "__main__":
    main()
