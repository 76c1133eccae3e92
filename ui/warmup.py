"""Compile the engine in worker processes, once per server, while the page is already usable.

A cold Numba cache takes tens of seconds to compile; a warm one loads in a
second. The first page that needs a set of layer families (and layer types: engine.needs,
so an LSTM page never waits for the GRU's kernels) starts a thread that
hands whatever is missing from the disk cache to worker processes (one per
usable core: engine.warmup.Compiler), then loads it into this process; every
tab shows the same moving progress bar and gets its Play button as soon as the
families it needs are in. Numba holds the GIL while it compiles, so compiling in
a thread here would stall every other session; the workers stall nothing.
When no page waits any more, the other pages' programs compile in the
background at the lowest CPU priority, so a visitor who switches page finds
them ready (loaded on that page's first visit); a page that waits takes their
workers back. If no worker can start, this process compiles as it used to.
A page starts it first thing (``start_engine()``), so the engine's imports and
its shared kernels load while the page imports and lays out the rest.
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
PUMP = 0.1          # seconds the warm-up thread waits for its workers' news
KERNELS = ()        # start_engine's target: the kernels every program shares, not a program
KERNEL_TYPES = ("dense",)   # with the dense layer's: every page's network has one
HINT = 500          # its rank: after every page's own request (which includes those kernels), so a
                    # page's longest chain of stages starts first; before the background
LOADING = 0.9       # the bar's share of compiling; loading into this process the rest
BACKGROUND_DELAY = 3.0   # seconds with no page waiting before the other pages compile: a page that just
                         # got its engine plays its first steps without two compilers beside it


class Warmup:
    """What this process has compiled and loaded, per set of layer families (a sorted tuple)."""

    def __init__(self, workers=None, background=True, compiler=None):
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._ready, self._wanted = set(), {}           # wanted: families -> rank (order of asking)
        self._errors = {}         # families -> why they could not be compiled
        self._progress = {}       # families -> (fraction, message)
        self.started = time.monotonic()
        self._thread = None
        self._workers, self._background, self._compiler = workers, background, compiler
        self._in_process = False  # no worker could start: compile here

    # -- asking ----------------------------------------------------------------
    def ready(self, families):
        """True when the program for ``families`` (a page's network's engine.needs) is
        loaded; otherwise make sure it is on its way."""
        return self._want(tuple(sorted(families)))

    def prepare(self):
        """Load (or compile) the kernels every program shares."""
        self._want(KERNELS)

    def _want(self, key):
        with self._lock:
            if key in self._ready:
                return True
            if key in self._errors:           # failed: tried again only when asked (``retry``)
                return False
            self._wanted.setdefault(key, HINT if key == KERNELS else len(self._wanted))
            if self._thread is None:
                self._thread = threading.Thread(target=self._main, name="nnp-warmup", daemon=True)
                self._thread.start()
        return False

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

    def progress(self, families):
        """(fraction 0-1, message) of the work for ``families``."""
        return self._progress.get(tuple(sorted(families)), (0.0, "starting"))

    # -- the thread ------------------------------------------------------------
    def _main(self):
        from engine import warmup as W   # here: a page can start the warm-up before it imports the engine

        W.drop_stale_caches()
        compiler, planned, background = None, {}, not self._background
        quiet_since = None                    # when no page was waiting any more
        try:
            while True:
                with self._lock:
                    wanted = sorted((k for k in self._wanted if k not in self._ready and k not in self._errors),
                                    key=self._wanted.get)
                    if not wanted and (self._in_process or background and (compiler is None or compiler.idle())):
                        self._thread = None           # nothing to do (the background never compiles here)
                        return
                if self._in_process:
                    self._compile_here(W, wanted)
                    continue
                for key in wanted:
                    if key not in planned:
                        missing = [s for s in self._plan(W, key) if not W.in_disk_cache(s)]
                        if missing:
                            compiler = compiler or self._new_compiler(W)
                            compiler.want(missing, self._wanted[key])
                        keys = [s.key for s in missing]
                        planned[key] = (keys, compiler.remaining(keys) if missing else 0.0)
                if compiler is not None and compiler.unavailable:
                    log.warning("engine warm-up: %s; compiling in the server process", compiler.unavailable)
                    compiler.terminate()
                    compiler, self._in_process = None, True
                    continue
                loaded = False
                for key in wanted:
                    keys, total = planned[key]
                    why = compiler.error(keys) if keys else None
                    if why:
                        planned.pop(key)
                        self._failed(key, why)
                    elif not keys or compiler.done(keys):
                        self._load(W, key)
                        log.info("engine warm-up: %s ready %.1f s after the first page asked (%d stages compiled "
                                 "by workers, %.1f CPU s in all so far)", ", ".join(key) or "shared kernels",
                                 time.monotonic() - self.started, len(keys), compiler.cpu if compiler else 0.0)
                        loaded = True
                        break                 # one at a time: the workers may be waiting
                    else:
                        left = compiler.remaining(keys) / total if total else 0.0
                        running = compiler.running(keys)
                        self._report(key, LOADING * (1 - left), "Compiling " + ", ".join(
                            m.removeprefix("Compiling ") for m in running) if running else "Waiting for a compiler")
                quiet_since = (quiet_since or time.monotonic()) if not wanted else None
                if not wanted and not background and time.monotonic() - quiet_since >= BACKGROUND_DELAY:
                    background = True
                    rest = [s for s in W.plan(W.programs(None)) if not W.in_disk_cache(s)]
                    if rest:
                        compiler = compiler or self._new_compiler(W)
                        compiler.want(rest, W.BACKGROUND)
                if compiler is not None:
                    compiler.pump(0.0 if loaded else PUMP)
                elif (wanted or not background) and not loaded:
                    time.sleep(PUMP)
        except Exception as err:              # a bug here: every page waiting says so, the server keeps running
            log.exception("engine warm-up failed")
            with self._lock:
                self._thread = None
                for key in self._wanted:
                    if key not in self._ready:
                        self._errors.setdefault(key, f"The engine could not be compiled: {err}")
                self._done.notify_all()
        finally:
            if compiler is not None:
                compiler.close()

    def _new_compiler(self, W):
        if self._compiler is not None:
            return self._compiler()
        from .live import usable_cpus
        return W.Compiler(self._workers or usable_cpus())

    @staticmethod
    def _plan(W, key):
        if key == KERNELS:
            return W.plan(W.programs(("dense",)), with_programs=False, types=KERNEL_TYPES)
        families, types = W.split_needs(key)
        return W.plan(W.programs(families), types=types)

    def _load(self, W, key, start=LOADING):
        """Load ``key`` into this process (compiling whatever the disk cache lacks)."""
        def report(fraction, message):
            self._report(key, start + (1 - start) * fraction,
                         "Loading the compiled engine" if start else message)
        try:
            if key == KERNELS:
                W.warm_up(families=("dense",) + tuple(W.TYPE + t for t in KERNEL_TYPES), with_programs=False,
                          progress=report)
            else:
                W.warm_up(families=key, progress=report)
        except Exception as err:              # shown on the page; the server keeps running
            log.exception("engine warm-up failed")
            self._failed(key, str(err))
            return
        with self._lock:
            self._ready.add(key)
            self._done.notify_all()

    def _compile_here(self, W, wanted):
        for key in wanted:
            self._load(W, key, start=0.0)

    def _failed(self, key, why):
        with self._lock:
            self._errors[key] = f"The engine could not be compiled ({', '.join(key) or 'kernels'}): {why}"
            self._done.notify_all()

    def _report(self, key, fraction, message):
        old = self._progress.get(key, (0.0, ""))[0]
        self._progress[key] = (max(old, min(fraction, 1.0)), message)


@st.cache_resource(show_spinner=False)
def warmup():
    return Warmup()


def start_engine():
    """A page's first call: the engine's imports and its shared kernels load in the background
    while the page imports and lays out the rest."""
    _skip_the_repl_check()
    warmup().prepare()


def engine_loaded(families):
    """True when the kernels for ``families`` are loaded in this process (asks for them if not)."""
    return warmup().ready(families)


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
        fraction, message = w.progress(families)
        seconds = time.monotonic() - w.started
        st.progress(min(max(fraction, 0.0), 1.0),
                    f"Preparing the engine, once after an install: {message}… ({seconds:.0f} s)")

    progress()
    return False
