"""The autoencoder page's lesson metrics read what the page shows: its grouping, a VAE's KL term, the codes' centre."""
import numpy as np

from ui.autoencoder.run import AutoencoderRun
from ui.autoencoder.settings import AutoencoderSettings
from ui.lessons.metrics import METRICS, Subject


def value(name, run):
    return METRICS[name].value(Subject(run, run.snap, run.settings))


def test_the_metrics_read_the_pages_numbers():
    vae = AutoencoderRun(AutoencoderSettings(encoder=(32,), variational=True))
    vae.advance(2 * vae.trainer.steps_per_epoch + 3)
    kl = np.asarray(vae.snap.history["kl"], float)
    assert value("kl", vae) == np.float64(kl[-vae.trainer.steps_per_epoch:].mean())
    assert value("grouped", vae) == vae.grouped(vae.snap)
    codes = vae.views(vae.snap)["codes"]
    np.testing.assert_allclose(value("code_offset", vae), np.linalg.norm(codes.astype(float).mean(axis=0)))
    plain = AutoencoderRun(AutoencoderSettings(encoder=(32,)))
    assert value("kl", plain) is None and 0 <= value("grouped", plain) <= 1
    assert METRICS["grouped"].pages == ("autoencoder",)
