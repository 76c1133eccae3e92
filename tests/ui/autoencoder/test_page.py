"""The autoencoder page through Streamlit's AppTest, and its run without a page."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import warm_up
from ui.autoencoder.run import AutoencoderRun
from ui.autoencoder.settings import AutoencoderSettings
from ui.url import decode, encode

APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up(families=("dense",))


@pytest.fixture
def page():
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/autoencoder.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_the_page_trains_and_says_how_the_codes_group(page):
    assert list(metrics(page)) == ["Epoch", "Step", "Train loss", "Test loss", "Grouped by digit"]
    before = float(metrics(page)["Test loss"])
    for _ in range(2):
        page.button(key="autoencoder_step").click().run()
    after = metrics(page)
    assert after["Epoch"] == "2" and float(after["Test loss"]) < before
    assert 0 <= float(after["Grouped by digit"].rstrip("%")) <= 100


def test_the_trainer_never_sees_a_label():
    run = AutoencoderRun(AutoencoderSettings(encoder=(32,)))
    tr = run.trainer
    assert tr.y.shape == (len(tr.x), 784) and not tr.classification
    np.testing.assert_array_equal(tr.y, tr.x.reshape(len(tr.x), -1))      # the target is the image


def test_a_code_of_more_units_is_shown_by_its_principal_components_and_decodes_points():
    run = AutoencoderRun(AutoencoderSettings(encoder=(32,), code=8))
    views = run.views(run.snap)
    assert views["codes"].shape == (2000, 8) and views["points"].shape == (2000, 2) and views["projection"].principal
    image = run.decoded_at(run.snap, views["points"][0])
    assert image.shape == (784,) and 0 <= image.min() and image.max() <= 1
    assert run.grid(run.snap).shape == (64, 784)


def test_the_first_metrics_make_no_plane_and_the_frame_after_them_does():
    """A paused page shows its numbers before its views: Grouped as known then (the plane of a new
    snapshot, every test image through the network, comes with the frame right after)."""
    from ui.autoencoder.views import AutoencoderPage
    page, run = AutoencoderPage(), AutoencoderRun(AutoencoderSettings(encoder=(32,)))
    assert dict(page.first_metrics(run, run.snap))["Grouped by digit"] == "…" and run._views == (None, None)
    first = page.metrics(run, run.snap)                              # the frame: the plane made
    assert run._views[0] is run.snap and dict(first)["Grouped by digit"].endswith("%")
    run.advance(1)
    quick = dict(page.first_metrics(run, run.snap))
    assert quick["Step"] == "1" and quick["Grouped by digit"] == dict(first)["Grouped by digit"]
    assert run._views[0] is not run.snap                              # nothing made for the new snapshot


def test_an_image_of_another_kind_is_rebuilt_worse_than_the_test_images():
    run = AutoencoderRun(AutoencoderSettings(encoder=(64,), code=8))
    run.advance(4 * run.trainer.steps_per_epoch)
    run.use_own("other", seed=0)                       # a bar among digits
    error, point = run.own_error(run.snap)
    errors = run.views(run.snap)["errors"]
    assert error > np.percentile(errors, 90) and point.shape == (2,)
    assert run.own[0] == "a bar"


def test_settings_round_trip_through_the_link():
    s = AutoencoderSettings(dataset="bars", encoder=(64, 32, 16), code=5, loss="mse", lr=0.01, grid=True)
    assert decode(encode(s), AutoencoderSettings) == (s, [])
    assert decode({"enc": "999,1", "code": "40"}, AutoencoderSettings)[0].encoder == (256, 16)


def test_own_input_buttons_and_the_grid_toggle(page):
    page.button(key="autoencoder_own_noise").click().run()
    assert not page.exception and page.session_state["autoencoder_run"].own[0] == "random noise"
    page.toggle(key="autoencoder_w_grid").set_value(True).run()
    assert not page.exception and page.session_state["autoencoder_run"].settings.grid
    assert page.query_params["grid"] == ["1"] or page.query_params["grid"] == "1"


def test_gradient_clipping_is_a_training_control_in_the_link(page):
    page.select_slider(key="autoencoder_w_clip").set_value(1.0).run()
    assert page.session_state["autoencoder_run"].trainer.clip_norm == 1.0 and page.query_params["clip"] == "1"
    assert page.select_slider(key="autoencoder_w_clip").help
    assert decode({"clip": "0.3"}, AutoencoderSettings)[0].trainer_options()["clip_norm"] == 0.3


def test_a_drawing_is_read_as_mnist_reads_digits_and_placed_among_the_errors():
    import io

    from PIL import Image, ImageDraw

    from ui.digit import digit_from_bytes
    run = AutoencoderRun(AutoencoderSettings(encoder=(32,)))
    pad = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    ImageDraw.Draw(pad).line([(140, 40), (150, 240)], fill=(17, 17, 17, 255), width=20)   # a "1"
    buf = io.BytesIO()
    pad.save(buf, format="PNG")
    run.use_image("your drawing", digit_from_bytes(buf.getvalue()))
    name, image = run.own
    assert name == "your drawing" and image.shape == (784,) and 0 <= image.min() and image.max() <= 1
    error, point = run.own_error(run.snap)
    assert error > 0 and point.shape == (2,) and np.isfinite(point).all()
    with pytest.raises(ValueError, match="pixels"):
        run.use_image("wrong", np.zeros(100))


def test_a_vae_shows_its_prior_and_its_kl_and_a_denoising_network_its_noisy_inputs():
    from ui.autoencoder.views import AutoencoderPage, fast_frame, slow_frame
    run = AutoencoderRun(AutoencoderSettings(encoder=(32,), variational=True))
    run.advance(60)
    slow = slow_frame(run, run.snap)
    centre = slow["plane"]["prior"]
    extent = slow["plane"]["extent"]
    assert centre == [0.0, 0.0] and extent[0] <= -2.5 and extent[1] >= 2.5       # a 2-D code: the code itself
    assert slow["recon"]["noisy"] is None
    titles = [c["title"] for c in AutoencoderPage().charts(run, [run.snap])]
    assert titles[:2] == ["Reconstruction loss", "KL divergence to N(0, 1) (per image)"]
    plain = AutoencoderRun(AutoencoderSettings(encoder=(32,), denoising=True, noise=0.4))
    slow, fast = slow_frame(plain, plain.snap), fast_frame(plain, plain.snap)
    assert slow["plane"]["prior"] is None and slow["recon"]["noise"] == 0.4
    noisy = np.frombuffer(__import__("base64").b64decode(slow["recon"]["noisy"]), np.uint8).reshape(16, 784)
    clean = np.round(np.clip(plain.xt_flat[:16], 0, 1) * 255)
    assert np.abs(noisy - clean).mean() > 40                                     # the noise shows
    np.testing.assert_allclose(plain.shown_reconstructions(plain.snap), plain.reconstruct(plain.snap, plain.noisy))
    assert fast["plane"] == {"point": None, "decoded": None}
    assert "KL divergence to N(0, 1) (per image)" not in [c["title"] for c in AutoencoderPage().charts(plain, [plain.snap])]


def test_the_variational_switch_its_beta_and_bad_link_values():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"beta": "9", "code": "1", "noise": "0.3", "dae": "1"})
    at.switch_page("app_pages/autoencoder.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(w.value for w in at.warning)
    assert "β" in said or "beta" in said.lower(), said
    run = at.session_state["autoencoder_run"]
    assert run.settings.code == 2 and run.settings.beta == 4.0 and run.settings.denoising
    assert not [s for s in at.slider if s.key == "autoencoder_w_beta"]          # shown with Variational only
    at.toggle(key="autoencoder_w_variational").set_value(True).run()
    assert not at.exception and [s for s in at.slider if s.key == "autoencoder_w_beta"]
    run = at.session_state["autoencoder_run"]
    assert run.settings.variational and [layer["type"] for layer in run.settings.spec()["layers"]].count("sampling") == 1
    assert at.query_params["vae"] in ("1", ["1"])
    captions = " ".join(c.value for c in at.caption)
    assert "dashed rings" in captions and "Denoising" in captions


def test_the_bars_bring_their_learning_rate_unless_the_user_changed_it():
    from dataclasses import replace
    s, notes = decode({"data": "bars"}, AutoencoderSettings)
    assert s.lr == 0.01 and not notes and encode(s) == {"data": "bars"}           # the link need not name it
    mnist = AutoencoderSettings()
    bars = replace(mnist, dataset="bars")
    assert bars.after_change(mnist).lr == 0.01 and "0.01" in bars.change_notes(mnist)[0]
    assert replace(bars, dataset="mnist").after_change(bars.after_change(mnist)).lr == 0.003
    assert replace(mnist, dataset="bars", lr=0.001).after_change(replace(mnist, lr=0.001)).lr == 0.001
