"""A first visit to the MLP page: seconds from `streamlit run` to a usable page (Play moves Epoch).

    python bench/first_visit.py [--cold]      # --cold: an empty Numba cache (a fresh install)

Starts the real app (with NUMBA_CACHE_DIR pointing at a new empty folder for --cold), opens
/mlp in headless Chromium as soon as the server answers, and reports when the page showed its
controls, when Play became enabled and when the Epoch metric first moved after pressing it.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import launch_chromium, running_app  # noqa: E402

EPOCH_MOVED = """() => +[...document.querySelectorAll('[data-testid=stMetric]')]
  .find(e => e.innerText.startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]').innerText > 0"""


def first_visit(cold):
    start = time.perf_counter()
    marks = {}
    with tempfile.TemporaryDirectory() as cache:
        if cold:
            os.environ["NUMBA_CACHE_DIR"] = cache
        with running_app(timeout=300) as url, sync_playwright() as p:
            marks["server answers"] = time.perf_counter() - start
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/mlp")
            page.get_by_text("Learning rate", exact=True).wait_for(timeout=300_000)
            marks["controls shown"] = time.perf_counter() - start
            play = page.get_by_role("button", name="Play")
            page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                                   "b => b.innerText.trim().endsWith('Play') && !b.disabled)", timeout=600_000)
            marks["Play enabled"] = time.perf_counter() - start
            play.click()
            page.wait_for_function(EPOCH_MOVED, timeout=300_000)
            marks["Epoch moves"] = time.perf_counter() - start
            browser.close()
        os.environ.pop("NUMBA_CACHE_DIR", None)
    return marks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cold", action="store_true", help="start with an empty Numba cache")
    args = ap.parse_args()
    marks = first_visit(args.cold)
    print(f"{'cold' if args.cold else 'warm'} cache, seconds since `streamlit run`:")
    for name, seconds in marks.items():
        print(f"  {name:16s} {seconds:6.1f}")


if __name__ == "__main__":
    main()
