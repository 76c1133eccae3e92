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


def draw_stroke(page, k=0):
    """A "7" (a bar, then a slanted stroke down); each next ``k`` a little further down and left."""
    pad = page.locator("canvas[aria-label='Draw a digit here']")
    pad.scroll_into_view_if_needed()
    wait_until_idle(page)
    box = pad.bounding_box()
    at = lambda x, y: (box["x"] + box["width"] * (x - 0.08 * k), box["y"] + box["height"] * (y + 0.05 * k))  # noqa: E731
    page.mouse.move(*at(0.3, 0.2))
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(*at(0.3 + 0.04 * i, 0.2))
    for i in range(1, 11):
        page.mouse.move(*at(0.7 - 0.02 * i, 0.2 + 0.06 * i))
    page.mouse.up()


def own_error(page):
    return (frame(page, slow=True) or {}).get("anomalies", {}).get("own")


def test_play_then_click_in_the_plane_and_draw_at_three_widths(open_page):
    """One page: first on a phone, then its window widened to 1400 px and narrowed to 1024 and 400 (a page load
    each would double the test's time)."""
    page = open_page("/autoencoder", 400, 800)
    settled(page)
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()     # a phone: Play and the live
    recon = page.locator(f"canvas[aria-label='{LABELS[0]}']").bounding_box()      # view on the first screen
    assert play["y"] + play["height"] < 800 and recon["y"] < 800 - 100, (play, recon)
    screenshot(page, "autoencoder-400x800-first-screen")
    page.set_viewport_size({"width": 1400, "height": 1000})
    time.sleep(0.5)
    points = frame(page, slow=True)["plane"]["points"]
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => ({EPOCH})() >= 1", timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=20_000)
    settled(page)
    assert frame(page, slow=True)["plane"]["points"] != points             # Play moved the codes
    before = None
    for k, (width, height) in enumerate([(1400, 1000), (1024, 768), (400, 800)]):
        page.set_viewport_size({"width": width, "height": height})
        time.sleep(0.5)
        plane = page.locator(f"canvas[aria-label='{LABELS[1]}']")
        plane.scroll_into_view_if_needed()
        box = plane.bounding_box()
        L = page.evaluate("() => { for (const e of document.querySelectorAll('*')) { const c = e.shadowRoot && "
                          "e.shadowRoot.querySelector('.aev canvas[aria-label=\"The code plane\"]'); "
                          "if (c) return c.parentElement.__state.plane.L; } return null; }")
        clicked = frame(page)["plane"]["point"]
        page.mouse.click(box["x"] + L["x"] + (0.3 + 0.2 * k) * L["w"], box["y"] + L["y"] + 0.6 * L["h"])
        page.wait_for_function(f"(before) => {{ const p = ({FRAME})('frames-autoencoder')?.plane; "
                               "return p && p.decoded && JSON.stringify(p.point) !== before; }",
                               arg=json.dumps(clicked, separators=(",", ":")), timeout=30_000)
        decoded = frame(page)["plane"]
        extent = frame(page, slow=True)["plane"]["extent"]
        assert extent[0] < decoded["point"][0] < extent[1] and extent[2] < decoded["point"][1] < extent[3]
        assert len(decoded["decoded"]) == 1048                             # 784 bytes of pixels in base64
        screenshot(page, f"autoencoder-decoded-{width}")

        draw_stroke(page, k)                      # one more stroke: another drawing, another error
        page.wait_for_function(f"(before) => {{ const e = ({FRAME})('frames-autoencoder-slow')?.anomalies?.own; "
                               "return typeof e === 'number' && e !== before; }", arg=before, timeout=30_000)
        slow = frame(page, slow=True)
        before = slow["anomalies"]["own"]
        edges = slow["anomalies"]["edges"]
        assert edges[0] <= before <= edges[-1] and len(slow["plane"]["own"]) == 2
        text = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="worse than").first.inner_text()
        assert "of the test images" in text, text
        page.locator(f"canvas[aria-label='{LABELS[2]}']").scroll_into_view_if_needed()
        time.sleep(0.3)
        screenshot(page, f"autoencoder-own-input-{width}")
        overflow = page.evaluate("() => [...document.querySelectorAll('*')].flatMap(e => e.shadowRoot ? "
                                 "[...e.shadowRoot.querySelectorAll('.aev canvas')] : []).map(c => +c.dataset.overflow)")
        assert len(overflow) == 3 and max(overflow) <= 0, (width, overflow)    # no text past a canvas's sides


def test_on_a_projector_every_text_is_whole_and_at_least_16_px(open_page):
    cut, small, seen = projector_check(open_page, "/autoencoder?present=1&vae=1", "autoencoder")
    assert not cut, cut
    assert not small, small
    assert all(seen.count(label) == 2 for label in LABELS), seen          # at both projector sizes


# Pixels of the plane (inside its frame) in each of two label colours: the canvas's own pixels.
PLANE_STATE = """(colors) => { for (const e of document.querySelectorAll('*')) {
  const c = e.shadowRoot && e.shadowRoot.querySelector('.aev canvas[aria-label="The code plane"]');
  if (!c) continue;
  const st = c.parentElement.__state, L = st.plane.L, dpr = c.width / c.clientWidth;
  const px = c.getContext('2d').getImageData(Math.ceil(L.x * dpr), Math.ceil(L.y * dpr),
                                             Math.floor(L.w * dpr) - 2, Math.floor(L.h * dpr) - 2).data;
  const rgb = colors.map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16))), counts = colors.map(() => 0);
  for (let i = 0; i < px.length; i += 4)
    rgb.forEach(([r, g, b], k) => { if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) < 6) counts[k]++; });
  return {spotlight: st.spotlight ?? null, counts, hits: st.legendHits, top: c.getBoundingClientRect().top,
          left: c.getBoundingClientRect().left}; } return null; }"""


def test_one_digit_alone_by_its_key_or_its_legend_entry(open_page):
    """Ten label colours no dichromat tells apart: a digit key on the focused plane, or a click on the
    legend, shows one label's codes alone (issue 22: never by colour alone)."""
    from viz.palette import LABEL_COLORS
    one, seven = LABEL_COLORS[1], LABEL_COLORS[7]
    page = open_page("/autoencoder")
    settled(page)
    plane = page.locator(f"canvas[aria-label='{LABELS[1]}']")
    plane.scroll_into_view_if_needed()
    state = page.evaluate(PLANE_STATE, [one, seven])
    assert state["spotlight"] is None and min(state["counts"]) > 20, state          # both labels drawn
    plane.focus()
    page.keyboard.press("1")
    page.wait_for_function(f"() => ({PLANE_STATE})([]).spotlight === 1", timeout=10_000)
    state = page.evaluate(PLANE_STATE, [one, seven])
    assert state["counts"][0] > 20 and state["counts"][1] == 0, state                # the ones alone
    screenshot(page, "autoencoder-spotlight-1")
    entry = next(h for h in state["hits"] if h["k"] == 7)
    page.mouse.click(state["left"] + entry["x"] + 4, state["top"] + entry["y"] + entry["h"] / 2)
    page.wait_for_function(f"() => ({PLANE_STATE})([]).spotlight === 7", timeout=10_000)
    state = page.evaluate(PLANE_STATE, [one, seven])
    assert state["counts"][0] == 0 and state["counts"][1] > 20, state                # the sevens alone
    page.mouse.click(state["left"] + entry["x"] + 4, state["top"] + entry["y"] + entry["h"] / 2)
    page.wait_for_function(f"() => ({PLANE_STATE})([]).spotlight === null", timeout=10_000)   # again: all
    assert min(page.evaluate(PLANE_STATE, [one, seven])["counts"]) > 20
