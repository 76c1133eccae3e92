"""The CNN page's views: the live ones (overview, kernels, strip, confusion matrix, curves) and
the ones drawn with each page run (a cell's arithmetic, a confusion cell's images, your digit)."""
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import streamlit as st

from viz import cnn_figures
from viz.curves import accuracy_chart, gradient_chart, loss_chart

from .. import inspect
from ..canvas import frame_channel, line_charts
from ..metrics import MetricsRow
from ..state import current_run, key, request_app_rerun
from .canvas import cnn_view
from .controls import PAGE, apply, kernel_switch

CHANNEL, CHARTS, DIGIT = "frames-cnn", "frames-cnn-charts", "frames-cnn-digit"
# Each frame is ~20 KB that four canvases decode: past about 15 a second a busy browser falls
# behind, and a Pause then shows the frames still queued (bench/cnn_page.py).
MAX_FPS = 15


def hidden_parts(settings):
    return set(settings.hide) if settings.present else set()


def make_slots(settings):
    hidden = hidden_parts(settings)
    slots = SimpleNamespace(count=-1, metrics=MetricsRow(), send_frame=frame_channel(CHANNEL))
    cnn_view("overview", CHANNEL, key="cnn_overview", on_event=on_view_event, live=True,
             label="The probe image through the network")
    st.caption("One test image through the network: each conv layer's feature maps (blue positive, orange "
               "negative), each pooling's smaller maps, and the class probabilities. Click any cell of a map "
               "to see how it is computed; click a test image below to follow that one instead.")
    left, right = st.columns([3, 2], gap="large")
    if "kernels" not in hidden:
        with left:
            st.markdown("**Kernels**")
            kernel_switch()
            cnn_view("kernels", CHANNEL, key="cnn_kernels", on_event=on_view_event, label="Kernels")
            st.caption("Each small square is one kernel's weights for one input channel: what the filter "
                       "looks for as it slides over its input.")
    if "confusion" not in hidden:
        with right:
            st.markdown("**Confusion matrix** (test data)")
            cnn_view("confusion", CHANNEL, key="cnn_confusion", on_event=on_view_event, label="Confusion matrix")
            st.caption("Rows: the true class; columns: the prediction. Click a cell to see its images.")
    if "strip" not in hidden:
        st.markdown("**Test images** and what the network says")
        cnn_view("strip", CHANNEL, key="cnn_strip", on_event=on_view_event, label="Test images")
    slots.charts = "curves" not in hidden
    if slots.charts:
        slots.send_charts = frame_channel(CHARTS)
        line_charts(CHARTS, key="cnn_charts")
    return slots


def draw(run, slots, interactive):
    snap = run.shown
    slots.count += 1
    slots.metrics.show(snap)
    slots.send_frame(run.frame_data(snap, full=slots.count == 0, kernel_grads=run.settings.kernel_grads))
    if slots.charts:
        names = [name for name, _ in run.layer_names()]
        charts = [loss_chart(snap), accuracy_chart(snap), gradient_chart(snap, names)]
        slots.send_charts({"frame": slots.count, "charts": charts})


def on_view_event(event, value):
    run = current_run(PAGE)
    if event == "visibility":
        run.visible = value == "visible"
    elif event == "cell":
        run.select_cell(int(value["pos"]), int(value["channel"]), int(value["y"]), int(value["x"]))
    elif event == "probe":
        apply(replace(run.settings, probe=int(value)))
    elif event == "confusion":
        run.confusion_cell = (int(value["true"]), int(value["pred"]))
    request_app_rerun(PAGE)             # the panels below the live views show the click


# -- drawn with each page run -----------------------------------------------------
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


def paused_views(run):
    """The paused page's closer look: rewind and the weight and gradient distributions."""
    box = st.expander("Look closer: rewind the run, weight and gradient distributions",
                      icon=":material/insights:", key=key(PAGE, "look_closer"), on_change="rerun")
    if not box.open:                      # computed only when open: a closed box costs a rerun nothing
        return
    with box:
        parts = st.tabs(["Timeline (rewind)", "Weights and gradients"])
        with parts[0]:
            inspect.timeline(PAGE, run)
        with parts[1]:
            inspect.distributions(run, run.layer_names())


def probabilities(probs, names):
    top = int(np.argmax(probs))
    st.metric("Prediction", names[top], f"{probs[top]:.0%} sure", delta_color="off")
    st.plotly_chart(cnn_figures.probability_figure(probs, names), key=key(PAGE, "digit_probs"),
                    config={"displaylogo": False, "staticPlot": True})
