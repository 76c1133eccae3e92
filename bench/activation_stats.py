"""What the activation statistics (ui/activations.py) cost a live frame on the server.

    python bench/activation_stats.py [--case deep-sigmoid|deep-sigmoid-bn|mlp|cnn|autoencoder ...] [--frames 300]

Each case is a page's own Run in its page's setup, driven as the live loop drives it: a frame's
training (the page's pace: the MLP's one epoch a frame at speed 1, the CNN's and autoencoder's
``--steps`` steps), then what the page runner does in that frame for the statistics:
``activations.record`` (a forward pass of the probe batch, the pre-activations and
their percentiles, every RECORD_INTERVAL when the frame shows a new epoch) and, every
BANDS_INTERVAL at the page's frame rate, the band charts and their JSON. Training is not timed. Figures are script-thread CPU
milliseconds per frame (``time.thread_time``, as ui/live.py measures a frame): median, 95th
percentile and worst of every frame, the mean per frame with the charts' share, the median of the
frames that recorded an epoch, and the bytes of a band frame.
"""
import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from ui import activations  # noqa: E402
from ui.page import BANDS_INTERVAL, RECORD_INTERVAL  # noqa: E402


def _mlp(**changes):
    from ui.mlp.run import MlpRun
    from ui.mlp.settings import MlpSettings
    from ui.mlp.views import MlpPage, dense_names
    run = MlpRun(MlpSettings().with_(**changes))
    return run, MlpPage.probe_size, lambda: dense_names(run.snap), None, 25


def _cnn():
    from ui.cnn.run import CnnRun
    from ui.cnn.settings import CnnSettings
    from ui.cnn.views import CnnPage
    run = CnnRun(CnnSettings())
    return run, CnnPage.probe_size, lambda: CnnPage.layer_names(None, run), 33, CnnPage.max_fps


def _autoencoder():
    from ui.autoencoder.run import AutoencoderRun
    from ui.autoencoder.settings import AutoencoderSettings
    from ui.autoencoder.views import AutoencoderPage
    run = AutoencoderRun(AutoencoderSettings())
    page = AutoencoderPage.__new__(AutoencoderPage)
    return run, AutoencoderPage.probe_size, lambda: page.layer_names(run), 10, AutoencoderPage.max_fps


DEEP = dict(hidden=(8,) * 6, activation="sigmoid")
CASES = {"deep-sigmoid": lambda: _mlp(**DEEP), "deep-sigmoid-bn": lambda: _mlp(**DEEP, batchnorm=(True,) * 6),
         "mlp": lambda: _mlp(), "cnn": _cnn, "autoencoder": _autoencoder}


def _cpu_ms(fn):
    t = time.thread_time()
    out = fn()
    return (time.thread_time() - t) * 1e3, out


def measure(name, frames):
    run, probe, names, steps, fps = CASES[name]()
    steps = steps or run.trainer.steps_per_epoch            # the MLP's speed 1: one epoch a frame
    every = max(1, math.ceil(BANDS_INTERVAL * fps))          # frames between two band frames
    slow = max(1, math.ceil(RECORD_INTERVAL * fps))          # frames between two records
    activations.record(run, run.snap, probe)                 # compile and warm what the first frame needs
    activations.frame_charts(run, run.snap, names(), probe)
    per_frame, recorded, charts, sizes = [], [], [], []
    for k in range(frames):
        run.advance(steps)
        snap = run.shown
        cost, new = _cpu_ms(lambda: activations.record(run, snap, probe)) if k % slow == 0 else (0.0, False)
        if new:
            recorded.append(cost)
        if k % every == 0:
            extra, body = _cpu_ms(lambda: json.dumps({"frame": k, "charts": activations.frame_charts(
                run, snap, names(), probe)}, separators=(",", ":"), allow_nan=False))
            charts.append(extra)
            sizes.append(len(body))
            cost += extra
        per_frame.append(cost)
    return {"frames": frames, "epoch": run.snap.epoch,
            "median": statistics.median(per_frame), "p95": float(np.percentile(per_frame, 95)),
            "max": max(per_frame), "mean": statistics.fmean(per_frame),
            "charts/frame": sum(charts) / frames, "record (new epoch)": statistics.median(recorded or [0.0]),
            "band KB": statistics.median(sizes) / 1000}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", choices=list(CASES))
    ap.add_argument("--frames", type=int, default=300)
    args = ap.parse_args()
    for name in args.case or list(CASES):
        try:
            out = measure(name, args.frames)
        except (TypeError, ValueError) as err:            # a case the checkout cannot build yet (batch norm)
            print(f"{name:<16}skipped: {err}")
            continue
        cells = "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in out.items())
        print(f"{name:<16}{cells}", flush=True)


if __name__ == "__main__":
    main()
