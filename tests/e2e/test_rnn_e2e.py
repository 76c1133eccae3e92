"""The RNN page in headless Chromium against the real `streamlit run app.py`."""
import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.tiers import variants

from .conftest import screenshot
from .harness import wait_until_idle

pytestmark = pytest.mark.e2e

CANVAS = ".rnv canvas"            # pierces the component's shadow root


def values(page, label):
    """The value of every metric called ``label``, in page order (one row per cell)."""
    boxes = page.locator("[data-testid=stMetric]").filter(has_text=label)
    return [int(v.replace(",", "")) if v.replace(",", "").isdigit() else v
            for v in boxes.locator("[data-testid=stMetricValue]").all_inner_texts()]


def wait_for_step(page, above, row=0, timeout=60_000):
    page.wait_for_function(
        """([above, row]) => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]
             .filter(e => e.innerText.startsWith('Step'))[row];
           return m && +m.querySelector('[data-testid=stMetricValue]').innerText.replace(/,/g, '') > above; }""",
        arg=[above, row], timeout=timeout)


def canvas_drawn(page, min_height=300):
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
             .some(e => e.shadowRoot && (c => c && c.height > {min_height})(e.shadowRoot.querySelector('{CANVAS}')))""",
        timeout=30_000)


def test_page_loads_and_draws(open_page):
    page = open_page("/rnn")
    assert values(page, "Epoch") == [0]
    canvas_drawn(page)
    screenshot(page, "rnn-1400x1000")


def test_play_advances_step_and_the_hidden_state_view_moves(open_page):
    page = open_page("/rnn?task=delayed_recall")
    canvas_drawn(page)
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_step(page, 20)
    first = page.locator(CANVAS).first.screenshot()
    wait_for_step(page, values(page, "Step")[0] + 100)
    time.sleep(0.5)
    second = page.locator(CANVAS).first.screenshot()
    assert first != second
    screenshot(page, "rnn-playing")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)
    time.sleep(0.5)
    stopped = values(page, "Step")[0]
    time.sleep(1.5)
    assert values(page, "Step")[0] == stopped > 100


def test_compare_mode_shows_two_runs_advancing(open_page):
    page = open_page("/rnn?task=delayed_recall&delay=40&vs=rnn")
    assert len(values(page, "Step")) == 2
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_step(page, 50, row=0)
    wait_for_step(page, 50, row=1)
    first = values(page, "Step")
    time.sleep(2)
    second = values(page, "Step")
    assert second[0] > first[0] and second[1] > first[1]
    assert abs(second[0] - second[1]) < max(second) // 2 + 64          # in lock step
    assert page.locator(CANVAS).count() == 2
    screenshot(page, "rnn-compare-playing")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)


def test_generated_text_appears_and_changes_with_the_temperature(open_page):
    page = open_page("/rnn?task=text&text=zen&units=16")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_until_idle(page)
    text = page.locator(".rnn-text").first
    before = text.inner_text()
    assert before.startswith("Beautiful is") and len(before) > 400
    assert text.locator("span[title]").count() == 500             # each character's probability on hover
    slider = page.locator("[data-testid=stSlider]").filter(has_text="Temperature").get_by_role("slider")
    slider.focus()
    slider.press("End")                                           # temperature 2
    page.wait_for_function("() => new URLSearchParams(location.search).get('temp') === '2'", timeout=20_000)
    wait_until_idle(page)
    time.sleep(0.5)
    after = page.locator(".rnn-text").first.inner_text()
    assert after.startswith("Beautiful is") and after != before
    screenshot(page, "rnn-text")


def test_a_link_restores_the_setup_compare_mode_included(open_page):
    page = open_page("/rnn?task=delayed_recall&delay=30&vs=gru")
    page.locator("[data-testid=stSelectbox]").filter(has_text="Optimizer").click()
    page.get_by_role("option", name="RMSProp").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('opt') === 'rmsprop'", timeout=20_000)
    query = parse_qs(urlparse(page.url).query)
    assert query == {"task": ["delayed_recall"], "delay": ["30"], "vs": ["gru"], "opt": ["rmsprop"]}
    other = open_page("/rnn?" + urlparse(page.url).query)
    assert parse_qs(urlparse(other.url).query) == query
    other.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMetric]')]
        .filter(e => e.innerText.startsWith('Step')).length === 2""", timeout=30_000)   # both cells
    body = other.locator("[data-testid=stMain]").inner_text()
    assert "LSTM" in body and "GRU" in body
    assert other.get_by_role("combobox", name="Compare with", exact=True).input_value() == "GRU"
    assert other.get_by_role("combobox", name="Optimizer", exact=True).input_value() == "RMSProp"


@pytest.mark.parametrize("width, height", variants([(400, 800)], [(1024, 768)]))
def test_smaller_screens(open_page, width, height):
    page = open_page("/rnn?task=delayed_recall&vs=rnn", width, height)
    canvas_drawn(page, 200)
    widths = page.evaluate(f"""() => [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
        .map(e => e.shadowRoot && e.shadowRoot.querySelector('{CANVAS}')).filter(Boolean)
        .map(c => c.getBoundingClientRect().right)""")
    assert widths and max(widths) <= width                      # nothing runs off the screen
    screenshot(page, f"rnn-{width}x{height}")
    page.locator(".rnv").first.scroll_into_view_if_needed()
    time.sleep(0.3)
    screenshot(page, f"rnn-{width}x{height}-views")
