"""MLP playground: TensorFlow Playground's view, trained live by the Numba engine."""
from ui.warmup import engine_ready, warmup

# First of all: the engine imports and loads its compiled kernels in the background while this
# page imports the rest and lays out its controls (a first visit after a server start).
warmup().ready(("dense",))

import streamlit as st  # noqa: E402

from ui.controls import divergence_notice, downloads, page_messages, play_row, presenter_controls  # noqa: E402
from ui.inspect import rewind_bar  # noqa: E402
from ui.live import live  # noqa: E402
from ui.mlp import controls, view  # noqa: E402
from ui.mlp.explain import mlp_explanations  # noqa: E402
from ui.mlp.run import MlpRun  # noqa: E402
from ui.mlp.settings import MlpSettings  # noqa: E402
from ui.mlp.thumbnails import dataset_items  # noqa: E402
from ui.state import page_run  # noqa: E402
from ui.theme import style  # noqa: E402

PAGE = controls.PAGE
run = page_run(PAGE, MlpSettings, lambda settings: MlpRun(settings, build=False))
s = run.settings
controls.init_widgets(s)
hidden = set(s.hide) if s.present else set()
style(presenter=s.present, playing=run.playing)

page_messages(PAGE)

with st.sidebar:
    if "data" not in hidden:
        st.subheader("Data")
        controls.data_controls(run, dataset_items(s.noise, s.seed))
        with st.expander("Your own points"):
            controls.own_points_controls(run)
    if "features" not in hidden:
        st.subheader("Features")
        controls.feature_controls()
    presenter_controls(PAGE, s.present, controls.HIDE_LABELS, controls.changed)

st.header("Multi-layer perceptron", anchor=False)
ready = engine_ready(("dense",))
if ready:
    run.ensure_built()
controls.speed_control(play_row(PAGE, run, ready, widths=(1, 1, 1, 1.6))[0])
divergence_notice(PAGE, run)
if "training" not in hidden:
    controls.training_controls(run)

if ready:
    rewind_bar(PAGE, run)
    scale = 1.25 if s.present else 1.0
    live(PAGE, run, lambda: view.make_slots(s), lambda slots, interactive: view.draw(run, slots, interactive, scale))
    if not run.playing:
        view.point_numbers(run)
        if "curves" not in hidden:
            view.paused_views(run)
    if "network" not in hidden:
        with st.expander("Network details: layers, per-layer activation and dropout, initial weights"):
            controls.network_controls(run)
    if "downloads" not in hidden:
        downloads(run)
mlp_explanations()
