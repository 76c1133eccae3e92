"""The MLP page's live views: metrics, the network canvas and the curves."""
import math
import time
from dataclasses import replace
from types import SimpleNamespace

import streamlit as st

from viz.curves import accuracy_chart, gradient_chart, loss_chart

from .. import inspect
from ..canvas import frame_channel, line_charts
from ..metrics import MetricsRow
from .canvas import network_canvas
from ..state import current_run, request_app_rerun, say
from .controls import PAGE, add_point_label, apply
from .settings import MAX_LAYERS, MAX_UNITS


def make_slots(settings):
    hidden = set(settings.hide) if settings.present else set()
    slots = SimpleNamespace(count=-1, charts=[c for c in ("curves", "gradients") if c not in hidden], slow_at=0.0)
    slots.metrics = MetricsRow()
    slots.send_frame = frame_channel("frames-mlp")
    network_canvas("frames-mlp", key="mlp_network", on_event=_on_canvas_event)
    st.caption("Each tile shows what a neuron outputs over the whole input plane (blue positive, "
               "orange negative). Lines are weights: colour is the sign, thickness the size. "
               "The big square is the network's output with the training points (white rim; test "
               "points have a black rim). Hover to read values; click a line or a neuron to edit it.")
    if slots.charts:
        slots.send_charts = frame_channel("frames-mlp-charts")
        line_charts("frames-mlp-charts", key="mlp_charts")
        st.caption(" ".join(text for name, text in CHART_CAPTIONS.items() if name in slots.charts))
    return slots


CHART_CAPTIONS = {
    "curves": "Loss and accuracy on the training and test data after each epoch: a test loss that "
              "rises while the training loss falls is overfitting.",
    "gradients": "Gradient size per layer (log scale): with many sigmoid layers it shrinks toward "
                 "the input, the vanishing gradient; ReLU keeps it up.",
}


SLOW_INTERVAL = 0.15     # seconds between updates of the losses, accuracy and charts while playing


def draw(run, slots, interactive, scale=1.0):
    """One frame of ``run.shown``. While playing, Epoch, Step and the canvas change with every frame;
    the losses, accuracy and charts, which no one reads 25 times a second, about 7 times a second:
    each changed metric costs the browser a re-render."""
    snap = run.shown
    slots.count += 1
    now = time.monotonic()
    slow = interactive or slots.count == 0 or now - slots.slow_at >= SLOW_INTERVAL
    has_acc = snap.classification and not math.isnan(snap.test_acc)
    values = [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"),
              ("Train loss", f"{snap.train_loss:.3f}"), ("Test loss", f"{snap.test_loss:.3f}"),
              ("Test accuracy", f"{snap.test_acc:.0%}" if has_acc else "—")]
    slots.metrics.show(snap, values if slow else values[:2] + slots.metrics.shown[2:])
    adding = add_point_label(run) is not None
    slots.send_frame(run.frame_data(snap, interactive=interactive, adding=adding, scale=scale,
                                    full=slots.count == 0, allow=allowed_clicks(run.settings, interactive)))
    if slow:
        slots.slow_at = now
        if slots.charts:
            slots.send_charts({"frame": slots.count, "charts": _charts(run, snap, slots.charts)})


def _charts(run, snap, names):
    charts = []
    if "curves" in names:
        charts.append(loss_chart(snap))
        if snap.classification:
            charts.append(accuracy_chart(snap))
    if "gradients" in names:
        charts.append(gradient_chart(snap, _gradient_names(run, snap)))
    return charts


def _gradient_names(run, snap):
    dead = snap.dead_units                 # the frame's own snapshot: its cached result is reused
    names = []
    dense = [i for i, kind, _, _ in snap.layers if kind == "dense"]
    for name, i in zip(run.layer_names(), dense):
        n_dead = int(dead[i].sum()) if i in dead else 0
        names.append(f"{name} ({n_dead} dead)" if n_dead else name)
    return names


def allowed_clicks(s, paused):
    """What a click on the canvas may change: nothing the presenter has hidden; weights only when paused."""
    hidden = set(s.hide) if s.present else set()
    allow = [name for name, part in (("shape", "network"), ("feature", "features")) if part not in hidden]
    allow += ["plot_click"] + (["edit"] if paused else [])
    return allow


def _on_canvas_event(event, value):
    run = current_run(PAGE)
    if event == "visibility":
        run.visible = value == "visible"
        request_app_rerun(PAGE)                    # a hidden tab stops its live loop until it is back
        return
    if event not in allowed_clicks(run.settings, not run.playing):
        return                                     # e.g. presenter mode hides the network's shape
    if event == "feature":
        s = run.settings
        features = tuple(f for f in s.features if f != value) if value in s.features else s.features + (value,)
        apply(replace(s, features=features))
    elif event == "shape":
        apply(reshaped(run.settings, int(value["layer"]), int(value["delta"])))
    elif event == "edit":
        run.edit_weight(int(value["layer"]), value["name"], int(value["i"]), int(value["j"]), float(value["value"]))
    elif event == "plot_click":
        label = add_point_label(run)
        if label is None:
            run.probe = run.nearest_point(float(value["x"]), float(value["y"]))
            if run.playing:
                say(PAGE, "Pause to see the numbers of the point you clicked.")
        else:
            run.add_point(float(value["x"]), float(value["y"]), label)
    request_app_rerun(PAGE)       # the sidebar and metrics live outside the fragment


def reshaped(s, layer, delta):
    """Settings with one hidden layer more or fewer (layer -1), or one neuron more or fewer in ``layer``."""
    hidden = list(s.hidden)
    if layer < 0:
        hidden = hidden + [2] if delta > 0 else hidden[:-1]
    else:
        hidden[layer] += delta
    hidden = [min(max(u, 1), MAX_UNITS) for u in hidden][:MAX_LAYERS]
    return replace(s, hidden=tuple(hidden))


def paused_views(run):
    """The paused page's closer look: rewind, distributions, confusion matrix."""
    tabs = ["Timeline (rewind)", "Weights and gradients"] + (["Confusion matrix"] if run.settings.classes else [])
    box = st.expander("Look closer: rewind the run, weight and gradient distributions, confusion matrix",
                      icon=":material/insights:", key=f"{PAGE}_look_closer", on_change="rerun")
    if not box.open:                      # computed only when open: a closed box costs a rerun nothing
        return
    with box:
        parts = st.tabs(tabs)
        with parts[0]:
            inspect.timeline(PAGE, run)
        with parts[1]:
            dense = [i for i, kind, _, _ in run.shown.layers if kind == "dense"]
            inspect.distributions(run, list(zip(run.layer_names(), dense)))
        if run.settings.classes:
            with parts[2]:
                labels = ["orange (−1)", "blue (+1)"] if run.settings.classes == 2 else \
                    [f"class {k}" for k in range(run.settings.classes)]
                inspect.confusion(run, labels)


def point_numbers(run):
    """The clicked point's forward pass (weighted sums, activations) and backward pass (gradients)."""
    probe = run.probe
    box = st.expander("The numbers for one point: click a point on the output", expanded=probe is not None,
                      icon=":material/calculate:", key=f"{PAGE}_numbers_{probe is not None}", on_change="rerun")
    if not box.open:
        return
    with box:
        if probe is None:
            st.caption("Pause and click near a point of the output plot: its way through the network "
                       "appears here, forward (each neuron's weighted sum and activation) and backward "
                       "(how the loss changes with each neuron's sum and each weight), for that point alone.")
            return
        import pandas as pd          # here, not at the top: the first page run does not need pandas (0.3 s)

        p = run.point_pass(*probe)
        names = run.layer_names()
        st.markdown(f"Point **({p['xy'][0]:.2f}, {p['xy'][1]:.2f})**, label **{p['label']:g}**, "
                    f"loss for this point **{p['loss']:.4f}**.")
        for name, layer in zip(names, p["layers"]):
            st.markdown(f"**{name.capitalize()}**: z = inputs · W + b, a = activation(z), dz = ∂loss/∂z")
            neurons = pd.DataFrame({"z": layer["z"], "a": layer["a"], "dz": layer["dz"]},
                                   index=[f"{name} · {j + 1}" for j in range(len(layer["z"]))])
            st.dataframe(neurons.T.style.format("{:.4f}"), width="stretch")
            grads = pd.DataFrame(layer["dW"], columns=neurons.index,
                                 index=[f"input {i + 1} = {v:.3f}" for i, v in enumerate(layer["inputs"])])
            st.caption("∂loss/∂W for each weight (row: the input it multiplies; column: the neuron): "
                       "the input times the neuron's dz.")
            st.dataframe(grads.style.format("{:.4f}"), width="stretch")
