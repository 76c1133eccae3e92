"""Animations of a run over its kept epochs: at most 100 frames, bounded in size, drawn and encoded
as a GIF within 5 s for 100 frames of the MLP's network (the busiest view), every frame captioned."""
import io
import time

import pytest
from PIL import Image

from ui import pictures
from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings
from ui.rnn.run import RnnRun
from ui.rnn.settings import RnnSettings
from viz import animation

BUDGET = 5.0           # seconds for 100 frames (the bound)


def epochs(run, n):
    for _ in range(n):
        run.trainer.step(run.trainer.steps_per_epoch)
        run.publish(run.trainer.snapshot())


def test_pick_spreads_frames_over_the_run():
    assert animation.pick(5) == [0, 1, 2, 3, 4]
    chosen = animation.pick(1000)
    assert len(chosen) == 100 and chosen[0] == 0 and chosen[-1] == 999


def test_a_hundred_frames_of_the_network_within_five_seconds():
    run = MlpRun(MlpSettings(dataset="spiral", hidden=(8, 8, 8)))
    epochs(run, 130)
    best = None
    for _ in range(2):                                       # the machine is shared: the better of two
        start = time.perf_counter()
        frames = pictures.animation(run, "network")
        gif = animation.gif(frames)
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
        if best <= BUDGET:
            break
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == 100 and image.width == animation.FRAME_WIDTH
    assert len(gif) <= animation.MAX_BYTES
    assert best <= BUDGET, f"100 frames took {best:.1f} s"


@pytest.mark.parametrize("make, view", [
    (lambda: CnnRun(CnnSettings(dataset="bars")), "kernels"),
    (lambda: RnnRun(RnnSettings.for_task("parity", length=8, units=6)), "inside")])
def test_kernels_and_hidden_states_animate(make, view):
    run = make()
    epochs(run, 3)
    progress = []
    frames = pictures.animation(run, view, progress=lambda done, total: progress.append((done, total)))
    assert len(frames) == 4 and progress[-1] == (4, 4)
    assert Image.open(io.BytesIO(animation.gif(frames))).n_frames == 4
    if animation.mp4_available():
        assert animation.mp4(frames)[4:8] == b"ftyp"
