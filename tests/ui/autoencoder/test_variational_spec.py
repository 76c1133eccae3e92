"""The autoencoder settings' variational and denoising switches make the engine's sampling and
noise layers: the code plane still reads the code (a VAE's means), the decoder still decodes it,
the KL divergence is kept per step, and the targets of a denoising run are the clean images."""
import numpy as np

import engine
from ui.autoencoder.run import AutoencoderRun
from ui.autoencoder.settings import AutoencoderSettings


def test_the_switches_add_the_layers():
    plain = AutoencoderSettings(encoder=(32,), code=3)
    assert [layer["type"] for layer in plain.spec()["layers"]] == ["flatten", "dense", "dense", "dense", "dense"]
    both = AutoencoderSettings(encoder=(32,), code=3, variational=True, beta=2.5, denoising=True, noise=0.2)
    layers = both.spec()["layers"]
    assert [layer["type"] for layer in layers] == ["flatten", "noise", "dense", "dense", "sampling", "dense",
                                                   "dense"]
    assert layers[1]["stddev"] == 0.2 and layers[3]["units"] == 6 and layers[4]["beta"] == 2.5
    assert both.code_layer == 4 and engine.build(both.spec()).layers[both.code_layer].out_shape == (3,)
    assert "noise" not in [l["type"] for l in AutoencoderSettings(denoising=True, noise=0.0).spec()["layers"]]


def test_a_variational_denoising_run_trains_and_its_halves_still_work():
    run = AutoencoderRun(AutoencoderSettings(dataset="bars", encoder=(32,), code=2, variational=True,
                                             denoising=True, noise=0.3, batch=32))
    snap = run.advance(30)
    assert snap.history["kl"].shape == snap.history["step_loss"].shape == (30,)
    assert np.isfinite(snap.history["kl"]).all() and (snap.history["kl"] > 0).all()
    codes = run.codes(snap, run.xt[:5])
    net = run.trainer.net
    means = net.layer_outputs(run.xt[:5])[run.settings.code_layer - 1][:, :2]
    np.testing.assert_allclose(codes, means, rtol=1e-6)                  # the plane shows the means
    np.testing.assert_allclose(run.decode(snap, codes), run.reconstruct(snap, run.xt[:5]), rtol=1e-5, atol=1e-6)
    assert run.trainer.y is not None and np.array_equal(run.trainer.y, run.x_flat)   # clean targets
