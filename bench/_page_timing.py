"""Timing a live page in headless Chromium: distinct Step values on screen, Play and Pause
latency, bytes received, and the server's and the browser's time per update."""
import os
import time

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
