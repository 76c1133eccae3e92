"""Compile the engine in the background, once per process, while the page is already usable.

A cold Numba cache takes tens of seconds to compile; a warm one a fraction of
a second. The first page that needs a family of kernels starts a thread that
compiles it (later requests queue behind it); every tab shows the same moving
progress bar and gets its Play button as soon as the families it needs are in.
A page starts it first thing (``start_engine()``), so the engine's imports and
the Numba cache load run while the page imports and lays out the rest.
"""
import logging
import threading
import time

import streamlit as st

log = logging.getLogger(__name__)


def _skip_the_repl_check():
    """Streamlit's first element of a process asks whether it runs in a Python REPL (to print a
    hint): inspect.stack() resolves the path of every loaded module, 0.05-0.4 s of the first page
    run. Under `streamlit run` the answer is always no. (A private flag: if a release drops it,
    setting it does nothing and the check runs as before.)"""
    import streamlit.delta_generator

    streamlit.delta_generator._use_warning_has_been_displayed = True


POLL = 0.4          # seconds between progress-bar updates
WARM_WAIT = 2.0     # a warm cache loads within this: no bar flashes up on a warm start


class Warmup:
    def __init__(self):
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._ready, self._queued = set(), []
        self._errors = {}         # families -> why they could not be compiled
        self.fraction, self.message = 0.0, "starting"
        self.started = time.monotonic()
        self._thread = None

    def ready(self, families):
        """True when the program for ``families`` (a page's layer families, engine.families) is
        compiled; otherwise make sure it is on its way."""
        families = tuple(sorted(families))
        with self._lock:
            if families in self._ready:
                return True
            if families in self._errors:      # failed: tried again only when asked (``retry``)
                return False
            if families not in self._queued:
                self._queued.append(families)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._compile, name="nnp-warmup", daemon=True)
                self._thread.start()
        return False

    def _compile(self):
        import engine     # here: a page can start the warm-up before it imports the engine (0.5 s of imports)

        while True:
            with self._lock:
                if not self._queued:
                    return
                family = self._queued[0]
            error = None
            try:
                engine.warm_up(families=family, progress=self._report)
            except Exception as err:          # shown on the page; the server keeps running
                log.exception("engine warm-up failed")
                error = f"The engine could not be compiled ({', '.join(family)}): {err}"
            with self._lock:
                self._queued.remove(family)
                if error:
                    self._errors[family] = error
                else:
                    self._ready.add(family)
                self._done.notify_all()

    def error(self, families):
        """Why ``families`` could not be compiled, or None."""
        return self._errors.get(tuple(sorted(families)))

    def retry(self, families):
        """Compile ``families`` again after a failure."""
        with self._lock:
            self._errors.pop(tuple(sorted(families)), None)
        self.ready(families)

    def wait(self, families, timeout):
        """Wait up to ``timeout`` seconds for ``families`` (a warm disk cache loads in well under that)."""
        if self.ready(families):
            return True
        key = tuple(sorted(families))
        with self._lock:
            self._done.wait_for(lambda: key in self._ready or key in self._errors, timeout)
        return self.ready(families)

    def _report(self, fraction, message):
        self.fraction, self.message = fraction, message


@st.cache_resource(show_spinner=False)
def warmup():
    return Warmup()


def start_engine():
    """A page's first call: the engine's imports and its dense kernels (every program has them)
    load in the background while the page imports and lays out the rest."""
    _skip_the_repl_check()
    warmup().ready(("dense",))


def engine_ready(families):
    """True when the kernels for ``families`` are compiled. Until then show a moving bar that
    reruns the page when they are in, and return False (the page keeps its controls)."""
    w = warmup()
    if w.wait(families, WARM_WAIT):
        return True

    if w.error(families):
        st.error(w.error(families), icon=":material/error:")
        st.button("Try again", on_click=w.retry, args=(families,), icon=":material/refresh:")
        return False

    @st.fragment(run_every=POLL)
    def progress():
        if w.error(families):
            st.rerun(scope="app")
        if w.ready(families):
            st.rerun(scope="app")
        seconds = time.monotonic() - w.started
        st.progress(min(max(w.fraction, 0.0), 1.0),
                    f"Preparing the engine, once after an install: {w.message}… ({seconds:.0f} s)")

    progress()
    return False
