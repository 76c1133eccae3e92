"""What a projector shows of a page: text cut off, text under 16 px (the metrics, buttons and labels
grow with presenter mode's size: at 100 % a label is 14 px), and the smallest text the canvases draw.

Every canvas component reports the smallest font it drew in its last frame, in CSS pixels, as
``data-min-font`` on its <canvas> (the canvases live in shadow roots, so this walks them).
"""
from .conftest import screenshot
from .harness import wait_until_idle

PROJECTORS = [(1024, 768), (1280, 720)]
MIN_CANVAS_FONT = 16

# Texts that must show whole: metric labels and values, button labels, widget labels, and the
# selected value of a select box. An element is cut when its content is wider than its box.
CUT_TEXTS = """() => {
  const picks = ['[data-testid=stMetricLabel] p', '[data-testid=stMetricValue] > div',
                 'button [data-testid=stMarkdownContainer] p', '[data-testid=stWidgetLabel] p',
                 'button [data-testid=stMarkdownContainer]',      // a button's label box ends in '…' when cut
                 '[data-baseweb=select] [value]', '[data-baseweb=select] div[title]'];
  const cut = [];
  for (const sel of picks) for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || e.closest('[data-testid=stSidebar]')) continue;
    if (e.scrollWidth > e.clientWidth + 1) cut.push(`${sel}: ${e.innerText || e.getAttribute('value')}`);
  }
  return cut;
}"""

# The same texts' size: presenter mode must make them readable from the back of a room.
SMALL_TEXTS = """(least) => {
  const picks = ['[data-testid=stMetricLabel] p', '[data-testid=stMetricValue] > div',
                 'button [data-testid=stMarkdownContainer] p', '[data-testid=stWidgetLabel] p'];
  const small = [];
  for (const sel of picks) for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || e.closest('[data-testid=stSidebar]') || !e.innerText.trim()) continue;
    const px = parseFloat(getComputedStyle(e).fontSize);
    if (px < least) small.push(`${sel}: ${e.innerText} ${px} px`);
  }
  return small;
}"""

CANVAS_FONTS = """() => {
  const out = [];
  const walk = (root) => {
    for (const c of root.querySelectorAll('canvas[data-min-font]'))
      out.push({label: c.getAttribute('aria-label') || '', font: +c.getAttribute('data-min-font'),
                width: c.getBoundingClientRect().width});
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
  };
  walk(document);
  return out;
}"""


def projector_check(open_page, path, name):
    """Open ``path`` in presenter mode at each projector size; return (cut texts, texts and canvas
    fonts under 16 px, canvases seen) over both sizes, after saving a screenshot of each."""
    cut, small, seen = [], [], []
    for width, height in PROJECTORS:
        page = open_page(path, width=width, height=height)
        wait_until_idle(page)
        page.wait_for_timeout(1500)                 # the canvases draw their first frames
        screenshot(page, f"{name}-presenter-{width}x{height}")
        cut += [f"{width}x{height} {t}" for t in page.evaluate(CUT_TEXTS)]
        small += [f"{width}x{height} {t}" for t in page.evaluate(SMALL_TEXTS, MIN_CANVAS_FONT)]
        fonts = page.evaluate(CANVAS_FONTS)
        seen += [f["label"] for f in fonts]
        small += [f"{width}x{height} {f['label']}: {f['font']} px" for f in fonts
                  if f["width"] > 0 and f["font"] < MIN_CANVAS_FONT]
    return cut, small, seen
