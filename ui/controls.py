"""Controls every model page shares: the Play / Step / Reset row, the page's messages, the
divergence notice and the downloads (ui/page.py lays them out)."""
from urllib.parse import urlencode

import streamlit as st

from . import model_file
from .live import scheduler
from .state import key, pop_messages
from .text import plain
from .url import encode


def play_row(page, run, ready=True, width="content"):
    """Play/Pause, Step (one epoch) and Reset, each ``width`` wide; returns the row (a container the
    page may add to). Disabled until the engine is ready (``ready``) or after every run diverged.
    Alt+P, Alt+S and Alt+N press them (ui/components/_shared.js, pageShortcuts)."""
    diverged = run.built and run.diverged
    row = st.container(horizontal=True, wrap=True, vertical_alignment="center", gap="small")
    playing = run.playing and ready
    row.button("Pause" if playing else "Play", key=key(page, "play"), type="primary",
                   icon=":material/pause:" if playing else ":material/play_arrow:",
                   on_click=_toggle_play, args=(run,), width=width, disabled=diverged or not ready,
                   help=("Stop training (Alt+P)" if playing else "Train continuously, drawing as it goes (Alt+P)")
                   if ready else "Play works as soon as the engine is ready")
    row.button("Step", key=key(page, "step"), icon=":material/skip_next:", on_click=run.step_epoch,
               width=width, help="Train one epoch: one pass over the training data (Alt+S)", disabled=diverged or not ready)
    row.button("Reset", key=key(page, "reset"), icon=":material/restart_alt:", on_click=run.rebuild,
               width=width, help="New starting weights from the seed (Alt+N)", disabled=not ready)
    return row


def _toggle_play(run):
    run.failure = None
    if run.playing:
        run.pause()                        # after the slice in flight: the page shows what the run holds
        scheduler().stop(run)
        return
    run.continue_from_rewound()
    run.playing = not run.diverged
    if run.playing:
        run.visible = True
        scheduler().keep_playing(run)      # training starts before the page has rerun


def page_messages(page):
    """What a callback or the link left for the page to say (a repaired link is a warning)."""
    for kind, message in pop_messages(page):
        getattr(st, kind)(plain(message), icon="🔗" if kind == "warning" else None)


def divergence_notice(page, run):
    """Each diverged run says why; Reset is offered once every run has diverged."""
    if run.failure:
        st.error(run.failure + ". Press Reset, or change a setting, and Play again.", icon=":material/error:")
    if not run.built:
        return
    for r in run.runs:
        if r.snap.diverged:
            st.error((f"{r.title}: " if len(run.runs) > 1 else "") + r.snap.reason, icon=":material/error:")
    if run.diverged:
        st.button("Reset the network", key=key(page, "reset_diverged"), on_click=run.rebuild, type="primary")


def downloads(run, page=None):
    """The weights of the epoch shown and the setup, per run. The weights are made when their button
    is clicked (from the run as it is shown then): made on every run, the autoencoder's as JSON alone
    took 1.3 s of a first visit; the small setup is made now. With ``page`` (its name) the .npz
    carries its setup and opens again on the page (ui/model_file.py)."""
    query = urlencode(encode(run.settings))
    link = (st.context.url or "").split("?")[0] + (f"?{query}" if query else "")
    for r in run.runs:
        name = r.title.lower().replace(" ", "-") + "-" if len(run.runs) > 1 else ""
        label = f" {r.title}" if len(run.runs) > 1 else ""
        # A row that wraps: at a presenter's 200 % three columns cut "Weights LSTM (.npz)" short.
        row = st.container(horizontal=True, wrap=True, gap="small")
        npz = (lambda r=r: model_file.write(r, page)) if page else r.weights_npz
        row.download_button(f"Weights{label} (.npz)", npz, f"{name}weights.npz", "application/octet-stream",
                            icon=":material/download:", width="content", on_click="ignore",
                            help="The weights of the epoch shown, as NumPy arrays (and the settings): the "
                                 "page's Open a model and the scripts below read it")
        row.download_button(f"Weights{label} (.json)", r.weights_json, f"{name}weights.json", "application/json",
                            icon=":material/download:", width="content", on_click="ignore",
                            help="The same weights as plain JSON, for any language")
        row.download_button(f"Setup{label} (.json)", r.setup_json(link), f"{name}setup.json", "application/json",
                            icon=":material/download:", width="content", on_click="ignore",
                            help="The settings and the link that makes this run again (with your own points "
                                 "where the page has them)")
