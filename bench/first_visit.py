"""A first visit to the MLP page: seconds from `streamlit run` to a usable page (Play moves Epoch).

    python bench/first_visit.py [--cold] [--repeat 3] [--app-dir DIR]

Starts headless Chromium first (a visitor's browser is already open), then the real app
(with NUMBA_CACHE_DIR pointing at a new empty folder for --cold), opens /mlp as soon as
the server answers, and reports when the page showed its controls, when Play became
enabled and when the Epoch metric first moved after pressing it, each counted from the
moment `streamlit run` was started, and the server's CPU seconds by then (on a shared
machine the CPU seconds move less than the wall time). ``--repeat`` runs it several times and
prints the median of each figure; ``--app-dir`` serves another checkout (to compare two versions).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import launch_chromium, streamlit_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

EPOCH_MOVED = """() => +[...document.querySelectorAll('[data-testid=stMetric]')]
  .find(e => e.innerText.startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]').innerText > 0"""
PLAY_ENABLED = """() => [...document.querySelectorAll('button')].some(
  b => b.innerText.trim().endsWith('Play') && !b.disabled)"""


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def first_visit(cold, app_dir=ROOT):
    marks = {}
    with tempfile.TemporaryDirectory() as cache, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        if cold:
            os.environ["NUMBA_CACHE_DIR"] = cache
        try:
            start = time.perf_counter()
            with streamlit_server(app_dir, timeout=300) as (url, pid):
                marks["server answers"] = time.perf_counter() - start
                cpu_at_start = cpu_seconds(pid)
                page.goto(url + "/mlp", wait_until="commit")
                page.get_by_text("Learning rate", exact=True).wait_for(timeout=300_000)
                marks["controls shown"] = time.perf_counter() - start
                page.wait_for_function(PLAY_ENABLED, timeout=600_000)
                marks["Play enabled"] = time.perf_counter() - start
                page.get_by_role("button", name="Play", exact=True).click()
                page.wait_for_function(EPOCH_MOVED, timeout=300_000)
                marks["Epoch moves"] = time.perf_counter() - start
                marks["server CPU s"] = cpu_seconds(pid)
                marks["of it after start"] = marks["server CPU s"] - cpu_at_start
        finally:
            os.environ.pop("NUMBA_CACHE_DIR", None)
            browser.close()
    return marks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cold", action="store_true", help="start with an empty Numba cache")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--app-dir", default=str(ROOT), help="the checkout whose app.py to serve (default: this one)")
    args = ap.parse_args()
    runs = []
    for _ in range(args.repeat):
        runs.append(first_visit(args.cold, args.app_dir))
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in runs[-1].items()), f"(load {os.getloadavg()[0]:.2f})",
              flush=True)
    print(f"{'cold' if args.cold else 'warm'} cache, {args.app_dir}, seconds since `streamlit run` "
          f"(median of {len(runs)}):")
    for name in runs[0]:
        print(f"  {name:16s} {statistics.median(r[name] for r in runs):6.1f}")


if __name__ == "__main__":
    main()
