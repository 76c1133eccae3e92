"""Activation statistics in Chromium (issue 18): on the MLP page with six sigmoid layers and batch norm,
the per-layer bands move while playing and, paused, every layer's histogram shows; at 1400, 1024 and
400 px wide."""
import json
import time

import pytest

from tests.tiers import variants

from .conftest import screenshot
from .harness import wait_until_idle

pytestmark = pytest.mark.e2e

BANDS = "canvas[aria-label=\"Each layer's pre-activations over the epochs\"]"
CHANNEL = ".st-key-frames-mlp-activations"


def bands(page):
    """(last epoch of the bands' frame, the canvas's pixels as a data URL) as the browser has them."""
    text = page.locator(CHANNEL).inner_text()
    frame = json.loads(text) if text.strip() else {"charts": []}
    epoch = frame["charts"][0]["x"][-1] if frame["charts"] else -1
    return epoch, page.locator(BANDS).evaluate("c => c.toDataURL()")


@pytest.mark.parametrize("width, height", variants([(1024, 768)], [(1400, 1000), (400, 860)]))
def test_the_bands_move_while_playing_and_the_histograms_show_when_paused(open_page, width, height):
    page = open_page("/mlp?net=8,8,8,8,8,8&act=sigmoid&bn=1", width, height)
    canvas = page.locator(BANDS)
    canvas.wait_for(state="attached", timeout=30_000)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => {{ try {{ return JSON.parse(document.querySelector('{CHANNEL}').innerText)"
                           ".charts[0].x.slice(-1)[0] > 5; } catch (e) { return false; } }", timeout=60_000)
    canvas.scroll_into_view_if_needed()
    first = second = bands(page)
    for _ in range(40):              # 0.5-1.5 s on a quiet machine; a loaded one (CI: 18) trains slower
        time.sleep(0.5)
        second = bands(page)
        if second[0] > first[0] and second[1] != first[1]:
            break
    assert second[0] > first[0] and second[1] != first[1]          # new epochs, and drawn
    box = canvas.bounding_box()
    assert box["width"] <= width and box["height"] > 150
    screenshot(page, f"activations-playing-{width}")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)
    expander = page.locator("[data-testid=stExpander]").filter(has_text="Histograms of the pre-activations")
    expander.wait_for(timeout=30_000)
    chart = expander.locator("[data-testid=stPlotlyChart]")
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stPlotlyChart] .bars path').length > 20",
                           timeout=30_000)
    rows = chart.locator("text[class^=y][class$=title]").evaluate_all("els => els.map(e => e.textContent)")
    assert rows[:3] == ["layer 1", "layer 2", "layer 3"] and "output" in rows
    assert chart.bounding_box()["width"] <= width
    screenshot(page, f"activations-paused-{width}")
