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


# While playing, fragment reruns follow one another: Streamlit's running indicator and its Stop
# button would flicker in the header, and Stop would not pause training (Pause does).
PLAYING_CSS = """
<style>
[data-testid="stStatusWidget"] { visibility: hidden; }
</style>
"""


def style(presenter=False, playing=False):
    st.markdown(BASE_CSS + (PRESENTER_CSS if presenter else "") + (PLAYING_CSS if playing else ""),
                unsafe_allow_html=True)
