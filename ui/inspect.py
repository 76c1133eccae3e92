"""Views of a paused run that a user hovers, zooms, selects or saves (Plotly), shared by pages.

- the timeline: loss and accuracy per epoch; selecting a point rewinds the
  whole page to that epoch, Play continues from there;
- the distributions of each layer's weights and of their gradients;
- the confusion matrix of a classifier.
"""
import streamlit as st

from viz.charts import confusion_figure, histogram_figure, timeline_figure

from .state import key


def rewind_bar(page, run):
    """While rewound: which epoch is shown, and the way back to the latest."""
    if not run.rewound:
        return
    moment = run.rewound[0]
    cols = st.columns([4, 1.4], vertical_alignment="center")
    cols[0].info(f"Showing epoch {moment.epoch:,} of {run.snap.epoch:,}. Press Play to train on from here "
                 "(the later epochs are dropped), or go back to the latest.", icon=":material/history:")
    cols[1].button("Back to the latest", key=key(page, "latest"), on_click=run.back_to_latest,
                   icon=":material/fast_forward:", width="stretch")


def timeline(page, run):
    """The run's history; a selected point shows the network at that epoch."""
    snap = run.snap
    selected = run.rewound[0].epoch if run.rewound else None
    chart_key = key(page, f"timeline_{run.version}")       # a fresh key: an old selection does not stick
    st.plotly_chart(timeline_figure(snap.history["evals"], snap.classification, selected),
                    key=chart_key, on_select=lambda: _on_select(chart_key, run),
                    selection_mode="points", config={"displaylogo": False})
    st.caption("Click a point (or drag a box) to see the whole network as it was at that epoch; "
               "zoom with the mouse wheel or by dragging, double-click to zoom out.")


def _on_select(chart_key, run):
    points = st.session_state[chart_key].selection.points
    if points:
        run.rewind_to(int(max(p["x"] for p in points)))


def distributions(run, layer_names):
    """Histograms of each layer's weights and of their gradients on the training data."""
    grads = run.gradients()
    params = run.shown.params
    layers = [(name, params[f"{i}.W"], grads.get(f"{i}.W")) for name, i in layer_names if f"{i}.W" in params]
    st.plotly_chart(histogram_figure(layers), key=key("inspect", "histograms"), config={"displaylogo": False})
    st.caption("Top: each layer's weights. Bottom: the gradient of the loss for each weight, on the "
               "training data. Sigmoid layers that saturate pile their gradients up at zero; ReLU keeps "
               "them spread, until its units die.")


def confusion(run, labels):
    st.plotly_chart(confusion_figure(run.confusion(), labels), key=key("inspect", "confusion"),
                    config={"displaylogo": False})
    st.caption("Rows: the true class; columns: what the network predicts, on the test data. "
               "The diagonal is right; hover for counts.")
