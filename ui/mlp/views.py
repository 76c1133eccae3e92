"""The MLP page: its description for the page runner, its controls and its live views."""
import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from engine.data import FEATURES
from engine.data.points_csv import read_points_csv

from ..canvas import VISIBILITY, BadEvent, Choice, Num, Text, checked, component, frame_channel, image_picker
from ..page import Page
from ..state import current_run, expander_state, key, request_app_rerun, say
from ..text import plain
from ..theme import rem
from . import points
from .explain import MLP_TEXT
from .run import MlpRun
from .settings import HIDEABLE, MAX_LAYERS, MAX_UNITS, PRESET_LABELS, PRESETS, MlpSettings, datasets_for, preset_of
from .thumbnails import dataset_items

log = logging.getLogger(__name__)
PAGE = "mlp"
TRAINING = ("lr", "activation", "batchnorm", "optimizer", "loss", "regularization", "reg_rate", "clip")   # the sidebar's Training section
CURVE_INTERVAL = 0.15            # seconds between two loss curves sent to the canvas while playing
CHANNEL = "frames-mlp"
WEIGHT_LIMIT = 100.0             # a typed weight or bias is kept within ±this (float32 and the canvas stay finite)
EXTENT = 6.0                     # the input plane is [-6, 6]^2
EVENTS = {                       # what a click on the canvas sends, and the shape of its value
    "feature": Choice(tuple(FEATURES)),
    "edit": {"layer": Num(0, MAX_LAYERS, whole=True), "name": Choice(("W", "b")),
             "i": Num(0, 64, whole=True), "j": Num(0, 64, whole=True), "value": Num()},
    "plot_click": {"x": Num(-EXTENT, EXTENT), "y": Num(-EXTENT, EXTENT)},
    "shape": {"layer": Num(-1, MAX_LAYERS - 1, whole=True), "delta": Choice((-1, 1))},
    # the tile under the pointer, whose map the output plot shows enlarged: a hidden layer's neuron,
    # an input feature (layer -1, unit: its index in FEATURES), or none (layer -2)
    "focus": {"layer": Num(-2, MAX_LAYERS - 1, whole=True), "unit": Num(0, MAX_UNITS - 1, whole=True)},
    "visibility": VISIBILITY}
QUEUE_MAX = 40                   # events in one "events" trigger at most (the canvas keeps as many)
# The canvas sends its clicks as "events": a numbered queue of those the page has not acknowledged
# (network_canvas.js, send); the single events stay accepted as they are.
network_canvas = component("network_canvas", Path(__file__).parent / "components",
                           {"events": Text(QUEUE_MAX * 200), **EVENTS})

CANVAS_CAPTION = ("Each tile shows what a neuron outputs over the whole input plane, on the scale under the "
                  "output: blue positive, orange negative. Lines are weights: colour is the sign (negative ones "
                  "dashed), thickness the size. The big square is the network's output with the training points "
                  "(white rim; test points have a black rim; circles are the blue class, squares the orange one), "
                  "the loss and its curve above it. Hover over a tile to see its map enlarged on the output, over a "
                  "line or a neuron to read it; pause and click to edit it. With the keyboard: Tab to the picture, "
                  "then the arrow keys and Enter.")
LOSS_NAMES = {"mse": "mean squared error", "binary_crossentropy": "cross-entropy",
              "softmax_crossentropy": "cross-entropy"}
LOSS_WORDS = {   # what the page's loss is, for the canvas, the metrics' help and the curves' caption
    "mse": "Mean squared error: the mean over the points of (output − label)², labels ±1 on a tanh "
           "output. TensorFlow Playground reports half of this (½ · mean of (output − label)²): halve this "
           "page's loss to compare the two.",
    "binary_crossentropy": "Mean cross-entropy: −log of the probability the network gives the right class, "
                           "averaged over the points (natural log).",
    "softmax_crossentropy": "Mean cross-entropy over the three classes: −log of the probability given to "
                            "the right class, averaged over the points (natural log).",
}
CHART_CAPTIONS = {
    "curves": "Loss and accuracy on the training and test data after each epoch: a test loss that "
              "rises while the training loss falls is overfitting.",
    "gradients": "Gradient size per layer, on a log scale (equal steps up the axis are equal factors): with "
                 "many sigmoid layers it shrinks toward the input, the vanishing gradient; ReLU keeps it up.",
}


# Narrow windows (a 1024 px laptop with the sidebar open) keep 1.5 rem beside the page instead of 5:
# the Play row and the metrics fit one line each, and the network, the output and the loss one screen.
PAGE_CSS = ("@media (min-width: 640px) and (max-width: 1200px) { .block-container { padding-left: 1.5rem; "
            "padding-right: 1.5rem; } }")


class MlpPage(Page):
    name = PAGE
    title = "Multi-layer perceptron"
    settings_class = MlpSettings
    run_class = MlpRun
    hideable = HIDEABLE
    sidebar = (("network", "Preset"), ("data", "Data"), ("features", "Features"), ("training", "Training"))
    explanation = MLP_TEXT
    activation_stats = True
    probe_what = "points"

    def show(self):
        st.html(f"<style>{PAGE_CSS}</style>")           # style only: Streamlit gives it no room
        super().show()
        link_points(current_run(PAGE))                  # the link says the points the page shows

    def make_run(self, settings):
        """A session's run from its link, with the link's own points (``pts``) if it names any."""
        run = super().make_run(settings)
        text = st.query_params.get("pts")
        if text:
            try:
                own, added = points.decode(text, run.settings.classes)
            except ValueError as err:
                say(PAGE, f"The link's points (pts) were ignored: {err}.", "warning")
            else:
                run.own, run.added = own, added
        return run

    # -- controls ------------------------------------------------------------------------------
    def draw_section(self, section, run):
        if section == "network":         # the presets: hidden with the network's shape in presenter mode
            self._preset(run)
        elif section == "data":
            self._data(run)
        elif section == "training":
            for name in TRAINING:
                self.widgets.draw(name)
        else:
            super().draw_section(section, run)

    def _data(self, run):
        w, s = self.widgets, run.settings
        w.draw("problem")
        st.markdown("Data set", help="The points the network learns from. Blue and orange are the two classes "
                                     "(three colours: three classes; a regression's colour is the value). "
                                     "The thumbnails show the noise and seed set below.")
        image_picker([dataset_items(s.noise, s.seed)[n] for n in datasets_for(s.problem)],
                     None if run.own is not None else s.dataset, key=key(PAGE, "picker"), on_pick=self._pick)
        for name in ("noise", "train_pct", "batch", "seed"):
            w.draw(name)
        with st.expander("Your own points"):
            own_points(self, run)

    def _preset(self, run):
        widget = self.widgets.key("preset")
        self.widgets.follow(widget, preset_of(run.settings) or "custom", lambda: st.selectbox(
            "Start from", [*PRESETS, "custom"], key=widget, on_change=self._pick_preset,
            format_func=PRESET_LABELS.get, label_visibility="collapsed",
            help="A starting point: its data, network and training settings (batch norm, the seed and "
                 "the speed stay as they are). Deep sigmoid: six layers of eight sigmoid neurons with "
                 "plain SGD, which stays at chance until you switch Batch norm on (Training)."))

    def _pick_preset(self):
        widget = self.widgets.key("preset")
        name = st.session_state.get(widget)
        if name in PRESETS and self.widgets.chosen(widget):
            self.widgets.set(**PRESETS[name])

    def _pick(self, name):
        run = current_run(PAGE)
        run.own, run.added = None, []         # a picked data set replaces the user's own points
        self.widgets.set(dataset=name)

    def controls(self, run):
        """None under the Play row: the training controls are in the sidebar, so the network, the output
        and the loss fit one screen (TensorFlow Playground's view)."""

    def metric_help(self, run):
        helps = super().metric_help(run)
        words = LOSS_WORDS[run.settings.engine_loss]
        for name in ("Train loss", "Test loss"):
            if name in helps:
                helps[name] = f"{helps[name]}. {words}"
        return helps

    def play_extra(self, run):
        self.widgets.draw("speed", label_visibility="collapsed", width=rem(11, run.settings))

    def below(self, run):
        if not run.playing:
            point_numbers(run)
        if "network" not in run.settings.hidden_parts:
            with st.expander("Network details: layers, per-layer activation, batch norm and dropout, initial weights"):
                self._network(run)

    def _network(self, run):
        """The network's shape by keyboard (the canvas has +/- buttons), per-layer settings, initialisation."""
        w, s = self.widgets, run.settings
        cols = st.columns(MAX_LAYERS + 1)
        w.draw_count("hidden", "Hidden layers", cols[0], help="Layers between the features and the output (0-6); "
                     "the canvas's +/- buttons do the same")
        for i in range(len(s.hidden)):
            w.draw_item("hidden", i, cols[i + 1], help=f"Neurons in hidden layer {i + 1}")
        if s.hidden:
            cols = st.columns(MAX_LAYERS + 1)
            cols[0].markdown("**Activation**<br>**Batch norm**<br>**Dropout**", unsafe_allow_html=True)
            for i in range(len(s.hidden)):
                w.draw_item("layer_acts", i, cols[i + 1], label_visibility="collapsed")
                w.draw_item("layer_bn", i, cols[i + 1], label_visibility="collapsed")
                w.draw_item("dropout", i, cols[i + 1], label_visibility="collapsed")
        w.draw("init")

    # -- the live view ------------------------------------------------------------------------
    def make_slots(self, run):
        slots = SimpleNamespace(send_frame=frame_channel(CHANNEL), count=-1)
        # What changes only with the data or the features has a channel of its own, written once per
        # fragment run. It came with the first frame of a run, which the next frame could overwrite
        # before the canvas read it: the canvas kept the old features and points until the next
        # fragment run (a feature toggle while playing showed 1.5-6 s late).
        s = run.settings
        static = run.static_frame()
        static.update(view={"present": s.present, "zoom": s.zoom, "contrast": s.present and s.contrast},
                      loss_help=LOSS_WORDS[s.engine_loss])
        frame_channel(CHANNEL + "-static")(static)
        network_canvas("mlp_network", self._on_canvas_event, channel=CHANNEL)
        with st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="center"):
            for name in ("show_test", "discretize"):          # TensorFlow Playground has them under the output
                self.widgets.draw(name, width="content")
        st.caption(CANVAS_CAPTION)
        return slots

    def charts(self, run, snaps):
        charts = super().charts(run, snaps)
        charts[0]["title"] = f"Loss ({LOSS_NAMES[run.settings.engine_loss]})"     # which loss: see the caption
        return charts

    def curves_caption(self, run):
        texts = [text for part, text in CHART_CAPTIONS.items() if part not in run.settings.hidden_parts]
        if run.settings.engine_loss == "mse" and "curves" not in run.settings.hidden_parts:
            texts.insert(1, "The loss is the mean of (output − label)²; TensorFlow Playground shows half of that: "
                            "halve this page's loss to compare.")
        return " ".join(texts)

    def draw(self, run, slots, snaps, interactive):
        slots.count += 1
        s = run.settings
        now = time.monotonic()
        curve = interactive or slots.count == 0 or now - getattr(slots, "curve_at", 0.0) >= CURVE_INTERVAL
        if curve:
            slots.curve_at = now
        slots.send_frame(run.frame(snaps[0], interactive=interactive, adding=add_point_label() is not None,
                                   full=False, allow=allowed_clicks(s, interactive), ack=events_ack(), curve=curve))

    def layer_names(self, run):
        dead = run.snap.dead_units
        return [(f"{name} ({int(dead[i].sum())} dead)" if i in dead and dead[i].any() else name, i)
                for name, i in dense_names(run.snap)]

    def activation_layer_names(self, run):
        return dense_names(run.snap)

    def confusion_labels(self, run):
        classes = run.settings.classes
        if not classes:
            return None
        return ["orange (−1)", "blue (+1)"] if classes == 2 else [f"class {k}" for k in range(classes)]

    def _on_canvas_event(self, event, value):
        if event != "events":
            return self._on_event(event, value)
        rerun = False
        for event, value in new_events(value):
            try:
                rerun = self._on_event(event, value, rerun_after=False) or rerun
            except BadEvent as err:          # one bad event of a queue: the others still count
                log.warning("ignored a malformed %r event in a queue (%s)", event, err)
        if rerun:
            request_app_rerun(PAGE)

    def _on_event(self, event, value, rerun_after=True):
        """One canvas event; True when the page must be drawn again (the sidebar and the metrics live
        outside the live fragment)."""
        run = current_run(PAGE)
        if event == "focus":                           # the next frames carry that tile's map in full
            run.focus = None if value["layer"] == -2 else (value["layer"], value["unit"])
            return False
        if event == "visibility":
            run.visible = value == "visible"           # a hidden tab stops its live loop until it is back
        elif event not in allowed_clicks(run.settings, not run.playing):
            return False                               # e.g. presenter mode hides the network's shape
        if event == "feature":
            s = run.settings
            features = tuple(f for f in s.features if f != value) if value in s.features else s.features + (value,)
            self.widgets.set(features=features)
        elif event == "shape":
            self.widgets.apply(reshaped(run.settings, value["layer"], value["delta"]))
        elif event == "edit":
            self._edit(run, value)
        elif event == "plot_click":
            self._plot_click(run, value["x"], value["y"])
        if rerun_after:
            request_app_rerun(PAGE)
        return True

    def _edit(self, run, value):
        dense = [i for i, kind, _, _ in run.snap.layers if kind == "dense"]
        if value["layer"] >= len(dense):
            raise BadEvent(f"no dense layer {value['layer']}")
        shape = run.snap.params[f"{dense[value['layer']]}.{value['name']}"].shape
        i, j = value["i"], value["j"]
        if i >= shape[0] or (value["name"] == "W" and j >= shape[1]):
            raise BadEvent(f"no weight ({i}, {j}) in a layer of shape {shape}")
        typed = value["value"]
        clamped = min(max(typed, -WEIGHT_LIMIT), WEIGHT_LIMIT)
        if clamped != typed:
            say(PAGE, f"Weights and biases are kept within ±{WEIGHT_LIMIT:g}: {typed:g} became {clamped:g}.",
                "warning")
        run.edit_weight(value["layer"], value["name"], i, j, clamped)

    def _plot_click(self, run, x, y):
        label = add_point_label()
        if label is None:
            run.probe = run.nearest_point(x, y)
            if run.playing:
                say(PAGE, "Pause to see the numbers of the point you clicked.")
        elif not run.add_point(x, y, label):
            say(PAGE, "The data holds as many points as it can; load a CSV or go back to the generated data.",
                "warning")


def new_events(text):
    """The events of a canvas queue (JSON: {"token": n, "items": [[number, event, value], ...]}) that
    the page has not applied yet, checked against their shapes, in order; remembers the last number
    applied (frames send it back as "ack"). BadEvent for a queue that is no queue."""
    try:
        queue = json.loads(text)
    except (ValueError, RecursionError):          # RecursionError: nested deeper than Python's limit
        raise BadEvent("the event queue is not JSON") from None
    if not isinstance(queue, dict) or set(queue) != {"token", "items"} or not isinstance(queue["items"], list):
        raise BadEvent("expected an object with keys items, token")
    token = checked(queue["token"], Num(0, 2 ** 31, whole=True))
    seen = st.session_state.get(key(PAGE, "events_seen"))
    last = seen[1] if seen and seen[0] == token else 0
    out = []
    for item in queue["items"][-QUEUE_MAX:]:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[1], str) and item[1] in EVENTS):
            raise BadEvent("an item of the queue is not [number, event, value]")
        number = checked(item[0], Num(1, 2 ** 53, whole=True))
        if number > last:
            try:
                out.append((item[1], checked(item[2], EVENTS[item[1]])))
            except BadEvent as err:
                log.warning("ignored a malformed %r event in a queue (%s)", item[1], err)
            last = number
    st.session_state[key(PAGE, "events_seen")] = (token, last)
    return out


def events_ack():
    """What a frame tells the canvas: the queue's token and the last event the page applied."""
    return list(st.session_state.get(key(PAGE, "events_seen"), (0, 0)))


def dense_names(snap):
    """(name, layer index) of the dense layers: "layer 1", ..., "output"."""
    dense = [i for i, kind, _, _ in snap.layers if kind == "dense"]
    return [(f"layer {k + 1}" if k < len(dense) - 1 else "output", i) for k, i in enumerate(dense)]


def allowed_clicks(s, paused):
    """What a click on the canvas may change: nothing the presenter has hidden; weights only when paused."""
    allow = [name for name, part in (("shape", "network"), ("feature", "features")) if part not in s.hidden_parts]
    return allow + ["plot_click"] + (["edit"] if paused else [])


def reshaped(s, layer, delta):
    """Settings with one hidden layer more or fewer (layer -1), or one neuron more or fewer in ``layer``."""
    hidden = list(s.hidden)
    if layer < 0:
        hidden = hidden + [2] if delta > 0 else hidden[:-1]
    elif layer < len(hidden):
        hidden[layer] += delta
    hidden = [min(max(u, 1), MAX_UNITS) for u in hidden][:MAX_LAYERS]
    return replace(s, hidden=tuple(hidden))


# -- your own points --------------------------------------------------------------------------
ADD_OPTIONS = {2: {"off": "Off", "pos": "Blue", "neg": "Orange"},
               3: {"off": "Off", "c0": "Class 0", "c1": "Class 1", "c2": "Class 2"},
               0: {"off": "Off", "value": "Value"}}
ADD_LABELS = {"off": None, "pos": 1.0, "neg": -1.0, "c0": 0.0, "c1": 1.0, "c2": 2.0}


def own_points(page, run):
    s = run.settings
    options = ADD_OPTIONS.get(s.classes, ADD_OPTIONS[2])
    mode = key(PAGE, "add_mode")
    if st.session_state.get(mode) not in options:
        st.session_state[mode] = "off"
    st.segmented_control("Click on the output to add", list(options), format_func=options.get, key=mode,
                         help="Pick a class, then click on the output plane."
                              + (" Blue points are labelled +1, orange −1." if s.classes == 2 else ""))
    if st.session_state[mode] == "value":
        st.slider("Value of new points", -1.0, 1.0, 0.5, 0.1, key=key(PAGE, "add_value"),
                  help="The value a click gives a new point (the colour scale under the output)")
    # A new uploader key after each file: the uploader empties instead of piling up rejected files.
    # Any file type: the server reads and refuses it in words, where the last error is replaced (a
    # browser-side refusal of a .txt stood beside the previous file's error).
    st.file_uploader("Or load a CSV (x1, x2, label) or a setup", key=_csv_key(), on_change=lambda: _load_csv(page),
                     help="A CSV: a header row naming x1, x2 and label, then up to 2,000 rows. Labels: two "
                          "values (blue and orange) or three (three classes), or numbers for a regression. "
                          "Coordinates are scaled to fill the plane [-6, 6]. Or a setup (.json) this page "
                          "downloaded: its settings and its points.")
    if st.session_state.get(key(PAGE, "csv_error")):
        st.error(plain(st.session_state[key(PAGE, "csv_error")]), icon="⚠️")
    if run.custom and run.built:
        added = f" ({len(run.added)} added by clicks)" if run.added else ""
        st.caption(f"Training on your data: {len(run.train_xy)} train{added} and {len(run.test_xy)} test points. "
                   + ("The link holds them: share it." if points.encode(run.own, run.added, s.classes)
                      else f"Too many for the link (at most {points.LINK_MAX_POINTS}): share the file, or "
                           "the setup (.json) below."))
        st.button("Back to the generated data", on_click=run.forget_points,
                  help="Forget your points and the added ones: the data set picked above again")


def link_points(run):
    """Write the run's own points into the link (``pts``), or take them out."""
    text = points.encode(run.own, run.added, run.settings.classes) if run.custom else None
    if st.query_params.get("pts") != text:
        if text is None:
            del st.query_params["pts"]
        else:
            st.query_params["pts"] = text


def add_point_label():
    """The label a click adds, or None when adding is off."""
    mode = st.session_state.get(key(PAGE, "add_mode"), "off")
    return ADD_LABELS.get(mode, st.session_state.get(key(PAGE, "add_value"), 0.5))


def _csv_key():
    return key(PAGE, f"csv_{st.session_state.get(key(PAGE, 'csv_count'), 0)}")


def _load_csv(page):
    upload = st.session_state.get(_csv_key())
    if not isinstance(upload, UploadedFile):      # none, or a file the server does not hold (a crafted id)
        return
    count = key(PAGE, "csv_count")
    st.session_state[count] = st.session_state.get(count, 0) + 1
    run = current_run(PAGE)
    s = run.settings
    raw = upload.getvalue()
    try:
        if upload.name.lower().endswith(".json"):
            settings, own, added, notes = points.read_setup(raw, MlpSettings)
        else:
            xy, labels, notes = read_points_csv(raw, regression=s.problem == "regression")
    except ValueError as err:
        st.session_state[key(PAGE, "csv_error")] = f"{upload.name}: {err}. The current data is unchanged."
        return
    st.session_state[key(PAGE, "csv_error")] = None
    if upload.name.lower().endswith(".json"):          # a setup: its settings, then its points
        page.widgets.apply(settings)
        run.use_points(*(own or (None, None)), added=added)
        n = (len(own[0]) if own else 0) + len(added)
        say(PAGE, f"Loaded the setup in {upload.name}" + (f" with {n} points" if n else "") + ". " + " ".join(notes),
            "success")
        return
    if s.problem == "classification":
        classes = 3 if len(np.unique(labels)) == 3 else 2
        if classes != s.classes:          # three labels: the 3-class setting; two: leave it
            page.widgets.set(dataset="spiral3" if classes == 3 else "circle")
    run.use_points(xy, labels)
    say(PAGE, f"Loaded {len(xy)} points from {upload.name}. " + " ".join(notes), "success")


# -- one point's numbers ----------------------------------------------------------------------
def point_numbers(run):
    """The clicked point's forward pass (weighted sums, activations) and backward pass (gradients)."""
    probe = run.probe
    expander_state(f"{PAGE}_numbers_{probe is not None}")
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
        names = [name for name, _ in dense_names(run.shown)]
        st.markdown(f"Point **({p['xy'][0]:.2f}, {p['xy'][1]:.2f})**, label **{p['label']:g}**, "
                    f"loss for this point **{p['loss']:.4f}**.")
        if p["layers"] and p["layers"][0]["dz"] is None:
            st.caption("With batch norm there are no gradients for one point: a batch-normalised sum depends on "
                       "every point of its batch, so the gradient is the batch's. n is the normalised sum, with the "
                       "averages of the mean and spread seen in training (as the network predicts).")
        for name, layer in zip(names, p["layers"]):
            normalised = "n" in layer
            st.markdown(f"**{name.capitalize()}**: z = inputs · W + b, "
                        + ("n = γ · (z − mean) / √(variance + ε) + β, a = activation(n)" if normalised else
                           "a = activation(z)") + (", dz = ∂loss/∂z" if layer["dz"] is not None else ""))
            columns = {"z": layer["z"], **({"n": layer["n"]} if normalised else {}), "a": layer["a"]}
            if layer["dz"] is not None:
                columns["dz"] = layer["dz"]
            neurons = pd.DataFrame(columns, index=[f"{name} · {j + 1}" for j in range(len(layer["z"]))])
            st.dataframe(neurons.T.style.format("{:.4f}"), width="stretch")
            if layer["dW"] is None:
                continue
            grads = pd.DataFrame(layer["dW"], columns=neurons.index,
                                 index=[f"input {i + 1} = {v:.3f}" for i, v in enumerate(layer["inputs"])])
            st.caption("∂loss/∂W for each weight (row: the input it multiplies; column: the neuron): "
                       "the input times the neuron's dz.")
            st.dataframe(grads.style.format("{:.4f}"), width="stretch")

