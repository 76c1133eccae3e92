"""The MLP page's controls. Every change goes through ``changed``, which turns
the widgets into settings, keeps them consistent, updates the run and the link."""
import random
from dataclasses import replace

import streamlit as st

import engine
from engine.data.points_csv import read_points_csv

from ..canvas import image_picker
from ..state import current_run, key, say
from ..text import plain
from ..url import encode
from .settings import (FIELDS, LR_LADDER, MAX_DROPOUT, MAX_LAYERS, MAX_UNITS, REG_LADDER, SPEEDS,
                       datasets_for, normalise)

PAGE = "mlp"

ALL_LAYERS = "as all layers"
SIMPLE = ("dataset", "noise", "train_pct", "seed", "features", "activation", "problem", "loss",
          "init", "optimizer", "lr", "regularization", "reg_rate", "batch", "speed", "show_test",
          "discretize", "present", "hide")
FEATURE_LABELS = {"x1": "X₁", "x2": "X₂", "x1_sq": "X₁²", "x2_sq": "X₂²", "x1_x2": "X₁X₂",
                  "sin_x1": "sin X₁", "sin_x2": "sin X₂"}
NAMES = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "sgd": "SGD", "rmsprop": "RMSProp"}
LOSS_LABELS = {"mse": "Squared error", "cross_entropy": "Cross-entropy"}
REG_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
HIDE_LABELS = {"data": "Data", "features": "Features", "network": "Network shape",
               "training": "Training settings", "curves": "Loss curves", "gradients": "Gradient flow",
               "downloads": "Downloads"}


def label(name):
    """A display name for an entry of an engine name map (a new entry gets one too)."""
    return NAMES.get(name, name.replace("_", " ").capitalize())


def _key(name):
    return key(PAGE, f"w_{name}")


def _run():
    return current_run(PAGE)


def _widget_value(name, value):
    return list(value) if name in ("features", "hide") else value


def sync_widgets(s):
    """Write settings into the widgets' state (only from callbacks or before the widgets)."""
    for name in SIMPLE:
        st.session_state[_key(name)] = _widget_value(name, getattr(s, name))
    st.session_state[_key("layers")] = len(s.hidden)
    for i, units in enumerate(s.hidden):
        st.session_state[_key(f"units_{i}")] = units
        own = s.layer_acts[i] if i < len(s.layer_acts) else ""
        st.session_state[_key(f"act_{i}")] = own or ALL_LAYERS
        st.session_state[_key(f"drop_{i}")] = s.layer_dropout(i)


def _from_widgets(current):
    ss = st.session_state
    values = {name: ss.get(_key(name), getattr(current, name)) for name in SIMPLE}
    values["features"] = tuple(values["features"] or ())
    values["hide"] = tuple(values["hide"] or ())
    n = int(ss.get(_key("layers"), len(current.hidden)))
    hidden, acts, drops = [], [], []
    for i in range(n):
        default = current.hidden[i] if i < len(current.hidden) else 2
        hidden.append(int(ss.get(_key(f"units_{i}"), default)))
        act = ss.get(_key(f"act_{i}"), ALL_LAYERS)
        acts.append("" if act == ALL_LAYERS else act)
        drops.append(float(ss.get(_key(f"drop_{i}"), 0.0)))
    return replace(current, **values, hidden=tuple(hidden), layer_acts=tuple(acts), dropout=tuple(drops))


def apply(settings):
    """Make ``settings`` current: widgets, run (reset if needed) and link."""
    run = _run()
    settings = normalise(settings)
    if not settings.features:
        say(PAGE, "At least one input feature is needed.", "warning")
        settings = replace(settings, features=run.settings.features)
    sync_widgets(settings)
    run.update(settings)
    st.query_params.from_dict(encode(settings))


def changed():
    apply(_from_widgets(_run().settings))


def init_widgets(settings):
    if _key("dataset") not in st.session_state:
        sync_widgets(settings)


# -- sidebar ----------------------------------------------------------------
def data_controls(run, dataset_items):
    s = run.settings
    st.segmented_control("Problem type", ["classification", "regression"], key=_key("problem"),
                         format_func=str.capitalize, on_change=changed)
    names = datasets_for(s.problem)
    image_picker([dataset_items[n] for n in names], None if run.custom is not None else s.dataset,
                 key=key(PAGE, "picker"), on_pick=_pick_dataset)
    st.slider("Noise (%)", 0, 50, key=_key("noise"), on_change=changed,
              help="Gaussians spread out; other sets get points whose label sits across the boundary.")
    st.slider("Training data (%)", 10, 90, step=10, key=_key("train_pct"), on_change=changed,
              help="The rest is test data: the network never trains on it.")
    st.slider("Batch size", 1, 64, key=_key("batch"), on_change=changed,
              help="Points per weight update.")
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.number_input("Seed", 0, 99999, key=_key("seed"), on_change=changed,
                    help="Same seed, same data and same starting weights.")
    c2.button("New", icon=":material/casino:", help="Regenerate: new random data (a new seed)",
              width="stretch",
              on_click=lambda: apply(replace(_run().settings, seed=random.randrange(100000))))


def _pick_dataset(name):
    run = _run()
    run.custom = None                     # a picked data set replaces the user's own points
    apply(replace(run.settings, dataset=name))


def own_points_controls(run):
    s = run.settings
    if s.classes == 2:
        options = {"off": "Off", "pos": "Blue", "neg": "Orange"}
    elif s.classes == 3:
        options = {"off": "Off", "c0": "Class 0", "c1": "Class 1", "c2": "Class 2"}
    else:
        options = {"off": "Off", "value": "Value"}
    mode = key(PAGE, "add_mode")
    if st.session_state.get(mode) not in options:
        st.session_state[mode] = "off"
    st.segmented_control("Click on the output to add", list(options), format_func=options.get, key=mode,
                         help="Pick a class, then click on the output plane."
                              + (" Blue points are labelled +1, orange −1." if s.classes == 2 else ""))
    if st.session_state[mode] == "value":
        st.slider("Value of new points", -1.0, 1.0, 0.5, 0.1, key=key(PAGE, "add_value"))
    # A new uploader key after each file: the uploader empties instead of piling up rejected files.
    st.file_uploader("Or load a CSV (x1, x2, label)", type=["csv"], key=_csv_key(), on_change=_load_csv,
                     help="Up to 2,000 rows. Coordinates are scaled into [-6, 6].")
    if st.session_state.get(key(PAGE, "csv_error")):
        st.error(plain(st.session_state[key(PAGE, "csv_error")]), icon="⚠️")
    if run.custom is not None and run.built:
        st.caption(f"Training on your data: {len(run.train_xy)} train and {len(run.test_xy)} test points.")
        st.button("Back to the generated data", on_click=lambda: apply_points(None))


def _csv_key():
    return key(PAGE, f"csv_{st.session_state.get(key(PAGE, 'csv_count'), 0)}")


def _load_csv():
    upload = st.session_state.get(_csv_key())
    if upload is None:
        return
    count = key(PAGE, "csv_count")
    st.session_state[count] = st.session_state.get(count, 0) + 1
    s = _run().settings
    try:
        points, labels, notes = read_points_csv(upload.getvalue(), regression=s.problem == "regression")
    except ValueError as err:
        st.session_state[key(PAGE, "csv_error")] = f"{upload.name}: {err}. The current data is unchanged."
        return
    st.session_state[key(PAGE, "csv_error")] = None
    if s.classes == 3:                    # two-class labels: leave the 3-class spiral
        apply(replace(s, dataset="circle"))
    apply_points((points, labels))
    say(PAGE, f"Loaded {len(points)} points from {upload.name}. " + " ".join(notes), "success")


def apply_points(points):
    """Train on (points, labels) from now on, or on the generated data again (None)."""
    run = _run()
    if points is None:
        run.forget_points()
    else:
        run.use_points(*points)


def add_point_label(run):
    """The label a click adds, or None when adding is off."""
    mode = st.session_state.get(key(PAGE, "add_mode"), "off")
    return {"off": None, "pos": 1.0, "neg": -1.0, "c0": 0.0, "c1": 1.0, "c2": 2.0}.get(
        mode, st.session_state.get(key(PAGE, "add_value"), 0.5))


def feature_controls():
    st.pills("Input features", list(FEATURE_LABELS), selection_mode="multi", key=_key("features"),
             format_func=FEATURE_LABELS.get, on_change=changed,
             help="What the network sees of each point. Click the tiles in the network too.")


# -- main area --------------------------------------------------------------
def training_controls(run):
    """Two rows of four, so every label fits from a 1024-pixel screen up."""
    s = run.settings
    # The loss column is the widest: "Squared error" is cut at 1024 px in a quarter of the row.
    top, bottom = st.columns([0.85, 1, 1, 1.15]), st.columns(4, vertical_alignment="center")
    top[0].select_slider("Learning rate", LR_LADDER, key=_key("lr"), on_change=changed,
                         format_func=lambda v: f"{v:g}")
    top[1].selectbox("Activation", list(engine.ACTIVATIONS), key=_key("activation"),
                     format_func=label, on_change=changed)
    top[2].selectbox("Optimizer", list(engine.OPTIMIZERS), key=_key("optimizer"),
                     format_func=label, on_change=changed)
    losses = ["mse"] if s.problem == "regression" else (["cross_entropy"] if s.classes > 2 else list(LOSS_LABELS))
    top[3].selectbox("Loss", losses, key=_key("loss"), format_func=LOSS_LABELS.get, on_change=changed,
                     help="Squared error on a tanh output, as TensorFlow Playground; or cross-entropy on logits.")
    bottom[0].selectbox("Regularization", list(REG_LABELS), key=_key("regularization"),
                        format_func=REG_LABELS.get, on_change=changed)
    bottom[1].select_slider("Regularization rate", REG_LADDER, key=_key("reg_rate"), on_change=changed,
                            format_func=lambda v: f"{v:g}", disabled=s.regularization == "none")
    bottom[2].toggle("Show test data", key=_key("show_test"), on_change=changed)
    bottom[3].toggle("Discretize", key=_key("discretize"), on_change=changed, help="Show the output as two colours only",
                     disabled=s.problem == "regression")


def network_controls(run):
    """The network's shape by keyboard (the canvas has +/- buttons), per-layer settings, initialisation."""
    s = run.settings
    cols = st.columns(MAX_LAYERS + 1)
    cols[0].number_input("Hidden layers", 0, MAX_LAYERS, key=_key("layers"), on_change=changed)
    for i in range(len(s.hidden)):
        cols[i + 1].number_input(f"Layer {i + 1}", 1, MAX_UNITS, key=_key(f"units_{i}"), on_change=changed,
                                 help=f"Neurons in hidden layer {i + 1}")
    if s.hidden:
        cols = st.columns(MAX_LAYERS + 1)
        cols[0].markdown("**Activation**<br>**Dropout**", unsafe_allow_html=True)
        for i in range(len(s.hidden)):
            cols[i + 1].selectbox(f"Activation {i + 1}", [ALL_LAYERS] + list(engine.ACTIVATIONS),
                                  key=_key(f"act_{i}"), on_change=changed, label_visibility="collapsed",
                                  format_func=lambda a: "as all" if a == ALL_LAYERS else label(a))
            cols[i + 1].slider(f"Dropout {i + 1}", 0.0, MAX_DROPOUT, step=0.05, key=_key(f"drop_{i}"),
                               on_change=changed, label_visibility="collapsed")
    st.radio("Initial weights", FIELDS["init"].bounds, key=_key("init"), horizontal=True, on_change=changed,
             format_func={"auto": "He / Glorot (by activation)",
                          "uniform": "Uniform ±0.5 (TensorFlow Playground)"}.get)


def speed_control(col):
    col.selectbox("Speed", SPEEDS, key=_key("speed"), on_change=changed, label_visibility="collapsed",
                  format_func=lambda v: f"{v:g} epoch{'s' if v != 1 else ''} per frame",
                  help="Epochs trained between two pictures while playing (a busy server shows fewer "
                       "pictures with more epochs in each)")
