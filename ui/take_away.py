"""Take it with you: the section every page's runner draws under its views, and the row of
pictures under the live view.

The page's network as a PyTorch script, a Keras 3 script and Jupyter notebooks (shown with a copy
button, downloadable, or all in one zip with the weights and the data files), pictures of its
views for slides (``pictures_row``, while paused), an animation of the run over its epochs, and a trained model opened again
(an uploaded ``.npz`` or a shipped one named by the link's ``?model=``). What only the page knows
comes from its run: ``data_recipe``, ``picture_views``, ``probe_sample`` (ui/run.py).
"""
import time
from functools import lru_cache

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from export import bundle, keras, notebook, pytorch
from export.recipe import Recipe, trainer_recipe
from viz import animation

from . import model_file, pictures
from .state import expander_state, key, link_params, say

EPOCHS = {"toy2d": 100, "image": 3, "sequence": 10, "arrays": 10}      # the scripts' default training
CODE_HEIGHT = 420


def recipe(run, page, title, link="", about="", words=None):
    """The Recipe of ``run`` now: its trainer's spec and options, the page's data recipe."""
    data = run.data_recipe()
    return trainer_recipe(run.trainer, page, title, data, seed=int(getattr(run.settings, "seed", 0) or 0),
                          epochs=EPOCHS.get(data["source"], 10), link=link, about=about, words=words or {})


@lru_cache(maxsize=32)
def _code(recipe_json, kind):
    r = _from_json(recipe_json)
    if kind == "pytorch":
        return pytorch.script(r)
    if kind == "keras":
        return keras.script(r)
    return notebook.notebook_text(r, kind.split(":")[1])


def _from_json(text):
    import json
    return Recipe(**json.loads(text))


def code(r, kind):
    """The script or notebook ``kind`` ("pytorch", "keras", "notebook:pytorch", "notebook:keras") of a
    recipe, cached: a page draws it on every rerun."""
    return _code(r.as_json(), kind)


def _data_arrays(run):
    tr = run.trainer
    xt = tr.xt if tr.xt is not None else tr.x[:0]
    yt = tr.yt if tr.yt is not None else tr.y[:0]
    shape = (-1,) + tuple(tr.net.input_shape)
    return tr.x.reshape(shape), tr.y, xt.reshape(shape), yt


def section(page, run):
    """The "Take it with you" section of ``page`` (a Page) for ``run``."""
    box_key = key(page.name, "take_away_open")
    expander_state(box_key)
    box = st.expander("Take it with you: code, notebook, animation, your model", icon=":material/school:",
                      key=box_key, on_change="rerun")
    if not box.open or not run.built:
        return        # made only while open: a closed box costs a rerun nothing (the code alone is ~1,800 nodes)
    with box:
        try:
            r = recipe(run, page.name, page.title, link=_link(page, run), about=_about(page),
                       words={"page": page.explanation} if page.explanation else None)
        except ValueError as err:
            st.warning(f"This network cannot be written as code yet: {err}")
            r = None
        # One part at a time (a segmented control, not tabs: only the part shown is drawn).
        parts = ["PyTorch", "Keras 3", "Notebook", "Animation", "Open a model"] if r is not None \
            else ["Animation", "Open a model"]
        part = st.segmented_control("Take away", parts, default=parts[0], key=key(page.name, "take_part"),
                                    label_visibility="collapsed",
                                    help="This network outside the playground: as a PyTorch or Keras script, "
                                         "a notebook, an animation of its training; or a saved model opened "
                                         "here") or parts[0]
        if part == "PyTorch":
            _script_tab(page, run, r, "pytorch", pytorch.file_name(r))
        elif part == "Keras 3":
            _script_tab(page, run, r, "keras", keras.file_name(r))
        elif part == "Notebook":
            _notebook_tab(page, run, r)
        elif part == "Animation":
            _animation_tab(page, run)
        else:
            _open_tab(page, run)


def _link(page, run):
    from urllib.parse import urlencode
    query = urlencode(link_params(page.name, run.settings))
    return (st.context.url or "").split("?")[0] + (f"?{query}" if query else "")


def _about(page):
    return getattr(page, "data_words", "") or ""


def _zip(run, r):
    arrays = _data_arrays(run) if r.data["source"] == "arrays" else None
    return bundle.bundle(r, model_file.write(run, r.page), arrays)


def _downloads_row(page, run, r, first, tab):
    row = st.container(horizontal=True, wrap=True, gap="small")
    row.download_button(*first, icon=":material/download:", on_click="ignore", key=key(page.name, f"file_{tab}"),
                        help="This file alone: it reads the weights (.npz) and the data files beside it")
    row.download_button("Everything (.zip)", lambda: _zip(run, r), f"{r.page}-playground.zip", "application/zip",
                        icon=":material/folder_zip:", on_click="ignore", key=key(page.name, f"zip_{tab}"),
                        help="Both scripts, both notebooks, the weights and the data files, with a README")


def _script_tab(page, run, r, kind, name):
    text = code(r, kind)
    what = "PyTorch" if kind == "pytorch" else "Keras 3 (on PyTorch, JAX or TensorFlow)"
    st.caption(f"This network in {what}: the same data, layers, optimizer and loss, a training loop and the test. "
               "Put the page's weights (.npz, below) beside it to go on from where the page stopped.")
    st.code(text, language="python", height=CODE_HEIGHT)
    _downloads_row(page, run, r, (f"{name}", text, name, "text/x-python"), kind)


def _notebook_tab(page, run, r):
    framework = st.segmented_control("Framework", ["pytorch", "keras"], default="pytorch",
                                     format_func={"pytorch": "PyTorch", "keras": "Keras 3"}.get,
                                     key=key(page.name, "nb_framework")) or "pytorch"
    st.caption("The script as a Jupyter notebook: each part explained first, in the page's words. "
               "Open it in Jupyter, VS Code or Colab, with the weights beside it.")
    text = code(r, f"notebook:{framework}")
    name = notebook.file_name(r, framework)
    _downloads_row(page, run, r, (f"{name}", text, name, "application/x-ipynb+json"), "notebook")


def pictures_row(page, run):
    """Under the live view while paused: each view as a PNG for slides (1920 pixels wide) of the epoch
    shown, drawn on the server when its button is clicked."""
    if not run.built:
        return
    row = st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="center")
    row.caption("Save for slides:")
    for name, view in pictures.views(run).items():
        row.download_button(f"{view.label} (.png)", _png(run, name), f"{page.name}-{name}.png", "image/png",
                            icon=":material/image:", on_click="ignore", key=key(page.name, f"png_{name}"),
                            type="tertiary", help=f"The {view.label.lower()} as a 1920-pixel PNG")


def _png(run, name):
    return lambda: pictures.picture(run, name)


def _animation_tab(page, run):
    views = {n: v for n, v in pictures.views(run).items() if v.animates}
    if not views:
        st.caption("This page's views do not move over the epochs.")
        return
    kept = len(run.history.moments) if run.history else 0
    st.caption(f"The run over its epochs ({kept} kept; at most {animation.MAX_FRAMES} frames), the epoch and "
               "losses written in each frame.")
    cols = st.columns([2, 1], vertical_alignment="bottom")
    name = cols[0].selectbox("View", list(views), format_func=lambda n: views[n].label, key=key(page.name, "anim_view"))
    store = key(page.name, "animation")
    if cols[1].button("Make the animation", icon=":material/movie:", key=key(page.name, "animate"),
                      disabled=kept < 2 or run.playing, help="Needs two kept epochs; pause first"):
        bar = st.progress(0.0, text="Drawing the frames…")
        start = time.perf_counter()
        try:
            frames = pictures.animation(run, name, progress=lambda done, total: bar.progress(
                done / total * 0.9, text=f"Frame {done} of {total}"))
            bar.progress(0.95, text="Encoding…")
            gif = animation.gif(frames)
            mp4 = animation.mp4(frames) if animation.mp4_available() else None
        except (ValueError, MemoryError) as err:
            bar.empty()
            st.error(f"The animation could not be made: {err}")
            return
        bar.empty()
        st.session_state[store] = (name, gif, mp4, len(frames), time.perf_counter() - start)
    made = st.session_state.get(store)
    if made and made[0] in views:
        name, gif, mp4, count, seconds = made
        st.caption(f"{count} frames, {len(gif) / 2**20:.1f} MB, made in {seconds:.1f} s.")
        row = st.container(horizontal=True, wrap=True, gap="small")
        row.download_button("Animation (.gif)", gif, f"{page.name}-{name}.gif", "image/gif",
                            icon=":material/gif_box:", on_click="ignore")
        if mp4:
            row.download_button("Animation (.mp4)", mp4, f"{page.name}-{name}.mp4", "video/mp4",
                                icon=":material/movie:", on_click="ignore")


def _open_tab(page, run):
    st.caption("A model downloaded from this page (Weights .npz) opens again as it was: the same settings, "
               "weights, numbers and curves; Play trains on from there.")
    # The uploader is drawn only when asked for: a page's other uploaders stay the only ones on it.
    if st.toggle("Upload a model file", key=key(page.name, "model_upload_on")):
        st.file_uploader("Open a model (.npz)", type=["npz"], key=key(page.name, "model_upload"),
                         on_change=_uploaded, args=(page,), max_upload_size=model_file.MAX_BYTES // 2**20)


def _uploaded(page):
    upload = st.session_state.get(key(page.name, "model_upload"))
    if not isinstance(upload, UploadedFile):      # none, or a file the server does not hold (a crafted id)
        return
    data = upload.getvalue()
    open_model(page, data, f"Opened {upload.name[:60]}")    # page_messages shows it as text


def open_model(page, data, done):
    """Replace the page's run by the model in ``data`` (bytes); a bad file leaves it as it was."""
    try:
        model = model_file.read(data, page.name, page.settings_class)
        fresh = model_file.restore(page.run_class, model)
    except ValueError as err:
        say(page.name, f"The model was not opened: {err}", "error")
        return False
    old = st.session_state.get(key(page.name, "run"))
    if old is not None:
        from .live import scheduler
        old.playing = False
        scheduler().stop(old)
    for name in [k for k in st.session_state if k.startswith(f"{page.name}_w_")]:
        del st.session_state[name]                 # the widgets take the restored settings
    st.session_state[key(page.name, "run")] = fresh
    st.session_state.pop(key(page.name, "animation"), None)
    st.query_params.from_dict(link_params(page.name, fresh.settings) | _kept_model())
    say(page.name, f"{done}: step {model.step:,}, epoch {model.epoch:,}.", "success")
    return True


def _kept_model():
    name = st.query_params.get("model")
    return {"model": name} if name else {}


def open_linked_model(page):
    """A shipped model the link names (``?model=<name>``), opened once per session and name."""
    name = st.query_params.get("model")
    if not name:
        return
    flag = key(page.name, "linked_model")
    if st.session_state.get(flag) == name:
        return
    st.session_state[flag] = name
    try:
        data = model_file.shipped(name)
    except ValueError as err:
        say(page.name, str(err), "warning")
        return
    open_model(page, data, f"Opened the model '{name}'")
