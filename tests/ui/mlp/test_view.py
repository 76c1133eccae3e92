"""The live frame: Epoch, Step and the canvas change with every frame; the losses, accuracy and
charts about seven times a second (each changed metric costs the browser a re-render)."""
from types import SimpleNamespace

import pytest

from ui.mlp import view
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings
from viz.network_view import STATIC_KEYS


class Metrics:
    def __init__(self):
        self.shown, self.calls = None, []

    def show(self, snap, values):
        self.calls.append(values)
        self.shown = values


@pytest.fixture
def frames(monkeypatch):
    monkeypatch.setattr(view, "add_point_label", lambda run: None)     # reads the page's widgets
    sent = SimpleNamespace(frames=[], charts=[])
    slots = SimpleNamespace(count=-1, charts=["curves", "gradients"], slow_at=0.0, metrics=Metrics(),
                            send_frame=sent.frames.append, send_charts=sent.charts.append)
    return MlpRun(MlpSettings()), slots, sent


def test_a_playing_frame_holds_the_slow_numbers_back(frames):
    run, slots, sent = frames
    view.draw(run, slots, interactive=False)                 # the first frame: everything, and the static parts
    run.advance(1)
    view.draw(run, slots, interactive=False)                 # the next, at once: Epoch, Step, canvas
    first, second = slots.metrics.calls
    assert second[:2] == [("Epoch", "1"), ("Step", f"{run.snap.step:,}")] and second[:2] != first[:2]
    assert second[2:] == first[2:] and f"{run.snap.train_loss:.3f}" != first[2][1]
    assert len(sent.frames) == 2 and len(sent.charts) == 1
    assert all(k in sent.frames[0] for k in STATIC_KEYS) and not any(k in sent.frames[1] for k in STATIC_KEYS)
    assert sent.frames[1]["epoch"] == 1

    slots.slow_at -= view.SLOW_INTERVAL                      # a slow interval later
    view.draw(run, slots, interactive=False)
    assert slots.metrics.calls[-1][2] == ("Train loss", f"{run.snap.train_loss:.3f}")
    assert len(sent.charts) == 2 and sent.charts[-1]["charts"][0]["x"][-1] == 1


def test_a_paused_frame_shows_every_number(frames):
    run, slots, sent = frames
    view.draw(run, slots, interactive=False)
    run.advance(1)
    view.draw(run, slots, interactive=True)
    assert slots.metrics.calls[-1][2] == ("Train loss", f"{run.snap.train_loss:.3f}")
    assert len(sent.charts) == 2
