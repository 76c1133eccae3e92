"""A lesson end to end in headless Chromium: its link opens the preset and the panel, the prediction is
locked in, Play ticks the checks, the lesson is done, and it is still done after a reload (the browser
keeps the progress); the Lessons page shows it. The panel at three screen sizes and in presenter mode."""
import time

import pytest

from tests.tiers import variants

from ui.lessons.model import load_course

from .conftest import screenshot
from .harness import wait_until_idle
from .test_mlp_e2e import metric

pytestmark = pytest.mark.e2e

LESSON = "/mlp?lesson=overfitting"
PANEL = ".st-key-lesson-panel"
ANSWER = "Fall at first, then rise while the training loss keeps falling"
COURSE = load_course()
N = len(COURSE.lessons)
NUMBER = [lesson.id for lesson in COURSE.lessons].index("overfitting") + 1


def check(page, check_id, state="ticked"):
    return page.locator(f".lsn li[data-check='{check_id}'].{state}")       # pierces the component's shadow root


def overflow(page, selector):
    """How many pixels ``selector`` is wider than its box (0: nothing cut off or scrolling sideways)."""
    return page.evaluate(f"() => {{ const e = document.querySelector('{selector}'); "
                         "return e ? e.scrollWidth - e.clientWidth : -1; }")


def test_a_lesson_from_its_link_to_done_and_still_done_after_a_reload(open_page, app_url):
    page = open_page(LESSON)
    panel = page.locator(PANEL)
    assert f"Lesson {NUMBER} of {N}: Overfitting: the train/test gap" in panel.inner_text()
    assert metric(page, "Epoch") == "0"
    noise = page.locator("[data-testid=stSlider]").filter(has_text="Noise (%)").locator(
        "[data-testid=stSliderThumbValue]").inner_text()
    assert noise == "50"                                                # the lesson's preset
    check(page, "turns", "open").wait_for(timeout=30_000)
    page.locator(".lsn").get_by_text("Answer the prediction first").wait_for(timeout=30_000)

    panel.get_by_text(ANSWER).click()
    panel.get_by_role("button", name="Lock in my prediction").click()
    page.get_by_text("Right.").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.evaluate("() => new URLSearchParams(location.search).get('lesson')") == "overfitting"

    page.get_by_role("button", name="Play", exact=True).click()
    check(page, "gap").wait_for(timeout=60_000)
    check(page, "turns").wait_for(timeout=60_000)
    done = page.locator(".lsn .done")
    done.wait_for(timeout=30_000)
    assert done.inner_text() == "✓ Done: lesson complete"
    values = page.locator(".lsn li[data-check='gap'] .part").inner_text()
    assert "test loss minus training loss" in values and "→ at least 0.5" in values
    screenshot(page, "lesson-done-1400x1000")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_until_idle(page)

    page.reload()                                             # a new session: only the browser remembers
    page.wait_for_selector("[data-testid=stMetricValue]", timeout=120_000)
    page.locator(".lsn .done").wait_for(timeout=30_000)
    page.get_by_text("Your prediction:").wait_for(timeout=30_000)       # the answer came back from the browser
    assert check(page, "turns").count() == 1 and check(page, "gap").count() == 1
    assert metric(page, "Epoch") == "0"                        # the run itself starts afresh

    page.goto(app_url + "/lessons")
    page.get_by_text(f"1 of {N} lessons done").wait_for(timeout=60_000)
    row = page.locator("[data-testid=stHorizontalBlock]").filter(has_text="Overfitting: the train/test gap")
    for _ in range(60):                                        # the count and the rows come in one run,
        if "Done" in row.first.inner_text():                   # but a loaded browser may paint them apart
            break
        time.sleep(0.5)
    assert "Done" in row.first.inner_text()
    screenshot(page, "lessons-page-1400x1000")
    page.get_by_role("button", name="Reset my progress").click()
    page.get_by_role("button", name="Yes, reset").click()
    page.get_by_text(f"0 of {N} lessons done").wait_for(timeout=30_000)
    page.reload()
    page.get_by_text(f"0 of {N} lessons done").wait_for(timeout=60_000)      # the browser forgot it too


@pytest.mark.parametrize("width, height", variants([(1024, 768)], [(1400, 1000), (400, 800)]))
def test_the_panel_fits_each_screen(open_page, width, height):
    page = open_page("/rnn?lesson=memory-recall", width, height)
    panel = page.locator(PANEL)
    panel.wait_for()
    page.locator(".lsn li").first.wait_for(timeout=30_000)
    assert overflow(page, PANEL) <= 0 and overflow(page, "[data-testid=stMain]") <= 0
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.locator(".lsn li").count() == 2
    screenshot(page, f"lesson-{width}x{height}")
    page.locator(".lsn").scroll_into_view_if_needed()
    time.sleep(0.3)
    screenshot(page, f"lesson-checks-{width}x{height}")


def test_presenter_mode_shows_the_panel_large(open_page):
    plain = open_page(LESSON, 1920, 1080)
    normal = plain.locator(f"{PANEL} [data-testid=stMarkdownContainer] p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    page = open_page(LESSON + "&present=1", 1920, 1080)
    page.locator(".lsn li").first.wait_for(timeout=30_000)
    large = page.locator(f"{PANEL} [data-testid=stMarkdownContainer] p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    checks = page.locator(".lsn.large").count()
    assert large >= 1.3 * normal and checks == 1, (normal, large, checks)
    time.sleep(0.5)
    screenshot(page, "lesson-presenter-1920x1080")


LINKS = """() => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
  const root = e.shadowRoot && e.shadowRoot.querySelector('.nnv');
  if (root && root.__state && root.__state.L && root.__state.links.length >= 2) {
    const st = root.__state, r = st.canvas.getBoundingClientRect();
    return {left: r.left, top: r.top, zoom: st.zoom, links: st.links.slice(0, 2).map(l => ({a: l.a, b: l.b})),
            w: st.data.layers[0].weights.map(row => row[0])};
  } } return null; }"""


def test_the_weights_lesson_is_done_by_hand_on_the_canvas(open_page):
    """Neurons, weights and biases: no Play, two weights typed in on the network, both checks tick."""
    page = open_page("/mlp?lesson=neurons-weights")
    panel = page.locator(PANEL)
    for k, answer in enumerate(("w₁ = 1, w₂ = 1, b = 0", "It moves the line without turning it")):
        panel.get_by_text(answer, exact=True).click()
        panel.get_by_role("button", name="Lock in my prediction").first.click()
        # the next question's button only once this one is locked (a loaded server answers late)
        page.get_by_text("Your prediction:").nth(k).wait_for(timeout=30_000)
        wait_until_idle(page)
    check(page, "by-hand", "open").wait_for(timeout=30_000)
    for k in range(2):                                        # the lines from X₁ and from X₂ to the output
        page.locator(".nnv canvas").scroll_into_view_if_needed()
        s = page.wait_for_function(LINKS, timeout=30_000).json_value()
        a, b, z = s["links"][k]["a"], s["links"][k]["b"], s["zoom"]
        page.mouse.click(s["left"] + (a["x"] + b["x"]) / 2 * z, s["top"] + (a["y"] + b["y"]) / 2 * z)
        box = page.locator(".nnv input.edit")
        box.wait_for(state="visible")
        box.fill("1")
        box.press("Enter")
        page.wait_for_function(f"() => ({LINKS})()?.w[{k}] === 1", timeout=30_000)
        wait_until_idle(page)
    check(page, "by-hand").wait_for(timeout=30_000)
    check(page, "sharp").wait_for(timeout=30_000)
    page.locator(".lsn .done").wait_for(timeout=30_000)
    assert metric(page, "Step") == "0"
    page.locator(".lsn").scroll_into_view_if_needed()
    screenshot(page, "lesson-by-hand-done")
