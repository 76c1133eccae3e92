"""The MLP page's "Deep sigmoid" preset for 30 s of Play, without and with batch norm.

    python bench/deep_sigmoid.py [--seeds 0 1 2 3 4] [--seconds 30] [--speed 1]

The page's own run code, driven as Play drives it: an ``MlpRun`` with the preset's settings (six
hidden layers of eight sigmoid neurons on the circle data, plain SGD at learning rate 0.03, batch 10;
``bn=1`` adds the Batch norm switch), playing on the live loop's ``Scheduler`` (worker threads,
slices of at most 30 ms, the page's pace: ``speed`` epochs a frame at 25 frames a second), while
this thread draws the page's frames at its frame rate as ``ui/live.py`` does (the canvas frame and
the activation statistics of each new snapshot). Reported per run: the epoch reached after
``seconds`` of wall time, the test accuracy then, the best test accuracy of any evaluation, and
when (seconds after Play, and epoch) the test accuracy first reached 90 %.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui import activations  # noqa: E402
from ui.live import MAX_FPS, Scheduler  # noqa: E402
from ui.mlp.run import MlpRun  # noqa: E402
from ui.mlp.settings import PRESETS, MlpSettings  # noqa: E402

TARGET = 0.9


def play(seed, batchnorm, seconds, speed, scheduler):
    run = MlpRun(MlpSettings().with_(**PRESETS["deep_sigmoid"], batchnorm=batchnorm, seed=seed, speed=speed))
    run.playing = True
    start = time.monotonic()
    scheduler.keep_playing(run)
    first, drawn, frames = None, -1, 0
    while (now := time.monotonic()) - start < seconds:
        scheduler.keep_playing(run)                    # the tab's lease, renewed with every frame
        if run.version != drawn:
            drawn, snap = run.version, run.snap
            run.frame(snap, interactive=False, full=False)          # the page's canvas frame
            activations.record(run, snap, 256)                      # and its activation statistics
            frames += 1
            if first is None and snap.test_acc >= TARGET:
                first = (now - start, snap.epoch)
        time.sleep(max(0.0, 1.0 / MAX_FPS - (time.monotonic() - now)))
    run.pause()
    scheduler.stop(run)
    acc = run.snap.history["evals"]["test_acc"]
    return {"epoch": run.snap.epoch, "test_acc": float(run.snap.test_acc), "best": float(max(acc)),
            "first_90": first, "frames": frames}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--speed", type=float, default=1.0, help="epochs per frame (the page's Speed)")
    args = ap.parse_args()
    scheduler = Scheduler()
    MlpRun(MlpSettings().with_(**PRESETS["deep_sigmoid"], batchnorm=True)).advance(30)   # compile first
    for batchnorm in (False, True):
        rows = []
        for seed in args.seeds:
            r = play(seed, batchnorm, args.seconds, args.speed, scheduler)
            rows.append(r)
            when = (f"{r['first_90'][0]:.1f} s (epoch {r['first_90'][1]})" if r["first_90"] else "never")
            print(f"{'batch norm' if batchnorm else 'plain     '} seed {seed}: epoch {r['epoch']} after "
                  f"{args.seconds:g} s, test accuracy {r['test_acc']:.1%} (best {r['best']:.1%}), 90 % first at "
                  f"{when}, {r['frames']} frames", flush=True)
        reached = [r["first_90"][0] for r in rows if r["first_90"]]
        print(f"{'batch norm' if batchnorm else 'plain     '}: {len(reached)} of {len(rows)} seeds reached 90 %"
              + (f" (median {statistics.median(reached):.1f} s, slowest {max(reached):.1f} s)" if reached else "")
              + f"; best test accuracy {min(r['best'] for r in rows):.1%}-{max(r['best'] for r in rows):.1%}; "
              f"epochs in {args.seconds:g} s {min(r['epoch'] for r in rows)}-{max(r['epoch'] for r in rows)}",
              flush=True)


if __name__ == "__main__":
    main()
