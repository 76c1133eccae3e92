"""The RNN page on a projector, on a phone and for a teacher's questions, in headless Chromium."""
import time

import pytest

from tests.tiers import variants

from .conftest import screenshot
from .harness import wait_until_idle
from .presenter import CANVAS_FONTS, CUT_TEXTS, MIN_CANVAS_FONT, projector_check

pytestmark = pytest.mark.e2e

RNN = "The recurrent network over time"
CANVASES = """() => { const out = [];
  const walk = (root) => { for (const c of root.querySelectorAll('.rnv canvas')) out.push(c);
                           for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot); };
  walk(document); return out; }"""
DARK_PIXELS = f"""() => ({CANVASES})().map(c => {{
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] + d[i + 1] + d[i + 2] < 40) n++;
  return n; }})"""


def drawn(page, cells):
    page.wait_for_function(f"() => ({CANVASES})().filter(c => c.dataset.minFont).length === {cells}", timeout=60_000)


@pytest.mark.parametrize("query, cells", variants([("&task=delayed_recall&delay=60&vs=rnn", 2)],
                                                   [("", 1), ("&task=text&text=zen&vs=gru", 2)]))
def test_on_a_projector_every_text_is_whole_and_at_least_16_px(open_page, query, cells):
    name = "rnn" + query.replace("&", "-").replace("=", "-")
    cut, small, seen = projector_check(open_page, f"/rnn?present=1{query}", name)
    assert not cut, cut
    assert not small, small
    assert seen.count(RNN) == 2 * cells and seen.count("Training curves") == 2      # at both projector sizes


@pytest.mark.parametrize("width, height, zoom", variants([(1024, 768, "&zoom=2")], [(1024, 768, ""), (1280, 720, "")]))
def test_a_paused_comparison_on_a_projector(open_page, width, height, zoom):
    """After two epochs (the rewind row and the downloads show): nothing cut (at 200 % the downloads'
    three columns were), no small text, readable hidden-state squares (compare mode's were 3 px)."""
    page = open_page(f"/rnn?present=1&task=delayed_recall&vs=rnn{zoom}", width, height)
    for _ in range(2):
        page.get_by_role("button", name="Step", exact=True).click()
        wait_until_idle(page)
    drawn(page, 2)
    time.sleep(1)
    assert page.evaluate(CUT_TEXTS) == []
    fonts = page.wait_for_function(f"""() => {{ const f = ({CANVAS_FONTS})().filter(f => f.width > 0);
        return f.length === 3 ? f : null; }}""", timeout=30_000).json_value()     # drawn (a rerun may remount them)
    assert min(f["font"] for f in fonts) >= MIN_CANVAS_FONT, fonts
    squares = page.wait_for_function(f"""() => {{ const s = ({CANVASES})().map(c => +c.dataset.stateCell).filter(Boolean);
        return s.length === 2 ? s : null; }}""", timeout=30_000).json_value()
    assert len(squares) == 2 and min(squares) >= 11, squares
    screenshot(page, f"rnn-presenter-paused-{width}x{height}{zoom.replace('&zoom=', '-zoom')}")


def test_high_contrast_draws_black(open_page):
    plain = open_page("/rnn?present=1&task=delayed_recall&vs=rnn", 1280, 720)
    drawn(plain, 2)
    time.sleep(1)
    contrast = open_page("/rnn?present=1&contrast=1&task=delayed_recall&vs=rnn", 1280, 720)
    drawn(contrast, 2)
    time.sleep(1)
    before, after = plain.evaluate(DARK_PIXELS), contrast.evaluate(DARK_PIXELS)
    assert max(before) < 200 and min(after) > 2000, (before, after)     # labels, lines and frames in black
    screenshot(contrast, "rnn-presenter-contrast-1280x720")


@pytest.mark.parametrize("query", variants(["?task=delayed_recall&vs=rnn"], [""]))
def test_on_a_phone_play_and_the_network_are_on_the_first_screen(open_page, query):
    page = open_page("/rnn" + query, 400, 800)
    drawn(page, 2 if query else 1)
    play = page.get_by_role("button", name="Play", exact=True).bounding_box()
    tops = page.evaluate(f"() => ({CANVASES})().map(c => c.getBoundingClientRect().top)")
    assert play["y"] + play["height"] < 800 and min(tops) < 800 - 100, (play, tops)
    assert page.locator("[data-testid=stWidgetLabel]").filter(has_text="Learning rate").count() == 1   # still there
    screenshot(page, "rnn-400x800-first-screen" + ("-compare" if query else ""))


def test_the_new_seed_button_is_called_new(open_page):
    page = open_page("/rnn")
    button = page.get_by_role("button", name="New", exact=True)
    assert button.count() == 1 and page.get_by_role("button", name="casino").count() == 0
    before = page.get_by_role("spinbutton", name="Seed").input_value()
    button.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('seed') !== null", timeout=20_000)
    seed = page.evaluate("() => new URLSearchParams(location.search).get('seed')")
    seed_box = page.get_by_role("spinbutton", name="Seed")
    for _ in range(100):                          # the widget shows the new seed once the page has rerun
        if seed_box.input_value() == seed:
            break
        time.sleep(0.2)
    assert seed_box.input_value() == seed != before


def test_compare_mode_looks_closer_at_both_cells(open_page):
    page = open_page("/rnn?task=delayed_recall&delay=10&vs=rnn")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_until_idle(page)
    box = page.locator(".st-key-rnn_look_closer")
    box.locator("summary").click()
    wait_until_idle(page)
    box.get_by_role("tab").first.wait_for(timeout=30_000)
    assert box.get_by_role("tab").all_inner_texts() == ["Timeline (rewind)", "Weights and gradients", "Confusion matrix"]
    for tab in ("Timeline (rewind)", "Weights and gradients", "Confusion matrix"):
        box.get_by_role("tab", name=tab).click()
        panel = box.get_by_role("tabpanel").filter(visible=True)
        panel.locator(".js-plotly-plot").last.wait_for(timeout=30_000)
        text = panel.inner_text()
        assert "LSTM" in text and "RNN" in text and panel.locator(".js-plotly-plot").count() == 2, tab
        if tab == "Weights and gradients":
            assert "rnn 1: recurrent weights Wh" in text and "lstm 1: input weights Wx" in text
        box.screenshot(path=str(__import__("pathlib").Path(__file__).parent / "screenshots" /
                                f"rnn-compare-closer-{tab.split()[0].lower()}.png"))
    downloads = page.locator("[data-testid=stDownloadButton]").all_inner_texts()
    assert any("LSTM" in d for d in downloads) and any("RNN" in d for d in downloads)
