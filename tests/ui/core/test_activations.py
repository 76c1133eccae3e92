"""A run's activation statistics over time (ui/activations.py): one row per new epoch, none for a
rewound view, the later rows dropped when a rewound run trains on, a new history after a Reset;
and the MLP page draws the bands and, paused, the histograms."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import warm_up
from ui import activations
from ui.mlp.run import MlpRun
from ui.mlp.settings import MlpSettings
from viz.activations import PERCENTILES

APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up(families=("dense",))


def deep_run():
    return MlpRun(MlpSettings().with_(hidden=(8, 8, 8), activation="sigmoid"))


def test_one_row_per_new_epoch_with_the_probes_percentiles():
    run = deep_run()
    assert activations.record(run, run.snap, 256)
    assert not activations.record(run, run.snap, 256)              # the same epoch again: nothing
    for _ in range(3):
        run.advance(run.trainer.steps_per_epoch)
        assert activations.record(run, run.snap, 256)
    history = activations.history_of(run, 256)
    assert history.epochs == [0, 1, 2, 3] and history.rows.shape == (4, 4, len(PERCENTILES))
    z = history.values(run.snap)[0]                                  # the first layer's sums on the probe
    np.testing.assert_allclose(history.rows[-1, 0], np.percentile(z, PERCENTILES), rtol=1e-6)
    assert len(history.x) == min(256, len(run.trainer.x))


def test_a_rewound_view_records_nothing_and_training_on_drops_the_later_rows():
    run = deep_run()
    for _ in range(4):
        run.advance(run.trainer.steps_per_epoch)
        activations.record(run, run.snap, 256)
    run.rewind_to(2)
    assert not activations.record(run, run.shown, 256)
    charts = activations.frame_charts(run, run.shown, [("layer 1", 0)], 256)
    assert charts[0]["x"] == [1, 2]                                    # the band up to the epoch shown
    run.continue_from_rewound()
    run.advance(1)
    assert activations.record(run, run.snap, 256) is False              # epoch 2 is recorded already
    run.advance(run.trainer.steps_per_epoch)
    assert activations.record(run, run.snap, 256)
    assert activations.history_of(run, 256).epochs == [1, 2, 3]


def test_reset_starts_a_new_history_and_long_runs_are_thinned(monkeypatch):
    run = deep_run()
    monkeypatch.setattr(activations, "MAX_ROWS", 20)
    monkeypatch.setattr(activations, "KEEP_ALL", 5)
    for _ in range(30):
        run.advance(run.trainer.steps_per_epoch)
        activations.record(run, run.snap, 256)
    history = activations.history_of(run, 256)
    assert len(history.epochs) <= 20 and history.epochs[:5] == [1, 2, 3, 4, 5] and history.epochs[-1] == 30
    assert history.epochs == sorted(history.epochs) and len(history.rows) == len(history.epochs)
    run.rebuild()
    assert activations.history_of(run, 256) is not history


def test_the_mlp_page_sends_the_bands_and_shows_the_histograms_when_paused():
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/mlp.py")
    at.query_params.update({"net": "8,8,8", "act": "sigmoid"})
    at.run()
    box = next(e for e in at.expander if e.label.startswith("Histograms of the pre-activations at epoch 0"))
    assert not any(getattr(el, "type", "") == "plotly_chart" for el in box)      # untrained: closed, no Plotly
    for _ in range(2):
        at.button(key="mlp_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [json.loads(t.value) for t in at.text if t.value.startswith('{"frame"')]
    bands = [f for f in frames if f.get("charts") and "band" in f["charts"][0]]
    assert [c["title"] for c in bands[-1]["charts"]] == ["layer 1 (sigmoid)", "layer 2 (sigmoid)",
                                                         "layer 3 (sigmoid)", "output (tanh)"]
    assert bands[-1]["charts"][0]["x"][-1] == 2
    box = next(e for e in at.expander if e.label.startswith("Histograms of the pre-activations at epoch 2"))
    assert any(getattr(el, "type", "") == "plotly_chart" for el in box)
    at.session_state["mlp_activation_histograms"] = False                         # closed: nothing computed
    at.run()
    box = next(e for e in at.expander if e.label.startswith("Histograms of the pre-activations at epoch 2"))
    assert not any(getattr(el, "type", "") == "plotly_chart" for el in box)
