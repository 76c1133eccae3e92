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
html, body, [class*="st-"] { font-size: 1.18rem; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem; }
h1 { font-size: 2.6rem; }
</style>
"""


def style(presenter=False):
    st.markdown(BASE_CSS + (PRESENTER_CSS if presenter else ""), unsafe_allow_html=True)
