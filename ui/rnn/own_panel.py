"""The RNN page's forms for the user's own text and series, under the task in the sidebar. What the user
gives stays in this session (the run keeps it); the link says only "own" (``text=own``, ``task=series``).
Every bad input is one message, and the run stays as it was."""
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ..state import current_run, key
from ..text import plain
from . import own_data
from .settings import OWN_TEXT

PAGE = "rnn"
ERROR, NOTE = key(PAGE, "own_error"), key(PAGE, "own_note")
PASTE = key(PAGE, "own_paste")
COLUMN = key(PAGE, "own_column")


def _counter(name):
    return st.session_state.get(key(PAGE, name), 0)


def _bump(name):
    st.session_state[key(PAGE, name)] = _counter(name) + 1


def messages():
    if st.session_state.get(ERROR):
        st.error(plain(st.session_state[ERROR]), icon="⚠️")
    elif st.session_state.get(NOTE):
        st.success(plain(st.session_state[NOTE]), icon=":material/check:")


def text_form(page, run):
    """Paste or upload a text; what is in use, and how its alphabet was folded."""
    own = run.own_text
    using = run.settings.text == OWN_TEXT and own is not None
    with st.expander("Your own text", icon=":material/edit_note:",
                     expanded=run.wants_own_text or (run.settings.text == OWN_TEXT and own is None)):
        st.text_area(f"Paste a text (up to {own_data.MAX_TEXT_BYTES // 1000} kB)", key=PASTE, height=110,
                     max_chars=own_data.MAX_TEXT_BYTES,
                     help=f"At least {own_data.MIN_TEXT} characters; the longer, the more there is to learn. The last "
                          "tenth is kept to test on.")
        st.button("Use this text", key=key(PAGE, "own_use"), on_click=_use_pasted, args=(page,),
                  icon=":material/check:", width="stretch",
                  help="Train a new network on the text pasted above (it stays in this session; the link says "
                       "'your own text').")
        st.file_uploader("Or upload a .txt file (UTF-8)", type=["txt"], key=key(PAGE, f"own_text_{_counter('texts')}"),
                         on_change=_upload_text, args=(page,), max_upload_size=1,
                         help=f"Plain text in UTF-8, at most {own_data.MAX_TEXT_BYTES // 1000} kB.")
        messages()
        if own is not None:
            st.caption(("In use: " if using else "Ready (pick 'Your own text' above): ") + plain(
                f"{own.name}, {len(own.text):,} characters, {own.alphabet} different. {own.fold_note()}"))


def series_form(page, run):
    """Upload a CSV (or keep the example), pick the column to forecast."""
    series = run.own()
    st.file_uploader("Your series (CSV)", type=["csv", "txt"], key=key(PAGE, f"own_csv_{_counter('csvs')}"),
                     on_change=_upload_csv, args=(page,), max_upload_size=own_data.MAX_CSV_BYTES // 2**20,
                     help=f"One column per quantity, one row per time step (up to {own_data.MAX_ROWS:,} rows and "
                          f"{own_data.MAX_COLUMNS} columns), numbers only; a header row is optional; comma, semicolon "
                          "or tab between cells. A column of text only (dates, say) is left out.")
    messages()
    st.caption(plain(series.note()) + ("" if run.own_series else " Upload a CSV of your own to forecast it."))
    names = series.columns
    st.session_state[COLUMN] = min(run.settings.column, len(names))
    st.selectbox("Column to forecast", list(range(1, len(names) + 1)), key=COLUMN,
                 format_func=lambda k: names[k - 1] if 0 < k <= len(names) else str(k),
                 on_change=_column, args=(page,),
                 help="The column whose next value the network forecasts; it reads every numeric column.")
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.download_button("The example as CSV", own_data.to_csv(own_data.example_series()),
                           file_name="example_series.csv", mime="text/csv", key=key(PAGE, "own_example_csv"),
                           icon=":material/download:", help="The made-up series in the format a CSV needs.")
        if run.own_series is not None:
            st.button("Back to the example", key=key(PAGE, "own_example"), on_click=_example, args=(page,),
                      help="Forecast the made-up example series again (your CSV is forgotten).")


# -- callbacks ------------------------------------------------------------------------------------
def _say(error=None, note=None):
    st.session_state[ERROR], st.session_state[NOTE] = error, note


def _use_text(page, own):
    run = current_run(PAGE)
    run.use_text(own)
    run.wants_own_text = False
    page.widgets.set(text=OWN_TEXT)
    run.refresh_own()                           # the same settings, another text: new data and network
    _say(note=f"{own.name}: {len(own.text):,} characters, {own.alphabet} different; the network learns it now.")


def _use_pasted(page):
    raw = st.session_state.get(PASTE, "")
    try:
        own = own_data.read_text(raw if isinstance(raw, str) else None)
    except ValueError as err:
        _say(f"The pasted text: {err}. Nothing was changed.")
        return
    _use_text(page, own)


def _upload_text(page):
    upload = st.session_state.get(key(PAGE, f"own_text_{_counter('texts')}"))
    _bump("texts")                               # an empty uploader for the next file
    if not isinstance(upload, UploadedFile):     # none, or a file the server does not hold (a crafted id)
        return
    try:
        own = own_data.read_text(upload.getvalue(), name=upload.name[:60])
    except ValueError as err:
        _say(f"{upload.name[:60]}: {err}. Nothing was changed.")
        return
    _use_text(page, own)


def _upload_csv(page):
    upload = st.session_state.get(key(PAGE, f"own_csv_{_counter('csvs')}"))
    _bump("csvs")
    if not isinstance(upload, UploadedFile):
        return
    try:
        series = own_data.read_csv(upload.getvalue(), name=upload.name[:60])
    except ValueError as err:
        _say(f"{upload.name[:60]}: {err}. Nothing was changed.")
        return
    run = current_run(PAGE)
    run.use_series(series)
    page.widgets.set(column=1)
    run.refresh_own()                           # new data, a new network (the column may be the same)
    _say(note=f"{series.note()} The network forecasts {series.columns[0]!r} now (pick another column below).")


def _example(page):
    run = current_run(PAGE)
    run.use_series(None)
    page.widgets.set(column=1)
    run.refresh_own()
    _say()


def _column(page):
    value = st.session_state.get(COLUMN)
    if isinstance(value, int) and not isinstance(value, bool):
        page.widgets.set(column=value)
