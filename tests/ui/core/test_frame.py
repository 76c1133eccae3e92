"""The page runner's live frame: Epoch, Step and the page's view change with every frame; the
losses, accuracy and curves about seven times a second (each changed metric costs the browser a
re-render). Checked on the MLP page's description, without a server."""
from types import SimpleNamespace

import pytest

from ui import page as runner
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings
from ui.mlp.views import MlpPage
from viz.network_view import STATIC_KEYS


class Metrics:
    def __init__(self):
        self.calls = []

    def show(self, values, fast_only=False):
        if fast_only and self.calls:
            values = values[:2] + self.calls[-1][2:]
        self.calls.append(values)


@pytest.fixture
def frames(monkeypatch):
    monkeypatch.setattr("ui.mlp.views.add_point_label", lambda: None)     # reads the page's widgets
    sent = SimpleNamespace(frames=[], charts=[])
    slots = SimpleNamespace(count=-1, slow_at=0.0, curves=True, metrics=[Metrics()],
                            page=SimpleNamespace(count=-1, send_frame=sent.frames.append),
                            send_charts=sent.charts.append)
    return MlpPage(), MlpRun(MlpSettings()), slots, sent


def test_a_playing_frame_holds_the_slow_numbers_back(frames):
    page, run, slots, sent = frames
    page._frame(run, slots, interactive=False)            # the first frame: everything (the static parts have a channel of their own)
    run.advance(run.trainer.steps_per_epoch)
    page._frame(run, slots, interactive=False)            # the next, at once: Epoch, Step, canvas
    first, second = slots.metrics[0].calls
    assert second[:2] == [("Epoch", "1"), ("Step", f"{run.snap.step:,}")] and second[:2] != first[:2]
    assert second[2:] == first[2:] and f"{run.snap.train_loss:.3f}" != first[2][1]
    assert len(sent.frames) == 2 and len(sent.charts) == 1
    assert not any(k in frame for frame in sent.frames for k in STATIC_KEYS)
    assert sent.frames[1]["epoch"] == 1

    slots.slow_at -= runner.SLOW_INTERVAL                 # a slow interval later
    page._frame(run, slots, interactive=False)
    assert slots.metrics[0].calls[-1][2] == ("Train loss", f"{run.snap.train_loss:.3f}")
    assert len(sent.charts) == 2 and sent.charts[-1]["charts"][0]["x"][-1] == 1


def test_a_paused_frame_shows_every_number(frames):
    page, run, slots, sent = frames
    page._frame(run, slots, interactive=False)
    run.advance(run.trainer.steps_per_epoch)
    page._frame(run, slots, interactive=True)
    assert slots.metrics[0].calls[-1][2] == ("Train loss", f"{run.snap.train_loss:.3f}")
    assert len(sent.charts) == 2


def test_the_curves_are_loss_accuracy_and_gradients(frames):
    page, run, slots, sent = frames
    page._frame(run, slots, interactive=True)
    assert [c["title"] for c in sent.charts[-1]["charts"]] == ["Loss (mean squared error)", "Accuracy",
                                                               "Gradient size per layer (log scale)"]
