"""Autoencoder: learning without labels. Codes that group by digit, decoded points, anomalies."""
from ui.warmup import start_engine

start_engine()            # the engine loads in the background while the page imports

from ui.autoencoder.views import AutoencoderPage  # noqa: E402

AutoencoderPage().show()
