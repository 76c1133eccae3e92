"""Compile the engine once per session with a visible progress bar (never a silent stall)."""
import streamlit as st

import engine


def warm_engine():
    if st.session_state.get("engine_warm"):
        return
    bar = st.progress(0.0, "Preparing the engine…")
    engine.warm_up(progress=lambda fraction, message: bar.progress(fraction, message + "…"))
    bar.empty()
    st.session_state.engine_warm = True
