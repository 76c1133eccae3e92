"""The RNN page: its description for the page runner and its live views (each cell's canvas,
generated text)."""
import time
from pathlib import Path
from types import SimpleNamespace

import streamlit as st

from viz import rnn as draw
from viz.curves import accuracy_chart, loss_chart, side_by_side

from ..canvas import VISIBILITY, component, frame_channel
from ..inspect import show_table, table_toggle
from ..page import Page
from ..settings import page_zoom
from ..state import current_run, key, link_params, request_app_rerun
from . import own_panel
from .explain import RNN_TEXT, task_caption
from .run import RnnRun
from .settings import HIDEABLE, RnnSettings

PAGE = "rnn"
TEXT_EVERY = 1.5          # seconds between two text samples while playing (each costs ~20 ms a cell)
BYTES_PER_SECOND = 800_000          # a tab's frames at most: large heatmaps (text, compare) get fewer frames
MAPS = {"rnn": 1, "lstm": 6, "gru": 4}
rnn_view = component("rnn_view", Path(__file__).parent / "components", {"visibility": VISIBILITY})

INSIDE_CAPTION = (
    "One probe sequence goes through the network. Unrolled: the same cell, with the same weights, at every step, "
    "its hidden state (blue positive, orange negative) handed on to the next step. The heatmaps show every unit "
    "(row) at every step (column), their colour scales above them; an LSTM's gates decide what the cell state "
    "keeps (forget gate f near 1: keep). The gradient through time shows how much of the error at the end reaches "
    "each earlier step (in compare mode both cells on one axis): a plain RNN's falls off by powers of ten (the "
    "vanishing gradient), so it cannot learn to use what came long before.")
# On a phone the training controls go under the live view and the metrics take their own widths in smaller
# type (two rows of five for two cells, not six), so Play and the network share the first screen.
NARROW_CSS = """@media (max-width: 640px) {
  [data-testid=stMainBlockContainer] > [data-testid=stVerticalBlock] > :has(.st-key-rnn_training) { order: 1; }
  [data-testid=stMainBlockContainer] .stElementContainer:has(> .stMetric) { width: auto !important; flex: 0 1 auto !important; min-width: 3.5rem; }
  [data-testid=stMainBlockContainer] [data-testid=stMetricValue] { font-size: 1.2rem; } }"""
TEXT_CAPTION = ("Text the network writes one character at a time, each fed back as its next input (the grey "
                "prompt starts it). The darker a character's background, the less sure the network was of it; "
                "hover for its probability.")


class RnnPage(Page):
    name = PAGE
    title = "Recurrent network"
    settings_class = RnnSettings
    run_class = RnnRun
    hideable = HIDEABLE
    sidebar = (("task", "Task"), ("network", "Network"))
    explanation = RNN_TEXT
    control_fields = ("optimizer", "lr", "clip", "batch", "seed")
    gradient_chart = False    # the gradient through time is in the live view

    def make_run(self, settings):
        """A session's run from its link: own data the session does not hold is said at once (the
        link names it; the data never travels in a link)."""
        run = RnnRun(settings, build=False)
        fitted = run.fit_own_data(run.settings)
        if fitted != run.settings:
            run.settings = fitted
            st.query_params.from_dict(link_params(PAGE, fitted))
        return run

    def draw_section(self, section, run):
        super().draw_section(section, run)
        if section == "task":
            s = run.settings
            if s.task == "text":
                own_panel.text_form(self, run)
            elif s.task == "series":
                own_panel.series_form(self, run)
            st.caption(task_caption(s, run.own() if s.own_data else None))

    def controls(self, run):
        with st.container(key="rnn_training"):
            super().controls(run)
            if run.settings.task == "text" and "task" not in run.settings.hidden_parts:
                self.widgets.draw("temperature", st.columns([2, 3])[0])
            st.markdown(f"<style>{NARROW_CSS}</style>", unsafe_allow_html=True)

    def charts(self, run, snaps):
        """Loss (named by its function; on a log scale if asked) and accuracy, every cell on one chart."""
        s = run.settings
        title = "Loss: cross-entropy" if s.classification else "Loss: squared error"
        per_run = [[loss_chart(snap, log=s.loss_log, title=title)] + ([accuracy_chart(snap)] if snap.classification else [])
                   for snap in snaps]
        return side_by_side(per_run, [r.title for r in run.runs])

    def below(self, run):
        """Under the curves: their log-scale switch; paused, the hidden-unit maps as a table."""
        if "curves" not in run.settings.hidden_parts:
            self.widgets.draw("loss_log")
        if not run.playing and "inside" not in run.settings.hidden_parts:
            heatmaps_tables(run)

    def frames_per_second(self, settings):
        """The heatmaps dominate a frame (1.34 bytes a value in base64), so an LSTM of 64 units over
        64 steps beside a GRU gets about 13 frames, waves 40."""
        values = sum(settings.units * settings.layers * settings.steps * MAPS[cell] for cell in settings.cells)
        return min(40.0, max(10.0, BYTES_PER_SECOND / (1.34 * values + 4000)))

    # -- the live view ------------------------------------------------------------------------
    def make_slots(self, run):
        s, runs = run.settings, run.runs
        slots = SimpleNamespace(text_at=0.0, parts=[p for p in ("task", "inside") if p not in s.hidden_parts])
        columns = st.columns(len(runs), gap="medium") if len(runs) > 1 else [st.container()]
        slots.send_frames, slots.texts = [], []
        for k, col in enumerate(columns):
            with col:
                slots.texts.append(st.empty() if s.task == "text" else None)
                slots.send_frames.append(frame_channel(f"frames-rnn-{k}"))
                rnn_view(f"rnn_view_{k}", self._on_event, channel=f"frames-rnn-{k}", zoom=page_zoom(s),
                         contrast=s.present and s.contrast)
        if s.task == "text" and "task" in slots.parts:
            st.caption(TEXT_CAPTION)
        if "inside" in slots.parts:
            st.caption(INSIDE_CAPTION)
        return slots

    def draw(self, run, slots, snaps, interactive):
        runs = run.runs
        frames = [r.frame(snap, slots.parts, titled=len(runs) > 1) for r, snap in zip(runs, snaps)]
        if len(frames) > 1:             # the cells' gradients through time on one axis
            draw.shared_log_range([p for f in frames for p in f["panels"] if p["type"] == "lines" and p["log"]])
        for frame, send in zip(frames, slots.send_frames):
            send(frame)
        if run.settings.task == "text" and "task" in slots.parts and _text_due(slots, interactive):
            for r, snap, box in zip(runs, snaps, slots.texts):
                box.markdown(draw.text_html(*r.sample_text(snap, run.settings.temperature)), unsafe_allow_html=True)

    def confusion_labels(self, run):
        return run.confusion_labels()

    def _on_event(self, event, value):
        if event == "visibility":
            current_run(PAGE).visible = value == "visible"
            request_app_rerun(PAGE)                    # a hidden tab stops its live loop until it is back


def heatmaps_tables(run):
    """Paused: the hidden-unit maps (units x time) of each network as a table (issue 22), as drawn."""
    if not table_toggle(key(PAGE, "heatmaps_table"), "the hidden-unit maps"):
        return
    for r in run.runs:
        if len(run.runs) > 1:
            st.markdown(f"**{r.title}**")
        panel = draw.heatmaps_panel(r.views(r.shown).trace, r.cell)
        show_table(draw.heatmaps_table(panel))
    st.caption("One row per map and unit: its value at each time step of the probe sequence, as the maps draw it.")


def _text_due(slots, interactive):
    now = time.monotonic()
    if interactive or now - slots.text_at >= TEXT_EVERY:
        slots.text_at = now
        return True
    return False
