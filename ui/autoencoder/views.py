"""The autoencoder page: its description for the page runner and its views: test images beside their
reconstructions, the code plane (click or drag to decode, a grid of decoded images), anomalies (the
reconstruction errors, the worst images, your own input among them)."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st

from viz import autoencoder as ae
from viz.cnn_figures import ink_image
from viz.palette import LABEL_COLORS

from ..canvas import VISIBILITY, Num, component, digit_pad, frame_channel
from ..digit import digit_from_bytes, read_data_url
from ..page import Page
from ..settings import page_zoom
from ..state import current_run, key
from ..text import plain
from .explain import AUTOENCODER_TEXT
from .run import AutoencoderRun
from .settings import HIDEABLE, AutoencoderSettings

PAGE = "autoencoder"
CHANNEL = "frames-autoencoder"
PAD_CLEARS, PAD_ERROR = key(PAGE, "pad_clears"), key(PAGE, "pad_error")
DRAWING = "your drawing"
LIMIT = 1e3              # a clicked point's coordinates, far beyond any code
ae_view = component("ae_view", Path(__file__).parent / "components", {
    "point": {"x": Num(-LIMIT, LIMIT), "y": Num(-LIMIT, LIMIT)}, "visibility": VISIBILITY})


class AutoencoderPage(Page):
    name = PAGE
    title = "Autoencoder: learning without labels"
    settings_class = AutoencoderSettings
    run_class = AutoencoderRun
    hideable = HIDEABLE
    sidebar = (("data", "Data"), ("network", "Network"))
    explanation = AUTOENCODER_TEXT
    max_fps = 12             # three canvases decode a frame of images and 2,000 dots
    gradient_chart = True
    activation_stats = True
    probe_size = 32
    probe_what = "images"

    def draw_section(self, section, run):
        super().draw_section(section, run)
        if section == "network":
            w, s = self.widgets, run.settings
            w.draw_count("encoder", "Encoder layers", help="0 to 3 dense layers before the code")
            for i in range(len(s.encoder)):
                w.draw_item("encoder", i, help="Units of this encoder layer; the decoder mirrors it")

    # -- metrics: how well the codes group, instead of an accuracy --------------------------------
    def metrics(self, run, snap):
        values = [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"), ("Train loss", f"{snap.train_loss:.4f}"),
                  ("Test loss", f"{snap.test_loss:.4f}")]
        return values + [(self._grouped_label(run), f"{run.grouped(snap):.0%}")]

    def metric_help(self, run):
        helps = super().metric_help(run)
        helps[self._grouped_label(run)] = (
            f"The share of the first {ae.GROUP_QUERIES:,} test images whose {ae.NEIGHBOURS} nearest codes (of "
            f"{min(len(run.xt), 2000):,}) mostly carry their own label. Training never sees a label: "
            "a high share means the network found the classes on its own.")
        helps["Train loss"] = "Mean reconstruction loss per pixel on the training images, after each epoch"
        helps["Test loss"] = "Mean reconstruction loss per pixel on the test images, which the network never trains on"
        return helps

    def _grouped_label(self, run):
        return "Grouped by digit" if run.settings.dataset == "mnist" else "Grouped by label"

    # -- the live view -------------------------------------------------------------------------
    def make_slots(self, run):
        s = run.settings
        hidden, zoom = s.hidden_parts, page_zoom(s)
        slots = SimpleNamespace(count=-1, send=frame_channel(CHANNEL))
        common = dict(channel=CHANNEL, zoom=zoom, contrast=s.present and s.contrast)
        st.markdown("**Test images and what the network rebuilds of them**")
        ae_view("ae_recon", self._on_event, view="recon", live=True, label="Test images and their reconstructions",
                **common)
        if "plane" not in hidden:
            st.markdown("**The code plane**")
            ae_view("ae_plane", self._on_event, view="plane", live=False, label="The code plane", **common)
            st.caption("Each dot is a test image at its code, coloured by its label: the network never saw a label, "
                       "yet images of one kind gather. Click or drag anywhere to see the image the decoder makes "
                       "from that point.")
            self.widgets.draw("grid")
        if "anomalies" not in hidden:
            st.markdown("**Anomalies**")
            ae_view("ae_anomalies", self._on_event, view="anomalies", live=False, label="Reconstruction errors",
                    **common)
            st.caption("An image unlike the training images is rebuilt badly: a high error flags an anomaly, the "
                       "flip side of finding what is alike.")
        return slots

    def draw(self, run, slots, snaps, interactive):
        slots.count += 1
        slots.send(frame(run, snaps[0], full=slots.count == 0))

    def _on_event(self, event, value):
        run = current_run(PAGE)
        if event == "visibility":
            run.visible = value == "visible"
        elif event == "point":
            run.point = (value["x"], value["y"])

    def below(self, run):
        if "anomalies" not in run.settings.hidden_parts:
            own_input(run)


def frame(run, snap, full):
    """The live frame of ``snap`` (the plane and errors renewed twice a second while playing: the
    run says); the labels, which never change, in ``full`` frames."""
    s = run.settings
    views = run.views(snap)
    side = s.facts.input_shape[-1]
    out = {"side": side, "recon": {"n": len(views["recon"]), "inputs": ae.image_bytes(run.xt_flat[:len(views["recon"])]),
                                   "outputs": ae.image_bytes(views["recon"])}}
    names = list(s.facts.class_names)
    plane = {"extent": views["extent"], "points": ae.points_bytes(views["points"], views["extent"]),
             "principal": views["projection"].principal, "explained": views["projection"].explained,
             "names": names, "colors": list(LABEL_COLORS), "point": None, "decoded": None, "grid": None, "own": None}
    if full:
        plane["labels"] = ae.image_bytes(np.asarray(views["labels"]) / 255.0)
    if run.point is not None:
        plane["point"] = list(run.point)
        plane["decoded"] = ae.image_bytes(run.decoded_at(snap, run.point)[None])
    if s.grid:
        plane["grid"] = ae.image_bytes(run.grid(snap))
    edges, counts = ae.error_histogram(views["errors"], [] if run.own is None else [run.own_error(snap)[0]])
    worst, errors = run.worst(snap)
    anomalies = {"edges": edges.tolist(), "counts": counts.tolist(), "unit": "loss per pixel",
                 "worst": ae.image_bytes(run.xt_flat[worst]), "worst_errors": errors.tolist(), "own": None, "rank": ""}
    if run.own is not None:
        error, point = run.own_error(snap)
        plane["own"] = point.tolist()
        anomalies["own"] = error
        share = float((views["errors"] > error).mean())
        anomalies["rank"] = f"worse than {1 - share:.0%} of the test images"
    out.update(plane=plane, anomalies=anomalies)
    return out


def own_input(run):
    """Your own input for the anomaly view: a drawing, an image of the other kind, noise or a test
    image; what the network sees of it, what it rebuilds, its error and its rank among the test images."""
    s = run.settings
    st.markdown("**Your own input**: how badly is it rebuilt, and where does its code land?")
    other = "bars" if s.dataset == "mnist" else "mnist"
    pad_col, seen_col = st.columns([1, 1.4], gap="medium")
    with pad_col:
        digit_pad(key(PAGE, "pad"), _on_pad, clear=st.session_state.get(PAD_CLEARS, 0), zoom=page_zoom(s),
                  label="Draw a digit here" if s.dataset == "mnist" else "Draw an image here")
        if st.session_state.get(PAD_ERROR):
            st.error(plain(st.session_state[PAD_ERROR]), icon="⚠️")
        with st.container(horizontal=True, wrap=True, gap="small"):
            st.button("A bar" if other == "bars" else "A digit", key=key(PAGE, "own_other"), on_click=_use_other,
                      args=(run,), icon=":material/shuffle:",
                      help="An image of the other data set: something the network never learnt to rebuild")
            st.button("Noise", key=key(PAGE, "own_noise"), on_click=_use_noise, args=(run,), icon=":material/grain:",
                      help="Random pixels")
            st.button("A test image", key=key(PAGE, "own_test"), on_click=_use_test, args=(run,),
                      icon=":material/image:", help="An ordinary test image, for comparison")
            if run.own is not None:
                st.button("Remove it", key=key(PAGE, "own_clear"), on_click=_clear, args=(run,), icon=":material/close:",
                          help="Take your input off the histogram and the plane")
    with seen_col:
        if run.own is None:
            st.caption("Draw on the pad (mouse, pen or finger) or pick an input: its reconstruction error is "
                       "marked in the histogram above, its code in the code plane.")
            return
        name, image = run.own
        snap = run.shown
        error, _ = run.own_error(snap)
        rebuilt = run.reconstruct(snap, image.reshape((1,) + tuple(s.facts.input_shape)))[0]
        side = s.facts.input_shape[-1]
        cols = st.columns(2)
        cols[0].image(ink_image(image.reshape(side, side), 140), width=140, caption=f"{name[0].upper()}{name[1:]}")
        cols[1].image(ink_image(rebuilt.reshape(side, side), 140), width=140, caption="What the network rebuilds")
        share = float((run.views(snap)["errors"] < error).mean())
        st.markdown(f"Reconstruction error **{error:.3f}**: worse than **{share:.0%}** of the test images. "
                    "It is the red line in the histogram above; its code is the red cross in the plane.")


def _on_pad(event, value):
    run = current_run(PAGE)
    if event == "cleared":
        if run.own is not None and run.own[0] == DRAWING:
            run.own = None
        st.session_state[PAD_ERROR] = None
        return
    try:
        run.use_image(DRAWING, digit_from_bytes(read_data_url(value)))
        st.session_state[PAD_ERROR] = None
    except ValueError as err:
        st.session_state[PAD_ERROR] = f"The drawing: {err}."


def _use_other(run):
    run.use_own("other")
    _clear_pad()


def _use_noise(run):
    run.use_own("noise")
    _clear_pad()


def _use_test(run):
    run.use_own("test")
    _clear_pad()


def _clear(run):
    run.own = None
    _clear_pad()


def _clear_pad():
    """The pad no longer shows the input: empty it."""
    st.session_state[PAD_CLEARS] = st.session_state.get(PAD_CLEARS, 0) + 1
    st.session_state[PAD_ERROR] = None
