"""The live RNN page in headless Chromium: the issue's targets, measured as a user would see them.

    python bench/rnn_page.py [--case recall] [--case text] [--case frames] [--seconds 60]

recall: delayed recall, delay 100, compare mode (LSTM against a plain RNN), every other setting
        the task's default (`/rnn?task=delayed_recall&delay=100&vs=rnn`). Presses Play and reads both
        rows of metrics twice a second: when the LSTM's test accuracy first reaches 95 %, and the
        RNN's best accuracy within the time (target: LSTM >= 95 % within 60 s, RNN < 40 %).
text:   the text task on the long text (the page's default text), Play for 60 s, Pause, then the
        500-character sample at temperature 0.5 as the page shows it: the share of its words that
        occur in the training text (target: at least 70 %).
frames: distinct screen updates per second while playing (the Step metric, as bench/ui_frame_rate.py
        counts them) and Pause latency, for one cell and in compare mode (target: >= 10/s, <= 0.3 s).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.sync_api import sync_playwright  # noqa: E402

from engine.data.sequences import TEXTS  # noqa: E402
from tests.e2e.harness import launch_chromium, running_app, wait_until_idle  # noqa: E402
from _page_timing import OBSERVE  # noqa: E402
from viz.rnn import word_rate  # noqa: E402

METRICS = """() => [...document.querySelectorAll('[data-testid=stMetric]')].map(m =>
  [m.querySelector('[data-testid=stMetricLabel]').textContent.trim(),
   m.querySelector('[data-testid=stMetricValue]').textContent.replace(/,/g, '')])"""
RECALL_QUERY = "task=delayed_recall&delay=100&vs=rnn"


def open_rnn(browser, url, query, width=1400, height=1000, received=None):
    """The page at /rnn?query, loaded; ``received`` collects the sizes of websocket frames."""
    page = browser.new_page(viewport={"width": width, "height": height})
    if received is not None:
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    page.goto(f"{url}/rnn?{query}")
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=180_000)
    wait_until_idle(page, timeout=180_000)
    return page


def rows(page):
    """[{label: value}] per cell: one row of metrics per cell, in page order."""
    out = []
    for label, value in page.evaluate(METRICS):
        if label == "Epoch":
            out.append({})
        out[-1][label] = value
    return out


def percent(text):
    return float(text.rstrip("%")) / 100 if text.endswith("%") else float("nan")


def recall(browser, url, seconds):
    page = open_rnn(browser, url, RECALL_QUERY)
    page.get_by_role("button", name="Play", exact=True).click()
    start, first, best_rnn = time.monotonic(), None, 0.0
    while time.monotonic() - start < seconds:
        time.sleep(0.5)
        lstm, rnn = rows(page)[:2]
        elapsed = time.monotonic() - start
        acc_lstm, acc_rnn = percent(lstm["Test accuracy"]), percent(rnn["Test accuracy"])
        best_rnn = max(best_rnn, acc_rnn)
        if first is None and acc_lstm >= 0.95:
            first = elapsed
        if round(elapsed * 2) % 10 == 0 or first == elapsed:
            print(f"  {elapsed:5.1f} s  LSTM step {lstm['Step']:>6} {acc_lstm:6.1%}   RNN step {rnn['Step']:>6} "
                  f"{acc_rnn:6.1%}", flush=True)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.close()
    when = f"first at {first:.1f} s" if first is not None else f"not within {seconds:g} s"
    print(f"recall, delay 100, compare mode: LSTM 95 % {when}; RNN best {best_rnn:.1%} in {seconds:g} s")
    return first, best_rnn


def text(browser, url, seconds):
    page = open_rnn(browser, url, "task=text")
    page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(seconds)
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)
    time.sleep(1.0)
    step = rows(page)[0]["Step"]
    sample = page.locator(".rnn-text").first.inner_text()
    prompt = page.locator(".rnn-text span").first.inner_text()
    drawn = sample[len(prompt):]
    rate = word_rate(drawn, TEXTS["kjv"]())
    page.close()
    print(f"text: after {seconds:g} s of Play ({step} steps), {rate:.0%} of the words of a {len(drawn)}-character "
          f"sample at temperature 0.5 occur in the text")
    print("  " + drawn[:300].replace("\n", " / "))
    return rate


def frames(browser, url, query, seconds=6.0, pauses=5):
    received = []
    page = open_rnn(browser, url, query, received=received)
    page.evaluate(OBSERVE)
    page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(2.0)
    page.evaluate("() => { window.__updates = []; }")
    before = sum(received)
    time.sleep(seconds)
    updates = page.evaluate("() => window.__updates")
    sent = sum(received) - before
    latencies = []
    for cycle in range(pauses):
        if cycle:
            page.get_by_role("button", name="Play", exact=True).click()
            time.sleep(1.5)
        page.get_by_role("button", name="Pause", exact=True).click()
        time.sleep(1.5)
        t_click = page.evaluate("() => window.__clickAt")
        late = [u[0] for u in page.evaluate("() => window.__updates") if u[0] > t_click]
        latencies.append((max(late) - t_click) / 1000 if late else 0.0)
    page.close()
    fps = len(updates) / seconds
    print(f"frames, /rnn?{query}: {fps:.1f} updates/s, {sent / max(len(updates), 1) / 1024:.0f} KB per update; "
          f"Pause latency median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    return fps, latencies


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", choices=["recall", "text", "frames"])
    ap.add_argument("--seconds", type=float, default=60.0, help="Play time for recall and text")
    args = ap.parse_args()
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]}")
    with running_app() as url, sync_playwright() as p:
        browser = launch_chromium(p)
        for case in args.case or ["recall", "text", "frames"]:
            if case == "recall":
                recall(browser, url, args.seconds)
            elif case == "text":
                text(browser, url, args.seconds)
            else:
                for query in ("", RECALL_QUERY, "task=text&vs=gru"):
                    frames(browser, url, query)
        browser.close()
    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
