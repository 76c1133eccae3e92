"""Views of a paused run that a user hovers, zooms, selects or saves (Plotly), shared by pages.

- the timeline: loss and accuracy per epoch; selecting a point rewinds the
  whole page to that epoch, Play continues from there;
- the distributions of each layer's weights and of their gradients;
- the confusion matrix of a classifier.

Under each chart a toggle shows its numbers as a table (viz.charts' ``*_table``), for a screen reader
or a keyboard, which cannot hover the chart; made only while the toggle is on. A toggle, not an
expander: Look closer is an expander already, and Streamlit forbids one inside another.
"""
import streamlit as st

from viz.charts import (TIMELINE_TABLE_ROWS, confusion_figure, confusion_table, histogram_figure, histogram_table,
                        timeline_figure, timeline_table)

from .canvas import BadEvent, Num, checked
from .state import expander_state, key


def rewind_bar(page, run):
    """While paused: step through the run's kept epochs (Back, Forward, a slider over them) and see
    the whole page as it was; while rewound, say so and offer the way back to the latest."""
    if run.playing or not run.built:
        return
    epochs = run.epochs_kept
    if len(epochs) < 2:
        return
    shown, latest = run.shown.epoch, run.snap.epoch
    at = min(range(len(epochs)), key=lambda k: abs(epochs[k] - shown))
    slider = key(page, "rewind")
    st.session_state[slider] = st.session_state[key(page, "rewind_set")] = epochs[at]   # it follows Step, Play, Reset
    # A row that wraps rather than cutting a label: the buttons as wide as their labels, the slider the rest.
    row = st.container(horizontal=True, wrap=True, vertical_alignment="bottom", gap="small")
    row.button("Back", key=key(page, "rewind_back"), icon=":material/chevron_left:", width="content",
               disabled=at == 0, on_click=_rewind, args=(run, epochs[max(at - 1, 0)]),
               help="The network one kept epoch earlier")
    with row.container(width="stretch"):
        st.select_slider("Epoch shown", epochs, key=slider, on_change=_slid, args=(page, run),
                         format_func=lambda e: f"{e:,}" + (" (latest)" if e == latest else ""),
                         help="Every epoch is kept for the first 100; later ones more sparsely")
    row.button("Forward", key=key(page, "rewind_forward"), icon=":material/chevron_right:", width="content",
               disabled=at == len(epochs) - 1, on_click=_rewind, args=(run, epochs[min(at + 1, len(epochs) - 1)]),
               help="The network one kept epoch later")
    row.button("Latest", key=key(page, "latest"), on_click=run.back_to_latest, icon=":material/fast_forward:",
               width="content", disabled=not run.rewound, help="Back to the network as it is now")
    if run.rewound:
        st.info(f"Showing epoch {shown:,} of {latest:,}. Press Play or Step to train on from here (the later "
                "epochs are dropped), or go back to the latest.", icon=":material/history:")


def _slid(page, run):
    """The slider moved. The browser may also resend the value it showed before Play (the slider is
    gone while playing, so Streamlit sees it as new): only a value other than the one the page set
    last, while paused, is a move."""
    epoch = st.session_state.get(key(page, "rewind"))
    if not run.playing and epoch != st.session_state.get(key(page, "rewind_set")):
        _rewind(run, epoch)


def _rewind(run, epoch):
    if epoch == run.snap.epoch:
        run.back_to_latest()
    else:
        run.rewind_to(epoch)


TABLE_HELP = ("The chart's numbers as a table, for a screen reader or a keyboard (the arrow keys move "
              "through its cells)")


BIN_COLUMNS = {"bin from": st.column_config.NumberColumn(format="%.4g"),
               "bin to": st.column_config.NumberColumn(format="%.4g"),
               "count": st.column_config.NumberColumn(format="%d")}
BIN_CAPTION = ("One row per bin that holds a value: from ≤ value < to (the last bin also holds its upper end). "
               "Adjacent bins are merged when there are many layers.")


def table_toggle(toggle_key, what):
    """A toggle under a chart that shows its numbers as a table; True while on."""
    if not isinstance(st.session_state.get(toggle_key, False), bool):      # a crafted message's value
        st.session_state[toggle_key] = False
    return st.toggle(f"Show {what} as a table", key=toggle_key, help=TABLE_HELP)


def show_table(table, column_config=None):
    """A long table as a data grid (scrolls; arrow keys move through it), without the row numbers. Its
    floats rounded to 4 significant digits: the grid's hidden table, which a screen reader reads, has
    the values, not their format (1.1050131865739823 for 1.1050)."""
    table = table.copy()
    for column in table.columns[table.dtypes == float]:
        table[column] = [float(f"{v:.4g}") for v in table[column]]
    st.dataframe(table, hide_index=True, column_config=column_config, width="stretch")


def look_closer(page, run, layer_names, confusion_labels=None):
    """The paused page's closer look: rewind, the distributions and the confusion matrix of every run
    (each labelled with its run). ``layer_names``: a run -> its (name, layer index) list (compared runs
    may have layers of different kinds). Computed only while open: a closed box costs a rerun nothing."""
    tabs = ["Timeline (rewind)", "Weights and gradients"] + (["Confusion matrix"] if confusion_labels else [])
    expander_state(key(page, "look_closer"))
    box = st.expander("Look closer: " + ", ".join(t.lower() for t in tabs), icon=":material/insights:",
                      key=key(page, "look_closer"), on_change="rerun")
    if not box.open:
        return
    with box:
        parts = st.tabs(tabs)
        with parts[0]:
            timeline(page, run)
        for r in run.runs:
            with parts[1]:
                if r.title and len(run.runs) > 1:
                    st.markdown(f"**{r.title}**")
                distributions(r, layer_names(r), chart_key=key(page, f"histograms_{r.title}"),
                              table_key=key(page, f"histograms_table_{r.title}"),
                              table_name=_whose(run, r, "the histograms"))
            if confusion_labels:
                with parts[2]:
                    if r.title and len(run.runs) > 1:
                        st.markdown(f"**{r.title}**")
                    confusion(r, confusion_labels, chart_key=key(page, f"confusion_{r.title}"),
                              table_key=key(page, f"confusion_table_{r.title}"),
                              table_name=_whose(run, r, "the confusion matrix"))


def timeline(page, run):
    """The history of every run (each labelled when there are several); a selected point shows the
    whole page, every run, at that epoch."""
    selected = run.rewound[0].epoch if run.rewound else None
    for r in run.runs:
        if r.title and len(run.runs) > 1:
            st.markdown(f"**{r.title}**")
        chart_key = key(page, f"timeline_{r.title}_{run.version}")    # a fresh key: an old selection does not stick
        st.plotly_chart(timeline_figure(r.snap.history["evals"], r.snap.classification, selected),
                        key=chart_key, on_select=lambda chart_key=chart_key: _on_select(chart_key, run),
                        selection_mode="points", config={"displaylogo": False})
        if table_toggle(key(page, f"timeline_table_{r.title}"), _whose(run, r, "the timeline")):
            evals = r.snap.history["evals"]
            show_table(timeline_table(evals, r.snap.classification, selected),
                       {"train loss": st.column_config.NumberColumn(format="%.4f"),
                        "test loss": st.column_config.NumberColumn(format="%.4f"),
                        "train accuracy": st.column_config.NumberColumn(format="percent"),
                        "test accuracy": st.column_config.NumberColumn(format="percent")})
            if len(evals["epoch"]) > TIMELINE_TABLE_ROWS:
                st.caption(f"{TIMELINE_TABLE_ROWS} of the {len(evals['epoch']):,} epochs kept, evenly spaced, "
                           "with the first, the last and the one shown.")
    st.caption("Click a point (or drag a box) to see the whole network as it was at that epoch; "
               "zoom with the mouse wheel or by dragging, double-click to zoom out.")


def _whose(run, r, what):
    """``what`` (e.g. "the timeline"), with the run's title when the page compares several."""
    return f"{what} of {r.title}" if r.title and len(run.runs) > 1 else what


def _on_select(chart_key, run):
    """Rewind to the latest selected epoch. A selection is the browser's (a crafted message can send
    anything): points without an epoch as their x are ignored."""
    points = st.session_state[chart_key].selection.get("points")
    epochs = []
    for p in points if isinstance(points, list) else ():
        try:
            epochs.append(checked(p.get("x") if isinstance(p, dict) else None, Num(0)))
        except BadEvent:
            pass
    if epochs:
        run.rewind_to(int(max(epochs)))


def distributions(run, layer_names, chart_key, table_key=None, table_name="the histograms"):
    """Histograms of each layer's weights and of their gradients on the training data."""
    grads = run.gradients()
    params = run.shown.params
    parts = ("W", ""), ("Wx", ": input weights Wx"), ("Wh", ": recurrent weights Wh")    # a recurrent layer has two
    layers = [(name + what, params[f"{i}.{w}"], grads.get(f"{i}.{w}")) for name, i in layer_names
              for w, what in parts if f"{i}.{w}" in params]
    st.plotly_chart(histogram_figure(layers), key=chart_key, config={"displaylogo": False})
    if table_key and table_toggle(table_key, table_name):
        show_table(histogram_table(layers), BIN_COLUMNS)
        st.caption(BIN_CAPTION)
    st.caption("Top: each layer's weights. Bottom: the gradient of the loss for each weight, on the "
               "training data. Sigmoid layers that saturate pile their gradients up at zero; ReLU keeps "
               "them spread, until its units die.")


def confusion(run, labels, chart_key, table_key=None, table_name="the confusion matrix"):
    matrix = run.confusion()
    st.plotly_chart(confusion_figure(matrix, labels), key=chart_key, config={"displaylogo": False})
    if table_key and table_toggle(table_key, table_name):
        st.table(confusion_table(matrix, labels))
    st.caption("Rows: the true class; columns: what the network predicts, on the test data. "
               "The diagonal is right; hover for counts.")
