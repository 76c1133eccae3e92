"""Accessibility (issue 22, WCAG 2.1 AA) in headless Chromium against the real app.

axe-core (Deque, run by axe-playwright-python) checks every page for the WCAG 2.0 and 2.1 A and AA
rules: no serious or critical violation may remain. The quick run checks each page paused at
1400 px, the MLP page playing and in presenter mode with high contrast, the CNN page with a cell's
arithmetic open, and drives the MLP, CNN and autoencoder canvases by keyboard alone; NNP_FULL=1 adds
400 px, presenter mode and playing on every model page.
"""
import json
import os
import time

import pytest

from .harness import wait_until_idle

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python is a test extra (scripts/test.sh installs it)")

pytestmark = pytest.mark.e2e
FULL = os.environ.get("NNP_FULL") == "1"
PAGES = ["/", "/lessons", "/mlp", "/cnn", "/rnn", "/autoencoder"]
MODEL_PAGES = PAGES[2:]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
FAILING = ("serious", "critical")
# axe's best practices for headings, which the issue asks for too: none may fail at any level.
HEADINGS = {"runOnly": {"type": "rule", "values": ["page-has-heading-one", "heading-order", "empty-heading"]},
            "resultTypes": ["violations"]}

# The focused element, through the components' shadow roots.
ACTIVE = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a ? {tag: a.tagName, label: a.getAttribute('aria-label') || a.innerText || ''} : null; }"""


def load(browser, app_url, path, width=1400, height=1000, reduced_motion=None):
    page = browser.new_page(viewport={"width": width, "height": height}, reduced_motion=reduced_motion)
    page.goto(app_url + path)
    model = path.split("?")[0] in MODEL_PAGES
    page.wait_for_selector("[data-testid=stMetricValue]" if model else "h1", timeout=180_000)
    wait_until_idle(page, timeout=120_000)
    if model:     # the live view's canvas has drawn
        page.wait_for_selector("canvas[role=application]", timeout=60_000)
    time.sleep(0.5)
    return page


def violations(page, options=AXE_OPTIONS):
    """axe's violations as (rule, impact, nodes, help, first elements) tuples."""
    result = axe_playwright.Axe().run(page, options=options).response
    return [(v["id"], v["impact"], len(v["nodes"]), v["help"],
             [(n["target"], n["html"][:200], (n.get("failureSummary") or "")[:300]) for n in v["nodes"][:3]])
            for v in result["violations"]]


def assert_no_serious(page, where):
    found = violations(page)
    for v in found:
        print(where, *v)
    bad = [v for v in found if v[1] in FAILING]
    assert not bad, f"{where}: {bad}"
    headings = violations(page, HEADINGS)
    assert not headings, f"{where}: {headings}"
    return found


def play(page):
    page.keyboard.press("Alt+P")          # the page's shortcut (ui/components/_shared.js)
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=30_000)
    time.sleep(2)


def active(page):
    return page.evaluate(ACTIVE)


def focus_text(page, root):
    return page.locator(f"{root} .nnp-focus").first.inner_text()


def summary(page, root):
    return page.locator(f"{root} .nnp-summary").first.inner_text()


def shadow_text(selector):
    """JS: the text of the first element matching ``selector`` inside a component's shadow root."""
    return ("() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {"
            f" const t = e.shadowRoot && e.shadowRoot.querySelector({json.dumps(selector)}); if (t) return t.textContent; }}"
            " return ''; }")


def wait_text(page, selector, words, timeout=20_000):
    page.wait_for_function(f"() => ({shadow_text(selector)})().includes({words!r})", timeout=timeout)


def tab_to(page, label, limit=150):
    """Press Tab until the canvas named ``label`` has the focus; the names passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = active(page)
        passed.append(f"{now['tag']}:{now['label'][:40]}")
        if now["tag"] == "CANVAS" and now["label"] == label:
            return passed
    raise AssertionError(f"Tab never reached the canvas {label!r}: {passed}")


# Frames the MLP canvas read from its channel a second over ``seconds`` (its state's readAt, sampled
# every 10 ms).
FRAMES_READ = """(seconds) => new Promise((done) => {
  const state = () => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const r = e.shadowRoot && e.shadowRoot.querySelector('.nnv'); if (r && r.__state) return r.__state; } return null; };
  let last = null, n = 0;
  const t = setInterval(() => { const s = state(); if (s && s.readAt !== last) { n += last !== null; last = s.readAt; } }, 10);
  setTimeout(() => { clearInterval(t); done(n / seconds); }, seconds * 1000); })"""


# The summary's texts and when each appeared, sampled every 10 ms in the page until four texts said
# ", training." (or ``seconds`` passed): [[seconds, text], ...].
SUMMARY_CHANGES = """([selector, seconds]) => new Promise((done) => {
  // Timed by a MutationObserver, whose callback runs right after the text is written: a timer that
  // looked every 10 ms saw a change up to half a second late on a busy machine (load 12), so two
  // changes 2 s apart looked 1.5 s apart. Components mounted meanwhile are watched too.
  const watched = new Set(), out = [], end = performance.now() + seconds * 1000;
  const roots = () => [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
    .map(e => e.shadowRoot).filter(r => r && r.querySelector(selector));
  const read = () => { for (const r of roots()) return r.querySelector(selector).textContent; return ''; };
  const note = () => { const text = read();
    if (!out.length || out[out.length - 1][1] !== text) out.push([performance.now() / 1000, text]); };
  const obs = new MutationObserver(note);
  const watch = () => { for (const r of roots()) if (!watched.has(r)) {
    watched.add(r); obs.observe(r, {subtree: true, childList: true, characterData: true}); } };
  watch(); note();
  const t = setInterval(() => { watch(); note();
    if (performance.now() > end || out.filter(([, x]) => x.includes(', training.')).length >= 4) {
      clearInterval(t); obs.disconnect(); done(out); } }, 50); })"""


# The MLP canvas's flash guard fed a plot that turns from blue to orange and back every 50 ms for
# 2 s: which of the two it let through each time, [[seconds, "A" or "B"], ...].
FLASHING = """async () => {
  let st = null;
  for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const r = e.shadowRoot && e.shadowRoot.querySelector('.nnv'); if (r && r.__state) st = r.__state; }
  const make = (color) => { const c = document.createElement('canvas'); c.width = c.height = 48;
    const x = c.getContext('2d'); x.fillStyle = color; x.fillRect(0, 0, 48, 48); return c; };
  const a = make('#0877bd'), b = make('#f59322'), out = [];
  st.flash = null;
  for (let i = 0; i < 40; i++) {
    const before = performance.now() / 1000, shown = st.flashGuard(st, i % 2 ? b : a), after = performance.now() / 1000;
    out.push([before, after, shown.getContext('2d').getImageData(24, 24, 1, 1).data[0] > 128 ? 'B' : 'A']);
    await new Promise((r) => setTimeout(r, 50));
  }
  st.flash = null;
  return out; }"""


# The shared flash guard (_shared.js guardCanvas: the CNN, autoencoder and RNN canvases) fed a
# canvas of side x side CSS px drawn blue and orange by turns every 50 ms for 2 s: what stayed on it.
CANVAS_FLASHING = """async ([w, h]) => {
  let st = null;
  for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const r = e.shadowRoot && e.shadowRoot.querySelector('.cnnv'); if (r && r.__state && r.__state.guardCanvas) st = r.__state; }
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const x = c.getContext('2d'), own = {}, out = [];
  for (let i = 0; i < 40; i++) {
    x.fillStyle = i % 2 ? '#f59322' : '#0877bd'; x.fillRect(0, 0, w, h);
    st.guardCanvas(own, c);
    out.push([performance.now() / 1000, x.getImageData(w / 2, h / 2, 1, 1).data[0] > 128 ? 'B' : 'A']);
    await new Promise((r) => setTimeout(r, 50));
  }
  return out; }"""


def certain_changes_in_a_second(shown):
    """The most colour changes certainly within one second of ``shown`` ([before, after, colour] of
    each call of the guard, whose own clock read lies between the two): a loaded machine can delay a
    call's timestamps, so two changes count together only if even their widest bounds are < 1 s apart."""
    changes = [(b0, b1) for (_, _, x), (b0, b1, y) in zip(shown, shown[1:]) if x != y]
    assert changes, shown
    return max(sum(1 for lo, hi in changes[i:] if hi - changes[i][0] < 1.0) for i in range(len(changes)))


def most_changes_in_a_second(shown):
    changes = [t for (t, a), (_, b) in zip(shown, shown[1:]) if a != b]
    return max((sum(t0 <= t < t0 + 1 for t in changes) for t0 in changes), default=0), len(changes)


def test_home_and_lessons(browser, app_url):
    for path in ["/", "/lessons"]:
        for width in (1400, 400) if FULL else (1400,):
            page = load(browser, app_url, path, width=width)
            try:
                assert page.evaluate("document.documentElement.lang") == "en" and page.title()
                assert_no_serious(page, f"{path} {width}")
            finally:
                page.close()


def test_mlp_page_by_keyboard_and_axe_paused_and_playing(browser, app_url):
    """axe paused and playing; Tab reaches Play before the canvas; the canvas says what it shows;
    arrows reach a weight, Enter edits it and the new value is read out; Alt+P plays and the summary
    says so, then changes at most every 2 s; prefers-reduced-motion draws at most 3 frames a second;
    the focus survives Pause's new canvas."""
    page = load(browser, app_url, "/mlp?data=xor&net=3")
    try:
        assert_no_serious(page, "/mlp paused")
        passed = tab_to(page, "Network and output")
        assert any(p.startswith("BUTTON:") and "Play" in p for p in passed), passed    # Play before the canvas
        assert ", paused." in summary(page, ".nnv")
        assert focus_text(page, ".nnv").startswith("X₁: on")
        page.keyboard.press("ArrowRight")                       # X1's first weight
        before = focus_text(page, ".nnv")
        assert before.startswith("weight ") and "X₁ → neuron 1.1" in before
        page.keyboard.press("Enter")
        edit = page.locator(".nnv input.edit")
        assert edit.is_visible() and "weight from X₁ to neuron 1.1" in edit.get_attribute("aria-label")
        page.keyboard.type("-2.25")
        page.keyboard.press("Enter")
        wait_text(page, ".nnv .nnp-focus", "weight -2.25")      # the page applied it and says so
        assert active(page)["tag"] == "CANVAS"                 # the editor handed the focus back
        page.keyboard.press("ArrowRight")
        assert focus_text(page, ".nnv").startswith("neuron 1.1")
        # The edit's whole-page rerun first: in one clean-clone CI run of four (load from two other test
        # workers) an Alt+P pressed while it ran did not start Play within 20 s; never seen alone or
        # under two CPU burners (6 runs). Not found; the press after it is what this test checks.
        wait_until_idle(page)
        page.keyboard.press("Alt+P")
        wait_text(page, ".nnv .nnp-summary", ", training.")
        # while training the summary changes at most every 2 s (so a screen reader keeps up)
        texts = page.evaluate(SUMMARY_CHANGES, [".nnv .nnp-summary", 20])
        seen = texts[1:]          # the first was there when the watch began: its time is unknown
        gaps = [b[0] - a[0] for a, b in zip(seen, seen[1:]) if ", training." in a[1]]
        assert len(gaps) >= 2 and min(gaps) > 1.8, "\n".join(f"{t:.2f} {x}" for t, x in texts)
        assert_no_serious(page, "/mlp playing")
        # prefers-reduced-motion: at most 3 frames a second, measured beside the normal rate
        rates = {}
        for motion in ("no-preference", "reduce", "no-preference"):
            page.emulate_media(reduced_motion=motion)
            rates.setdefault(motion, []).append(page.evaluate(FRAMES_READ, 1.5))
        print("MLP canvas frames a second while playing:", rates)
        assert max(rates["reduce"]) <= 3.3 and max(rates["no-preference"]) > max(rates["reduce"]), rates
        page.keyboard.press("Alt+P")
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=30_000)
        wait_text(page, ".nnv .nnp-summary", ", paused.")
        page.wait_for_function(f"() => ({ACTIVE})().tag === 'CANVAS'", timeout=10_000)   # focus survives Pause
        # three flashes: the output plot alternating blue and orange every 50 ms shows at most 6
        # changes (3 flashes) in any second
        shown = page.evaluate(FLASHING)
        assert len(shown) == 40 and certain_changes_in_a_second(shown) <= 6, shown
    finally:
        page.close()


def test_cnn_page_by_keyboard_and_axe(browser, app_url):
    """The overview's cell opened with Enter; the cell view's window moved with the arrows reads out
    its arithmetic; axe before and after (the cell view and its editor open)."""
    page = load(browser, app_url, "/cnn")
    try:
        assert_no_serious(page, "/cnn paused")
        tab_to(page, "The probe image through the network")
        assert "through the network: it answers" in summary(page, ".cnnv")
        assert focus_text(page, ".cnnv").startswith("conv")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        assert "row 2, column 2" in focus_text(page, ".cnnv")
        page.keyboard.press("Enter")
        page.wait_for_selector("canvas[aria-label='How one cell is computed']", timeout=30_000)
        wait_until_idle(page)
        tab_to(page, "How one cell is computed")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({ACTIVE})().tag === 'CANVAS'", timeout=5_000)
        words = page.evaluate(shadow_text(".cnnv canvas[aria-label='How one cell is computed'] ~ .nnp-a11y .nnp-focus"))
        assert "row 2, column 3" in words and "z =" in words, words
        assert_no_serious(page, "/cnn cell view")
        # three flashes: a large canvas turning blue-orange every 50 ms shows at most 6 changes (3
        # flashes) in any second; a small one (120 x 120 px, under WCAG's quarter of 341 x 256) all 39
        big, small = page.evaluate(CANVAS_FLASHING, [400, 300]), page.evaluate(CANVAS_FLASHING, [120, 120])
        assert 0 < most_changes_in_a_second(big)[0] <= 6, big
        assert most_changes_in_a_second(small)[1] == 39, small
    finally:
        page.close()


def test_rnn_and_autoencoder_pages(browser, app_url):
    page = load(browser, app_url, "/rnn")
    try:
        assert_no_serious(page, "/rnn paused")
        assert "The network's answer" in summary(page, ".rnv") or "Forecast" in summary(page, ".rnv")
        tab_to(page, "The recurrent network over time")
        page.keyboard.press("ArrowRight")
        assert focus_text(page, ".rnv").strip()                  # a part of the picture, read out
    finally:
        page.close()
    page = load(browser, app_url, "/autoencoder")
    try:
        assert_no_serious(page, "/autoencoder paused")
        tab_to(page, "The code plane")
        page.keyboard.press("ArrowRight")
        assert "the nearest codes are of" in focus_text(page, ".aev")
        wait_text(page, ".aev canvas[aria-label='The code plane'] ~ .nnp-a11y .nnp-summary", "Decoded at")   # the page decoded it
    finally:
        page.close()


@pytest.mark.parametrize("path", MODEL_PAGES if FULL else ["/mlp"])
def test_presenter_mode_and_narrow(browser, app_url, path):
    for query, width, height in [("?present=1&contrast=1", 1024, 768)] + ([("", 400, 800), ("?present=1", 1024, 768)] if FULL else []):
        page = load(browser, app_url, path + query, width=width, height=height)
        try:
            assert_no_serious(page, f"{path}{query} {width}")
            if FULL:
                play(page)
                assert_no_serious(page, f"{path}{query} {width} playing")
        finally:
            page.close()
