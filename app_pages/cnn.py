"""CNN playground: a convolutional network learns handwritten digits live, every feature map shown."""
import streamlit as st

import engine
from ui.controls import divergence_notice, downloads, page_messages, play_row, presenter_controls
from ui.inspect import rewind_bar
from ui.live import live
from ui.cnn import controls, view
from ui.cnn.explain import cnn_explanations
from ui.cnn.own_digit import own_digit
from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings
from ui.state import page_run
from ui.theme import style
from ui.warmup import engine_ready

PAGE = controls.PAGE
run = page_run(PAGE, CnnSettings, lambda settings: CnnRun(settings, build=False))
s = run.settings
controls.init_widgets(s)
hidden = view.hidden_parts(s)
style(presenter=s.present, playing=run.playing)

page_messages(PAGE)

with st.sidebar:
    if "data" not in hidden:
        st.subheader("Data")
        controls.data_controls()
    if "network" not in hidden:
        st.subheader("Network")
        controls.preset_controls()
    presenter_controls(PAGE, s.present, controls.HIDE_LABELS, controls.changed)

st.header("Convolutional network", anchor=False)
ready = engine_ready(engine.families(s.spec()))
if ready:
    run.ensure_built()
play_row(PAGE, run, ready, widths=(1, 1, 1, 1.6))
divergence_notice(PAGE, run)
if "training" not in hidden:
    controls.training_controls()

if ready:
    rewind_bar(PAGE, run)
    live(PAGE, run, lambda: view.make_slots(s), lambda slots, interactive: view.draw(run, slots, interactive),
         max_fps=view.MAX_FPS)
    view.arithmetic(run)
    view.confusion_cell(run)
    if not run.playing and "curves" not in hidden:
        view.paused_views(run)
    if "network" not in hidden:
        with st.expander("Network: conv blocks and dense layer", icon=":material/tune:"):
            controls.network_controls(s)
    if "digit" not in hidden and s.dataset == "mnist":
        own_digit(run)
    if "downloads" not in hidden:
        downloads(run)
cnn_explanations()
