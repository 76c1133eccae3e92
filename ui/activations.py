"""Activation statistics over time, for every page with layers (the page runner draws them).

Live: for each layer, the distribution of its pre-activations (what its activation function
receives) on a fixed probe batch, as a band of percentiles 5, 25, 50, 75 and 95 across epochs,
on a compact line-chart canvas under the curves. Paused: every layer's histogram at the epoch
shown (rewound or latest), on one shared axis (Plotly), with the flat parts of each activation
shaded. A deep sigmoid network's layers drift into the flat parts; batch normalisation keeps them
centred.

The numbers are the engine's own forward pass of the probe batch with the snapshot's weights and
moving statistics (viz/activations.py). A run's ``ActivationHistory`` records one row of
percentiles per new epoch the page's slow frames show (about 7 a second: ui/page.py), so a frame
whose epoch is already recorded costs nothing; ``bench/activation_stats.py`` measures the cost.
"""
import numpy as np
import streamlit as st

from viz.activations import (PERCENTILES, band_charts, histogram_figure, histogram_table, percentiles_of, pre_activations,
                             shown_layers)

from .inspect import BIN_CAPTION, BIN_COLUMNS, show_table, table_toggle
from .state import expander_state, key

PROBE_SIZE = 256          # the probe batch's samples unless a page says otherwise (Page.probe_size)
KEEP_ALL = 100            # every recorded epoch is kept for the first KEEP_ALL ...
MAX_ROWS = 600            # ... then every second one is dropped whenever there are more than this
CAPTION = ("What each layer's activation function receives (its pre-activation: the weighted sum, or the "
           "normalised value after batch norm) on a fixed batch of {n} training {what}, epoch by epoch: "
           "the line is the median, the dark band the middle half, the light band 5 % to 95 %. Grey: where "
           "the activation is flat and passes almost no gradient back. All layers share one scale.")


class ActivationHistory:
    """Percentiles of each shown layer's pre-activations on a fixed probe batch, one row per
    recorded epoch, for one trainer (a Reset makes a new history)."""

    def __init__(self, trainer, probe_size):
        self.trainer = trainer
        self.x = np.array(trainer.x[:probe_size])          # fixed: added points or a new order change nothing
        self.layers = None                                   # [(index, weighted layer's index)] once known
        self.epochs = []
        self.rows = np.zeros((0, 0, len(PERCENTILES)))
        self.twins = {}
        self._last = (None, None)                            # (snapshot, its values): a lesson's check reads them

    def values(self, snap):
        """{layer index: pre-activations of the probe batch} for ``snap`` (the last snapshot's kept)."""
        if self.layers is None:
            self.layers = shown_layers(snap.layers)
        if self._last[0] is not snap:
            self._last = (snap, pre_activations(snap, self.x, self.twins))
        return self._last[1]

    def record(self, snap):
        """Add ``snap``'s row if its epoch is past the last recorded one (a continued rewind first
        drops the rows after it). True when a row was added."""
        epoch = snap.epoch
        if self.epochs and epoch < self.epochs[-1]:          # the run went back (a rewind it trained on from)
            keep = int(np.searchsorted(self.epochs, epoch, side="right"))
            self.epochs, self.rows = self.epochs[:keep], self.rows[:keep]
        if self.epochs and epoch == self.epochs[-1]:
            return False
        values = self.values(snap)
        row = percentiles_of([values[i] for i, _ in self.layers])
        if len(self.epochs) == len(self.rows) and self.rows.shape[1:] != row.shape:
            self.rows = np.zeros((0,) + row.shape)
        self.epochs.append(epoch)
        self.rows = np.concatenate([self.rows, row[None]])
        if len(self.epochs) > MAX_ROWS:
            keep = list(range(KEEP_ALL)) + list(range(KEEP_ALL, len(self.epochs) - 1, 2)) + [len(self.epochs) - 1]
            self.epochs = [self.epochs[k] for k in keep]
            self.rows = self.rows[keep]
        return True

    def upto(self, epoch):
        """(epochs, rows) recorded up to ``epoch``."""
        n = int(np.searchsorted(self.epochs, epoch, side="right"))
        return self.epochs[:n], self.rows[:n]


def history_of(run, probe_size):
    """The run's ActivationHistory (a new one after a Reset: a new trainer)."""
    history = getattr(run, "_activation_history", None)
    if history is None or history.trainer is not run.trainer:
        history = run._activation_history = ActivationHistory(run.trainer, probe_size)
    return history


def names_of(history, layer_names, snap):
    """(names, activations) of the history's layers: each named as the page names its weighted layer."""
    by_index = {i: name for name, i in layer_names}
    acts = {index: activation for index, _, activation, _ in snap.layers}
    names = [by_index.get(weighted, f"layer {index}") for index, weighted in history.layers]
    return names, [acts[index] for index, _ in history.layers]


def record(run, snap, probe_size):
    """Record ``snap`` when it is the run's latest (a rewound snapshot is history already) and its
    epoch is new; True when it was."""
    history = history_of(run, probe_size)
    if run.rewound is None and snap._net is history.trainer.net:
        return history.record(snap)
    return False


def frame_charts(run, snap, layer_names, probe_size):
    """The band charts of ``run`` up to ``snap``'s epoch."""
    history = history_of(run, probe_size)
    if history.layers is None:
        history.layers = shown_layers(snap.layers)
    epochs, rows = history.upto(snap.epoch)
    if not history.layers:
        return []
    names, acts = names_of(history, layer_names, snap)
    return band_charts(epochs, rows, names, acts)


def paused_histograms(page, run, layer_names, probe_size):
    """Paused: every layer's histogram at the epoch shown, in a box that stays open or closed as the
    user left it; until they touch it, closed before the first step and open once the run has trained
    (a Plotly chart on a first visit held the whole page 1.7 s in the browser, for histograms of an
    untrained network); computed only while open, its figure made once per snapshot. The page runner
    draws it outside the live fragment (ui/page.py says why)."""
    box_key = key(page, "activation_histograms")
    snap = run.shown
    expander_state(box_key)
    chosen, auto = st.session_state.get(box_key), box_key + "_auto"     # what the page itself last chose
    if chosen is None or chosen == st.session_state.get(auto):          # the learner has not changed it
        st.session_state[box_key] = st.session_state[auto] = snap.step > 0
    box = st.expander(f"Histograms of the pre-activations at epoch {snap.epoch:,}", icon=":material/bar_chart:",
                      key=box_key, on_change="rerun")
    if not box.open:
        return
    with box:
        history = history_of(run, probe_size)
        values = history.values(snap)
        if not history.layers:
            return
        names, acts = names_of(history, layer_names, snap)
        kept = getattr(history, "figure", None)            # a paused page reruns on every click: made once
        if kept is None or kept[0] is not snap or kept[1] != names:
            history.figure = kept = (snap, names, histogram_figure([values[i] for i, _ in history.layers], names,
                                                                   acts, epoch=snap.epoch))
        st.plotly_chart(kept[2], key=key(page, "activation_histogram_chart"), config={"displaylogo": False})
        if table_toggle(key(page, "activation_histogram_table"), "the pre-activations"):
            show_table(histogram_table([values[i] for i, _ in history.layers], names, acts),
                       {**BIN_COLUMNS, "share": st.column_config.NumberColumn(format="percent"),
                        "flat": st.column_config.TextColumn("activation flat")})
            st.caption(BIN_CAPTION + " Share: of the layer's values; activation flat: whether the bin lies "
                       "where the activation is flat (yes, partly or blank).")
        st.caption("Each row is one layer; all share the x axis. Grey: where the activation is flat (its slope "
                   "below a tenth of its largest), so a value there passes almost no gradient back. Rewind "
                   "(above) to compare epochs; hover a bar for its count, or show the numbers as a table.")
