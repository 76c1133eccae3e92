"""The CNN page as a learner sees it, in one Chromium tab: accuracy after 30 s of Play, screen
updates per second, Pause and Play latency; and the server time of a drawn digit's prediction.

    python bench/cnn_page.py [--seconds 30] [--pauses 10] [--query "data=bars"]

Starts the real app, opens /cnn in headless Chromium (Debian's /usr/bin/chromium), presses
Play with every view on and counts distinct values of the Step metric for ``--seconds``.
Then it pauses, downloads the weights with the page's own button and measures their accuracy
on all 2,000 held-out MNIST images (the page's metric uses a 512-image subset). Pause and Play
latency as in bench/ui_frame_rate.py. Last, in this process: the server's work for a drawn
digit (decode, MNIST-style preprocessing, prediction, the overview of its feature maps), and
the server's work for one live frame (a new snapshot's overview, kernels, strip, confusion, JSON).
"""
import argparse
import io
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.sync_api import sync_playwright  # noqa: E402

import engine  # noqa: E402
from tests.e2e.harness import launch_chromium, streamlit_server  # noqa: E402
from _page_timing import click, open_observed, play, random_pause, steady_figures, updates_after  # noqa: E402


def full_test_accuracy(npz_bytes, dataset_xt, dataset_yt):
    weights = np.load(io.BytesIO(npz_bytes), allow_pickle=False)
    spec = json.loads(str(weights["spec"]))
    net = engine.build(spec)
    net.set_params({k: weights[k] for k in weights.files if k in net.params})   # the file carries its setup too
    out = net.forward(dataset_xt).reshape(len(dataset_xt), -1)
    return float((out.argmax(axis=1) == dataset_yt).mean())


def browser_figures(url, pid, query, seconds, pauses, seed=0):
    from ui.cnn.run import image_data
    rng = random.Random(seed)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page, cdp, received = open_observed(browser, f"{url}/cnn?{query}")
        started = time.monotonic()
        plays = [play(page)]
        out = steady_figures(page, cdp, pid, received, seconds - (time.monotonic() - started))
        t = click(page, "Pause")
        trained = time.monotonic() - started
        time.sleep(1.0)
        late = updates_after(page, t)
        pause_latencies = [(max(late) - t) / 1000 if late else 0.0]
        with page.expect_download() as download:
            page.get_by_role("button", name="Weights (.npz)", exact=True).click()
        npz = Path(download.value.path()).read_bytes()
        _, _, xt, yt = image_data("bars" if "data=bars" in query else "mnist", 0)
        out["accuracy"], out["trained_seconds"] = full_test_accuracy(npz, xt, yt), trained
        for _ in range(pauses - 1):
            plays.append(play(page))
            pause_latencies.append(random_pause(page, rng))
        browser.close()
    out.update(pause=pause_latencies, play=[p for p in plays if p is not None], play_missed=plays.count(None))
    return out


def digit_server_ms(repeats=20):
    """Milliseconds of server work from a drawn digit's PNG to its prediction and feature-map overview."""
    from PIL import Image, ImageDraw

    from ui.digit import digit_from_bytes
    from ui.cnn.run import CnnRun
    from ui.cnn.settings import CnnSettings
    run = CnnRun(CnnSettings())
    pad = Image.new("RGBA", (280, 280), (255, 255, 255, 0))
    ImageDraw.Draw(pad).line([(140, 40), (150, 240)], fill=(17, 17, 17, 255), width=20)
    buf = io.BytesIO()
    pad.save(buf, format="PNG")
    png = buf.getvalue()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run.digit = digit_from_bytes(png)
        run.predict_digit()
        json.dumps(run.digit_frame(run.shown))
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), max(times)


def frame_server_ms(repeats=40, cell=None):
    """Milliseconds of server CPU (this thread's, as ui/live.py counts a frame's cost) for one live
    frame of the default MNIST page (a new snapshot each time, as while playing): the overview's
    forward pass, kernels, strip, confusion, JSON. ``cell``: a clicked feature-map cell (layer
    position, channel, row, column) whose view rides along."""
    from ui.cnn.run import CnnRun
    from ui.cnn.settings import CnnSettings
    run = CnnRun(CnnSettings())
    run.advance(200)
    if cell is not None:
        run.select_cell(*cell)
    times, sizes = [], []
    for _ in range(repeats):
        snap = run.advance(2)
        start = time.thread_time()
        body = json.dumps(run.frame(snap, full=False), separators=(",", ":"))
        times.append(1000 * (time.thread_time() - start))
        sizes.append(len(body))
    return statistics.median(times), statistics.median(sizes) / 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--pauses", type=int, default=10)
    ap.add_argument("--query", default="")
    args = ap.parse_args()
    frame_ms, frame_kb = frame_server_ms()
    cell_ms, cell_kb = frame_server_ms(cell=(2, 0, 7, 7))
    with streamlit_server() as (url, pid):
        b = browser_figures(url, pid, args.query, args.seconds, args.pauses)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"machine load average {' '.join(load)}")
    print(f"after {b['trained_seconds']:.1f} s of Play: {b['accuracy']:.2%} on all held-out images")
    print(f"screen updates: {b['fps']:.1f}/s; {b['bytes_per_update'] / 1000:.1f} KB and "
          f"{b['server_ms_per_update']:.1f} ms server CPU per update")
    browser = ", ".join(f"{k.replace('Duration', '').lower()} {v:.1f}" for k, v in b["browser_ms_per_update"].items())
    print(f"browser main thread per update (ms): {browser}")
    pauses = b["pause"]
    print(f"Pause: median {statistics.median(pauses):.2f} s, worst {max(pauses):.2f} s over {len(pauses)}; "
          f"Play to first update: median {statistics.median(b['play']):.2f} s ({b['play_missed']} missed)")
    print(f"server work per live frame (in process): median {frame_ms:.1f} ms, {frame_kb:.1f} KB; "
          f"with a conv cell open {cell_ms:.1f} ms, {cell_kb:.1f} KB")
    median, worst = digit_server_ms()
    print(f"drawn digit -> prediction and feature maps: median {median:.1f} ms, worst {worst:.1f} ms of server time")


if __name__ == "__main__":
    main()
