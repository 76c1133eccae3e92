"""The metrics row every model page shows: Epoch, Step, Train loss, Test loss, Test accuracy."""
import math

import streamlit as st

LABELS = ("Epoch", "Step", "Train loss", "Test loss", "Test accuracy")


def metric_values(snap):
    """(label, text) of each metric for ``snap``; accuracy only for a classifier with test data."""
    has_acc = snap.classification and not math.isnan(snap.test_acc)
    return [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"), ("Train loss", f"{snap.train_loss:.3f}"),
            ("Test loss", f"{snap.test_loss:.3f}"), ("Test accuracy", f"{snap.test_acc:.1%}" if has_acc else "—")]


class MetricsRow:
    """Five metric slots, made by the first ``show`` (an empty slot would blink) and updated in place."""

    def __init__(self):
        self.cols = st.columns(len(LABELS))
        self.slots = None

    def show(self, snap, values=None):
        values = values or metric_values(snap)
        if self.slots is None:
            self.slots = [col.metric(label, value) for col, (label, value) in zip(self.cols, values)]
        else:                       # only what changed: each metric update costs the browser a re-render
            for k, (slot, (label, value)) in enumerate(zip(self.slots, values)):
                if value != self.shown[k][1]:
                    slot.metric(label, value)
        self.shown = values
