"""Timing a live page in headless Chromium: distinct Step values on screen, Play and Pause
latency, bytes received, and the server's and the browser's time per update."""
import os
import time

from tests.e2e.harness import wait_until_idle

TICK = os.sysconf("SC_CLK_TCK")
BROWSER_METRICS = ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")

OBSERVE = """() => {
  window.__updates = [];
  const value = (label) => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]'))
      if (m.querySelector('[data-testid=stMetricLabel]').textContent.trim() === label)
        return m.querySelector('[data-testid=stMetricValue]').textContent.replace(/,/g, '');
    return null;
  };
  document.addEventListener('click', () => { window.__clickAt = performance.now(); }, true);
  let last = value('Step');
  new MutationObserver(() => {
    const step = value('Step');
    // an element being rebuilt is briefly empty: that is not an update
    if (step && step !== last) { last = step; window.__updates.push([performance.now(), +step]); }
  }).observe(document.querySelector('[data-testid=stMain]'), {subtree: true, childList: true, characterData: true});
}"""


def open_observed(browser, url, timeout=300_000):
    """A 1400x1000 tab on ``url``, loaded and idle, that records each new Step on screen (OBSERVE).
    Returns (page, Chrome DevTools session with Performance on, list of websocket bytes received)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    page.goto(url)
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=timeout)
    wait_until_idle(page, timeout=timeout)
    page.evaluate(OBSERVE)
    return page, cdp, received


def cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def updates_after(page, t):
    return [u[0] for u in page.evaluate("() => window.__updates") if u[0] > t]


def click(page, name):
    """Click the button and return when the browser saw the click (page clock, ms)."""
    page.get_by_role("button", name=name).click()
    return page.evaluate("() => window.__clickAt")


def play(page):
    """Press Play; seconds until the first new Step showed (None if none within 3 s)."""
    t = click(page, "Play")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        later = updates_after(page, t)
        if later:
            return (min(later) - t) / 1000
        time.sleep(0.02)
    return None


def steady_figures(page, cdp, pid, received, seconds):
    """Updates, bytes and CPU over ``seconds`` of playing."""
    page.evaluate("() => { window.__updates = []; }")
    bytes_before, cpu_before = sum(received), cpu_seconds(pid)
    perf_before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    time.sleep(seconds)
    updates = page.evaluate("() => window.__updates")
    perf_after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    n = max(len(updates), 1)
    return {"fps": len(updates) / seconds, "updates": updates,
            "bytes_per_update": (sum(received) - bytes_before) / n,
            "server_ms_per_update": 1000 * (cpu_seconds(pid) - cpu_before) / n,
            "browser_ms_per_update": {k: 1000 * (perf_after[k] - perf_before[k]) / n for k in BROWSER_METRICS}}


def random_pause(page, rng, settle=1.2):
    """Pause at a random moment of the frame loop; seconds the Step kept changing after the click."""
    time.sleep(rng.uniform(0.4, 1.6))
    t = click(page, "Pause")
    time.sleep(settle)
    late = updates_after(page, t)
    return (max(late) - t) / 1000 if late else 0.0
