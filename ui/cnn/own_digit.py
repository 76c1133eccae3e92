"""Your own digit: draw one or upload a picture; see the 28 x 28 image the network gets, its
prediction, the probabilities and its feature maps. A bad file changes nothing but a message."""

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from viz.cnn_figures import ink_image

from ..canvas import digit_pad, frame_channel
from ..digit import MAX_BYTES, digit_from_bytes, read_data_url
from ..settings import page_zoom
from ..state import current_run, key
from ..text import plain
from .views import DIGIT, PAGE, cnn_view, probabilities

ERROR = key(PAGE, "digit_error")
UPLOADED = key(PAGE, "uploaded")      # pictures read so far: each one empties the drawing pad


def own_digit(run):
    st.header("Your own digit", anchor=False)      # h2 under the page's h1
    pad_col, seen_col, probs_col = st.columns([1.2, 1, 1.6], gap="medium")
    with pad_col:
        digit_pad(key(PAGE, "pad"), _on_pad, clear=st.session_state.get(UPLOADED, 0),
                  zoom=page_zoom(run.settings))
        st.file_uploader("Or upload a PNG or JPEG", type=["png", "jpg", "jpeg"], key=_upload_key(),
                         on_change=_on_upload, max_upload_size=MAX_BYTES // 2**20,
                         help="A photo of a digit on paper works: it is cropped, scaled and centred as "
                              "MNIST's digits were.")
        if st.session_state.get(ERROR):
            st.error(plain(st.session_state[ERROR]), icon="⚠️")
    if run.digit is None:
        seen_col.caption("Draw a digit on the pad (mouse, pen or finger) or upload a picture of one: the "
                         "network's answer appears here, with its feature maps.")
        return
    with seen_col:
        st.image(ink_image(run.digit, 168), caption="What the network sees: 28 × 28, centred by its mass")
    with probs_col:
        probabilities(run.predict_digit(), run.class_names, page_zoom(run.settings))
    st.markdown("**Your digit through the network**")
    send = frame_channel(DIGIT)
    cnn_view("cnn_digit_overview", lambda event, value: None, view="overview", channel=DIGIT, clickable=False,
             live=False, label="Your digit through the network")
    send(run.digit_frame(run.shown))


def _on_pad(event, value):
    if event == "cleared":
        current_run(PAGE).digit = None
        st.session_state[ERROR] = None
        return
    try:
        _use(digit_from_bytes(read_data_url(value)))
    except ValueError as err:
        st.session_state[ERROR] = f"The drawing: {err}."


def _upload_key():
    return key(PAGE, f"upload_{st.session_state.get(key(PAGE, 'upload_count'), 0)}")


def _on_upload():
    upload = st.session_state.get(_upload_key())
    if not isinstance(upload, UploadedFile):      # none, or a file the server does not hold (a crafted id)
        return
    count = key(PAGE, "upload_count")
    st.session_state[count] = st.session_state.get(count, 0) + 1      # an empty uploader for the next file
    try:
        _use(digit_from_bytes(upload.getvalue()))
    except ValueError as err:
        st.session_state[ERROR] = f"{upload.name}: {err}. Nothing was changed."
        return
    st.session_state[UPLOADED] = st.session_state.get(UPLOADED, 0) + 1      # the pad no longer shows the digit


def _use(digit):
    current_run(PAGE).digit = digit
    st.session_state[ERROR] = None
