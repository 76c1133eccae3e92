"""The autoencoder page's targets (issue 19), with the engine alone and in one Chromium tab.

    python bench/autoencoder_page.py [--seconds 60] [--pauses 10] [--skip-browser] [--skip-engine]
                                     [--query "vae=1"] [--repeats 5]

Engine alone (this process):
  * "Grouped by digit" (the share of 1,000 test digits whose 5 nearest codes among 2,000 mostly carry
    their own label) while the page's default autoencoder trains for ``--seconds`` (MNIST 8,000, 784 ->
    128 -> 32 -> 2 -> 32 -> 128 -> 784, ReLU, cross-entropy, Adam 0.003, batch 64), against the same
    measure on a plain 2-D principal-component projection of the pixels; the VAE's figure beside it;
  * steps/s of that autoencoder against PyTorch CPU in the same process (blocks interleaved, medians),
    and the steps each trains in its first ``--seconds`` of training from the start (turns of 2 s);
  * the server's work for a clicked point of the code plane: its decoded image, and the whole frame
    that carries it.
In Chromium (the real app, ``streamlit run``): Play for ``--seconds``, then "Grouped by digit" as the
page shows it; screen updates a second while playing; Pause latency at random moments; Play to the
first update; a click in the plane to its decoded image on the screen.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine  # noqa: E402
from engine_bench import _calibrate, _torch_stepper, torch  # noqa: E402
from ui.autoencoder.run import AutoencoderRun  # noqa: E402
from ui.autoencoder.settings import AutoencoderSettings  # noqa: E402
from viz import autoencoder as ae  # noqa: E402


# -- the engine alone -------------------------------------------------------------------------------
def pca_grouped():
    """Grouped by digit of the first two principal components of the test pixels (no training at all)."""
    run = AutoencoderRun(AutoencoderSettings(encoder=(16,)))
    pixels, labels = run.xt_flat[:2000].astype(np.float64), run.yt[:2000]
    centred = pixels - pixels.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return ae.grouped_by_label(centred @ vt[:2].T, labels)


def grouped_over_time(settings, seconds, every=2.0):
    """[(seconds trained, epoch, grouped)] while ``settings``' run trains as fast as it can for
    ``seconds`` (the codes measured every ``every`` seconds, outside the timed training)."""
    run = AutoencoderRun(settings)
    run.advance(1)                                 # compiled before the clock starts
    run.rebuild()
    trained, out = 0.0, []
    while trained < seconds:
        start = time.perf_counter()
        while time.perf_counter() - start < every:
            run.advance(20)
        trained += time.perf_counter() - start
        out.append((trained, run.snap.epoch, run.grouped(run.snap)))
    return out


def torch_autoencoder(settings):
    """The page's network in PyTorch: the same layers, loss and optimizer."""
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[settings.activation]
    widths = [784, *settings.encoder, settings.code, *reversed(settings.encoder), 784]
    mods = [torch.nn.Flatten()]
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        mods.append(torch.nn.Linear(a, b))
        if 0 < i + 1 < len(widths) - 1 and b != settings.code:
            mods.append(act())
    if settings.loss == "mse":
        mods.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*mods)


def _rates(run, steps):
    """(steps per wall second, steps per CPU second of this process) of ``run(steps)``: on a shared,
    loaded machine the CPU seconds say what the work costs, the wall seconds what a user waits."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(steps)
    return steps / (time.perf_counter() - wall), steps / max(time.process_time() - cpu, 1e-9)


def engine_vs_torch(settings, repeats, threads, seconds=1.0):
    """((engine steps/s wall, per CPU s), (PyTorch's with ``threads`` threads)), medians of interleaved blocks."""
    run = AutoencoderRun(settings)
    trainer = engine.Trainer(engine.build(settings.spec(), seed=0), train=(run.x, run.x_flat), optimizer="adam",
                             lr=settings.lr, batch_size=settings.batch, eval_every=10**12, classification=False)
    trainer.step(1)
    n_engine = _calibrate(trainer.step, seconds)
    torch_run = None
    if torch is not None:
        torch.set_num_threads(threads)
        model = torch_autoencoder(settings)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits if settings.loss == "binary_crossentropy"
                else torch.nn.functional.mse_loss)
        torch_run = _torch_stepper(model, torch.optim.Adam(model.parameters(), lr=settings.lr), loss,
                                   np.array(run.x), np.array(run.x_flat), settings.batch)   # writable copies
        torch_run(5)
        n_torch = _calibrate(torch_run, seconds)
    ours, theirs = [], []
    for _ in range(repeats):
        ours.append(_rates(trainer.step, n_engine))
        if torch_run is not None:
            theirs.append(_rates(torch_run, n_torch))
    median = lambda rows: tuple(statistics.median(r[i] for r in rows) for i in range(2))     # noqa: E731
    return median(ours), (median(theirs) if theirs else None)


def engine_vs_torch_over_training(settings, threads, seconds=60.0, block=2.0):
    """Steps each trained in its first ``seconds`` of training from the start, as the page trains
    when Play is pressed: the engine and PyTorch (``threads`` threads) take turns of ``block``
    seconds, so machine noise hits both alike. The engine's step gets cheaper as the ReLU codes
    grow sparse (its sparse products), PyTorch's stays. Returns ([engine steps/s of each turn],
    [PyTorch's])."""
    run = AutoencoderRun(settings)
    trainer = engine.Trainer(engine.build(settings.spec(), seed=0), train=(run.x, run.x_flat), optimizer="adam",
                             lr=settings.lr, batch_size=settings.batch, eval_every=10**12, classification=False)
    trainer.step(1)
    torch.set_num_threads(threads)
    model = torch_autoencoder(settings)
    loss = (torch.nn.functional.binary_cross_entropy_with_logits if settings.loss == "binary_crossentropy"
            else torch.nn.functional.mse_loss)
    torch_run = _torch_stepper(model, torch.optim.Adam(model.parameters(), lr=settings.lr), loss,
                               np.array(run.x), np.array(run.x_flat), settings.batch)
    torch_run(1)
    turns = {"engine": [], "torch": []}
    for name, step in [("engine", trainer.step), ("torch", torch_run)] * int(seconds / block):
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < block:
            step(10)
            steps += 10
        turns[name].append(steps / (time.perf_counter() - start))
    return turns["engine"], turns["torch"]


def decode_ms(settings, repeats=50):
    """(decoded image ms, whole frame ms) median of the server's work for a clicked point of the plane,
    on a new snapshot each time (while training, as a drag does)."""
    from ui.autoencoder.views import fast_frame
    run = AutoencoderRun(settings)
    run.advance(300)
    views = run.views(run.snap)
    lo, hi = np.array(views["extent"][::2]), np.array(views["extent"][1::2])
    rng = np.random.default_rng(0)
    decode, whole = [], []
    for _ in range(repeats):
        point = tuple(lo + rng.random(2) * (hi - lo))
        start = time.thread_time()
        run.decoded_at(run.snap, point)
        decode.append(1000 * (time.thread_time() - start))
        run.point = point
        start = time.thread_time()
        json.dumps(fast_frame(run, run.snap), separators=(",", ":"))
        whole.append(1000 * (time.thread_time() - start))
    return statistics.median(decode), max(decode), statistics.median(whole)


# -- in Chromium -------------------------------------------------------------------------------------
GROUPED = """() => { for (const m of document.querySelectorAll('[data-testid=stMetric]'))
  if (m.querySelector('[data-testid=stMetricLabel]').textContent.trim().startsWith('Grouped'))
    return m.querySelector('[data-testid=stMetricValue]').textContent; return null; }"""
PLANE = """() => { const walk = (root) => { for (const c of root.querySelectorAll('.aev canvas'))
    if (c.getAttribute('aria-label') === 'The code plane') return c;
  for (const e of root.querySelectorAll('*')) if (e.shadowRoot) { const c = walk(e.shadowRoot); if (c) return c; }
  return null; }; return walk(document); }"""
DECODED = """(before) => { const box = document.querySelector('.st-key-frames-autoencoder');
  try { const p = JSON.parse(box.textContent).plane; return p.decoded !== null && JSON.stringify(p.point) !== before; }
  catch (e) { return false; } }"""
POINT = """() => { try { return JSON.stringify(JSON.parse(document.querySelector('.st-key-frames-autoencoder').textContent)
  .plane.point); } catch (e) { return ''; } }"""


def browser_figures(url, pid, query, seconds, pauses, seed=0):
    from playwright.sync_api import sync_playwright

    from _page_timing import click, open_observed, play, random_pause, steady_figures, updates_after
    from tests.e2e.harness import launch_chromium, wait_until_idle
    rng = random.Random(seed)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page, cdp, received = open_observed(browser, f"{url}/autoencoder?{query}")
        started = time.monotonic()
        plays = [play(page)]
        out = steady_figures(page, cdp, pid, received, seconds - (time.monotonic() - started))
        t = click(page, "Pause")
        out["trained_seconds"] = time.monotonic() - started
        time.sleep(1.2)
        late = updates_after(page, t)
        pause_latencies = [(max(late) - t) / 1000 if late else 0.0]
        page.get_by_role("button", name="Play", exact=True).wait_for()
        wait_until_idle(page)
        time.sleep(1.0)                                # the paused page's run has drawn everything
        out["grouped"] = page.evaluate(GROUPED)
        clicks = []
        plane = page.evaluate_handle(PLANE)
        plane.scroll_into_view_if_needed()
        for k in range(5):                          # paused: a click to its decoded image in the frame
            box, before = plane.bounding_box(), page.evaluate(POINT)
            start = time.monotonic()
            page.mouse.click(box["x"] + box["width"] * (0.1 + 0.05 * k), box["y"] + box["height"] * 0.4)
            page.wait_for_function(DECODED, arg=before, timeout=20_000)
            clicks.append(time.monotonic() - start)
            wait_until_idle(page)
        for _ in range(pauses - 1):
            plays.append(play(page))
            pause_latencies.append(random_pause(page, rng))
        browser.close()
    out.update(pause=pause_latencies, play=[p for p in plays if p is not None], play_missed=plays.count(None),
               clicks=clicks)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--pauses", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--query", default="", help="the page's link parameters for the browser run (vae=1, ...)")
    ap.add_argument("--skip-engine", action="store_true")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    engine.warm_up(families=("dense",))
    load = lambda: " ".join(Path("/proc/loadavg").read_text().split()[:3])      # noqa: E731
    print(f"machine: {os.cpu_count()} cores, load average {load()}")
    default = AutoencoderSettings()
    if not args.skip_engine:
        print(f"2-D principal components of the pixels (no training): grouped by digit {pca_grouped():.1%}")
        variants = [("autoencoder", default)]
        if "variational" in AutoencoderSettings.FIELDS and _engine_has_sampling():
            variants.append(("VAE (beta 1)", AutoencoderSettings(variational=True)))
        for name, settings in variants:
            trace = grouped_over_time(settings, args.seconds)
            first = next((t for t, _, g in trace if g >= 0.6), None)
            print(f"{name}, engine alone: grouped by digit {trace[-1][2]:.1%} after {trace[-1][0]:.0f} s "
                  f"(epoch {trace[-1][1]}); best {max(g for _, _, g in trace):.1%}; first at 60 % or more: "
                  + (f"{first:.0f} s" if first is not None else "never"), flush=True)
        for threads in sorted({1, os.cpu_count()}):     # the engine is serial: one thread is the fair match
            ours, theirs = engine_vs_torch(default, args.repeats, threads)
            if theirs is None:
                print(f"default autoencoder: engine {ours[0]:,.0f} steps/s; PyTorch not installed")
                continue
            print(f"default autoencoder, PyTorch CPU with {threads} thread{'s' if threads > 1 else ''}: steps a second "
                  f"engine {ours[0]:,.0f}, PyTorch {theirs[0]:,.0f} (ratio {ours[0] / theirs[0]:.2f}x); steps a CPU "
                  f"second engine {ours[1]:,.0f}, PyTorch {theirs[1]:,.0f} ({ours[1] / theirs[1]:.2f}x)", flush=True)
        if torch is not None:
            ours, theirs = engine_vs_torch_over_training(default, os.cpu_count(), args.seconds)
            mean = statistics.fmean
            print(f"default autoencoder over its first {args.seconds:.0f} s of training from the start (turns of 2 s), "
                  f"PyTorch CPU with {os.cpu_count()} threads: engine {mean(ours):,.0f} steps/s, PyTorch "
                  f"{mean(theirs):,.0f} (ratio {mean(ours) / mean(theirs):.2f}x); first 10 s "
                  f"{mean(ours[:5]) / mean(theirs[:5]):.2f}x, last 10 s {mean(ours[-5:]) / mean(theirs[-5:]):.2f}x",
                  flush=True)
        median, worst, whole = decode_ms(default)
        print(f"a clicked point's decoded image: median {median:.2f} ms, worst {worst:.2f} ms of server CPU; "
              f"the frame carrying it {whole:.1f} ms", flush=True)
    if not args.skip_browser:
        from tests.e2e.harness import streamlit_server
        with streamlit_server() as (url, pid):
            b = browser_figures(url, pid, args.query, args.seconds, args.pauses)
        print(f"browser (load average {load()}): after {b['trained_seconds']:.1f} s of Play the page shows "
              f"grouped by digit {b['grouped']}")
        print(f"screen updates: {b['fps']:.1f}/s; {b['bytes_per_update'] / 1000:.1f} KB and "
              f"{b['server_ms_per_update']:.1f} ms server CPU per update")
        pauses = b["pause"]
        print(f"Pause: median {statistics.median(pauses):.2f} s, worst {max(pauses):.2f} s over {len(pauses)}; "
              f"Play to first update: median {statistics.median(b['play']):.2f} s ({b['play_missed']} missed)")
        print(f"paused, a click in the plane to its decoded image in the page's frame: median "
              f"{statistics.median(b['clicks']):.2f} s, worst {max(b['clicks']):.2f} s of {len(b['clicks'])}")


def _engine_has_sampling():
    return "sampling" in engine.LAYERS


if __name__ == "__main__":
    main()
