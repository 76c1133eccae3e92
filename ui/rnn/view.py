"""The RNN page's live views: metrics, each cell's canvas, generated text, the curves."""
import math
import time
from types import SimpleNamespace

import streamlit as st

from viz import rnn as draw
from viz.curves import accuracy_chart, loss_chart

from .. import inspect
from ..canvas import frame_channel, line_charts
from ..state import current_run, request_app_rerun
from .canvas import rnn_view
from .controls import PAGE

TEXT_EVERY = 1.5          # seconds between two text samples while playing (each costs ~20 ms a cell)
RUN_COLORS = (("#1f77b4", "#9ecae9"), ("#d62728", "#f4a6a6"))     # (train, test) per cell
BYTES_PER_SECOND = 800_000          # a tab's frames at most: large heatmaps (text, compare) get fewer frames
MAPS = {"rnn": 1, "lstm": 6, "gru": 4}


def max_fps(settings):
    """Frames a second for these settings: the heatmaps dominate a frame (1.34 bytes a value in
    base64), so an LSTM of 64 units over 64 steps beside a GRU gets about 13 frames, waves 40."""
    values = sum(settings.units * settings.layers * settings.steps * MAPS[cell] for cell in settings.cells)
    return min(40.0, max(10.0, BYTES_PER_SECOND / (1.34 * values + 4000)))


def make_slots(run):
    s = run.settings
    hidden = set(s.hide) if s.present else set()
    runs = run.runs
    slots = SimpleNamespace(count=-1, text_at=0.0, parts=[p for p in ("task", "inside") if p not in hidden],
                            curves="curves" not in hidden)
    slots.metric_rows = [_metric_row(r.title if len(runs) > 1 else None) for r in runs]
    columns = st.columns(len(runs), gap="medium") if len(runs) > 1 else [st.container()]
    slots.send_frames, slots.texts = [], []
    for k, (col, r) in enumerate(zip(columns, runs)):
        with col:
            slots.texts.append(st.empty() if s.task == "text" else None)
            slots.send_frames.append(frame_channel(f"frames-rnn-{k}"))
            rnn_view(f"frames-rnn-{k}", key=f"rnn_view_{k}", on_event=_on_canvas_event)
    if s.task == "text" and "task" in slots.parts:
        st.caption("Text the network writes one character at a time, each fed back as its next input "
                   "(the grey prompt starts it). The darker a character's background, the less sure the "
                   "network was of it; hover for its probability.")
    if "inside" in slots.parts:
        st.caption(INSIDE_CAPTION)
    if slots.curves:
        slots.send_charts = frame_channel("frames-rnn-charts")
        line_charts("frames-rnn-charts", key="rnn_charts")
    return slots


INSIDE_CAPTION = (
    "One probe sequence goes through the network. Unrolled: the same cell at every step, its hidden state "
    "(blue positive, orange negative) handed on to the next step. The heatmaps show every unit (row) at every "
    "step (column); an LSTM's gates decide what the cell state keeps (forget gate f near 1: keep). The "
    "gradient through time shows how much of the error at the end reaches each earlier step: a plain RNN's "
    "falls off by powers of ten (the vanishing gradient), so it cannot learn to use what came long before.")


def _metric_row(name):
    if name is None:
        return st.columns(5)
    cols = st.columns([0.7, 1, 1, 1, 1, 1], vertical_alignment="center")
    cols[0].markdown(f"**{name}**")
    return cols[1:]


def draw_frame(run, slots, interactive):
    runs = run.runs
    snaps = [r.shown for r in runs]                # one snapshot per run per frame: training goes on meanwhile
    slots.count += 1
    for k, snap in enumerate(snaps):
        _metrics(slots, k, snap)
    titled = len(runs) > 1
    for r, snap, send in zip(runs, snaps, slots.send_frames):
        send(r.frame(snap, slots.parts, titled=titled))
    if run.settings.task == "text" and "task" in slots.parts and _text_due(slots, interactive):
        for r, snap, box in zip(runs, snaps, slots.texts):
            box.markdown(draw.text_html(*r.sample_text(snap, run.settings.temperature)), unsafe_allow_html=True)
    if slots.curves:
        slots.send_charts({"frame": slots.count, "charts": curves(runs, snaps)})


def _metrics(slots, k, snap):
    """Row ``k`` of metrics: made by the first draw (an empty slot would blink), then updated in place."""
    values = [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"), ("Train loss", f"{snap.train_loss:.3f}"),
              ("Test loss", f"{snap.test_loss:.3f}")]
    if snap.classification:
        values.append(("Test accuracy", "—" if math.isnan(snap.test_acc) else f"{snap.test_acc:.1%}"))
    if slots.count == 0:
        slots.metric_rows[k] = [col.metric(label, value) for col, (label, value) in zip(slots.metric_rows[k], values)]
    else:
        for box, (label, value) in zip(slots.metric_rows[k], values):
            box.metric(label, value)


def _text_due(slots, interactive):
    now = time.monotonic()
    if interactive or now - slots.text_at >= TEXT_EVERY:
        slots.text_at = now
        return True
    return False


def curves(runs, snaps):
    """Loss (and accuracy) of every cell on one chart each; x is the epoch both share."""
    makers = [loss_chart] + ([accuracy_chart] if snaps[0].classification else [])
    if len(runs) == 1:
        return [make(snaps[0]) for make in makers]
    merged = []
    for make in makers:
        parts = [make(snap) for snap in snaps]
        n = min(len(p["x"]) for p in parts)
        series = [dict(series, name=f"{r.title} {series['name']}", color=colors[k], values=series["values"][:n])
                  for r, p, colors in zip(runs, parts, RUN_COLORS) for k, series in enumerate(p["series"])]
        merged.append(dict(parts[0], x=parts[0]["x"][:n], series=series))
    return merged


def _on_canvas_event(event, value):
    if event == "visibility":
        run = current_run(PAGE)
        run.visible = value == "visible"
        request_app_rerun(PAGE)                    # a hidden tab stops its live loop until it is back


def paused_views(run):
    """The paused page's closer look: rewind the run, the confusion matrix."""
    box = st.expander("Look closer: rewind the run" + (", confusion matrix" if run.settings.classification else ""),
                      icon=":material/insights:", key=f"{PAGE}_look_closer", on_change="rerun")
    if not box.open:
        return
    with box:
        inspect.timeline(PAGE, run)
        if run.settings.classification and run.settings.task != "text":
            labels = list(draw.PARITY_NAMES) if run.settings.task == "parity" else list(draw.SYMBOLS[:4])
            inspect.confusion(run, labels)
