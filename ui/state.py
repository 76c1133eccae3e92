"""All per-user state, created in one place (DESIGN.md): nothing module-global."""
import streamlit as st

from .mlp_run import MlpRun
from .url import decode


def mlp_state():
    """This session's MLP run, created from the link on first use; and the link's notices."""
    if "mlp_run" not in st.session_state:
        settings, notices = decode(st.query_params.to_dict())
        st.session_state.mlp_run = MlpRun(settings)
        st.session_state.mlp_notices = notices
        st.session_state.mlp_messages = []        # one-off messages from callbacks
    return st.session_state.mlp_run


def say(message, kind="info"):
    """Queue a message for the next run of the page (callbacks cannot draw)."""
    st.session_state.setdefault("mlp_messages", []).append((kind, message))


def pop_messages():
    messages = st.session_state.get("mlp_messages", [])
    st.session_state.mlp_messages = []
    return messages
