"""Animations of a run over its kept epochs: at most 100 frames, bounded in size, every frame
captioned. Their speed (5 s for 100 frames) is measured by bench/animation_bench.py, not here."""
import io

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

def epochs(run, n):
    for _ in range(n):
        run.trainer.step(run.trainer.steps_per_epoch)
        run.publish(run.trainer.snapshot())


def test_pick_spreads_frames_over_the_run():
    assert animation.pick(5) == [0, 1, 2, 3, 4]
    chosen = animation.pick(1000)
    assert len(chosen) == 100 and chosen[0] == 0 and chosen[-1] == 999


def test_a_hundred_frames_of_the_network_are_bounded():
    """100 frames of the busiest view, within the size bound (their time: bench/animation_bench.py)."""
    run = MlpRun(MlpSettings(dataset="spiral", hidden=(8, 8, 8)))
    epochs(run, 130)
    gif = animation.gif(pictures.animation(run, "network"))
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == 100 and image.width == animation.FRAME_WIDTH
    assert len(gif) <= animation.MAX_BYTES


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
