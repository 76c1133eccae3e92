import os
from pathlib import Path

import pytest

from .harness import CHROMIUM, running_app, wait_until_idle

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def app_url():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (scripts/test.sh installs Debian's chromium)")
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium, app_url):
    return chromium


@pytest.fixture
def open_page(browser, app_url):
    """open_page(path, width, height) -> a loaded page; fails the test on any stException."""
    pages = []

    def _open(path="/mlp", width=1400, height=1000):
        page = browser.new_page(viewport={"width": width, "height": height})
        pages.append(page)
        page.goto(app_url + path)
        page.wait_for_selector("[data-testid=stMetricValue]", timeout=180_000)
        wait_until_idle(page, timeout=120_000)
        return page

    yield _open
    for page in pages:
        assert page.locator("[data-testid=stException]").count() == 0, \
            page.locator("[data-testid=stException]").first.inner_text()
        page.close()


def screenshot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
