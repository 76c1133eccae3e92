"""RNN page: memory made visible. Hidden states, gates and gradients through time, trained live."""
import streamlit as st

import engine
from ui.controls import divergence_notice, downloads, page_messages, play_row, presenter_controls
from ui.inspect import rewind_bar
from ui.live import live
from ui.rnn import controls, view
from ui.rnn.explain import rnn_explanations
from ui.rnn.run import RnnRun
from ui.rnn.settings import RnnSettings
from ui.state import page_run
from ui.theme import style
from ui.warmup import engine_ready

PAGE = controls.PAGE
run = page_run(PAGE, RnnSettings, lambda settings: RnnRun(settings, build=False))
s = run.settings
controls.init_widgets(s)
hidden = set(s.hide) if s.present else set()
style(presenter=s.present, playing=run.playing)

page_messages(PAGE)

with st.sidebar:
    if "task" not in hidden:
        st.subheader("Task")
        controls.task_controls(s)
    if "network" not in hidden:
        st.subheader("Network")
        controls.network_controls(s)
    presenter_controls(PAGE, s.present, controls.HIDE_LABELS, controls.changed)

st.header("Recurrent network", anchor=False)
ready = engine_ready(engine.families(s.spec(s.cell, 1, 1)))
if ready:
    run.ensure_built()
play_row(PAGE, run, ready, widths=(1, 1, 1, 2.6))
divergence_notice(PAGE, run)
if "training" not in hidden:
    controls.training_controls(run)
if s.task == "text" and "task" not in hidden:
    controls.temperature_control()

if ready:
    rewind_bar(PAGE, run)
    live(PAGE, run, lambda: view.make_slots(run), lambda slots, interactive: view.draw_frame(run, slots, interactive),
         max_fps=view.max_fps(s))
    if not run.playing:
        view.paused_views(run)
        downloads(run)
rnn_explanations()
