"""Three flashes (WCAG 2.3.1): does a large area of the live MLP page flip between dark and light more
than three times a second while training? (issue 22)

    python bench/flashes.py [--seconds 8] [--lrs 0.03,1,3,10] [--query "data=spiral&net=8,8,8,8,8,8"]
                            [--reduced-motion] [--page mlp|cnn|autoencoder|rnn] [--whole] [--url URL]

Opens the MLP page in headless Chromium at 1024 x 768, presses Play and reads the output plot (the
canvas's largest picture, about 300 x 300 CSS px) at every animation frame, as a 16 x 16 grid of
relative luminances (sRGB to linear, Rec. 709 weights). WCAG's general flash: a flash is a pair of
opposing changes in relative luminance of 0.1 or more where the darker state is below 0.8; a page
fails when more than three flashes a second cover a large area (a quarter of a 10-degree field,
about 341 x 256 px at 1024 x 768). For each learning rate it prints the most flashes any grid cell
had in one second, and the largest share of the plot that flashed more than three times within one
second (1.0 = the whole plot).

``--whole`` (implied for the pages other than mlp) reads every canvas of the page instead (the MLP's
hidden tiles, the CNN's feature maps, the autoencoder's reconstructions and code plane, the RNN's
hidden-unit maps), as cells of 16 x 16 CSS px, and prints the largest area (CSS px², all canvases
together) whose cells flashed more than three times within one second, against WCAG's limit of a
quarter of 341 x 256 (21,824 px²), and how many pictures the page's flash guard held back.
"""
import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.harness import launch_chromium, streamlit_server, wait_until_idle  # noqa: E402

GRID = 16
SAMPLE = """(args) => new Promise((done) => {
  const [seconds, grid] = args;
  const state = () => { for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const r = e.shadowRoot && e.shadowRoot.querySelector('.nnv'); if (r && r.__state && r.__state.L) return r.__state; } return null; };
  const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const out = [], end = performance.now() + seconds * 1000;
  const tick = () => {
    const s = state();
    if (s) {
      const P = s.L.plot, k = s.zoom * (window.devicePixelRatio || 1);
      const x0 = Math.round(P.x * k), y0 = Math.round(P.y * k), side = Math.floor(P.size * k);
      const px = s.canvas.getContext('2d').getImageData(x0, y0, side, side).data, cell = side / grid, g = [];
      for (let gy = 0; gy < grid; gy++) for (let gx = 0; gx < grid; gx++) {
        let sum = 0, n = 0;
        for (let y = Math.floor(gy * cell); y < Math.floor((gy + 1) * cell); y += 2)
          for (let x = Math.floor(gx * cell); x < Math.floor((gx + 1) * cell); x += 2) {
            const i = 4 * (y * side + x);
            sum += 0.2126 * lin(px[i]) + 0.7152 * lin(px[i + 1]) + 0.0722 * lin(px[i + 2]); n++;
          }
        g.push(sum / n);
      }
      out.push([performance.now() / 1000, g]);
    }
    if (performance.now() < end) requestAnimationFrame(tick); else done(out);
  };
  requestAnimationFrame(tick); })"""


SAMPLE_WHOLE = """(args) => new Promise((done) => {
  const [seconds, cell] = args;
  const LIN = Float64Array.from({ length: 256 }, (_, v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  const lin = (v) => LIN[Math.round(v)];
  const canvases = () => { const out = [];
    for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
      const root = e.shadowRoot; if (!root) continue;
      root.querySelectorAll('canvas').forEach((c, i) => { if (c.width && c.clientWidth && c.clientHeight >= cell) out.push(c); }); }
    return out; };
  const held = () => { let n = 0; for (const e of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
      if (e.shadowRoot) for (const r of e.shadowRoot.querySelectorAll('div')) if (r.__state) n += r.__state.flashHeldCount || 0; }
    return n; };
  const ids = new Map(); let next = 0;
  const out = [], end = performance.now() + seconds * 1000, held0 = held();
  const tick = () => {
    const frame = [];
    for (const c of canvases()) {
      if (!ids.has(c)) ids.set(c, next++);
      const k = c.width / c.clientWidth, cols = Math.floor(c.clientWidth / cell), rows = Math.floor(c.clientHeight / cell);
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, g = [];
      for (let gy = 0; gy < rows; gy++) for (let gx = 0; gx < cols; gx++) {
        let sum = 0, n = 0;
        for (let y = Math.floor(gy * cell * k); y < Math.floor((gy + 1) * cell * k); y += 4)
          for (let x = Math.floor(gx * cell * k); x < Math.floor((gx + 1) * cell * k); x += 4) {
            const i = 4 * (y * c.width + x), a = px[i + 3] / 255;      // over the white page
            sum += 0.2126 * lin(px[i] * a + 255 * (1 - a)) + 0.7152 * lin(px[i + 1] * a + 255 * (1 - a))
                   + 0.0722 * lin(px[i + 2] * a + 255 * (1 - a)); n++;
          }
        g.push(sum / n);
      }
      frame.push([`${ids.get(c)} ${cols}x${rows}`, g]);
    }
    out.push([performance.now() / 1000, frame]);
    if (performance.now() < end) requestAnimationFrame(tick); else done({ samples: out, held: held() - held0 });
  };
  requestAnimationFrame(tick); })"""
WCAG_AREA = 0.25 * 341 * 256        # CSS px² at 1024 x 768: a quarter of a 10-degree field


def transitions(times, values, step=0.1, light=0.8):
    """Times of the alternating changes of ``values`` by ``step`` or more whose darker side is below
    ``light`` (WCAG's general flash: two opposing changes make one flash)."""
    out, ref, direction = [], values[0], 0
    for t, v in zip(times, values):
        if abs(v - ref) >= step and min(v, ref) < light:
            d = 1 if v > ref else -1
            if d != direction:
                out.append(t)
                direction = d
            ref = v
        elif (v - ref) * direction > 0:      # still moving the same way: follow the extreme
            ref = v
    return out


def flash_figures(samples):
    times = [t for t, _ in samples]
    cells = list(zip(*[g for _, g in samples]))
    per_cell = [transitions(times, list(c)) for c in cells]
    starts = sorted({t for ts in per_cell for t in ts})
    worst, share = 0, 0.0
    for t0 in starts:
        counts = [sum(t0 <= t < t0 + 1 for t in ts) // 2 for ts in per_cell]
        worst = max(worst, max(counts))
        share = max(share, sum(c > 3 for c in counts) / len(counts))
    return worst, share


def whole_figures(samples, cell=16):
    """(most flashes in a second of any cell, largest area in CSS px² over 3 flashes in one second,
    distinct pictures a second) over all the canvases sampled."""
    series = {}
    for t, frame in samples:
        for key, g in frame:
            series.setdefault(key, []).append((t, g))
    per_cell = []
    for rows in series.values():
        times = [t for t, _ in rows]
        per_cell += [transitions(times, list(c)) for c in zip(*[g for _, g in rows])]
    starts = sorted({t for ts in per_cell for t in ts})
    worst, area = 0, 0.0
    for t0 in starts:
        counts = [sum(t0 <= t < t0 + 1 for t in ts) // 2 for ts in per_cell]
        worst = max(worst, max(counts))
        area = max(area, sum(c > 3 for c in counts) * cell * cell)
    changes = max((sum(1 for a, b in zip(rows, rows[1:]) if a[1] != b[1]) for rows in series.values()), default=0)
    return worst, area, changes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--lrs", default="0.03,1,3,10")
    ap.add_argument("--query", default="data=spiral&net=8,8,8,8,8,8")
    ap.add_argument("--reduced-motion", action="store_true")
    ap.add_argument("--page", default="mlp", choices=("mlp", "cnn", "autoencoder", "rnn"))
    ap.add_argument("--whole", action="store_true", help="every canvas of the page (implied off the mlp page)")
    ap.add_argument("--url", help="a running app instead of a fresh one")
    args = ap.parse_args()
    whole = args.whole or args.page != "mlp"
    server = contextlib.nullcontext((args.url, None)) if args.url else streamlit_server()
    with server as (url, _), sync_playwright() as p:
        browser = launch_chromium(p)
        if whole:
            print(f"{'lr':>6} {'pictures/s':>10} {'most flashes/s (a cell)':>24} {'largest area over 3/s (px²)':>28} "
                  f"{'WCAG limit':>10} {'held back':>9}")
        else:
            print(f"{'lr':>6} {'frames/s':>9} {'most flashes/s (a cell)':>24} {'share of the plot over 3/s':>27}")
        for lr in args.lrs.split(","):
            page = browser.new_page(viewport={"width": 1024, "height": 768},
                                    reduced_motion="reduce" if args.reduced_motion else None)
            page.goto(f"{url}/{args.page}?{args.query}&lr={lr}")
            page.wait_for_selector("[data-testid=stMetricValue]", timeout=300_000)
            wait_until_idle(page, timeout=300_000)
            time.sleep(1)
            page.get_by_role("button", name="Play", exact=True).click()
            time.sleep(1.5)
            if whole:
                got = page.evaluate(SAMPLE_WHOLE, [args.seconds, 16])
                worst, area, changes = whole_figures(got["samples"])
                print(f"{lr:>6} {changes / args.seconds:>10.1f} {worst:>24} {area:>28.0f} {WCAG_AREA:>10.0f} "
                      f"{got['held']:>9}")
            else:
                samples = page.evaluate(SAMPLE, [args.seconds, GRID])
                distinct = sum(1 for a, b in zip(samples, samples[1:]) if a[1] != b[1])
                worst, share = flash_figures(samples)
                print(f"{lr:>6} {distinct / args.seconds:>9.1f} {worst:>24} {share:>27.2f}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
