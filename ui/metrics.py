"""The metrics row every model page shows: Epoch, Step, Train loss, Test loss, Test accuracy."""
import math

import streamlit as st

LABELS = ("Epoch", "Step", "Train loss", "Test loss", "Test accuracy")
FAST = 2                    # Epoch and Step change with every frame; the rest about 7 times a second
# Each metric's width in rem: its label with the help icon, and its largest value ("1,234,567" steps,
# "100.0%"), fit; fixed, so the row does not shift as the numbers change.
WIDTHS = {"Epoch": 6, "Step": 8, "Train loss": 7, "Test loss": 7, "Test accuracy": 8.5, "Grouped by digit": 9.5,
          "Grouped by label": 9.5}


def metric_values(snap):
    """(label, text) of each metric for ``snap``; accuracy only for a classifier ("—" without test data)."""
    values = [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"), ("Train loss", f"{snap.train_loss:.3f}"),
              ("Test loss", f"{snap.test_loss:.3f}")]
    if snap.classification:
        values.append(("Test accuracy", "—" if math.isnan(snap.test_acc) else f"{snap.test_acc:.1%}"))
    return values


def metric_help(run):
    """What each metric of ``run`` measures, with its numbers of examples."""
    if not run.built:
        return {}
    tr = run.trainer
    train, test = _measured(tr, "train"), _measured(tr, "test") or "the test examples"
    return {"Epoch": f"Passes over all {len(tr.x):,} training examples",
            "Step": f"Weight updates so far: one per batch of {tr.batch_size} examples",
            "Train loss": f"Mean loss on {train}, measured after each epoch",
            "Test loss": f"Mean loss on {test}, which the network never trains on",
            "Test accuracy": f"Share of {test} classified right, measured after each epoch"}


def _measured(tr, which):
    """The examples an evaluation measures on: a whole set, or a fixed sample of a large one."""
    x, rows = (tr.x, tr.eval_rows["train"]) if which == "train" else (tr.xt, tr.eval_rows["test"])
    if x is None:
        return None
    return f"the {len(x):,} {which} examples" if rows is None else f"{len(rows):,} of the {len(x):,} {which} examples"


class MetricsRow:
    """The metric slots of one run, made by the first ``show`` (an empty slot would blink) and
    updated in place; ``title`` names the run when a page trains several."""

    def __init__(self, title=None, helps=None, zoom=1.0):
        self.row = st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="center")
        if title is not None:
            self.row.markdown(f"**{title}**", width=round(16 * 5 * zoom))
        self.helps = helps or {}
        self.zoom = zoom
        self.slots = None
        self.shown = []

    def show(self, values, fast_only=False):
        if fast_only and self.slots is not None:
            values = values[:FAST] + self.shown[FAST:]
        if self.slots is None:
            self.slots = [self.row.metric(label, value, help=self.helps.get(label),
                                          width=round(16 * WIDTHS.get(label, 8) * self.zoom))
                          for label, value in values]
        else:                       # only what changed: each metric update costs the browser a re-render
            for k, (slot, (label, value)) in enumerate(zip(self.slots, values)):
                if value != self.shown[k][1]:
                    slot.metric(label, value, help=self.helps.get(label),
                                width=round(16 * WIDTHS.get(label, 8) * self.zoom))
        self.shown = values
