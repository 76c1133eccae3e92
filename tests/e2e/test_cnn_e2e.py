"""The CNN page in headless Chromium against the real `streamlit run app.py`."""
import io
import time

import numpy as np
import pytest
from PIL import Image

from engine.data.images import mnist

from .conftest import screenshot
from .test_mlp_e2e import metric

pytestmark = pytest.mark.e2e
NOISE = np.random.default_rng(0).integers(0, 255, (100, 100), dtype=np.uint8)     # a PNG that does not compress

# The layout a view last drew (root.__state.L), with its canvas's place on the page.
VIEW_STATE = """(label) => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
  const root = e.shadowRoot && e.shadowRoot.querySelector('.cnnv');
  const c = root && root.querySelector('canvas');
  if (!c || c.getAttribute('aria-label') !== label || !root.__state.L) continue;
  const r = c.getBoundingClientRect();
  return {left: r.left, top: r.top, width: r.width, L: root.__state.L}; } return null; }"""


def view_state(page, label):
    """The view's layout, its canvas scrolled into the window first (a click outside it goes nowhere)."""
    page.wait_for_function(VIEW_STATE, arg=label, timeout=30_000)
    shadow_canvas(page, label).scroll_into_view_if_needed()
    return page.wait_for_function(VIEW_STATE, arg=label, timeout=30_000).json_value()


def shadow_canvas(page, label):
    return page.locator(f"canvas[aria-label='{label}']")


def upload(page, name, data, mime="image/png"):
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data})


def png_bytes(array):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_play_advances_and_the_kernels_change(open_page):
    page = open_page("/cnn?data=bars")
    kernels = shadow_canvas(page, "Kernels")
    kernels.scroll_into_view_if_needed()
    before = kernels.screenshot()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => +[...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Step'))?.querySelector("
                           "'[data-testid=stMetricValue]').innerText.replace(/,/g, '') > 200", timeout=60_000)
    after = kernels.screenshot()
    page.get_by_role("button", name="Pause", exact=True).click()
    assert before != after
    screenshot(page, "cnn-bars-playing")


def test_a_cell_click_shows_its_arithmetic(open_page):
    page = open_page("/cnn")
    s = view_state(page, "The probe image through the network")
    conv = next(b for b in s["L"]["boxes"] if b["col"]["kind"] == "conv2d")
    t = conv["tile"]
    page.mouse.click(s["left"] + conv["x"] + 10.5 * t, s["top"] + conv["y"] + 12.5 * t)     # map 1, row 13, col 11
    page.get_by_text("The feature map holds").wait_for(timeout=20_000)
    page.get_by_text("How one cell is computed").scroll_into_view_if_needed()
    screenshot(page, "cnn-arithmetic")
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "map 1, row 13, column 11" in body
    held = float(body.split("The feature map holds ")[1].split(" ")[0])
    result = float(body.split("(z) = ")[1].split(".\n")[0].split()[0].rstrip("."))
    assert abs(held - result) < 1e-3


def test_a_drawn_stroke_gets_a_prediction(open_page):
    page = open_page("/cnn")
    pad = page.locator("canvas[aria-label='Draw a digit here']")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.15 + 0.07 * k))
    page.mouse.up()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".some(e => e.innerText.startsWith('Prediction'))", timeout=20_000)
    assert metric(page, "Prediction") in "0123456789"


def test_an_uploaded_mnist_digit_is_read_by_a_trained_network(open_page):
    page = open_page("/cnn")
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
        time.sleep(0.5)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Epoch'))?.querySelector("
                           "'[data-testid=stMetricValue]').innerText === '3'", timeout=60_000)
    _, _, xt, yt = mnist()
    k = int(np.flatnonzero(yt == 0)[0])                 # a clear test digit: the first 0
    upload(page, "zero.png", png_bytes(np.round(xt[k, 0] * 255).astype(np.uint8)))
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".some(e => e.innerText.startsWith('Prediction'))", timeout=20_000)
    assert metric(page, "Prediction") == "0"
    screenshot(page, "cnn-own-digit")


@pytest.mark.parametrize("name, data, message", [
    ("notes.png", b"these are notes, not a picture", "not a PNG or JPEG"),
    ("broken.png", png_bytes(NOISE)[:5000], "damaged"),
    ("blank.png", png_bytes(np.full((40, 40), 255, np.uint8)), "no ink"),
])
def test_bad_uploads_show_a_message_and_change_nothing(open_page, name, data, message):
    page = open_page("/cnn")
    upload(page, name, data)
    page.get_by_text(message).wait_for(timeout=20_000)
    assert page.locator("[data-testid=stMetric]").filter(has_text="Prediction").count() == 0


def test_a_link_restores_the_setup(open_page):
    page = open_page("/cnn?data=bars&filters=4,6&kernels=5,3&opt=sgd")
    page.get_by_text("Network: conv blocks and dense layer").click()
    assert page.get_by_label("Filters 1", exact=True).input_value() == "4"
    assert page.get_by_label("Filters 2", exact=True).input_value() == "6"
    assert [b["kv"]["k"] for b in view_state(page, "Kernels")["L"]["blocks"]] == [5, 3]
    s = view_state(page, "The probe image through the network")
    assert [b["col"]["c"] for b in s["L"]["boxes"]][:2] == [1, 4] and s["L"]["boxes"][0]["col"]["h"] == 12


@pytest.mark.parametrize("width, height", [(1024, 768), (400, 800)])
def test_the_page_fits_smaller_screens(open_page, width, height):
    page = open_page("/cnn", width=width, height=height)
    s = view_state(page, "The probe image through the network")
    assert s["width"] <= width
    right = max(b["x"] + b["w"] for b in s["L"]["boxes"])
    assert right <= s["L"]["out"]["x"] <= s["width"]                 # the maps never run into the probabilities
    screenshot(page, f"cnn-{width}x{height}")


def test_a_strip_click_makes_that_image_the_probe(open_page):
    page = open_page("/cnn")
    s = view_state(page, "Test images")
    L = s["L"]
    page.mouse.click(s["left"] + 3.5 * L["cellW"], s["top"] + L["side"] / 2)        # the fourth image
    page.wait_for_function("() => new URLSearchParams(location.search).get('probe') === '3'", timeout=20_000)
    page.wait_for_function("() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {"
                           " const r = e.shadowRoot && e.shadowRoot.querySelector('.cnnv');"
                           " if (r && r.__state.frame && r.__state.data.view === 'overview' && r.__state.data.live)"
                           "   return r.__state.frame.probe.index === 3; } return false; }", timeout=20_000)


def test_a_confusion_cell_click_shows_its_images(open_page):
    page = open_page("/cnn?data=bars")
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Epoch'))?.querySelector("
                           "'[data-testid=stMetricValue]').innerText === '1'", timeout=60_000)
    s = view_state(page, "Confusion matrix")
    L = s["L"]
    page.mouse.click(s["left"] + L["x0"] + 1.5 * L["cell"], s["top"] + L["y0"] + 1.5 * L["cell"])    # true 1, predicted 1
    page.get_by_text("True vertical, predicted vertical").wait_for(timeout=20_000)
    page.locator("[data-testid=stImage]").first.wait_for(timeout=20_000)
