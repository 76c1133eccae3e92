"""The autoencoder page: its description for the page runner and its views: test images beside their
reconstructions, the code plane (click or drag to decode, a grid of decoded images), anomalies (the
reconstruction errors, the worst images, your own input among them)."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st

from viz import autoencoder as ae
from viz.cnn_figures import ink_image
from viz.curves import gradient_chart, kl_chart, loss_chart
from viz.palette import LABEL_COLORS

from ..canvas import VISIBILITY, Num, component, digit_pad, frame_channel
from ..digit import digit_from_bytes, read_data_url
from ..inspect import show_table, table_toggle
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
    def metrics(self, run, snap, compute=True):
        values = [("Epoch", f"{snap.epoch:,}"), ("Step", f"{snap.step:,}"), ("Train loss", f"{snap.train_loss:.4f}"),
                  ("Test loss", f"{snap.test_loss:.4f}")]
        grouped = run.grouped(snap, compute)
        return values + [(self._grouped_label(run), "…" if grouped is None else f"{grouped:.0%}")]

    def first_metrics(self, run, snap):
        # Grouped as known now: a paused snapshot's plane (every test image through the network, ~0.1 s)
        # is made with the frame right after, which then shows its figure.
        return self.metrics(run, snap, compute=False)

    def metric_help(self, run):
        helps = super().metric_help(run)
        helps[self._grouped_label(run)] = (
            f"The share of the first {ae.GROUP_QUERIES:,} test images whose {ae.NEIGHBOURS} nearest codes (of "
            f"{min(len(run.xt), 2000):,}) mostly carry their own label. Training never sees a label: "
            "a high share means the network found the classes on its own.")
        vae = " (each code's mean; the KL term is its own curve)" if run.settings.variational else ""
        helps["Train loss"] = f"Mean reconstruction loss per pixel on the training images, after each epoch{vae}"
        helps["Test loss"] = ("Mean reconstruction loss per pixel on the test images, which the network never trains "
                              f"on{vae}")
        return helps

    def charts(self, run, snaps):
        """The reconstruction loss, a VAE's KL divergence as its own curve, the gradient size per layer."""
        snap = snaps[0]
        charts = [loss_chart(snap, title="Reconstruction loss")]
        kl = kl_chart(snap)
        if kl is not None:
            charts.append(kl)
        if "gradients" not in run.settings.hidden_parts:
            charts.append(gradient_chart(snap, self.layer_names(run)))
        return charts

    def curves_caption(self, run):
        if run.settings.variational:
            return (f"The reconstruction loss is measured with each code's mean; training adds β = "
                    f"{run.settings.beta:g} times the KL divergence (divided by the {run.settings.pixels} pixels "
                    "the loss averages over). A falling KL: the codes crowd toward N(0, 1); a rising one: they "
                    "spread out to rebuild better.")
        return ""

    def _grouped_label(self, run):
        return "Grouped by digit" if run.settings.dataset == "mnist" else "Grouped by label"

    # -- the live view -------------------------------------------------------------------------
    def make_slots(self, run):
        s = run.settings
        hidden, zoom = s.hidden_parts, page_zoom(s)
        slots = SimpleNamespace(send=frame_channel(CHANNEL), send_slow=frame_channel(CHANNEL + "-slow"),
                                slow_key=None)
        common = dict(channel=CHANNEL, zoom=zoom, contrast=s.present and s.contrast)
        if run.noisy is not None:
            st.markdown("**Test images, with noise, and what the network rebuilds of the noisy ones**")
        else:
            st.markdown("**Test images and what the network rebuilds of them**")
        ae_view("ae_recon", self._on_event, view="recon", live=True, label="Test images and their reconstructions",
                **common)
        if run.noisy is not None:
            st.caption(f"Denoising: while training, every image gets noise (standard deviation {s.noise:g}) and "
                       "the network is asked for the clean image. The middle row is what it is given here; the "
                       "bottom row what it makes of it.")
        if "plane" not in hidden:
            st.markdown("**The code plane**")
            ae_view("ae_plane", self._on_event, view="plane", live=False, label="The code plane", **common)
            st.caption("Each dot is a test image at its code, coloured by its label: the labels are never used in "
                       "training, yet images of one kind gather. Click or drag anywhere to see the image the decoder "
                       "makes from that point."
                       + (" The dashed rings are the standard normal distribution the KL term pulls the codes "
                          "toward (1 and 2 standard deviations): a VAE's codes fill it, centred on 0, so points "
                          "between the dots decode to plausible images too." if s.variational else ""))
            self.widgets.draw("grid")
        if "anomalies" not in hidden:
            st.markdown("**Anomalies**")
            ae_view("ae_anomalies", self._on_event, view="anomalies", live=False, label="Reconstruction errors",
                    **common)
            st.caption("An image unlike the training images is rebuilt badly: a high error flags an anomaly, the "
                       "flip side of finding what is alike.")
            own_input(run)               # right under the histogram it is placed in
        return slots

    def below(self, run):
        if not run.playing and "plane" not in run.settings.hidden_parts:
            plane_table(run)
        if not run.playing and "anomalies" not in run.settings.hidden_parts:
            error_table(run)

    def draw(self, run, slots, snaps, interactive):
        snap = snaps[0]
        views = run.views(snap)            # renewed twice a second while playing: the slow frame with them
        slow_key = (id(views["errors"]), run.own and id(run.own[1]), run.settings.grid)
        if slow_key != slots.slow_key:
            slots.slow_key = slow_key
            slots.send_slow(slow_frame(run, snap))
        slots.send(fast_frame(run, snap))

    def _on_event(self, event, value):
        run = current_run(PAGE)
        if event == "visibility":
            run.visible = value == "visible"
        elif event == "point":
            run.point = (value["x"], value["y"])


def slow_frame(run, snap):
    """What changes at most twice a second while playing (the plane and the errors, the run renews them
    then), and what never changes (the test images, their labels): sent on its own channel only when
    it changed, so a frame of reconstructions stays small."""
    s = run.settings
    views = run.views(snap)
    side = s.facts.input_shape[-1]
    n = len(views["recon"])
    recon = {"n": n, "inputs": ae.image_bytes(run.xt_flat[:n]),
             "noisy": None if run.noisy is None else ae.image_bytes(run.noisy.reshape(n, -1)),
             "noise": s.noise if run.noisy is not None else None}
    projection = views["projection"]
    prior = run._prior_centre(projection)
    plane = {"extent": views["extent"], "points": ae.points_bytes(views["points"], views["extent"]),
             "labels": ae.image_bytes(np.asarray(views["labels"]) / 255.0),
             "principal": projection.principal, "explained": projection.explained,
             "names": list(s.facts.class_names), "colors": list(LABEL_COLORS), "grid": None, "own": None,
             "prior": None if prior is None else prior.tolist()}
    if s.grid:
        plane["grid"] = ae.image_bytes(run.grid(snap))
    own = run.own_error(snap) if run.own is not None else None
    edges, counts = ae.error_histogram(views["errors"], [] if own is None else [own[0]])
    worst, errors = run.worst(snap)
    anomalies = {"edges": edges.tolist(), "counts": counts.tolist(), "unit": "loss per pixel",
                 "worst": ae.image_bytes(run.xt_flat[worst]), "worst_errors": errors.tolist(), "own": None, "rank": ""}
    if own is not None:
        error, point = own
        plane["own"] = point.tolist()
        anomalies["own"] = error
        anomalies["rank"] = f"worse than {float((views['errors'] < error).mean()):.0%} of the test images"
    return {"side": side, "recon": recon, "plane": plane, "anomalies": anomalies}


def fast_frame(run, snap):
    """What every frame brings: the shown test images' reconstructions and the image decoded at the
    clicked point."""
    views = run.views(snap)
    plane = {"point": None, "decoded": None}
    if run.point is not None:
        plane = {"point": list(run.point), "decoded": ae.image_bytes(run.decoded_at(snap, run.point)[None])}
    return {"recon": {"outputs": ae.image_bytes(views["recon"])}, "plane": plane}


def frame(run, snap):
    """The whole frame of ``snap`` as the canvases put it together (the slow parts and the fast ones)."""
    slow, fast = slow_frame(run, snap), fast_frame(run, snap)
    return {**slow, **{k: {**slow.get(k, {}), **v} for k, v in fast.items()}}


def plane_table(run):
    """Paused: the code plane's dots as a table (issue 22): each test image's label and place."""
    if table_toggle(key(PAGE, "plane_table"), "the code plane"):
        views = run.views(run.shown)
        show_table(ae.plane_table(views["points"], views["labels"], views["projection"].principal))
        st.caption("One row per test image: its label and where its code puts it on the plane.")


def error_table(run):
    """Paused: the error histogram's numbers as a table (issue 22), made only while its toggle is on.
    Drawn with the page run, not in the live view's fragment (ui/cnn/views.py's confusion_table_view
    says why)."""
    if table_toggle(key(PAGE, "error_table"), "the reconstruction errors"):
        snap = run.shown
        own = run.own_error(snap) if run.own is not None else None
        show_table(ae.error_table(run.views(snap)["errors"], None if own is None else own[0]),
                   {"error from": st.column_config.NumberColumn(format="%.4g"),
                    "error to": st.column_config.NumberColumn(format="%.4g")})
        st.caption("Each row: how many test images the network rebuilds with an error (loss per pixel) of at "
                   "least 'error from' and below 'error to'; bins without a test image (or your input) are left out.")


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
