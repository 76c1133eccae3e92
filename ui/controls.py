"""Controls every model page shares: the Play / Step / Reset row and the divergence notice."""
import streamlit as st

from .live import scheduler
from .state import key


def play_row(page, run, ready=True, widths=(1.1, 1, 1)):
    """Play/Pause, Step (one epoch) and Reset; returns the row's remaining columns for the page.
    Disabled until the engine is ready (``ready``) or after the run diverged."""
    diverged = bool(run.built and run.snap.diverged)
    cols = st.columns(list(widths), vertical_alignment="center")
    playing = run.playing and ready
    cols[0].button("Pause" if playing else "Play", key=key(page, "play"), type="primary",
                   icon=":material/pause:" if playing else ":material/play_arrow:",
                   on_click=_toggle_play, args=(run,), width="stretch", disabled=diverged or not ready,
                   help=None if ready else "Play works as soon as the engine is ready")
    cols[1].button("Step", key=key(page, "step"), icon=":material/skip_next:", on_click=run.step_epoch,
                   width="stretch", help="Train one epoch", disabled=diverged or not ready)
    cols[2].button("Reset", key=key(page, "reset"), icon=":material/restart_alt:", on_click=run.rebuild,
                   width="stretch", help="New starting weights from the seed", disabled=not ready)
    return cols[3:]


def _toggle_play(run):
    if not run.playing:
        run.continue_from_rewound()
    run.playing = not run.playing and not run.snap.diverged
    if run.playing:
        run.visible = True
        scheduler().keep_playing(run)      # training starts before the page has rerun
    else:
        scheduler().stop(run)


def divergence_notice(page, run):
    if run.built and run.snap.diverged:
        st.error(run.snap.reason, icon=":material/error:")
        st.button("Reset the network", key=key(page, "reset_diverged"), on_click=run.rebuild, type="primary")
