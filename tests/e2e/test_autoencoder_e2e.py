"""The autoencoder page in headless Chromium: Play moves Epoch and the code plane, a click in the
plane decodes, a drawn input lands in the error histogram and the plane (at 1400, 1024 and 400 px);
on a projector and on a phone."""
import json
import time

import pytest

from .conftest import screenshot
from .harness import wait_until_idle
from .presenter import projector_check

pytestmark = pytest.mark.e2e

FRAME = "(name) => { const b = document.querySelector(`.st-key-${name}`); try { return JSON.parse(b.textContent); } catch (e) { return null; } }"
EPOCH = ("() => +[...document.querySelectorAll('[data-testid=stMetric]')].find(e => e.innerText.startsWith('Epoch'))"
         "?.querySelector('[data-testid=stMetricValue]').innerText.replace(/,/g, '')")
LABELS = ("Test images and their reconstructions", "The code plane", "Reconstruction errors")


def frame(page, slow=False):
    return page.evaluate(FRAME, "frames-autoencoder" + ("-slow" if slow else ""))


def settled(page):
    """The page's run has ended and its canvases hold a frame of both channels."""
    wait_until_idle(page)
    page.wait_for_function(f"() => ({FRAME})('frames-autoencoder-slow') && ({FRAME})('frames-autoencoder')",
                           timeout=30_000)
    time.sleep(0.5)


def draw_stroke(page):
    pad = page.locator("canvas[aria-label='Draw a digit here']")
    pad.scroll_into_view_if_needed()
    wait_until_idle(page)
    box = pad.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for k in range(1, 11):                        # a "7": a bar, then a slanted stroke down
        page.mouse.move(box["x"] + box["width"] * (0.3 + 0.04 * k), box["y"] + box["height"] * 0.2)
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.7 - 0.02 * k), box["y"] + box["height"] * (0.2 + 0.065 * k))
    page.mouse.up()


@pytest.mark.parametrize("width, height", [(1400, 1000), (1024, 768), (400, 800)])
def test_play_click_in_the_plane_and_draw(open_page, width, height):
    page = open_page("/autoencoder", width, height)
    settled(page)
    if width == 400:                              # a phone: Play and the live view on the first screen
        play = page.get_by_role("button", name="Play", exact=True).bounding_box()
        recon = page.locator(f"canvas[aria-label='{LABELS[0]}']").bounding_box()
        assert play["y"] + play["height"] < height and recon["y"] < height - 100, (play, recon)
        screenshot(page, "autoencoder-400x800-first-screen")
    if width == 1400:                             # Play moves Epoch and the codes (the narrower tests skip it)
        points = frame(page, slow=True)["plane"]["points"]
        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function(f"() => ({EPOCH})() >= 1", timeout=60_000)
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=20_000)
        settled(page)
        assert frame(page, slow=True)["plane"]["points"] != points

    plane = page.locator(f"canvas[aria-label='{LABELS[1]}']")
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    L = page.evaluate("() => { for (const e of document.querySelectorAll('*')) { const c = e.shadowRoot && "
                      "e.shadowRoot.querySelector('.aev canvas[aria-label=\"The code plane\"]'); "
                      "if (c) return c.parentElement.__state.plane.L; } return null; }")
    page.mouse.click(box["x"] + L["x"] + 0.3 * L["w"], box["y"] + L["y"] + 0.6 * L["h"])
    page.wait_for_function(f"() => ({FRAME})('frames-autoencoder')?.plane?.decoded", timeout=30_000)
    decoded = frame(page)["plane"]
    extent = frame(page, slow=True)["plane"]["extent"]
    assert extent[0] < decoded["point"][0] < extent[1] and extent[2] < decoded["point"][1] < extent[3]
    assert len(decoded["decoded"]) == 1048                                 # 784 bytes of pixels in base64
    if width == 1400:
        screenshot(page, "autoencoder-decoded-1400")

    draw_stroke(page)
    page.wait_for_function(f"() => typeof ({FRAME})('frames-autoencoder-slow')?.anomalies?.own === 'number'",
                           timeout=30_000)
    slow = frame(page, slow=True)
    edges = slow["anomalies"]["edges"]
    assert edges[0] <= slow["anomalies"]["own"] <= edges[-1] and len(slow["plane"]["own"]) == 2
    page.get_by_text("Reconstruction error", exact=False).last.wait_for(timeout=20_000)
    text = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="worse than").first.inner_text()
    assert "of the test images" in text, text
    page.locator(f"canvas[aria-label='{LABELS[2]}']").scroll_into_view_if_needed()
    screenshot(page, f"autoencoder-own-input-{width}")
    json.dumps(slow)                                                       # a whole, valid frame
    overflow = page.evaluate("() => [...document.querySelectorAll('*')].flatMap(e => e.shadowRoot ? "
                             "[...e.shadowRoot.querySelectorAll('.aev canvas')] : []).map(c => +c.dataset.overflow)")
    assert len(overflow) == 3 and max(overflow) <= 0, overflow             # no text runs past a canvas's sides


def test_on_a_projector_every_text_is_whole_and_at_least_16_px(open_page):
    cut, small, seen = projector_check(open_page, "/autoencoder?present=1&vae=1", "autoencoder")
    assert not cut, cut
    assert not small, small
    assert all(seen.count(label) == 2 for label in LABELS), seen          # at both projector sizes
