"""The live loop shared by pages: frames inside a time box, continued by run_every.

Measured on a 2-core machine: a fragment that draws once per run shows about
3 updates a second; one that loops for a short time box, updating placeholders,
shows 20 or more. Play and Pause live outside the fragment, so a click
interrupts the loop at its next frame instead of waiting for the box to end.
"""
import time

import streamlit as st

FRAME_BOX = 1.0          # seconds of frames per fragment run (Pause, outside it, cuts in at once)
MAX_FPS = 25
RERUN_EVERY = 0.05


def live(playing, make_slots, draw, advance):
    """Show the live view. ``make_slots()`` lays out placeholders; when paused
    ``draw(slots, interactive=True)`` runs once; while playing each frame runs
    ``advance()`` then ``draw(slots, interactive=False)`` until the box ends or
    ``advance`` returns False (then the whole page reruns).

    In a full page run the view draws once and returns: the frames come from
    the fragment's own reruns. (Frames drawn in a full run reappear for a moment
    when the first fragment rerun starts, showing old values.)
    """
    st.session_state.live_full_run = True

    @st.fragment(run_every=RERUN_EVERY if playing else None)
    def view():
        full_run = st.session_state.pop("live_full_run", False)
        if st.session_state.pop("rerun_app", False):
            st.rerun(scope="app")
        slots = make_slots()
        if not playing or full_run:
            draw(slots, interactive=True)
            return
        beat = st.empty()
        start = time.perf_counter()
        while time.perf_counter() - start < FRAME_BOX:
            frame_start = time.perf_counter()
            beat.empty()         # a yield point: a pending Pause stops us before training more
            keep_going = advance()
            draw(slots, interactive=False)
            if not keep_going:
                st.rerun(scope="app")
            time.sleep(max(0.0, 1 / MAX_FPS - (time.perf_counter() - frame_start)))
    view()
