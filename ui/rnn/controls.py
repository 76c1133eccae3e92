"""The RNN page's controls. Every change goes through ``apply``, which keeps the settings
consistent, updates the run (a reset when the network or data change) and the link."""
import random
from dataclasses import replace

import streamlit as st

import engine
from engine.data import SEQUENCE_TASKS
from engine.data.sequences import WAVES

from ..state import current_run, key
from ..url import encode
from .settings import (CLIP_LADDER, COMPARE, LENGTHS, LR_LADDER, MAX_DELAY, MAX_LAYERS, MAX_UNITS, MIN_DELAY, TASKS,
                       RnnSettings)

PAGE = "rnn"
SIMPLE = ("task", "wave", "noise", "length", "delay", "text", "cell", "units", "layers", "compare", "seed",
          "optimizer", "lr", "clip", "batch", "temperature", "present", "hide")
TASK_LABELS = {"waves": "Waves: forecast the next value", "delayed_recall": "Delayed recall: remember a symbol",
               "text": "Text: the next character", "parity": "Parity: odd number of ones?",
               "adding": "Adding: sum of two marked values"}
CELL_LABELS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "off": "nothing"}
TEXT_LABELS = {"zen": "The Zen of Python (850 characters)", "kjv": "King James Bible, 12 chapters (40 kB)"}
WAVE_LABELS = {"sine": "Sine", "sines": "Sum of sines", "square": "Square", "sawtooth": "Sawtooth"}
OPT_LABELS = {"sgd": "SGD", "rmsprop": "RMSProp"}
HIDE_LABELS = {"task": "Task", "network": "Network", "training": "Training settings",
               "inside": "Inside the network", "curves": "Loss curves"}


def _key(name):
    return key(PAGE, f"w_{name}")


def _run():
    return current_run(PAGE)


def sync_widgets(s):
    """Write settings into the widgets' state (only from callbacks or before the widgets)."""
    for name in SIMPLE:
        value = getattr(s, name)
        st.session_state[_key(name)] = list(value) if name == "hide" else value


def init_widgets(settings):
    if _key("task") not in st.session_state:
        sync_widgets(settings)


def _from_widgets(current):
    values = {name: st.session_state.get(_key(name), getattr(current, name)) for name in SIMPLE}
    values["hide"] = tuple(values["hide"] or ())
    for name in ("cell", "wave"):                  # a segmented control clicked off: keep the choice
        values[name] = values[name] or getattr(current, name)
    return replace(current, **values)


def apply(settings):
    """Make ``settings`` current: widgets, run (reset if needed) and link."""
    settings = settings.normalise()
    sync_widgets(settings)
    _run().update(settings)
    st.query_params.from_dict(encode(settings))


def changed():
    apply(_from_widgets(_run().settings))


def _task_changed():
    """A new task brings its own network and training defaults; the rest stays."""
    s = _run().settings
    task = st.session_state[_key("task")]
    keep = {name: getattr(s, name) for name in ("wave", "noise", "delay", "text", "compare", "seed",
                                                  "temperature", "present", "hide")}
    apply(RnnSettings.for_task(task, **keep))


# -- sidebar ------------------------------------------------------------------
def task_controls(s):
    st.selectbox("Task", TASKS, key=_key("task"), format_func=TASK_LABELS.get, on_change=_task_changed,
                 help="Each task brings its own network size and learning rate; change them below.")
    if s.task == "waves":
        st.segmented_control("Wave", WAVES, key=_key("wave"), format_func=WAVE_LABELS.get, on_change=changed)
        st.slider("Noise (%)", 0, 50, key=_key("noise"), on_change=changed,
                  help="Random noise added to the input wave (the truth to forecast stays clean).")
    if s.task == "delayed_recall":
        st.slider("Delay (steps)", MIN_DELAY, MAX_DELAY, key=_key("delay"), on_change=changed,
                  help="Distractors between the symbol and the answer. A plain RNN forgets past about "
                       "40 steps; an LSTM or GRU remembers 100.")
    if s.task == "text":
        st.radio("Text", list(TEXT_LABELS), key=_key("text"), format_func=TEXT_LABELS.get, on_change=changed)
    if s.task != "delayed_recall":
        lo, hi = LENGTHS[s.task]
        st.slider("Sequence length (steps)", lo, hi, key=_key("length"), on_change=changed)
    st.caption(SEQUENCE_TASKS[s.task].title)


def network_controls(s):
    st.segmented_control("Cell", ["rnn", "lstm", "gru"], key=_key("cell"), format_func=CELL_LABELS.get,
                         on_change=changed, help="RNN: h = tanh(x·Wx + h·Wh + b). LSTM and GRU add gates "
                         "that decide what to keep, so they remember over many more steps.")
    st.slider("Units", 1, MAX_UNITS, key=_key("units"), on_change=changed, help="Size of the hidden state")
    st.slider("Layers", 1, MAX_LAYERS, key=_key("layers"), on_change=changed,
              help="A second layer reads the first one's hidden states")
    st.selectbox("Compare with", COMPARE, key=_key("compare"), format_func=CELL_LABELS.get, on_change=changed,
                 help="Train a second cell side by side, on the same data from the same seed")


# -- main area --------------------------------------------------------------------
def training_controls(run):
    cols = st.columns(5, vertical_alignment="bottom")
    cols[0].selectbox("Optimizer", list(engine.OPTIMIZERS), key=_key("optimizer"), on_change=changed,
                      format_func=lambda o: OPT_LABELS.get(o, o.capitalize()))
    cols[1].select_slider("Learning rate", LR_LADDER, key=_key("lr"), on_change=changed,
                          format_func=lambda v: f"{v:g}")
    cols[2].select_slider("Clipping", CLIP_LADDER, key=_key("clip"), on_change=changed,
                          format_func=lambda v: "off" if v == 0 else f"{v:g}",
                          help="Scale the whole gradient down when its norm is above this: tames exploding gradients")
    cols[3].number_input("Batch size", 1, 128, key=_key("batch"), on_change=changed)
    c1, c2 = cols[4].columns([3, 2], vertical_alignment="bottom")
    c1.number_input("Seed", 0, 99999, key=_key("seed"), on_change=changed,
                    help="Same seed, same data and same starting weights")
    c2.button("", icon=":material/casino:", help="A new seed: new data and starting weights", key=key(PAGE, "new_seed"),
              on_click=lambda: apply(replace(_run().settings, seed=random.randrange(100000))))


def temperature_control():
    st.columns([2, 3])[0].slider("Temperature", 0.1, 2.0, step=0.1, key=_key("temperature"), on_change=changed,
              help="Low: the network picks its likeliest characters (safe, repetitive). High: it takes "
                   "chances (varied, misspelt).")
