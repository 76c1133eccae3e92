"""The page runner: a page is a description (``Page``), and ``show`` draws everything pages share.

A page says what is its own: its settings class (fields with bounds, URL names,
widgets), its ``Run`` subclass, its live view (``make_slots`` and ``draw``) and,
where it wants them, the sections of its controls, the views below the live one
and its explanation. The runner draws the rest, the same way on every page: the
sidebar's sections and the classroom controls, the header with "What am I
seeing?", the engine's warm-up for the layer families the page's spec uses, the
Play / Step / Reset row, notices, the rewind controls, the metrics and curves of
every run, the live loop, the paused views and the downloads.

Adding a page: its settings (``ui/<page>/settings.py``), its run (``run.py``),
its views and this description (``views.py``), its canvas script if it draws one
(``ui/<page>/components/``) and a short file in ``app_pages/`` that starts the
engine (``ui.warmup.start_engine``) and calls ``show``; then its entry in app.py's
navigation.
"""
import time
from abc import ABC, abstractmethod
from types import SimpleNamespace

import streamlit as st

from viz.curves import accuracy_chart, gradient_chart, loss_chart, side_by_side

from . import activations, inspect, take_away
from .canvas import frame_channel, line_charts
from .controls import divergence_notice, downloads, page_messages, play_row
from .lessons.panel import LessonPanel
from .live import MAX_FPS, live
from .metrics import MetricsRow, metric_help, metric_values
from .state import app_run_ended, page_run
from .settings import page_zoom
from .theme import rem, style
from .warmup import engine_loaded, engine_ready
from .widgets import Widgets

SLOW_INTERVAL = 0.15     # seconds between updates of the losses, accuracy and charts while playing
BANDS_INTERVAL = 0.5     # ... and of the activation statistics' bands (2-11 KB each)
RECORD_INTERVAL = 0.25   # seconds between two rows of the activation statistics (a probe batch's pass): with
                         # a row every slow frame, ten playing tabs got 10.6 updates/s instead of 16.0


def control_rem(field):
    """A control's width in rem: its label and help icon fit on one line (a wrapped label broke
    mid-word at 1024 px), and a choice's longest name; a seed has room for its New button."""
    longest = max([len(field.label)] + [len(field.label_of(c)) + 2 for c in field.choices or ()
                                        if field.widget == "select"])
    return max(8.0, 0.55 * longest + 3) + (5 if field.dice else 0)


class Page(ABC):
    """A page's description. Subclasses set the class attributes and define the live view."""
    name = ""                 # the prefix of its session and widget keys (and its URL path)
    title = ""                # its header
    settings_class = None     # its ui.settings.Settings subclass
    run_class = None          # its ui.run.Run subclass
    hideable = {}             # presenter mode: part -> label of what it can hide
    sidebar = ()              # (section, title) of the settings sections in the sidebar, in order
    explanation = ""          # "What am I seeing?", Markdown in the page's own terms
    max_fps = MAX_FPS         # frames a second at most (pages whose frames cost the browser more)
    gradient_chart = True     # the gradient size per layer among the curves
    lesson = None             # the lesson the link opens on this page (ui/lessons), if any
    activation_stats = False  # each layer's pre-activations over time (ui/activations.py) under the curves
    probe_size = activations.PROBE_SIZE   # ... on this many training samples (the first ones, fixed for the run)
    probe_what = "examples"   # ... called this in the caption ("points", "images")

    def __init__(self):
        self.widgets = Widgets(self.name, self.settings_class)

    # -- the live view (the page's own) ---------------------------------------------------------
    @abstractmethod
    def make_slots(self, run):
        """Lay out the live view's placeholders and canvases; return them (any object)."""

    @abstractmethod
    def draw(self, run, slots, snaps, interactive):
        """Draw ``snaps`` (one snapshot per run of ``run.runs``) into ``slots``. ``interactive``:
        paused, so clicks may edit the network."""

    # -- hooks with defaults ---------------------------------------------------------------------
    def draw_section(self, section, run):
        """One sidebar section's controls: its fields' widgets by default."""
        self.widgets.draw_section(section)

    control_fields = None     # the training controls in their order (default: the "training" section's)

    def controls(self, run):
        """The training controls under the Play row, side by side and wrapping to the next line where
        the screen ends: each keeps a width its label fits in, at any presenter size."""
        names = self.control_fields or [n for n, f in self.settings_class.FIELDS.items()
                                        if f.section == "training" and f.widget]
        with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
            for name in names:
                self.widgets.draw(name, width=rem(control_rem(self.settings_class.FIELDS[name]), run.settings))

    def prepare(self, run):
        """Slow work a run needs before it can be built (``Run.prepare``: a base network trained first,
        say); called once the engine is ready, before ``run.ensure_built``. A page may show its progress."""
        run.prepare()

    def play_extra(self, run):
        """Something of the page's beside Play, Step and Reset (a speed, say)."""

    def below(self, run):
        """Views drawn with each page run under the live view (a clicked cell's numbers, say)."""

    def frames_per_second(self, settings):
        return self.max_fps

    def metrics(self, run, snap):
        """(label, text) of each metric of one run: Epoch, Step, the losses and, for a classifier,
        the test accuracy."""
        return metric_values(snap)

    def first_metrics(self, run, snap):
        """The metrics shown as soon as a frame's place is laid out, before its views: ``metrics``, or
        for a page with a costly one, what is known now (the frame right after shows the rest)."""
        return self.metrics(run, snap)

    def metric_help(self, run):
        """What each metric of ``run`` measures (label -> text)."""
        return metric_help(run)

    def layer_names(self, run):
        """(name, layer index) of every layer with weights, for the gradient chart and histograms."""
        names, counts = [], {}
        for i, kind, _, _ in run.snap.layers:
            if f"{i}.W" in run.snap.params or f"{i}.Wx" in run.snap.params:
                counts[kind] = counts.get(kind, 0) + 1
                names.append((f"{kind} {counts[kind]}", i))
        if names:
            names[-1] = ("output", names[-1][1])
        return names

    def charts(self, run, snaps):
        """The curves under the live view: loss and accuracy (every run on one chart), and the
        gradient size per layer of a single run."""
        per_run = [[loss_chart(s)] + ([accuracy_chart(s)] if s.classification else []) for s in snaps]
        charts = side_by_side(per_run, [r.title for r in run.runs])
        if self.gradient_chart and len(snaps) == 1 and "gradients" not in run.settings.hidden_parts:
            charts.append(gradient_chart(snaps[0], self.layer_names(run)))
        return charts

    def activation_layer_names(self, run):
        """(name, layer index) of the layers whose pre-activations the statistics show, by the index of
        their weighted layer (a batch-normalised block is named after its dense or conv layer)."""
        return self.layer_names(run)

    def curves_caption(self, run):
        """A caption under the curves (what to look for in them)."""
        return ""

    def confusion_labels(self, run):
        """The class names of the paused confusion matrix, or None for no matrix."""
        return None

    # -- drawn by the runner -----------------------------------------------------------------------
    def make_run(self, settings):
        """A new run for ``settings`` (on a session's first visit, from its link; built once the engine
        is ready). A page may read more of its link here (its own points, say)."""
        return self.run_class(settings, build=False)

    def show(self):
        """Draw the page for this session's run; a run that gets to the end says so (a callback's
        request for a whole-page run holds until then: ui.state.request_app_rerun)."""
        self._show()
        app_run_ended(self.name)

    def _show(self):
        self.lesson = LessonPanel.open(self.name)      # before the run: a lesson starts it from its preset
        take_away.open_linked_model(self)               # a shipped model the link names replaces the run
        run = page_run(self.name, self.settings_class, self.make_run)
        s = run.settings
        hidden = s.hidden_parts
        style(s, playing=run.playing)
        page_messages(self.name)
        # Paused, the sidebar comes after the live view: the numbers Pause stopped at reach the browser
        # before some forty sidebar widgets it then redraws (widgets work by callbacks: order is free).
        # Playing, the live loop holds the run, and while the engine loads there is no live view: the
        # sidebar goes first (on a first visit the browser draws it while the engine's kernels load).
        needs = _needs(s.spec())
        sidebar_first = run.playing or not engine_loaded(needs)
        if sidebar_first:
            self._sidebar(run)
        self._header()
        if self.lesson:
            self.lesson.draw(run)
        ready = engine_ready(needs)
        if ready:
            self.prepare(run)
            run.ensure_built()
            ready = run.built
        with play_row(self.name, run, ready, width=rem(7, s)):
            self.play_extra(run)
        divergence_notice(self.name, run)
        if "training" not in hidden:
            self.controls(run)
        if ready:
            inspect.rewind_bar(self.name, run)
            live(self.name, run, lambda: self._slots(run),
                 lambda slots, interactive: self._frame(run, slots, interactive), max_fps=self.frames_per_second(s))
        if not sidebar_first:
            self._sidebar(run)
        if not ready:
            return
        if not run.playing and self._shows_bands(run):
            # Outside the live fragment: a stateful expander inside it lost a quick second upload's
            # change (the uploader sits outside the fragment; 2 of 3 tries in Chromium).
            activations.paused_histograms(self.name, run, self.activation_layer_names(run), self.probe_size)
        self.below(run)
        if not run.playing and "downloads" not in hidden:
            take_away.pictures_row(self, run)          # each view as a PNG for slides
        if not run.playing and "curves" not in hidden:
            inspect.look_closer(self.name, run, self.layer_names, self.confusion_labels(run))
        if "downloads" not in hidden:
            downloads(run, self.name)
            take_away.section(self, run)

    def _sidebar(self, run):
        with st.sidebar:
            for section, title in self.sidebar:
                if section not in run.settings.hidden_parts:
                    st.header(title, anchor=False)          # h2, at a subheader's size in the sidebar
                    self.draw_section(section, run)
            self._classroom(run.settings.present)

    def _header(self):
        # The page's one h1 (headings in order, issue 22), at a header's size (ui/theme.py)
        with st.container(horizontal=True, wrap=True, vertical_alignment="bottom", horizontal_alignment="distribute",
                          key="page_header"):
            st.title(self.title, anchor=False, width="content")
            if self.explanation:
                with st.popover("What am I seeing?", icon=":material/help:"):
                    st.markdown(self.explanation)

    def _classroom(self, present):
        """Presenter mode and what it hides; folded away while presenting, so the projected page
        shows only the lesson."""
        box = st.expander("Presenter mode", icon=":material/co_present:") if present else st.container()
        with box:
            if not present:
                st.header("Classroom", anchor=False)
            self.widgets.draw_section("classroom")

    # -- the live frame: metrics of every run, the page's view, the curves ------------------------
    def _slots(self, run):
        runs = run.runs
        hidden = run.settings.hidden_parts
        slots = SimpleNamespace(count=-1, slow_at=0.0, curves="curves" not in hidden)
        slots.metrics = [MetricsRow(r.title if len(runs) > 1 else None, self.metric_help(r), page_zoom(run.settings))
                         for r in runs]
        for row, r in zip(slots.metrics, runs):
            row.show(self.first_metrics(r, r.shown))    # before the views' large first messages (Pause shows them)
        slots.page = self.make_slots(run)
        slots.lesson = self.lesson.live() if self.lesson else None
        if slots.curves:
            slots.send_charts = frame_channel(f"frames-{self.name}-charts")
            line_charts(f"frames-{self.name}-charts", key=f"{self.name}_charts", zoom=page_zoom(run.settings),
                        contrast=run.settings.present and run.settings.contrast)
            caption = self.curves_caption(run)
            if caption:
                st.caption(caption)
        slots.bands = self._shows_bands(run)
        if slots.bands:
            self._activation_slots(run, slots)
        return slots

    def _activation_slots(self, run, slots):
        """The activation statistics: the live bands, and paused, the histograms at the epoch shown."""
        channel = f"frames-{self.name}-activations"
        slots.send_bands, slots.bands_at, slots.record_at = frame_channel(channel), 0.0, 0.0
        st.markdown("**Activation statistics: what each layer's activation function receives**")
        line_charts(channel, key=f"{self.name}_activations", zoom=page_zoom(run.settings), compact=True,
                    contrast=run.settings.present and run.settings.contrast,
                    label="Each layer's pre-activations over the epochs")
        st.caption(activations.CAPTION.format(n=min(self.probe_size, len(run.trainer.x)), what=self.probe_what))

    def _shows_bands(self, run):
        """True when the page draws the activation statistics for ``run`` (one run, curves shown)."""
        return (self.activation_stats and len(run.runs) == 1 and "curves" not in run.settings.hidden_parts
                and bool(activations.shown_layers(run.snap.layers)))

    def _frame(self, run, slots, interactive):
        """One frame. Epoch, Step and the page's view change with every frame; the losses, accuracy
        and charts, which no one reads 25 times a second, about 7 times a second: each changed
        metric costs the browser a re-render."""
        snaps = [r.shown for r in run.runs]         # one snapshot per run per frame: training goes on meanwhile
        slots.count += 1
        now = time.monotonic()
        slow = interactive or slots.count == 0 or now - slots.slow_at >= SLOW_INTERVAL
        for row, r, snap in zip(slots.metrics, run.runs, snaps):
            row.show(self.metrics(r, snap), fast_only=not slow)
        self.draw(run, slots.page, snaps, interactive)
        if slow:
            slots.slow_at = now
            if getattr(slots, "lesson", None):
                slots.lesson(run, snaps)            # the lesson's checks: at most once a slow frame
            if slots.curves:
                slots.send_charts({"frame": slots.count, "charts": self.charts(run, snaps)})
        if getattr(slots, "bands", False) and (interactive or slots.count == 0 or now - slots.record_at >= RECORD_INTERVAL):
            slots.record_at = now
            activations.record(run, snaps[0], self.probe_size)      # a new epoch, 4 times a second at most
            if interactive or slots.count == 0 or now - slots.bands_at >= BANDS_INTERVAL:
                slots.bands_at = now
                slots.send_bands({"frame": slots.count, "charts": activations.frame_charts(
                    run, snaps[0], self.activation_layer_names(run), self.probe_size)})


def _needs(spec):
    """The engine's families and layer types the page's network waits for (engine.needs)."""
    import engine          # loaded by the warm-up thread meanwhile: this import waits for nothing more
    return engine.needs(spec)
