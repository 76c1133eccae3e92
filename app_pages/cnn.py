"""CNN playground: a convolutional network learns handwritten digits live, every feature map shown."""
from ui.warmup import start_engine

start_engine()            # the engine loads in the background while the page imports

from ui.cnn.views import CnnPage  # noqa: E402

CnnPage().show()
