import os

import pytest

from tests.e2e.harness import CHROMIUM, ROOT, launch_chromium, streamlit_server


@pytest.fixture(scope="session")
def fuzz_full():
    """NNP_FUZZ_FULL=1: 500 hostile links per page against the real app (default: a few)."""
    return os.environ.get("NNP_FUZZ_FULL") == "1"


@pytest.fixture(scope="session")
def app_server():
    """One `streamlit run app.py` for the hosted tests: (base URL, process id)."""
    with streamlit_server(ROOT, timeout=180) as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()
