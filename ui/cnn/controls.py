"""The CNN page's controls. Every change goes through ``changed``, which turns the widgets
into settings and applies them (ui/controls.py: run, widgets and link together)."""
import random
from dataclasses import replace

import streamlit as st

import engine
from engine.data import IMAGE_DATASETS

from ..controls import apply_settings
from ..state import current_run, key
from .settings import (BLOCK_FIELDS, L2_LADDER, LR_LADDER, MAX_BLOCKS, MAX_DENSE, MAX_DROPOUT, MAX_FILTERS,
                       MAX_KERNEL, PADDINGS, POOLS, PRESET_LABELS, PRESETS, preset_of, with_blocks)

PAGE = "cnn"
SIMPLE = ("dataset", "seed", "dense", "dense_act", "dropout", "optimizer", "lr", "batch", "l2",
          "kernel_grads", "present", "hide")
NAMES = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "sgd": "SGD", "rmsprop": "RMSProp"}
POOL_LABELS = {"max": "Max pool", "avg": "Average pool", "none": "No pooling"}
HIDE_LABELS = {"data": "Data", "network": "Network", "training": "Training settings", "kernels": "Kernels",
               "strip": "Test images", "confusion": "Confusion matrix", "curves": "Curves",
               "digit": "Your own digit", "downloads": "Downloads"}
CUSTOM = "custom"


def label(name):
    """A display name for an entry of an engine name map (a new entry gets one too)."""
    return NAMES.get(name, name.replace("_", " ").capitalize())


def _key(name):
    return key(PAGE, f"w_{name}")


def _run():
    return current_run(PAGE)


def sync_widgets(s):
    """Write settings into the widgets' state (only from callbacks or before the widgets)."""
    for name in SIMPLE:
        value = getattr(s, name)
        st.session_state[_key(name)] = list(value) if name == "hide" else value
    st.session_state[_key("preset")] = preset_of(s) or CUSTOM
    st.session_state[_key("blocks")] = len(s.filters)
    for name in BLOCK_FIELDS:
        for i, value in enumerate(getattr(s, name)):
            st.session_state[_key(f"{name}_{i}")] = value


def _from_widgets(current):
    ss = st.session_state
    values = {name: ss.get(_key(name), getattr(current, name)) for name in SIMPLE}
    values["hide"] = tuple(values["hide"] or ())
    s = with_blocks(replace(current, **values), int(ss.get(_key("blocks"), len(current.filters))))
    blocks = {name: tuple(ss.get(_key(f"{name}_{i}"), v) for i, v in enumerate(getattr(s, name)))
              for name in BLOCK_FIELDS}
    return replace(s, **blocks)


def apply(settings):
    apply_settings(_run(), settings, sync_widgets)


def changed():
    apply(_from_widgets(_run().settings))


def init_widgets(settings):
    if _key("dataset") not in st.session_state:
        sync_widgets(settings)


# -- sidebar ----------------------------------------------------------------
def data_controls():
    st.segmented_control("Images", list(IMAGE_DATASETS), key=_key("dataset"), on_change=changed,
                         format_func=lambda name: {"mnist": "MNIST digits", "bars": "Bars"}.get(name, name),
                         help="MNIST: 8,000 handwritten digits to train on, 2,000 to test. Bars: small images "
                              "of a line in four orientations; trains in seconds, and the first kernels "
                              "become edge detectors you can see.", required=True)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.number_input("Seed", 0, 99999, key=_key("seed"), on_change=changed,
                    help="Same seed, same split and same starting weights.")
    c2.button("New", icon=":material/casino:", help="New starting weights (a new seed)", width="stretch",
              on_click=lambda: apply(replace(_run().settings, seed=random.randrange(100000))))


def preset_controls():
    options = list(PRESETS) + [CUSTOM]
    st.selectbox("Network", options, key=_key("preset"), on_change=_pick_preset,
                 format_func=lambda p: PRESET_LABELS.get(p, "Custom (edited below)"),
                 help="A starting point; change any layer in “Network: conv blocks and dense layer”.")


def _pick_preset():
    name = st.session_state[_key("preset")]
    if name in PRESETS:
        apply(replace(_run().settings, **PRESETS[name]))


# -- main area --------------------------------------------------------------
def training_controls():
    cols = st.columns(4)
    cols[0].selectbox("Optimizer", list(engine.OPTIMIZERS), key=_key("optimizer"), format_func=label,
                      on_change=changed)
    cols[1].select_slider("Learning rate", LR_LADDER, key=_key("lr"), on_change=changed,
                          format_func=lambda v: f"{v:g}")
    cols[2].select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64, 128], key=_key("batch"), on_change=changed,
                          help="Images per weight update.")
    cols[3].select_slider("L2 regularization", L2_LADDER, key=_key("l2"), on_change=changed,
                          format_func=lambda v: f"{v:g}")


def network_controls(s):
    """The conv blocks, one row each, and the dense hidden layer."""
    st.number_input("Conv blocks", 1, MAX_BLOCKS, key=_key("blocks"), on_change=changed,
                    help="Each block is a convolution, then an optional pooling that halves the maps.")
    for i in range(len(s.filters)):
        cols = st.columns(6, vertical_alignment="bottom")
        show = "visible" if i == 0 else "collapsed"
        cols[0].number_input(f"Filters {i + 1}", 1, MAX_FILTERS, key=_key(f"filters_{i}"), on_change=changed,
                             label_visibility=show, help="Kernels in this layer: one feature map each")
        cols[1].selectbox(f"Kernel {i + 1}", list(range(1, MAX_KERNEL + 1)), key=_key(f"kernels_{i}"),
                          on_change=changed, format_func=lambda k: f"{k}×{k}", label_visibility=show)
        cols[2].selectbox(f"Stride {i + 1}", [1, 2], key=_key(f"strides_{i}"), on_change=changed,
                          label_visibility=show, help="Steps the kernel moves by")
        cols[3].selectbox(f"Padding {i + 1}", list(PADDINGS), key=_key(f"paddings_{i}"), on_change=changed,
                          label_visibility=show, help="same: zeros around the image keep its size; valid: none")
        cols[4].selectbox(f"Activation {i + 1}", list(engine.ACTIVATIONS), key=_key(f"acts_{i}"),
                          on_change=changed, format_func=label, label_visibility=show)
        cols[5].selectbox(f"Pooling {i + 1}", list(POOLS), key=_key(f"pools_{i}"), on_change=changed,
                          format_func=POOL_LABELS.get, label_visibility=show, help="2×2 windows")
    cols = st.columns(3, vertical_alignment="bottom")
    cols[0].number_input("Dense hidden units", 0, MAX_DENSE, key=_key("dense"), on_change=changed,
                         help="0: the feature maps go straight to the 10 outputs")
    cols[1].selectbox("Dense activation", list(engine.ACTIVATIONS), key=_key("dense_act"), on_change=changed,
                      format_func=label, disabled=not s.dense)
    cols[2].slider("Dropout", 0.0, MAX_DROPOUT, step=0.05, key=_key("dropout"), on_change=changed,
                   disabled=not s.dense, help="Of the dense layer's units, while training")


def kernel_switch():
    st.toggle("Show the kernels' gradients", key=_key("kernel_grads"), on_change=changed,
              help="How the loss would change with each kernel weight, on 64 training images")
