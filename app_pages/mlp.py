"""MLP playground: TensorFlow Playground's view, trained live by the Numba engine."""
import streamlit as st

from ui import mlp_controls as controls
from ui import mlp_view as view
from ui.explain import mlp_explanations
from ui.live import live
from ui.state import mlp_state, pop_messages
from ui.theme import style
from ui.thumbnails import dataset_items
from ui.warmup import warm_engine

warm_engine()
run = mlp_state()
s = run.settings
controls.init_widgets(s)
hidden = set(s.hide) if s.present else set()
style(presenter=s.present)

for notice in st.session_state.mlp_notices:
    st.warning(notice, icon="🔗")
st.session_state.mlp_notices = []
for kind, message in pop_messages():
    getattr(st, kind)(message)

with st.sidebar:
    if "data" not in hidden:
        st.subheader("Data")
        controls.data_controls(run, dataset_items(s.noise, s.seed))
        with st.expander("Your own points"):
            controls.own_points_controls(run)
    if "features" not in hidden:
        st.subheader("Features")
        controls.feature_controls()
    st.subheader("Classroom")
    controls.presenter_controls()

st.header("Multi-layer perceptron", anchor=False)


def toggle_play():
    run.playing = not run.playing and not run.snap.diverged


def step_epoch():
    run.playing = False
    run.advance(1.0, budget=10.0)


def reset():
    run.rebuild()


row = st.columns([1.1, 1, 1, 1.3, 1.3, 1.8], vertical_alignment="center")
row[0].button("Pause" if run.playing else "Play", key="play", type="primary",
              icon=":material/pause:" if run.playing else ":material/play_arrow:",
              on_click=toggle_play, use_container_width=True, disabled=run.snap.diverged)
row[1].button("Step", key="step", icon=":material/skip_next:", on_click=step_epoch,
              use_container_width=True, help="Train one epoch", disabled=run.snap.diverged)
row[2].button("Reset", key="reset", icon=":material/restart_alt:", on_click=reset,
              use_container_width=True, help="New starting weights from the seed")
controls.view_controls(row[3:])
if run.snap.diverged:
    st.error(run.snap.reason, icon=":material/error:")
    st.button("Reset the network", key="reset_diverged", on_click=reset, type="primary")
if "training" not in hidden:
    controls.training_controls(run)

live(run.playing, lambda: view.make_slots(s),
     lambda slots, interactive: view.draw(run, slots, interactive, scale=1.25 if s.present else 1.0),
     lambda: view.advance(run))

if "network" not in hidden:
    with st.expander("Network details: layers, per-layer activation and dropout, initial weights"):
        controls.network_controls(run)
if "downloads" not in hidden:
    c1, c2, c3 = st.columns(3)
    c1.download_button("Weights (.npz)", run.weights_npz, "weights.npz", "application/octet-stream",
                       icon=":material/download:", use_container_width=True)
    c2.download_button("Weights (.json)", run.weights_json, "weights.json", "application/json",
                       icon=":material/download:", use_container_width=True)
    c3.download_button("Setup (.json)", lambda: run.setup_json(st.context.url), "setup.json",
                       "application/json", icon=":material/download:", use_container_width=True)
mlp_explanations()
