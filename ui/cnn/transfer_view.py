"""The Transfer comparison on the CNN page: its live box (the two test-accuracy curves on one chart and
what they show in words), the base's training with a progress bar, and the hint that leads to it."""
import time

import streamlit as st

from viz.curves import compared_accuracy_chart

from ..canvas import frame_channel, line_charts
from ..settings import page_zoom
from ..state import key
from .settings import BASE_TASK, TRANSFER_LABELS
from .transfer import BASE_STEPS, comparison_words

PAGE = "cnn"
CHANNEL = "frames-cnn-transfer"
WORDS_EVERY = 0.5            # seconds between two updates of the words while playing
TASK_NAMES = {"digits04": "digits 0-4", "digits59": "the digits 5-9", "bars": "the bars"}


def train_base(run):
    """Train the base a comparison waits for (a link carries no weights), with a progress bar."""
    bar = st.progress(0.0, text=f"Training the base first: {BASE_STEPS} steps on digits 0-4 …")

    def progress(done, steps):
        bar.progress(done / steps, text=f"Training the base first: step {done} of {steps} on digits 0-4 …")
    run.train_base(progress)
    bar.empty()


def box(run):
    """The comparison's live box at the top of the live view; returns its slots (None when the run
    compares nothing)."""
    s = run.settings
    if not run.comparing or len(run.runs) < 2:
        return None
    with st.container(border=True, key="cnn-transfer-box"):
        st.markdown(f"**Transfer: {TRANSFER_LABELS[s.transfer]} from {s.shots} example"
                    f"{'s' if s.shots != 1 else ''} per class**, reusing "
                    + run.base.describe(TASK_NAMES[BASE_TASK]) + ". "
                    + ("Frozen: only the new head learns. " if s.reuse == "frozen" else
                       "Fine-tuned: the reused layers go on learning with the new head. ")
                    + f"Beside it the same network from scratch, on the same examples, from the same seed.")
        words = st.empty()
        line_charts(CHANNEL, key=key(PAGE, "transfer_chart"), zoom=page_zoom(s),
                    contrast=s.present and s.contrast)
        frame_channel_send = frame_channel(CHANNEL)
        rows = run.trainer.eval_rows["test"]
        which = f"all {len(run.xt):,}" if rows is None else f"{len(rows):,} of the {len(run.xt):,}"
        st.caption(f"Test accuracy on {which} test images of {TASK_NAMES[s.transfer]} (the same ones each time), "
                   "against the training steps both networks have made (they train in lock step). "
                   "The network views below show the one with the reused layers.")
    return {"words": words, "send": frame_channel_send, "at": 0.0, "count": 0}


def update(run, slots, snaps, interactive):
    """Renew the chart and the words (about twice a second while playing)."""
    if slots is None:
        return
    now = time.monotonic()
    if not (interactive or slots["count"] == 0 or now - slots["at"] >= WORDS_EVERY):
        return
    slots["at"], slots["count"] = now, slots["count"] + 1
    reused, scratch = run.runs[:2]
    slots["send"]({"frame": slots["count"],
                   "charts": [compared_accuracy_chart(snaps[:2], ["Reused conv layers", "From scratch"])]})
    s = run.settings
    slots["words"].markdown(comparison_words(snaps[0], snaps[1], reused.clock.seconds, scratch.clock.seconds,
                                             s.reuse, s.shots, len(run.class_names)))


def hint(page, run):
    """Under the live view on digits 0-4: what the comparison is, and one click to start it."""
    if run.settings.dataset != BASE_TASK or run.comparing:
        return
    with st.container(border=True):
        st.markdown("**Transfer learning.** Once this network has learnt the digits 0-4, reuse its conv layers "
                    "for a second task learnt from a few examples per class (the digits 5-9 or the bars), side by "
                    "side with the same network from scratch on the same examples: which learns more, and how much "
                    "sooner? **Second task** under Data in the sidebar, or:")
        st.button("Reuse them for the digits 5-9", key=key(PAGE, "transfer_start"), icon=":material/swap_horiz:",
                  on_click=lambda: page.widgets.set(transfer="digits59"),
                  help="The network trained so far becomes the base (if it has not trained yet, the page trains "
                       f"one for {BASE_STEPS} steps first).")
