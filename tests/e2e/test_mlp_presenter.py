"""The MLP page on a projector and on one screen, in headless Chromium: presenter mode's text whole and
large, the network, the output and the loss together at 1024 x 768, Play and the network on a phone's
first screen, and a hovered neuron's map on the output."""
import pytest

from tests.tiers import variants

from .conftest import screenshot
from .harness import wait_until_idle
from .presenter import projector_check
from .test_mlp_classroom import STATE, state

pytestmark = pytest.mark.e2e

NETWORK = "Network and output"
LAYOUT = STATE.replace("columns: st.L.columns.map(c => c[0])}", "columns: st.L.columns.map(c => c[0]), "
                       "rows: st.L.columns.map(c => c.at(-1)), tile: st.L.s, chart: st.L.chart, height: st.L.height, "
                       "minFont: +st.canvas.dataset.minFont, present: !!(st.data.view && st.data.view.present)}")


@pytest.mark.parametrize("query", variants(["&zoom=2&net=8,8,8,8,8,8&data=spiral"], ["", "&contrast=1&zoom=1.5"]))
def test_on_a_projector_every_text_is_whole_and_at_least_16_px(open_page, query):
    """Presenter mode at 1024 x 768 and 1280 x 720: no text cut, and the canvases' smallest text 16 px
    or more (the network canvas drew 12 px text, zoomed by at most 1.25)."""
    name = "mlp" + query.replace("&", "-").replace("=", "-").replace(",", "")
    cut, small, seen = projector_check(open_page, f"/mlp?present=1{query}", name)
    assert not cut, cut
    assert not small, small
    assert seen.count(NETWORK) == 2 and seen.count("Training curves") == 2       # at both projector sizes


def layout(page):
    page.wait_for_function(f"() => ({LAYOUT})()?.minFont > 0", timeout=30_000)
    return page.evaluate(f"() => ({LAYOUT})()")


def test_the_network_the_output_and_the_loss_fit_one_laptop_screen(open_page):
    """1024 x 768 with the sidebar open, as a student opens the page: the network (every tile), the
    output plot with its legend and the loss curve all within the first 768 px (the network began at
    about 650 px, under the training controls, and the curves far below)."""
    page = open_page("/mlp", width=1024, height=768)
    assert page.locator("[data-testid=stSidebar]").get_attribute("aria-expanded") != "false"
    s = layout(page)
    screenshot(page, "mlp-one-screen-1024x768")
    bottom = s["top"] + s["height"] * s["zoom"]                       # the canvas's last pixel, legend included
    lowest_tile = max(c["y"] for c in s["rows"]) + s["tile"]
    assert s["top"] > 0 and bottom <= 768, (s["top"], bottom)
    assert s["top"] + lowest_tile * s["zoom"] <= 768
    assert s["chart"]["h"] > 20 and s["top"] + s["chart"]["y"] * s["zoom"] > 0     # the loss curve, above the plot
    assert s["plot"]["size"] * s["zoom"] >= 200                                    # an output one can read
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()
    assert play["y"] + play["height"] <= 768


def test_play_and_the_network_on_a_phones_first_screen(open_page):
    page = open_page("/mlp", width=400, height=800)
    s = layout(page)
    screenshot(page, "mlp-phone-first-screen")
    lowest_tile = max(c["y"] for c in s["rows"]) + s["tile"]
    assert s["top"] + lowest_tile * s["zoom"] <= 800
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()
    assert play["y"] + play["height"] <= 800


FOCUS = """() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
  const root = e.shadowRoot && e.shadowRoot.querySelector('.nnv');
  if (root && root.__state && root.__state.data) { const f = root.__state.data.focus;
    return f && f.u8 ? [f.layer, f.unit, f.u8.length] : null; } } }"""


def test_hovering_a_neuron_shows_its_map_on_the_output(open_page):
    page = open_page("/mlp")
    s = state(page)
    tile = s["columns"][1]                                          # the first hidden layer's first neuron
    page.mouse.move(s["left"] + (tile["x"] + 10) * s["zoom"], s["top"] + (tile["y"] + 10) * s["zoom"])
    page.wait_for_function(f"() => JSON.stringify(({FOCUS})()) === '[0,0,{121 * 121}]'", timeout=20_000)   # the paused grid
    screenshot(page, "mlp-hover-neuron")
    page.mouse.move(2, 2)
    page.wait_for_function(f"() => ({FOCUS})() === null", timeout=20_000)
    wait_until_idle(page)
