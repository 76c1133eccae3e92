"""Page-wide styling: a tighter layout, and larger type in presenter mode."""
import streamlit as st

BASE_CSS = """
<style>
.block-container { padding-top: 2.2rem; padding-bottom: 2rem; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[class*="st-key-frames-"] { display: none; }
</style>
"""

PRESENTER_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMetricValue"] { font-size: 2.2rem; }
</style>
"""


def style(presenter=False):
    st.markdown(BASE_CSS + (PRESENTER_CSS if presenter else ""), unsafe_allow_html=True)
