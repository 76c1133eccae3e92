"""The MLP page in headless Chromium against the real `streamlit run app.py`."""
import json
import time
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import screenshot
from .harness import wait_until_idle

pytestmark = pytest.mark.e2e

CANVAS_SIZE = """() => Array.from(document.querySelectorAll('[data-testid=stBidiComponentIsolated]'))
  .map(e => e.shadowRoot && e.shadowRoot.querySelector('.nnv canvas'))
  .filter(Boolean).map(c => [c.width, c.height])"""


def metric(page, label):
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text().replace(",", "")


def test_page_loads_and_draws_the_network(open_page):
    page = open_page("/mlp")
    assert metric(page, "Epoch") == "0"
    page.wait_for_function(f"() => ({CANVAS_SIZE})().some(([w, h]) => w > 300 && h > 300)", timeout=20_000)
    screenshot(page, "mlp-1400x1000")


def test_play_advances_and_pause_stops(open_page):
    page = open_page("/mlp?data=spiral&net=8,8,8,8,8,8")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Epoch')); return m && +m.querySelector("
                           "'[data-testid=stMetricValue]').innerText > 5; }", timeout=30_000)
    screenshot(page, "mlp-playing")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)
    time.sleep(0.5)
    stopped = metric(page, "Step")
    time.sleep(1.5)
    assert metric(page, "Step") == stopped
    assert int(stopped) > 100


def test_a_copied_link_restores_the_settings(open_page):
    page = open_page("/mlp?data=moons&net=5,3&act=relu")
    page.get_by_text("Discretize output", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('disc') === '1'", timeout=20_000)
    query = parse_qs(urlparse(page.url).query)
    assert query == {"data": ["moons"], "net": ["5,3"], "act": ["relu"], "disc": ["1"]}
    other = open_page("/mlp?" + urlparse(page.url).query)
    assert parse_qs(urlparse(other.url).query) == query
    assert other.get_by_label("Discretize output", exact=True).is_checked()
    assert other.get_by_role("combobox", name="Activation", exact=True).input_value() == "ReLU"
    assert other.locator(".picker button.on").get_attribute("title") == "Two moons"   # pierces the shadow root


def test_bad_link_values_show_a_notice(open_page):
    page = open_page("/mlp?noise=400&lr=fast")
    text = page.locator("[data-testid=stAlert]").all_inner_texts()
    assert any("noise=400" in t for t in text) and any("fast" in t for t in text)


def csv_input(page):
    """The points' uploader (the page has others: the take-away's model file). It takes a new key
    after each file, and for a moment the replaced one may still be on the page: wait for one."""
    found = (page.locator("[data-testid=stFileUploader]").filter(has_text="Or load a CSV")
             .locator("[data-testid=stFileUploaderDropzoneInput]"))
    deadline = time.monotonic() + 20
    while found.count() != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


# The uploader's key counts the files read (ui/mlp/views.py, _csv_key): a new one, the file was read.
CSV_KEYS = """() => [...document.querySelectorAll('[data-testid=stSidebar] [class*="st-key-mlp_csv_"]')]
  .map(e => [...e.classList].find(c => c.startsWith('st-key-mlp_csv_'))).join()"""


def upload(page, content, name):
    page.get_by_text("Your own points").click()
    before = page.evaluate(CSV_KEYS)
    csv_input(page).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}])
    # on a loaded machine the rerun may start after a first wait_until_idle has returned
    page.wait_for_function(f"() => ({CSV_KEYS})() !== {json.dumps(before)}", timeout=30_000)
    wait_until_idle(page)
    time.sleep(0.5)


def test_csv_upload_good_file(open_page):
    page = open_page("/mlp")
    rows = "\n".join(f"{x},{y},{1 if x * y > 0 else -1}" for x in range(-4, 5) for y in range(-4, 5) if x and y)
    upload(page, "x1,x2,label\n" + rows, "quadrants.csv")
    body = page.locator("[data-testid=stSidebar]").inner_text()
    assert "Training on your data: 32 train and 32 test points" in body
    assert "Loaded 64 points from quadrants.csv" in page.locator("[data-testid=stMain]").inner_text()


def test_csv_upload_bad_file_leaves_the_run_alone(open_page):
    page = open_page("/mlp")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_until_idle(page)
    upload(page, "x1,x2,label\n1,2,1\n3,oops,-1\n0,0,1\n1,1,-1\n", "bad.csv")
    error = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").inner_text()
    error = error.replace("\u2060", "")        # ui.text.plain's word joiners: no autolinks in user text
    assert "bad.csv: row 3: x2 = 'oops' is not a number" in error
    assert metric(page, "Epoch") == "1"


def test_presenter_mode_on_a_projector(open_page):
    page = open_page("/mlp?present=1&hide=data,training,downloads", width=1920, height=1080)
    main = page.locator("[data-testid=stMain]").inner_text()
    assert "Learning rate" not in main and "Weights (.npz)" not in main
    assert page.locator("[data-testid=stSidebar]").get_by_text("Noise").count() == 0
    screenshot(page, "mlp-presenter-1920x1080")


CANVAS_STATE = """() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
  const root = e.shadowRoot && e.shadowRoot.querySelector('.nnv');
  if (root && root.__state && root.__state.L) {
    const st = root.__state, r = st.canvas.getBoundingClientRect();
    return {left: r.left, top: r.top, zoom: st.zoom, plot: st.L.plot, extent: st.data.extent,
            link: st.links[0], w00: st.data.layers[0].weights[0][0], train: st.data.train.length,
            adding: st.data.adding};
  } } return null; }"""


def canvas_state(page):
    """The canvas's layout and data, once it has drawn (a full rerun briefly remounts it)."""
    return page.wait_for_function(CANVAS_STATE, timeout=20_000).json_value()


def test_clicking_the_output_adds_a_point(open_page):
    page = open_page("/mlp")
    page.get_by_text("Your own points").click()
    page.locator("[data-testid=stSidebar]").get_by_text("Orange", exact=True).click()
    page.wait_for_function(f"() => ({CANVAS_STATE})()?.adding === true", timeout=20_000)
    s = canvas_state(page)
    plot, z = s["plot"], s["zoom"]
    page.mouse.click(s["left"] + (plot["x"] + plot["size"] / 2) * z, s["top"] + (plot["y"] + plot["size"] / 2) * z)
    page.wait_for_function(f"() => ({CANVAS_STATE})()?.train === {s['train'] + 1}", timeout=20_000)
    assert "Training on your data: 251 train" in page.locator("[data-testid=stSidebar]").inner_text()


def test_clicking_a_weight_edits_it(open_page):
    page = open_page("/mlp")
    s = canvas_state(page)
    a, b, z = s["link"]["a"], s["link"]["b"], s["zoom"]
    x = (a["x"] + b["x"]) / 2                                # the curve's midpoint lies halfway in both x and y
    y = (a["y"] + b["y"]) / 2
    page.mouse.click(s["left"] + x * z, s["top"] + y * z)
    box = page.locator(".nnv input.edit")
    box.wait_for(state="visible")
    box.fill("2.5")
    box.press("Enter")
    page.wait_for_function(f"() => ({CANVAS_STATE})()?.w00 === 2.5", timeout=20_000)
    s = canvas_state(page)
    page.mouse.click(s["left"] + x * z, s["top"] + y * z)           # a huge weight is kept within ±100
    box.wait_for(state="visible")
    box.fill("1e39")
    box.press("Enter")
    page.wait_for_function(f"() => ({CANVAS_STATE})()?.w00 === 100", timeout=20_000)
    assert "1e+39 became 100" in page.locator("[data-testid=stAlert]").first.inner_text().replace("\u2060", "")


def test_a_new_upload_error_replaces_the_old_one(open_page):
    """Each file's error replaces the last one, whatever the file (a .txt was refused by the browser
    beside the previous CSV's error, which stayed)."""
    page = open_page("/mlp")
    upload(page, "x1,x2,label\n1,2,1\n3,oops,-1\n0,0,1\n1,1,-1\n", "bad.csv")
    csv_input(page).set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    wait_until_idle(page)
    # the second file's rerun may start after the page looked idle (seen at a CI load of 12): wait for its words
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stAlert]')]"
                           ".some(e => e.innerText.includes('notes.txt'))", timeout=20_000)
    time.sleep(0.5)
    errors = [e.replace("\u2060", "") for e in page.locator("[data-testid=stSidebar] [data-testid=stAlert]").all_inner_texts()]
    errors += page.locator("[data-testid=stFileUploader]").filter(has_text="Or load a CSV").get_by_text("not allowed").all_inner_texts()
    assert len(errors) == 1 and "notes.txt: missing column(s) x1, x2, label" in errors[0], errors


def test_a_three_class_csv_trains_three_classes(open_page):
    page = open_page("/mlp")
    rows = "\n".join(f"{x},{y},{(x > 0) + (y > 0)}" for x in range(-4, 5) for y in range(-4, 5) if x and y)
    upload(page, "x1,x2,label\n" + rows, "three.csv")
    assert "Loaded 64 points from three.csv" in page.locator("[data-testid=stMain]").inner_text()
    assert page.get_by_role("combobox", name="Loss", exact=True).input_value() == "Cross-entropy"
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')].find(e => e.innerText"
                           ".startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]').innerText === '1'",
                           timeout=20_000)
