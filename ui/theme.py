"""Page-wide styling: a tighter layout, and presenter mode's larger type and high-contrast look.

Streamlit sizes text, widgets and spacing in rem, so presenter mode scales the root font size
by the presenter's zoom and everything grows with it; what is laid out in pixels (widths of
the controls and metrics, the canvases) reads the same zoom (``ui.settings.page_zoom``).
"""
import streamlit as st

from .settings import page_zoom

BASE_CSS = """
.block-container { padding-top: 2.2rem; padding-bottom: 2rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #555866; }   /* 7:1 on white */
[data-testid="stCaptionContainer"] { opacity: 1; }      /* Streamlit's 0.6 made it #999ba3: 2.8:1 (axe) */
/* headings in order (issue 22): a model page's title is its h1 and its sections h2, at the sizes the
   header and subheaders had */
.st-key-page_header h1 { font-size: 2.25rem; font-weight: 600; padding: 0; line-height: 1.2; }
[data-testid="stSidebar"] h2 { font-size: 1.125rem; font-weight: 600; padding: 0.75rem 0 1rem; line-height: 1.2; }
/* a disabled control's label: Streamlit's 40 % ink is 2.3:1 on the sidebar (axe); 4.8:1, still paler */
[data-testid="stElementContainer"]:has(:disabled, [aria-disabled="true"]) [data-testid="stWidgetLabel"] p {
  color: #6f6e6c !important; }
/* prefers-reduced-motion: no animations or transitions (the canvases draw fewer frames: _shared.js) */
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
    transition-duration: 0.01ms !important; scroll-behavior: auto !important; }
}
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[class*="st-key-frames-"] { display: none; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-frames-"]) { display: none; }   /* and no gap for it */
"""

PRESENTER_CSS = """
html { font-size: %(px).1fpx; }
.block-container { padding-left: 1.5rem; padding-right: 1.5rem; max-width: none; }
"""

# Black text on white, darker captions and borders, a deeper blue: what survives a washed-out projector.
CONTRAST_CSS = """
.stApp, [data-testid="stSidebar"] { background: #ffffff; color: #000000; }
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p {
  color: #000000 !important; opacity: 1 !important; }
[data-testid="stMetricValue"] { color: #000000; font-weight: 700; }
[data-baseweb="select"] > div, [data-testid="stNumberInputContainer"], .stButton button,
[data-testid="stExpander"] details { border: 2px solid #000000 !important; }
.stButton button[kind="primary"] { background: #004f8a; border-color: #004f8a !important; }
"""

# While playing, fragment reruns follow one another: Streamlit's running indicator and its Stop
# button would flicker in the header, and Stop would not pause training (Pause does).
PLAYING_CSS = """
[data-testid="stStatusWidget"] { visibility: hidden; }
"""


def style(settings=None, playing=False):
    """The page's CSS for ``settings`` (presenter mode, its zoom and contrast) and the playing state."""
    css = BASE_CSS
    if settings is not None:        # a model page: its sections' h2 under the h1, at a subheader's size
        css += '[data-testid="stMain"] h2 { font-size: 1.75rem; }\n'
    if settings is not None and settings.present:
        css += PRESENTER_CSS % {"px": 16 * page_zoom(settings)}
        if settings.contrast:
            css += CONTRAST_CSS
    if playing:
        css += PLAYING_CSS
    st.markdown(f"<style>{css}</style>", unsafe_allow_html=True)


def rem(n, settings):
    """``n`` rem in pixels at the page's zoom (widths Streamlit takes in pixels)."""
    return round(16 * n * page_zoom(settings))
