"""The CNN page: its description for the page runner, its controls and views: the live ones (overview,
kernels, strip, confusion matrix) and the ones drawn with each page run (a cell's arithmetic, a
confusion cell's images, your digit)."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st

from viz import cnn_figures

from ..canvas import VISIBILITY, BadEvent, Num, component, frame_channel
from ..page import Page
from ..state import current_run, key, request_app_rerun
from .explain import CNN_TEXT
from .run import CnnRun
from .settings import BLOCK_FIELDS, HIDEABLE, MAX_BLOCKS, PRESET_LABELS, PRESETS, CnnSettings, preset_of

PAGE = "cnn"
CHANNEL, DIGIT = "frames-cnn", "frames-cnn-digit"
CUSTOM = "custom"
cnn_view = component("cnn_views", Path(__file__).parent / "components", {
    "cell": {"pos": Num(0, 64, whole=True), "channel": Num(0, 1024, whole=True), "y": Num(0, 64, whole=True),
             "x": Num(0, 64, whole=True)},
    "probe": Num(0, CnnSettings.FIELDS["probe"].bounds[1], whole=True),
    "confusion": {"true": Num(0, 64, whole=True), "pred": Num(0, 64, whole=True)},
    "visibility": VISIBILITY})


class CnnPage(Page):
    name = PAGE
    title = "Convolutional network"
    settings_class = CnnSettings
    run_class = CnnRun
    hideable = HIDEABLE
    sidebar = (("data", "Data"), ("network", "Network"))
    explanation = CNN_TEXT
    # Each frame is ~20 KB that four canvases decode: past about 15 a second a busy browser falls
    # behind, and a Pause then shows the frames still queued (bench/cnn_page.py).
    max_fps = 15

    # -- controls -----------------------------------------------------------------------------
    def draw_section(self, section, run):
        if section == "network":
            st.session_state[self.widgets.key("preset")] = preset_of(run.settings) or CUSTOM
            st.selectbox("Network", list(PRESETS) + [CUSTOM], key=self.widgets.key("preset"), on_change=self._pick_preset,
                         format_func=lambda p: PRESET_LABELS.get(p, "Custom (edited below)"),
                         help="A starting point; change any layer in “Network: conv blocks and dense layer”.")
        else:
            super().draw_section(section, run)

    def _pick_preset(self):
        name = st.session_state.get(self.widgets.key("preset"))
        if name in PRESETS:
            self.widgets.apply(current_run(PAGE).settings.with_preset(name))

    def below(self, run):
        arithmetic(run)
        confusion_cell(run)
        if "network" not in run.settings.hidden_parts:
            with st.expander("Network: conv blocks and dense layer", icon=":material/tune:"):
                self._network(run)
        if "digit" not in run.settings.hidden_parts and run.settings.dataset == "mnist":
            from .own_digit import own_digit
            own_digit(run)

    def _network(self, run):
        """The conv blocks, one row each, and the dense hidden layer."""
        w, s = self.widgets, run.settings
        w.draw_count("filters", "Conv blocks",
                     help=f"1 to {MAX_BLOCKS}. Each block is a convolution, then an optional pooling that "
                          "halves the maps.")
        for i in range(len(s.filters)):
            cols = st.columns(len(BLOCK_FIELDS), vertical_alignment="bottom")
            for name, col in zip(BLOCK_FIELDS, cols):
                w.draw_item(name, i, col, label=f"{w.fields[name].label} {i + 1}",
                            label_visibility="visible" if i == 0 else "collapsed")
        cols = st.columns(3, vertical_alignment="bottom")
        for name, col in zip(("dense", "dense_act", "dropout"), cols):
            w.draw(name, col)

    # -- the live view -------------------------------------------------------------------------
    def make_slots(self, run):
        hidden = run.settings.hidden_parts
        slots = SimpleNamespace(count=-1, send_frame=frame_channel(CHANNEL))
        cnn_view("cnn_overview", self._on_event, view="overview", channel=CHANNEL, clickable=True, live=True,
                 label="The probe image through the network")
        st.caption("One test image through the network: each conv layer's feature maps (blue positive, orange "
                   "negative), each pooling's smaller maps, and the class probabilities. Click any cell of a map "
                   "to see how it is computed; click a test image below to follow that one instead.")
        left, right = st.columns([3, 2], gap="large")
        if "kernels" not in hidden:
            with left:
                st.markdown("**Kernels**")
                self.widgets.draw("kernel_grads")
                cnn_view("cnn_kernels", self._on_event, view="kernels", channel=CHANNEL, clickable=True, live=False,
                         label="Kernels")
                st.caption("Each small square is one kernel's weights for one input channel: what the filter "
                           "looks for as it slides over its input.")
        if "confusion" not in hidden:
            with right:
                st.markdown("**Confusion matrix** (test data)")
                cnn_view("cnn_confusion", self._on_event, view="confusion", channel=CHANNEL, clickable=True,
                         live=False, label="Confusion matrix")
                st.caption("Rows: the true class; columns: the prediction. Click a cell to see its images.")
        if "strip" not in hidden:
            st.markdown("**Test images** and what the network says")
            cnn_view("cnn_strip", self._on_event, view="strip", channel=CHANNEL, clickable=True, live=False,
                     label="Test images")
        return slots

    def draw(self, run, slots, snaps, interactive):
        slots.count += 1
        slots.send_frame(run.frame(snaps[0], full=slots.count == 0, kernel_grads=run.settings.kernel_grads))

    def _on_event(self, event, value):
        run = current_run(PAGE)
        if event == "visibility":
            run.visible = value == "visible"
        elif event == "cell":
            if not run.select_cell(value["pos"], value["channel"], value["y"], value["x"]):
                raise BadEvent(f"layer {value['pos']} has no feature maps")
        elif event == "probe":
            self.widgets.set(probe=value)
        elif event == "confusion":
            classes = len(run.class_names)
            if value["true"] >= classes or value["pred"] >= classes:
                raise BadEvent(f"no class {max(value['true'], value['pred'])}")
            run.confusion_cell = (value["true"], value["pred"])
        request_app_rerun(PAGE)             # the panels below the live views show the click

    def layer_names(self, run):
        names, counts = [], {}
        for i, kind, _, _ in run.snap.layers:
            if kind in ("conv2d", "dense"):
                counts[kind] = counts.get(kind, 0) + 1
                names.append((f"{'conv' if kind == 'conv2d' else 'dense'} {counts[kind]}", i))
        if names:
            names[-1] = ("output", names[-1][1])
        return names


# -- drawn with each page run -----------------------------------------------------------------
def arithmetic(run):
    """The clicked cell's computation with the shown weights, in numbers."""
    numbers = run.arithmetic()
    if numbers is None:
        return
    pos, channel, y, x = run.cell
    layer = run.trainer.net.layers[pos]
    title = cnn_figures.layer_title(run.snap.layers, pos)
    with st.container(border=True):
        head, close = st.columns([6, 1], vertical_alignment="center")
        head.markdown(f"**How one cell is computed**: {title}, map {channel + 1}, row {y + 1}, column {x + 1}")
        close.button("Close", key=key(PAGE, "close_cell"), on_click=_close_cell, width="stretch")
        if numbers["kind"] == "conv":
            _conv_numbers(numbers, layer)
        else:
            _pool_numbers(numbers)
        st.caption(f"The feature map holds {numbers['value']:.4f} here (the engine's own forward pass).")


def _close_cell():
    current_run(PAGE).cell = None


def _conv_numbers(n, layer):
    channels = n["patch"].shape[0]
    c = 0
    if channels > 1:
        c = st.selectbox("Input channel", list(range(channels)), format_func=lambda k: f"channel {k + 1}",
                         key=key(PAGE, "cell_channel"),
                         help="A kernel has one slice per channel of the layer below; their sums add up")
    st.plotly_chart(cnn_figures.conv_cell_figure(n, c), key=key(PAGE, "cell_figure"),
                    config={"displaylogo": False})
    sums = " + ".join(f"{v:.3f}" for v in n["sums"][:16]) + (" + …" if channels > 16 else "")
    what = "the products" if channels == 1 else f"the products over all {channels} input channels ({sums})"
    st.markdown(f"Sum of {what} = **{n['sums'].sum():.4f}**; plus the bias {n['bias']:.4f} gives "
                f"z = **{n['z']:.4f}**; {n['activation']}(z) = **{n['result']:.4f}**.")
    if layer.cfg["padding"] == "same" and (n["y0"] < 0 or n["x0"] < 0 or n["y0"] + n["size"] > layer.in_shape[1]
                                           or n["x0"] + n["size"] > layer.in_shape[2]):
        st.caption("Part of the window lies outside the input: 'same' padding counts it as zeros.")


def _pool_numbers(n):
    st.plotly_chart(cnn_figures.pool_cell_figure(n), key=key(PAGE, "cell_figure"), config={"displaylogo": False})
    if n["kind"] == "max":
        st.markdown(f"Max pooling keeps the largest of the {n['size']}×{n['size']} window: **{n['result']:.4f}** "
                    f"(outlined).")
    else:
        st.markdown(f"Average pooling takes the mean of the {n['size']}×{n['size']} window: **{n['result']:.4f}**.")


def confusion_cell(run):
    """The test images of the clicked confusion-matrix cell."""
    if run.confusion_cell is None:
        return
    true, pred = run.confusion_cell
    names = run.class_names
    rows, images = run.cell_images(true, pred)
    with st.container(border=True):
        head, close = st.columns([6, 1], vertical_alignment="center")
        verdict = "right" if true == pred else "wrong"
        head.markdown(f"**True {names[true]}, predicted {names[pred]}** ({verdict}): "
                      f"{len(rows)} image{'s' if len(rows) != 1 else ''} shown")
        close.button("Close", key=key(PAGE, "close_confusion"), on_click=_close_confusion, width="stretch")
        if len(rows):
            st.image([cnn_figures.ink_image(img[0], 56) for img in images], caption=[f"#{r}" for r in rows])
        else:
            st.caption("No test image in this cell.")


def _close_confusion():
    current_run(PAGE).confusion_cell = None


def probabilities(probs, names):
    top = int(np.argmax(probs))
    st.metric("Prediction", names[top], f"{probs[top]:.0%} sure", delta_color="off")
    st.plotly_chart(cnn_figures.probability_figure(probs, names), key=key(PAGE, "digit_probs"),
                    config={"displaylogo": False, "staticPlot": True})
