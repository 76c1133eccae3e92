"""The engine compiles in worker processes: the page and its controls come first, Play when its
program is compiled and loaded; then the other programs compile in the background.

A stand-in compiler plays the workers (engine.warmup.Compiler's interface, tested with real
processes in tests/engine/test_warmup.py); the stages themselves are the engine's real plan."""
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import engine
from engine import warmup as W
from ui import warmup as uw
from ui.warmup import Warmup, warmup

APP = str(Path(__file__).resolve().parents[3] / "app.py")


class FakeCompiler:
    """Stages are wanted and wait until the test finishes or fails them."""
    made = []

    def __init__(self, workers=2):
        self.workers, self.rank, self.state, self.errors = workers, {}, {}, {}
        self.unavailable, self.closed, self.cpu = None, False, 0.0
        self.lock = threading.Lock()
        FakeCompiler.made.append(self)

    def want(self, stages, rank=0):
        with self.lock:
            for s in stages:
                if self.state.get(s.key) in (None, "failed"):
                    self.state[s.key] = "pending"
                self.rank[s.key] = min(rank, self.rank.get(s.key, rank))

    def finish(self, keys=None, state="done", why=None):
        with self.lock:
            for key in keys or list(self.state):
                self.state[key] = state
                if why:
                    self.errors[key] = why

    def keys(self, rank_below=None, rank_from=None):
        with self.lock:
            return {k for k, r in self.rank.items()
                    if (rank_below is None or r < rank_below) and (rank_from is None or r >= rank_from)}

    def done(self, keys):
        return all(self.state.get(k) == "done" for k in keys)

    def error(self, keys):
        return next((self.errors[k] for k in keys if self.state.get(k) == "failed"), None)

    def running(self, keys):
        return [f"Compiling {k}" for k in keys if self.state.get(k) == "pending"][:2]

    def remaining(self, keys):
        return float(sum(self.state.get(k) != "done" for k in keys))

    def idle(self):
        return all(s != "pending" for s in self.state.values())

    def pump(self, timeout):
        time.sleep(min(timeout, 0.02))
        return []

    def close(self):
        self.closed = True

    terminate = close


@pytest.fixture
def engine_stub(monkeypatch):
    """Nothing in the disk cache, loading records what it loads; the compiler is the stand-in."""
    loads = []

    def load(families=None, with_programs=True, progress=None, dtypes=None):
        progress(0.5, "Loading")
        loads.append((tuple(families), with_programs))
    FakeCompiler.made = []
    monkeypatch.setattr(W, "in_disk_cache", lambda stage: False)
    monkeypatch.setattr(W, "drop_stale_caches", lambda: None)
    monkeypatch.setattr(W, "warm_up", load)
    monkeypatch.setattr(W, "Compiler", FakeCompiler)
    return loads


def until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def program_key(*families):
    return f"program {'+'.join(families)} (float32)"


def test_a_page_gets_its_program_once_compiled_and_loaded_then_the_rest_compiles_in_the_background(engine_stub):
    w = Warmup(workers=3)
    w.prepare()                                         # a page's first line: the shared kernels
    assert not w.ready(("conv", "dense"))
    until(lambda: FakeCompiler.made and program_key("dense", "conv") in FakeCompiler.made[0].keys())
    c = FakeCompiler.made[0]
    assert c.workers == 3
    # the page's own stages come before the shared kernels' hint, and no other program is asked for yet
    page = c.keys(rank_below=uw.HINT)
    assert program_key("dense", "conv") in page and "dense: dense layers (float32)" in page
    assert not c.keys(rank_from=W.BACKGROUND)
    until(lambda: w.progress(("dense", "conv"))[1].startswith("Compiling "))
    assert w.progress(("dense", "conv"))[0] < uw.LOADING and not w.wait(("dense", "conv"), 0.1)
    c.finish()
    assert w.wait(("dense", "conv"), 5)
    until(lambda: len(engine_stub) == 2)
    assert sorted(engine_stub) == [(("conv", "dense"), True), (("dense", "type:dense"), False)]
    # nobody waits: the other programs compile in the background, at the background's rank, not loaded
    until(lambda: program_key("dense", "recurrent") in c.keys(rank_from=W.BACKGROUND))
    assert program_key("dense") in c.keys(rank_from=W.BACKGROUND)
    c.finish()
    until(lambda: c.closed)
    assert len(engine_stub) == 2 and len(FakeCompiler.made) == 1


def test_a_failed_compile_is_not_ready_says_why_and_can_be_tried_again(engine_stub):
    w = Warmup(background=False)
    assert not w.ready(("dense",))
    until(lambda: FakeCompiler.made and program_key("dense") in FakeCompiler.made[0].keys())
    c = FakeCompiler.made[0]
    c.finish([program_key("dense")], "failed", "LLVM ran out of memory")
    assert not w.wait(("dense",), timeout=5)
    assert "LLVM ran out of memory" in w.error(("dense",)) and not w.ready(("dense",))
    time.sleep(0.2)
    assert c.state[program_key("dense")] == "failed"     # not retried behind the page's back
    w.retry(("dense",))
    until(lambda: (FakeCompiler.made[-1].state.get(program_key("dense"))) == "pending")
    FakeCompiler.made[-1].finish()
    assert w.wait(("dense",), timeout=5) and w.error(("dense",)) is None


def test_a_warm_cache_loads_in_this_process_without_a_compiler(engine_stub, monkeypatch):
    monkeypatch.setattr(W, "in_disk_cache", lambda stage: True)
    w = Warmup()
    w.prepare()
    assert w.wait(("dense", "recurrent"), timeout=5)
    until(lambda: w._thread is None)
    assert sorted(engine_stub) == [(("dense", "recurrent"), True), (("dense", "type:dense"), False)]
    assert not FakeCompiler.made


def test_without_workers_this_process_compiles(engine_stub):
    w = Warmup(background=False)
    assert not w.ready(("dense",))
    until(lambda: FakeCompiler.made)
    FakeCompiler.made[0].unavailable = "a compiling process could not start: no fork"
    assert w.wait(("dense",), timeout=5)
    assert engine_stub == [(("dense",), True)] and FakeCompiler.made[0].closed
    until(lambda: w._thread is None)                # and nothing more: the background never compiles here
    assert w.ready(("dense", "conv")) is False
    assert w.wait(("dense", "conv"), timeout=5) and len(FakeCompiler.made) == 1
    assert engine_stub == [(("dense",), True), (("conv", "dense"), True)]


def test_the_page_shows_its_controls_before_the_engine_is_ready(engine_stub, monkeypatch):
    monkeypatch.setattr("ui.warmup.WARM_WAIT", 0.1)
    warmup.clear()                                  # a fresh process: nothing compiled yet
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page("app_pages/mlp.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.button(key="mlp_play").disabled                    # Play waits for the engine ...
        assert at.slider(key="mlp_w_noise").value == 0              # ... the controls do not
        assert at.selectbox(key="mlp_w_activation").value == "tanh"
        assert any("Preparing the engine" in p.proto.text for p in at.get("progress"))
        FakeCompiler.made[0].finish()
        assert warmup().wait(engine.needs(at.session_state["mlp_run"].settings.spec()), 5)
        at.run()
        assert not at.button(key="mlp_play").disabled
        at.button(key="mlp_play").click().run()
        assert at.session_state["mlp_run"].playing
    finally:
        warmup.clear()


def test_a_failed_compile_is_told_on_the_page_with_a_way_to_try_again(engine_stub, monkeypatch):
    """The page says why the engine could not be prepared (it was marked ready and its error never
    shown, issue 15), keeps Play off, and Try again compiles again."""
    monkeypatch.setattr("ui.warmup.WARM_WAIT", 0.1)
    warmup.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page("app_pages/mlp.py")
        at.run()
        key = engine.needs(at.session_state["mlp_run"].settings.spec())   # what the page waits for
        assert "dense" in key and "type:dense" in key
        FakeCompiler.made[0].finish(state="failed", why="LLVM ran out of memory")
        until(lambda: warmup().error(key) is not None)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("LLVM ran out of memory" in e.value for e in at.error), [e.value for e in at.error]
        assert at.button(key="mlp_play").disabled
        again = next(b for b in at.button if b.label == "Try again")
        again.click().run()
        assert warmup().error(key) is None                  # wanted again: compiling
        FakeCompiler.made[0].finish()
        assert warmup().wait(key, 5)
        at.run()
        assert not at.button(key="mlp_play").disabled and not any("LLVM" in e.value for e in at.error)
    finally:
        warmup.clear()
