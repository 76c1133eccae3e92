"""Controls every model page shares: the Play / Step / Reset row, the divergence notice, applying
new settings (run, widgets and link together), presenter mode and the downloads."""
from urllib.parse import urlencode

import streamlit as st

from .live import scheduler
from .state import key, pop_messages
from .text import plain
from .url import encode


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


def page_messages(page):
    """What a callback or the link left for the page to say (a repaired link is a warning)."""
    for kind, message in pop_messages(page):
        getattr(st, kind)(plain(message), icon="🔗" if kind == "warning" else None)


def divergence_notice(page, run):
    if run.built and run.snap.diverged:
        st.error(run.snap.reason, icon=":material/error:")
        st.button("Reset the network", key=key(page, "reset_diverged"), on_click=run.rebuild, type="primary")


def apply_settings(run, settings, sync_widgets):
    """Make ``settings`` current: consistent, in the widgets, in the run (reset if needed), in the link."""
    settings = settings.normalise()
    sync_widgets(settings)
    run.update(settings)
    st.query_params.from_dict(encode(settings))
    return settings


def presenter_controls(page, present, hide_labels, on_change):
    """Presenter mode and what it hides; folded away while presenting, so the projected page
    shows only the lesson. The widgets' keys are ``<page>_w_present`` and ``<page>_w_hide``."""
    box = st.expander("Presenter mode", icon=":material/co_present:") if present else st.container()
    with box:
        if not present:
            st.subheader("Classroom")
        st.toggle("Presenter mode", key=key(page, "w_present"), on_change=on_change,
                  help="Larger type for a projector; hide what the class should not touch.")
        st.multiselect("Hide in presenter mode", list(hide_labels), format_func=hide_labels.get,
                       key=key(page, "w_hide"), on_change=on_change)


def downloads(run):
    """The weights and the setup, made now (small) so a quick click never finds a stale file."""
    c1, c2, c3 = st.columns(3)
    c1.download_button("Weights (.npz)", run.weights_npz(), "weights.npz", "application/octet-stream",
                       icon=":material/download:", width="stretch", on_click="ignore")
    c2.download_button("Weights (.json)", run.weights_json(), "weights.json", "application/json",
                       icon=":material/download:", width="stretch", on_click="ignore")
    query = urlencode(encode(run.settings))
    link = (st.context.url or "").split("?")[0] + (f"?{query}" if query else "")
    c3.download_button("Setup (.json)", run.setup_json(link), "setup.json", "application/json",
                       icon=":material/download:", width="stretch", on_click="ignore")
