"""Seconds to draw and encode an animation of 100 frames on the server (issue 21's bound: 5 s).

    python bench/animation_bench.py [--repeats 3]

For the busiest view of each page (the MLP's network with every neuron's map, the CNN's kernels,
an LSTM's hidden state): a run trained for enough epochs to keep 100 frames, then the frames drawn
(``ui.pictures.animation``) and encoded as a GIF (``viz.animation.gif``); the median of the repeats
and the GIF's size.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui import pictures  # noqa: E402
from ui.cnn.run import CnnRun  # noqa: E402
from ui.cnn.settings import CnnSettings  # noqa: E402
from ui.mlp.run import MlpRun  # noqa: E402
from ui.mlp.settings import MlpSettings  # noqa: E402
from ui.rnn.run import RnnRun  # noqa: E402
from ui.rnn.settings import RnnSettings  # noqa: E402
from viz import animation  # noqa: E402

CASES = {
    "mlp network (8-8-8, spiral)": (lambda: MlpRun(MlpSettings(dataset="spiral", hidden=(8, 8, 8))), "network", 130),
    "cnn kernels (bars)": (lambda: CnnRun(CnnSettings(dataset="bars")), "kernels", 110),
    "lstm hidden state (sine)": (lambda: RnnRun(RnnSettings()), "inside", 110),
}


def trained(make, epochs):
    run = make()
    for _ in range(epochs):
        run.trainer.step(run.trainer.steps_per_epoch)
        run.publish(run.trainer.snapshot())
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(f"{'view':30s} {'frames':>6s} {'draw s':>7s} {'gif s':>6s} {'total s':>8s} {'MB':>5s}")
    for name, (make, view, epochs) in CASES.items():
        run = trained(make, epochs)
        draws, encodes = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            frames = pictures.animation(run, view)
            drawn = time.perf_counter()
            gif = animation.gif(frames)
            draws.append(drawn - start)
            encodes.append(time.perf_counter() - drawn)
        d, e = statistics.median(draws), statistics.median(encodes)
        print(f"{name:30s} {len(frames):6d} {d:7.2f} {e:6.2f} {d + e:8.2f} {len(gif) / 1e6:5.1f}", flush=True)


if __name__ == "__main__":
    main()
