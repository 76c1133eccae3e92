"""MLP playground: TensorFlow Playground's view, trained live by the Numba engine."""
from ui.warmup import start_engine

start_engine()            # the engine loads in the background while the page imports

from ui.mlp.views import MlpPage  # noqa: E402

MlpPage().show()
