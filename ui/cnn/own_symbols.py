"""Your own symbols on the CNN page: name 2-5 classes, draw (or upload) a few examples of each, train a
small head on this network's conv layers in well under a second, then draw and see the prediction at once.
The set can be downloaded and uploaded again (a small .npz, ui/cnn/symbols.py). Every bad input is a
message and changes nothing else; the set lives in this session only (a link does not carry it)."""
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from viz import cnn_figures

from ..canvas import digit_pad
from ..digit import MAX_BYTES, digit_from_bytes, read_data_url
from ..settings import page_zoom
from ..state import current_run, key
from ..text import plain
from . import symbols as sym

PAGE = "cnn"
STATE = key(PAGE, "symbols")          # a dict: the set, the pending drawing, the model, messages
DEFAULT_NAMES = "circle, cross, triangle"
EXAMPLE_KINDS = ("circle", "cross", "triangle")


def _state():
    if STATE not in st.session_state:
        names = [n.strip() for n in DEFAULT_NAMES.split(",")]
        st.session_state[STATE] = {"set": sym.SymbolSet(names), "pending": None, "model": None, "fresh": None,
                                   "test": None, "error": None, "note": None, "pad": 0, "uploads": 0,
                                   "class": 0, "based_on": None}
    return st.session_state[STATE]


def section(run):
    """The section under the live view."""
    state = _state()
    symbols = state["set"]
    st.header("Your own symbols", anchor=False)      # h2 under the page's h1
    st.caption("Teach this network symbols of your own, as Teachable Machine does: name 2 to 5 classes, draw at "
               f"least {sym.MIN_EXAMPLES} examples of each (or upload pictures), and train a new output layer on "
               "this network's conv layers, frozen, in well under a second. Every third drawing of a class is held out "
               "to test it. Then draw on the second pad and see what it says at once. Your drawings stay in this "
               "browser session; download them to keep them.")
    names_key = key(PAGE, "symbol_names")
    st.session_state.setdefault(names_key, ", ".join(symbols.names))
    st.text_input("Classes (2 to 5 names, separated by commas)", key=names_key, on_change=_names_changed,
                  max_chars=5 * (sym.NAME_LENGTH + 2),
                  help=f"Plain text, at most {sym.NAME_LENGTH} characters a name. Renaming keeps the drawings; a "
                       "class taken out loses its drawings.")
    _message(state)
    add_col, set_col = st.columns([1.1, 1.6], gap="large")
    with add_col:
        picked = min(state["class"], len(symbols.names) - 1)
        choice_key = key(PAGE, "symbol_class")
        st.session_state[choice_key] = picked
        st.segmented_control("Draw examples of", list(range(len(symbols.names))), key=choice_key,
                             format_func=lambda k: symbols.names[k], on_change=_class_picked, wrap=True,  # not cut
                             help="The class the drawings on the pad and the pictures uploaded below are added to.")
        digit_pad(key(PAGE, "symbol_pad"), _on_pad, clear=state["pad"], zoom=page_zoom(run.settings),
                  label="Draw an example of the class")
        st.button(f"Add to '{symbols.names[picked]}'", key=key(PAGE, "symbol_add"), on_click=_add,
                  disabled=state["pending"] is None, icon=":material/add:",
                  help="Add the drawing on the pad as an example of this class, and empty the pad.")
        st.file_uploader("Or upload pictures of it (PNG or JPEG)", type=["png", "jpg", "jpeg"],
                         accept_multiple_files=True, key=key(PAGE, f"symbol_upload_{state['uploads']}"),
                         on_change=_upload, max_upload_size=MAX_BYTES // 2**20,
                         help="Each picture becomes one example of the class picked above, cropped, scaled and "
                              "centred as the drawings are.")
    with set_col:
        _examples(state)
    _train_row(run, state)
    if state["model"] is not None:
        _results(run, state)


def _message(state):
    if state.get("error"):
        st.error(plain(state["error"]), icon="⚠️")
    elif state.get("note"):
        st.info(plain(state["note"]), icon=":material/info:")


def _examples(state):
    symbols = state["set"]
    counts = symbols.counts()
    for k, name in enumerate(symbols.names):
        images = [img for img, label in zip(symbols.images, symbols.labels) if label == k]
        # the button beside the name where the column has room, under it where not (a third of a 1024 px
        # page's column cut its words to 'Remove …')
        with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="center",
                          horizontal_alignment="distribute"):
            st.markdown(f"**{plain(name)}**: {counts[k]} example{'s' if counts[k] != 1 else ''}", width="content")
            st.button("Remove the last", key=key(PAGE, f"symbol_remove_{k}"), on_click=_remove, args=(k,),
                      disabled=not counts[k], width="content",
                      help="Take this class's latest example out (a drawing that went wrong).")
        if images:
            st.image([cnn_figures.ink_image(img, 42) for img in images[-12:]])
        else:
            st.caption("No examples yet.")


def _train_row(run, state):
    symbols = state["set"]
    problems = symbols.problems()
    with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
        st.button("Train on these examples", key=key(PAGE, "symbol_train"), type="primary",
                  icon=":material/model_training:", disabled=bool(problems), on_click=_train, args=(run,),
                  help="A new output layer on this network's conv layers (frozen), trained on the examples; a "
                       "second one on a fresh, untrained network's conv layers, for comparison.")
        st.download_button("Download the set (.npz)", symbols.to_npz(), file_name="symbols.npz",
                           mime="application/octet-stream", key=key(PAGE, "symbol_download"),
                           icon=":material/download:", disabled=not symbols.images,
                           help="Your classes and drawings as a small file (28 × 28 images and the names) to "
                                "upload again here, or to hand to a class.")
        st.button("Load an example set", key=key(PAGE, "symbol_example"), on_click=_example,
                  icon=":material/draw:",
                  help=f"{len(EXAMPLE_KINDS)} classes ({', '.join(EXAMPLE_KINDS)}) of 5 drawings each, made by "
                       "the page: to see how it works before drawing your own.")
    st.file_uploader("Upload a set (.npz)", type=["npz"], key=key(PAGE, f"symbol_set_{state['uploads']}"),
                     on_change=_upload_set, max_upload_size=1,
                     help="A set downloaded from this page: it replaces the classes and drawings here.")
    if problems:
        st.caption(" ".join(plain(p) for p in problems))


def _results(run, state):
    model, fresh = state["model"], state["fresh"]
    names = model.names
    per_class = ", ".join(f"{plain(names[k])} {right}/{n}" for k, (right, n) in model.held_out.items())
    st.markdown(f"**Trained** in {model.seconds:.2f} s ({model.steps} steps) on "
                f"{len(state['set'].labels) - sum(n for _, n in model.held_out.values())} examples; "
                f"held out: {per_class}: **{model.held_out_acc:.0%}** right with {state['based_on']}. "
                + (f"The same head on a fresh, untrained network's conv layers: **{fresh.held_out_acc:.0%}**."
                   if fresh is not None else ""))
    pad_col, seen_col, probs_col = st.columns([1.2, 1, 1.6], gap="medium")
    with pad_col:
        digit_pad(key(PAGE, "symbol_test_pad"), _on_test_pad, zoom=page_zoom(run.settings),
                  label="Draw a symbol to test")
    if state["test"] is None:
        seen_col.caption("Draw one of your symbols on this pad: the answer appears here as you draw.")
        return
    probs = model.predict(state["test"])
    with seen_col:
        st.image(cnn_figures.ink_image(state["test"], 140), caption="What the network sees: 28 × 28")
    with probs_col:
        top = int(probs.argmax())
        st.metric("Prediction", names[top], f"{probs[top]:.0%} sure", delta_color="off")
        st.plotly_chart(cnn_figures.probability_figure(probs, names, page_zoom(run.settings)),
                        key=key(PAGE, "symbol_probs"),
                        config={"displaylogo": False, "staticPlot": True})


def _drawing_words(err):
    """The digit reader's message in this section's words (it speaks of digits)."""
    text = str(err)
    return "it is blank: no ink found" if text.startswith("no ink found") else text


# -- callbacks: each checks what it gets, says what was wrong, and changes nothing else then ----------
def _say(error=None, note=None):
    state = _state()
    state["error"], state["note"] = error, note


def _names_changed():
    state = _state()
    raw = st.session_state.get(key(PAGE, "symbol_names"), "")
    old = state["set"]
    try:
        if not isinstance(raw, str):
            raise ValueError("class names are text")
        parts = [p for p in raw.split(",") if p.strip()]
        if len(parts) < sym.MIN_CLASSES:
            raise ValueError(f"name at least {sym.MIN_CLASSES} classes, separated by commas: one class alone "
                             "leaves nothing to tell apart")
        if len(parts) > sym.MAX_CLASSES:
            raise ValueError(f"at most {sym.MAX_CLASSES} classes")
        names = []
        for part in parts:
            names.append(sym.check_name(part, names))
    except ValueError as err:
        _say(f"Classes: {err}. The classes stay as they were.")
        st.session_state[key(PAGE, "symbol_names")] = ", ".join(old.names)
        return
    kept = [(img, label) for img, label in zip(old.images, old.labels) if label < len(names)]
    lost = len(old.images) - len(kept)
    state["set"] = sym.SymbolSet(names, [img for img, _ in kept], [label for _, label in kept])
    state["model"] = state["fresh"] = state["test"] = None
    st.session_state[key(PAGE, "symbol_names")] = ", ".join(names)
    _say(note=f"{lost} drawing{'s' if lost != 1 else ''} of the classes taken out {'were' if lost != 1 else 'was'} "
              "removed." if lost else None)


def _class_picked():
    value = st.session_state.get(key(PAGE, "symbol_class"))
    state = _state()
    if isinstance(value, int) and 0 <= value < len(state["set"].names):
        state["class"] = value


def _on_pad(event, value):
    state = _state()
    if event == "cleared":
        state["pending"] = None
        return
    try:
        state["pending"] = digit_from_bytes(read_data_url(value))
        _say()
    except ValueError as err:
        state["pending"] = None
        _say(f"The drawing: {_drawing_words(err)}.")


def _add():
    state = _state()
    if state["pending"] is None:
        _say("Draw a symbol on the pad first.")
        return
    try:
        state["set"].add(state["class"], state["pending"])
    except ValueError as err:
        _say(f"{err}.")
        return
    state["pending"], state["pad"] = None, state["pad"] + 1          # the pad empties for the next one
    _say()


def _upload():
    state = _state()
    files = st.session_state.get(key(PAGE, f"symbol_upload_{state['uploads']}")) or []
    state["uploads"] += 1                      # an empty uploader for the next files
    added, errors = 0, []
    for upload in files if isinstance(files, list) else [files]:
        if not isinstance(upload, UploadedFile):        # a file the server does not hold (a crafted id)
            continue
        try:
            state["set"].add(state["class"], digit_from_bytes(upload.getvalue()))
            added += 1
        except ValueError as err:
            errors.append(f"{upload.name}: {_drawing_words(err)}")
    if errors:
        _say("; ".join(errors[:3]) + (" …" if len(errors) > 3 else "") + "."
             + (f" {added} other picture{'s were' if added != 1 else ' was'} added." if added else " Nothing was added."))
    else:
        _say(note=f"{added} picture{'s' if added != 1 else ''} added to '{state['set'].names[state['class']]}'."
             if added else None)


def _remove(k):
    state = _state()
    state["set"].remove_last(k)
    _say()


def _upload_set():
    state = _state()
    upload = st.session_state.get(key(PAGE, f"symbol_set_{state['uploads']}"))
    state["uploads"] += 1
    if not isinstance(upload, UploadedFile):
        return
    try:
        symbols = sym.read_npz(upload.getvalue())
    except ValueError as err:
        _say(f"{upload.name}: {err}. Nothing was changed.")
        return
    _use_set(symbols, f"{upload.name}: {len(symbols.names)} classes, {len(symbols.images)} drawings.")


def _example():
    images, labels = sym.demo_drawings(EXAMPLE_KINDS, 5, seed=0)
    _use_set(sym.SymbolSet(list(EXAMPLE_KINDS), list(images), [int(v) for v in labels]),
             "An example set: 5 drawings each of a circle, a cross and a triangle.")


def _use_set(symbols, note):
    state = _state()
    state.update({"set": symbols, "model": None, "fresh": None, "test": None, "class": 0, "pending": None})
    st.session_state[key(PAGE, "symbol_names")] = ", ".join(symbols.names)
    _say(note=note)


def _train(run):
    state = _state()
    symbols = state["set"]
    try:
        with run.lock:
            base = sym.base_network(run)
            fresh = sym.fresh_network(run)
            epoch = run.shown.epoch
        model = sym.train_head(symbols, base, seed=run.settings.seed)
        other = sym.train_head(symbols, fresh, seed=run.settings.seed)
    except ValueError as err:
        _say(f"{err}")
        return
    state.update(model=model, fresh=other, test=None,
                 based_on=f"this network's conv layers (epoch {epoch})" if epoch else
                 "this network's conv layers, untrained so far (press Play first: what they learn is what helps)")
    _say()


def _on_test_pad(event, value):
    state = _state()
    if event == "cleared":
        state["test"] = None
        return
    try:
        state["test"] = digit_from_bytes(read_data_url(value))
        _say()
    except ValueError as err:
        state["test"] = None
        _say(f"The drawing: {_drawing_words(err)}.")
