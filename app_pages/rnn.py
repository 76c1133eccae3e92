"""RNN playground: memory made visible. Hidden states, gates and gradients through time, trained live."""
from ui.warmup import start_engine

start_engine()            # the engine loads in the background while the page imports

from ui.rnn.views import RnnPage  # noqa: E402

RnnPage().show()
