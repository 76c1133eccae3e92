"""The MLP page as a teacher uses it: canvas clicks at three screen sizes and while playing,
presenter mode that really locks what it hides, rewinding a run, quick downloads."""
import time

import pytest

from tests.tiers import variants

from .conftest import screenshot
from .harness import wait_until_idle
from .test_mlp_e2e import CANVAS_STATE, metric

pytestmark = pytest.mark.e2e

STATE = CANVAS_STATE.replace("adding: st.data.adding}", "adding: st.data.adding, buttons: st.L.buttons, "
                             "units: st.data.layers.map(l => l.units), width: r.width, "
                             "inputs: st.data.inputs.filter(f => f.active).length, "
                             "columns: st.L.columns.map(c => c[0])}")


EPOCH_IS = """() => [...document.querySelectorAll('[data-testid=stMetric]')]
  .find(e => e.innerText.startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]').innerText === 'N'"""


def state(page):
    """The canvas's layout once drawn, scrolled into view (a click outside the window goes nowhere)."""
    page.wait_for_function(STATE, timeout=30_000)
    page.evaluate("""() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]'))
        { const c = e.shadowRoot && e.shadowRoot.querySelector('.nnv canvas');
          if (c) { const r = c.getBoundingClientRect();
                   if (r.top < 0 || r.top + 60 > innerHeight) c.scrollIntoView({block: "center"}); } } }""")
    return page.wait_for_function(STATE, timeout=30_000).json_value()


def click_layout(page, s, x, y):
    page.mouse.click(s["left"] + x * s["zoom"], s["top"] + y * s["zoom"])


def plus_button(s, layer):
    return next(b for b in s["buttons"] if b["action"] == {"layer": layer, "delta": 1})


@pytest.mark.parametrize("width, height", variants([(1024, 768)], [(1400, 1000), (400, 800)]))
def test_each_plus_click_registers_and_lands_where_it_was_made(open_page, width, height):
    page = open_page("/mlp", width=width, height=height)
    s = state(page)
    assert s["width"] <= width                                   # the canvas fits the window
    units = s["units"][0]
    for k in range(3):                                           # three quick clicks on "+" of layer 1
        s = state(page)
        b = plus_button(s, 0)
        click_layout(page, s, b["x"] + 9, b["y"] + 9)
        page.wait_for_function(f"() => ({STATE})()?.units[0] === {units + k + 1}", timeout=20_000)
    screenshot(page, f"mlp-{width}x{height}")


def test_canvas_clicks_change_the_network_while_playing(open_page):
    page = open_page("/mlp")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => +[...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Epoch'))?.querySelector("
                           "'[data-testid=stMetricValue]').innerText > 3", timeout=30_000)
    s = state(page)
    b = plus_button(s, 1)
    click_layout(page, s, b["x"] + 9, b["y"] + 9)
    page.wait_for_function(f"() => ({STATE})()?.units[1] === {s['units'][1] + 1}", timeout=20_000)
    first = state(page)["columns"][0]                          # the first feature tile: x1, on
    click_layout(page, state(page), first["x"] + 10, first["y"] + 10)
    page.wait_for_function(f"() => ({STATE})()?.inputs === {s['inputs'] - 1}", timeout=20_000)
    assert page.get_by_role("button", name="Pause", exact=True).count() == 1   # still playing
    page.get_by_role("button", name="Pause", exact=True).click()


def test_presenter_mode_locks_what_it_hides(open_page):
    page = open_page("/mlp?present=1&hide=network,features")
    s = state(page)
    b = plus_button(s, 0)
    click_layout(page, s, b["x"] + 9, b["y"] + 9)
    first = s["columns"][0]
    click_layout(page, s, first["x"] + 10, first["y"] + 10)
    time.sleep(2)
    after = state(page)
    assert after["units"] == s["units"] and after["inputs"] == s["inputs"]
    assert "network" in page.url and "hide" in page.url


def test_rewind_to_an_earlier_epoch_and_continue(open_page):
    page = open_page("/mlp")
    for epoch in range(1, 5):         # two clicks while a rerun runs are one click, so wait for each
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(EPOCH_IS.replace("N", str(epoch)), timeout=20_000)
    wait_until_idle(page)
    page.get_by_text("Look closer").click()
    closer = page.locator("[data-testid=stExpander]", has_text="Look closer")      # not the histograms above
    chart = closer.locator("[data-testid=stPlotlyChart]").first
    chart.wait_for(state="visible", timeout=20_000)
    before = state(page)["w00"]
    # The timeline's first marker is epoch 0: click it.
    chart.scroll_into_view_if_needed()
    box = chart.locator(".scatterlayer .trace").first.locator(".point").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)                     # Plotly picks the point under the pointer on hover
    time.sleep(0.3)
    page.mouse.click(x, y)
    page.wait_for_function("() => document.body.innerText.includes('Showing epoch 0 of 4')", timeout=20_000)
    assert metric(page, "Epoch") == "0" and state(page)["w00"] != before
    screenshot(page, "mlp-rewound")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => !document.body.innerText.includes('Showing epoch')", timeout=20_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)
    assert int(metric(page, "Epoch")) >= 1


def test_downloads_clicked_quickly_all_arrive(open_page):
    page = open_page("/mlp")
    names = []
    for label in ("Weights (.npz)", "Weights (.json)", "Setup (.json)") * 2:
        with page.expect_download(timeout=20_000) as download:
            page.get_by_role("button", name=label, exact=True).click()
        names.append(download.value.suggested_filename)
        assert download.value.failure() is None
    assert names == ["weights.npz", "weights.json", "setup.json"] * 2


def test_the_network_view_saves_as_png(open_page):
    page = open_page("/mlp")
    state(page)
    with page.expect_download(timeout=20_000) as download:
        page.locator(".nnv a.png").click()
    path = download.value.path()
    assert download.value.suggested_filename == "network.png"
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def sidebar(page, open_it):
    """Open (or close) the sidebar; on a narrow window it covers the page while open."""
    collapsed = "document.querySelector('[data-testid=stSidebar]').dataset.collapsed"
    if (page.evaluate(f"() => {collapsed}") == "false") != open_it:
        button = "stExpandSidebarButton" if open_it else "stSidebarCollapseButton"
        page.locator(f"[data-testid={button}] button, button[data-testid={button}]").first.click()
        page.wait_for_function(f"() => {collapsed} === '{str(not open_it).lower()}'", timeout=10_000)


def plot_point_in_view(page, fx, fy, height):
    """(canvas state, page x, page y) of the output plot's point (fx, fy) * extent, scrolled into the
    window (on a phone the plot sits under the network, below the fold) and no longer moving (a
    wheel scroll is animated: a click computed mid-scroll lands elsewhere)."""
    last = None
    for _ in range(20):
        s = page.evaluate(f"() => ({STATE})()")
        plot, z = s["plot"], s["zoom"]
        px = s["left"] + (plot["x"] + (fx + 1) / 2 * plot["size"]) * z
        py = s["top"] + (plot["y"] + (1 - fy) / 2 * plot["size"]) * z
        if 60 < py < height - 60:
            if last == (px, py):
                return s, px, py
            last = (px, py)
            time.sleep(0.3)
            continue
        last = None
        page.mouse.move(px, height / 2)
        page.mouse.wheel(0, py - height / 2)
        time.sleep(0.4)
    raise AssertionError(f"the plot point does not settle in the window: {py:.0f} of {height}")


@pytest.mark.parametrize("width, height", variants([(400, 800)], [(1400, 1000), (1024, 768)]))
def test_a_click_on_the_output_adds_a_point_where_it_was_made(open_page, width, height):
    page = open_page("/mlp", width=width, height=height)
    sidebar(page, True)
    page.get_by_text("Your own points").click()
    page.locator("[data-testid=stSidebar]").get_by_text("Orange", exact=True).click()
    page.wait_for_function(f"() => ({STATE})()?.adding === true", timeout=20_000)
    if width < 700:
        sidebar(page, False)
    state(page)
    x, y = 0.4, -0.3                                        # a spot away from the centre and the axes (x extent)
    s, click_x, click_y = plot_point_in_view(page, x, y, height)
    plot, z, e = s["plot"], s["zoom"], s["extent"]
    x, y = x * e, y * e
    page.mouse.click(click_x, click_y)
    page.wait_for_function(f"() => ({STATE})()?.train === {s['train'] + 1}", timeout=20_000)
    added = page.evaluate(f"""() => {{ for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {{
        const root = e.shadowRoot && e.shadowRoot.querySelector('.nnv');
        if (root && root.__state && root.__state.data) return root.__state.data.train.at(-1); }} }}""")
    units_per_pixel = 2 * e / (plot["size"] * z)
    assert added[2] == -1                                       # the class picked
    assert abs(added[0] - x) <= 1.5 * units_per_pixel, (added, x, units_per_pixel)
    assert abs(added[1] - y) <= 1.5 * units_per_pixel, (added, y, units_per_pixel)
    screenshot(page, f"mlp-added-point-{width}x{height}")


def settled_state(page):
    """The canvas's layout once it has stopped moving (a notice above it, a remount after a rerun)."""
    last = None
    for _ in range(40):
        s = state(page)
        if (s["left"], s["top"], s["zoom"]) == last:
            return s
        last = (s["left"], s["top"], s["zoom"])
        time.sleep(0.2)
    raise AssertionError("the canvas keeps moving")


def play_until_epoch(page, epoch):
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => +[...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".find(e => e.innerText.startsWith('Epoch'))?.querySelector("
                           f"'[data-testid=stMetricValue]').innerText > {epoch}", timeout=30_000)


@pytest.mark.parametrize("playing, gap", variants([(True, 1.0)], [(False, 0.1)]))
def test_every_plus_click_counts_and_stays(open_page, playing, gap):
    """Five clicks on a layer's "+" add five neurons, paused with 0.1 s between them or playing with
    a second between them; the canvas, the link and the number box agree, and stay so (a rerun of the
    page brought the number box's old value back: 2 -> 4 or 2 -> 5 instead of 2 -> 7)."""
    page = open_page("/mlp")
    if playing:
        play_until_epoch(page, 1)
    s = settled_state(page)
    b = plus_button(s, 1)
    assert s["units"][1] == 2
    for _ in range(5):                                  # where a person clicks: the button they see
        click_layout(page, s, b["x"] + 9, b["y"] + 9)
        time.sleep(gap)
    page.wait_for_function(f"() => ({STATE})()?.units[1] === 7", timeout=20_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('net') === '4,7'", timeout=20_000)
    time.sleep(3)
    assert state(page)["units"][1] == 7 and "net=4%2C7" in page.url
    page.get_by_text("Network details").click()
    assert page.get_by_label("Layer 2", exact=True).input_value() == "7"
    if playing:
        page.get_by_role("button", name="Pause", exact=True).click()


FEATURES_ON = """() => { const s = ({STATE})(); return s && s.inputs; }"""


def test_feature_tiles_while_playing_show_at_once_and_end_as_the_pills_say(open_page):
    """A click on a feature tile while playing shows on the canvas, every time (the preset box's stale
    value undid one: ui/widgets.py, follow; it waited for the end of the frame box, then the next's);
    quick clicks end with the pills and the canvas showing the same features."""
    page = open_page("/mlp")
    play_until_epoch(page, 1)
    s = settled_state(page)
    tile = s["columns"][0]
    row = 46                                             # TILE + GAP of the canvas's layout
    delays = []
    for k in range(6):
        before = state(page)["inputs"]
        t0 = time.monotonic()
        click_layout(page, s, tile["x"] + 10, tile["y"] + 2 * row + 10)      # X1² on, off, on, ...
        page.wait_for_function(f"() => ({STATE})()?.inputs === {before + (1 if k % 2 == 0 else -1)}",
                               timeout=20_000)
        delays.append(time.monotonic() - t0)
        time.sleep(0.3)
    # Every click shows (one was lost: the preset box's stale value undid it). How soon is a speed,
    # for a benchmark: 0.6-1.2 s on a quiet machine, 1-5 s at a load of 13; the old wait for the end
    # of the frame box took up to 6.6 s and a lost click forever.
    assert max(delays) < 10, delays
    for k in range(4):                                   # X1² and X2² on and off again, quickly
        click_layout(page, s, tile["x"] + 10, tile["y"] + (2 + k % 2) * row + 10)
        time.sleep(0.15)
    time.sleep(4)
    pills = page.locator("[data-testid=stSidebar] button[data-variant=pills][aria-pressed=true]").all_inner_texts()
    assert state(page)["inputs"] == 2 and sorted(pills) == ["X₁", "X₂"], pills
    page.get_by_role("button", name="Pause", exact=True).click()
