import os
import time

import numpy as np
import pytest

from tests.e2e.harness import CHROMIUM, launch_chromium

# The quick tests first (the engine's numerics, the views, the pages' logic), then the ones that
# drive a real server and browser: if the run is short of time, what is left is the slowest kind.
ORDER = ("tests/engine", "tests/viz", "tests/ui", "tests/export", "tests/bench", "tests/hosted", "tests/e2e")
# CI's budget is 20 minutes for set-up and tests. Once this long (17 min) has passed since scripts/test.sh
# started (NNP_RUN_STARTED; else since this process did), a worker skips the tests it has not
# started, each named in the summary (-ra) with the reason: a safety net, not a plan; keep the
# suite well under it. NNP_FULL=1 (or NNP_TEST_BUDGET=0) never skips.
BUDGET_SECONDS = float(os.environ.get("NNP_TEST_BUDGET", "1020"))
STARTED = float(os.environ.get("NNP_RUN_STARTED") or time.time())


def pytest_collection_modifyitems(items):
    """Folders in ORDER; within a folder the files with most tests first, so that the two workers
    (scripts/test.sh: --dist loadfile --no-loadscope-reorder, which keeps this order) end together
    rather than one waiting for the other's last long file."""
    files = {}
    for item in items:
        files[_file(item)] = files.get(_file(item), 0) + 1

    def rank(item):
        path = _file(item)
        folder = next((i for i, prefix in enumerate(ORDER) if path.startswith(prefix)), len(ORDER))
        return folder, -files[path], path
    items.sort(key=rank)                 # stable: each file keeps its own order


def _file(item):
    return item.nodeid.split("::")[0]


def pytest_runtest_setup(item):
    if os.environ.get("NNP_FULL") or BUDGET_SECONDS <= 0:
        return
    spent = time.time() - STARTED
    if spent > BUDGET_SECONDS:
        pytest.skip(f"over the run's time budget ({spent:.0f} s > {BUDGET_SECONDS:.0f} s since the start): "
                    "run it alone or with NNP_FULL=1")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run: Playwright's sync API allows one instance per
    process, so tests/e2e and tests/hosted share it."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()
