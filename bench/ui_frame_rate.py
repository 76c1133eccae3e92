"""Live MLP page speed: frames on screen, Pause latency, bytes and server time per frame.

    python bench/ui_frame_rate.py [--seconds 6] [--url-query "net=8,8,8,8,8,8"]

Starts the real app, opens it in headless Chromium (Debian's /usr/bin/chromium),
presses Play and counts distinct values of the Step metric (a MutationObserver
in the page), the epochs each update advances, and the websocket bytes received.
Then presses Pause (five times) and times how long after the browser saw the
click the Step metric kept changing. Finally it
times the server's work per frame in this process, split into training,
snapshot + frame and charts, for the same settings.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import launch_chromium, running_app, wait_until_idle  # noqa: E402

OBSERVE = """() => {
  window.__updates = [];
  const value = (label) => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]'))
      if (m.querySelector('[data-testid=stMetricLabel]').textContent.trim() === label)
        return m.querySelector('[data-testid=stMetricValue]').textContent.replace(/,/g, '');
    return null;
  };
  window.__value = value;
  document.addEventListener('click', () => { window.__clickAt = performance.now(); }, true);
  let last = value('Step');
  new MutationObserver(() => {
    const step = value('Step');
    // an element being rebuilt is briefly empty: that is not an update
    if (step && step !== last) { last = step; window.__updates.push([performance.now(), +step]); }
  }).observe(document.querySelector('[data-testid=stMain]'), {subtree: true, childList: true, characterData: true});
}"""


def browser_figures(url, query, seconds, pauses=5):
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        received = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
        page.goto(f"{url}/mlp?{query}")
        page.wait_for_selector("[data-testid=stMetricValue]", timeout=120_000)
        wait_until_idle(page, timeout=120_000)
        page.evaluate(OBSERVE)
        page.get_by_role("button", name="Play").click()
        time.sleep(1.5)                                   # let the loop settle
        page.evaluate("() => { window.__updates = []; }")
        bytes_before = sum(received)
        time.sleep(seconds)
        updates = page.evaluate("() => window.__updates")
        bytes_during = sum(received) - bytes_before
        latencies = []
        for cycle in range(pauses):
            if cycle:
                page.get_by_role("button", name="Play").click()
                time.sleep(1.5)
            page.get_by_role("button", name="Pause").click()
            time.sleep(1.5)
            t_click = page.evaluate("() => window.__clickAt")   # when the browser saw the click
            late = [u[0] for u in page.evaluate("() => window.__updates") if u[0] > t_click]
            latencies.append((max(late) - t_click) / 1000 if late else 0.0)
        browser.close()
    pause_latency = statistics.median(latencies)
    steps = [b[1] - a[1] for a, b in zip(updates, updates[1:])]
    return {"fps": len(updates) / seconds, "steps_per_update": steps,
            "pause_latency_s": pause_latency, "pause_latency_max_s": max(latencies),
            "bytes_per_frame": bytes_during / max(len(updates), 1)}


def server_figures(query, frames=60):
    """Milliseconds per frame of the server's work, measured in this process."""
    from urllib.parse import parse_qsl

    from ui.mlp.run import MlpRun
    from ui.mlp.settings import MlpSettings
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
        frame = run.frame_data(run.snap, interactive=True)
        t2 = time.perf_counter()
        charts = [loss_chart(run.snap), accuracy_chart(run.snap), gradient_chart(run.snap, run.layer_names())]
        t3 = time.perf_counter()
        json.dumps(frame), json.dumps(charts)
        t4 = time.perf_counter()
        for k, v in zip(split, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            split[k].append(v * 1e3)
    return {k: statistics.median(v) for k, v in split.items()}, run.trainer.steps_per_epoch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--url-query", default="net=8,8,8,8,8,8&data=spiral")
    args = ap.parse_args()
    with running_app() as url:
        b = browser_figures(url, args.url_query, args.seconds)
    s, per_epoch = server_figures(args.url_query)
    epochs = [n / per_epoch for n in b["steps_per_update"]] or [0]
    print(f"settings: {args.url_query} ({per_epoch} steps per epoch)")
    print(f"screen updates per second:   {b['fps']:.1f}")
    print(f"epochs per update:           min {min(epochs):g}, median {statistics.median(epochs):g}")
    print(f"pause latency:               median {b['pause_latency_s'] * 1000:.0f} ms, "
          f"max {b['pause_latency_max_s'] * 1000:.0f} ms (5 pauses)")
    print(f"bytes received per update:   {b['bytes_per_frame'] / 1024:.1f} KB")
    print("server ms per frame (median): " + ", ".join(f"{k} {v:.2f}" for k, v in s.items()))


if __name__ == "__main__":
    main()
