"""The CNN page: its description for the page runner, its controls and views: the live ones (overview,
the clicked cell's computation with the kernel sliding over its input, kernels, strip, confusion
matrix) and the ones drawn with each page run (a confusion cell's images, your digit)."""
import math
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st

from viz import cnn as cnn_data
from viz import cnn_figures
from viz.charts import confusion_table

from ..canvas import VISIBILITY, BadEvent, Num, Text, component, frame_channel
from ..inspect import show_table, table_toggle
from ..page import Page, control_rem
from ..settings import page_zoom
from ..theme import rem
from ..state import current_run, key, request_app_rerun
from . import transfer_view
from .explain import CNN_TEXT
from .run import WEIGHT_LIMIT, CnnRun
from .settings import (BLOCK_FIELDS, HIDEABLE, MAX_BLOCKS, MAX_FILTERS, MAX_KERNEL, PRESET_LABELS, PRESETS,
                       CnnSettings, dense_help, preset_of)

PAGE = "cnn"
CHANNEL, DIGIT = "frames-cnn", "frames-cnn-digit"
CUSTOM = "custom"
CELL_TEXT_EVERY = 0.3        # seconds between updates of the clicked cell's sum in words while playing
NOTICE = key(PAGE, "kernel_notice")


def typed_weights(text):
    """The numbers of a kernel's typed weights, sent as "w1,w2,...": finite, at most MAX_KERNEL², else
    BadEvent (the editor only sends what it checked; anything else is a crafted message)."""
    items = text.split(",")
    if not 1 <= len(items) <= MAX_KERNEL ** 2:
        raise BadEvent(f"{len(items)} weights")
    try:
        values = [float(t) for t in items]
    except ValueError:
        raise BadEvent("a weight that is no number") from None
    if not all(math.isfinite(v) for v in values):
        raise BadEvent("a weight that is not finite")
    return values


_views = component("cnn_views", Path(__file__).parent / "components", {
    "cell": {"pos": Num(0, 64, whole=True), "channel": Num(0, 1024, whole=True), "y": Num(0, 64, whole=True),
             "x": Num(0, 64, whole=True)},
    "probe": Num(0, CnnSettings.FIELDS["probe"].bounds[1], whole=True),
    "confusion": {"true": Num(0, 64, whole=True), "pred": Num(0, 64, whole=True)},
    "pick": {"conv": Num(0, MAX_BLOCKS, whole=True), "filter": Num(0, MAX_FILTERS, whole=True),
             "channel": Num(0, MAX_FILTERS, whole=True)},
    "kernel": {"pos": Num(0, 64, whole=True), "filter": Num(0, MAX_FILTERS, whole=True),
               "channel": Num(0, MAX_FILTERS, whole=True), "weights": Text(MAX_KERNEL ** 2 * 24), "bias": Num()},
    "visibility": VISIBILITY})


def cnn_view(view_key, on_event, **data):
    """A CNN canvas (components/cnn_views.js) at presenter mode's size and in its look."""
    s = current_run(PAGE).settings
    return _views(view_key, on_event, zoom=page_zoom(s), contrast=bool(s.present and s.contrast), **data)


class CnnPage(Page):
    name = PAGE
    title = "Convolutional network"
    settings_class = CnnSettings
    run_class = CnnRun
    hideable = HIDEABLE
    sidebar = (("data", "Data"), ("network", "Network"), ("training", "Training"))
    # Under the Play row: the four most used; gradient clipping sits in the sidebar's Training section
    # (a fifth control pushed the overview off a phone's first screen).
    control_fields = ("optimizer", "lr", "batch", "l2")
    explanation = CNN_TEXT
    # Each frame is ~20 KB that four canvases decode: past about 15 a second a busy browser falls
    # behind, and a Pause then shows the frames still queued (bench/cnn_page.py).
    max_fps = 15
    activation_stats = True
    probe_size = 8            # a probe's pass and its conv sums: 0.7 ms, once per epoch (bench/activation_stats.py)
    probe_what = "images"

    # -- controls -----------------------------------------------------------------------------
    def draw_section(self, section, run):
        if section == "training":
            self.widgets.draw("clip")
        elif section == "network":
            widget = self.widgets.key("preset")
            self.widgets.follow(widget, preset_of(run.settings) or CUSTOM, lambda: st.selectbox(
                "Network", list(PRESETS) + [CUSTOM], key=widget, on_change=self._pick_preset,
                format_func=lambda p: PRESET_LABELS.get(p, "Custom (edited below)"),
                help="A starting point; change any layer in “Network: conv blocks and dense layer”."))
        else:
            super().draw_section(section, run)

    def _pick_preset(self):
        widget = self.widgets.key("preset")
        name = st.session_state.get(widget)
        if name in PRESETS and self.widgets.chosen(widget):
            self.widgets.apply(current_run(PAGE).settings.with_preset(name))

    def prepare(self, run):
        if run.needs_base:
            transfer_view.train_base(run)           # with a progress bar (Run.prepare has none)

    def below(self, run):
        transfer_view.hint(self, run)
        if not run.playing:
            overview_tables_view(run)
        if not run.playing and "confusion" not in run.settings.hidden_parts:
            confusion_table_view(run)
        confusion_cell(run)
        if "network" not in run.settings.hidden_parts:
            with st.expander("Network: conv blocks and dense layer", icon=":material/tune:"):
                self._network(run)
        if "digit" not in run.settings.hidden_parts and run.settings.dataset == "mnist":
            from .own_digit import own_digit
            own_digit(run)
        if "symbols" not in run.settings.hidden_parts:
            from .own_symbols import section
            section(run)

    def _network(self, run):
        """The conv blocks, one row each, and the dense hidden layer."""
        w, s = self.widgets, run.settings
        w.draw_count("filters", "Conv blocks",
                     help=f"1 to {MAX_BLOCKS}. Each block is a convolution, then an optional pooling that "
                          "halves the maps.")
        for i in range(len(s.filters)):      # a row per block that wraps where the screen ends: no cut label
            with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
                for name in BLOCK_FIELDS:
                    f = w.fields[name]
                    label = f"{f.label} {i + 1}"
                    w.draw_item(name, i, label=label, width=rem(control_rem(replace(f, label=label)), s))
        cols = st.columns(3, vertical_alignment="bottom")
        w.draw("dense", cols[0], help=dense_help(s))
        for name, col in zip(("dense_act", "dropout"), cols[1:]):
            w.draw(name, col)

    # -- the live view -------------------------------------------------------------------------
    def make_slots(self, run):
        hidden = run.settings.hidden_parts
        slots = SimpleNamespace(count=-1, send_frame=frame_channel(CHANNEL), cell_text=None, cell_text_at=0.0)
        slots.transfer = transfer_view.box(run)
        cnn_view("cnn_overview", self._on_event, view="overview", channel=CHANNEL, clickable=True, live=True,
                 label="The probe image through the network")
        st.caption("One test image through the network: each conv layer's feature maps, each pooling's smaller "
                   "maps, and the class probabilities (blue: the most likely class; red: most likely but wrong). "
                   "Under each column, its colour scale: orange negative, grey 0, blue positive, the deepest "
                   "colour at the value printed. Click any cell of a map to see the kernel slide over its input "
                   "and how that cell is computed; click a test image below to follow that one instead.")
        if run.cell is not None:
            slots.cell_text = cell_panel(self, run)
        left, right = st.columns([3, 2], gap="large")
        if "kernels" not in hidden:
            with left:
                st.markdown("**Kernels**")
                self.widgets.draw("kernel_grads")
                cnn_view("cnn_kernels", self._on_event, view="kernels", channel=CHANNEL, clickable=True, live=False,
                         label="Kernels")
                st.caption("Each small square is one kernel's weights for one input channel: what the filter "
                           "looks for as it slides over its input. Orange weights count against, blue for; the "
                           "deepest colour is the layer's largest weight, the ± value above it. A second conv "
                           "layer's filter has one slice per map of the layer below it (its rows) and adds up "
                           "what all of them find. Click a kernel to see it slide over its input; paused, type "
                           "new weights there.")
        if "confusion" not in hidden:
            with right:
                n, total = evaluated(run)
                st.markdown(f"**Confusion matrix** ({n:,} test images)")
                cnn_view("cnn_confusion", self._on_event, view="confusion", channel=CHANNEL, clickable=True,
                         live=False, label="Confusion matrix")
                st.caption(confusion_words(n, total))
        if "strip" not in hidden:
            st.markdown("**Test images** and what the network says")
            cnn_view("cnn_strip", self._on_event, view="strip", channel=CHANNEL, clickable=True, live=False,
                     label="Test images")
            st.caption("Under each image, the network's answer and how sure it is. Red means wrong: a red frame "
                       "and red words, with the true label under them; ✓ right. The blue frame is the image the "
                       "overview follows. Hover for the top three; click one to follow it.")
        return slots

    def draw(self, run, slots, snaps, interactive):
        slots.count += 1
        transfer_view.update(run, slots.transfer, snaps, interactive)
        snap = snaps[0]
        slots.send_frame(run.frame(snap, full=slots.count == 0, kernel_grads=run.settings.kernel_grads,
                                   editable=interactive and not run.playing))
        now = time.monotonic()
        if slots.cell_text is not None and (interactive or now - slots.cell_text_at >= CELL_TEXT_EVERY):
            slots.cell_text_at = now
            numbers = run.arithmetic(snap)
            if numbers is not None:
                slots.cell_text.markdown(cell_words(numbers, run))

    def curves_caption(self, run):
        return ("Loss and accuracy after each epoch, on the training data and on the test images the confusion "
                "matrix counts. Gradient size per layer: how much the loss changes with each layer's weights, on "
                "a logarithmic scale (each gridline 10 times the one below), so small and large layers fit.")

    def _on_event(self, event, value):
        run = current_run(PAGE)
        if event == "visibility":
            run.visible = value == "visible"
        elif event == "cell":
            if not run.select_cell(value["pos"], value["channel"], value["y"], value["x"]):
                raise BadEvent(f"layer {value['pos']} has no feature maps")
        elif event == "pick":
            if not run.pick_kernel(value["conv"], value["filter"], value["channel"]):
                raise BadEvent(f"no kernel {value}")
        elif event == "kernel":
            edit_kernel(run, value)
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


# -- the clicked cell: its computation, live, right under the overview ---------------------------
def cell_panel(page, run):
    """The clicked cell's view (the kernel sliding over its input beside its map, the numbers, the
    kernel's editor) under the overview; returns the placeholder of its sum in words."""
    pos, channel, y, x = run.cell
    title = cnn_data.layer_title(run.snap.layers, pos)
    conv = run.snap.layers[pos][1] == "conv2d"
    with st.container(border=True, key="cnn-cell-panel"):
        head, close = st.columns([6, 1], vertical_alignment="center")
        head.markdown(f"**How one cell is computed**: {title}, map {channel + 1}, row {y + 1}, column {x + 1}")
        close.button("Close", key=key(PAGE, "close_cell"), on_click=_close_cell, width="stretch",
                     help="Close this view")
        if st.session_state.get(NOTICE):
            st.warning(st.session_state.pop(NOTICE), icon=":material/straighten:")
        cnn_view("cnn_cell", page._on_event, view="cell", channel=CHANNEL, clickable=True, live=False,
                 label="How one cell is computed")
        text = st.empty()
        numbers = run.arithmetic()
        if numbers is not None:          # written at once: an empty placeholder would blink every fragment run
            text.markdown(cell_words(numbers, run))
        st.caption("The red square is the kernel on its input; the cell it makes is outlined in the map beside it. "
                   "Press Slide to watch the kernel move one position at a time and build the map (slow, medium or "
                   "fast; pause any time), or click a cell of the map to put the kernel there. "
                   + ("Each cell is the sum of input × kernel over the window (and over every input channel), plus "
                      "the bias, through the activation. " if conv else
                      "A pooling cell keeps the largest (max) or the mean (average) of its window. ")
                   + "The numbers follow the weights while the network trains.")
    return text


def _close_cell():
    current_run(PAGE).cell = None


def cell_words(n, run):
    """The clicked cell's sum in words: the page's text copy of what the cell view draws."""
    if n["kind"] == "conv":
        channels = n["patch"].shape[0]
        sums = " + ".join(f"{v:.3f}" for v in n["sums"][:16]) + (" + …" if channels > 16 else "")
        what = "the products" if channels == 1 else f"the products over all {channels} input channels ({sums})"
        layer = run.trainer.net.layers[run.cell[0]]
        _, h, w = layer.in_shape
        outside = layer.cfg["padding"] == "same" and (n["y0"] < 0 or n["x0"] < 0 or n["y0"] + n["size"] > h
                                                     or n["x0"] + n["size"] > w)
        return (f"At the clicked cell: sum of {what} = **{n['sums'].sum():.4f}**; plus the bias {n['bias']:.4f} "
                f"gives z = **{n['z']:.4f}**; {n['activation']}(z) = **{n['result']:.4f}**. The feature map holds "
                f"{n['value']:.4f} here (the engine's own forward pass)."
                + (" Part of the window lies outside the input: 'same' padding counts it as zeros." if outside else ""))
    kept = "the largest" if n["kind"] == "max" else "the mean"
    return (f"At the clicked cell: {n['kind']} pooling keeps {kept} of the {n['size']}×{n['size']} window: "
            f"**{n['result']:.4f}**. The feature map holds {n['value']:.4f} here (the engine's own forward pass).")


def edit_kernel(run, value):
    """Typed weights for one kernel slice (paused only), kept within ±WEIGHT_LIMIT with a notice."""
    if run.playing:
        st.session_state[NOTICE] = "Pause to edit a kernel."
        return
    try:
        changed = run.edit_kernel(value["pos"], value["filter"], value["channel"], typed_weights(value["weights"]),
                                  value["bias"])
    except ValueError as err:
        raise BadEvent(str(err)) from None
    if changed:
        st.session_state[NOTICE] = (f"Kernel weights and biases are kept within ±{WEIGHT_LIMIT:g}: "
                                    + ", ".join(f"{a:g} became {b:g}" for a, b in changed[:4])
                                    + (" …" if len(changed) > 4 else "") + ".")


def evaluated(run):
    """(test images the evaluation counts, test images in all): Test accuracy and the confusion
    matrix are measured on the same fixed subset of a large test set."""
    rows, total = run.trainer.eval_rows["test"], len(run.xt)
    return (total if rows is None else len(rows)), total


def confusion_words(n, total):
    which = f"{n:,} of the {total:,} test images" if n < total else f"all {total:,} test images"
    return (f"Rows: the true class; columns: the network's answer. It counts {which}, the same ones Test accuracy "
            "is measured on, after each epoch: the diagonal (blue) is right, by its share of the row; off it, "
            "orange, the mistakes. Click a cell to see its images.")


# -- drawn with each page run -----------------------------------------------------------------
def overview_tables_view(run):
    """Paused: the overview's class probabilities and feature maps as tables (issue 22), for the image
    it shows, with the shown weights; made only while a toggle is on (with the page run: see below)."""
    probs = table_toggle(key(PAGE, "probability_table"), "the probabilities")
    maps = table_toggle(key(PAGE, "maps_table"), "the feature maps")
    if not (probs or maps):
        return
    snap, (image, _) = run.shown, run.probe()
    ov = cnn_data.overview(snap.layers, image, run.outputs_for(snap, image), run.class_names)
    if probs:
        st.table(cnn_data.probability_table(ov).set_index("class"))
    if maps:
        show_table(cnn_data.maps_table(ov))
        st.caption("One row per row of each map, as the overview draws it (each layer on its own scale, "
                   "to 3 significant digits); a dense layer's units are maps of one value.")


def confusion_table_view(run):
    """Paused: the confusion matrix's numbers as a table (issue 22), at the page's width (ten classes).
    Drawn with the page run, not in the live view's fragment: a toggle there clicked while the page's
    run was still going (right after Step) lost its fragment run, on half the tries in Chromium."""
    if table_toggle(key(PAGE, "confusion_table"), "the confusion matrix"):
        st.table(confusion_table(run.shown.confusion, run.class_names))


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


def probabilities(probs, names, zoom=1.0):
    top = int(np.argmax(probs))
    st.metric("Prediction", names[top], f"{probs[top]:.0%} sure", delta_color="off")
    st.plotly_chart(cnn_figures.probability_figure(probs, names, zoom), key=key(PAGE, "digit_probs"),
                    config={"displaylogo": False, "staticPlot": True})
