"""The engine compiles in the background: the page and its controls come first, Play when ready."""
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

import engine
from ui.warmup import Warmup, warmup

APP = str(Path(__file__).resolve().parents[3] / "app.py")


def slow_warm_up(gate):
    def warm_up(families=(), progress=None):
        progress(0.5, f"Compiling {families[0]}")
        gate.wait(20)
        progress(1.0, "Engine ready")
    return warm_up


def test_warmup_reports_progress_and_becomes_ready(monkeypatch):
    gate = threading.Event()
    monkeypatch.setattr(engine, "warm_up", slow_warm_up(gate))
    w = Warmup()
    assert not w.ready(("dense",))
    time.sleep(0.2)
    assert w.fraction == 0.5 and "dense" in w.message and not w.ready(("dense",))
    gate.set()
    assert w.wait(("dense",), timeout=5)


def test_a_failed_compile_is_not_ready_says_why_and_can_be_tried_again(monkeypatch):
    calls = []

    def failing(families=(), progress=None):
        calls.append(families)
        if len(calls) == 1:
            raise RuntimeError("LLVM ran out of memory")
    monkeypatch.setattr(engine, "warm_up", failing)
    w = Warmup()
    assert not w.wait(("conv", "dense"), timeout=5)
    assert "LLVM ran out of memory" in w.error(("dense", "conv")) and not w.ready(("conv", "dense"))
    time.sleep(0.2)
    assert len(calls) == 1                            # not retried behind the page's back
    w.retry(("conv", "dense"))
    assert w.wait(("conv", "dense"), timeout=5) and w.error(("conv", "dense")) is None and len(calls) == 2


def test_the_page_shows_its_controls_before_the_engine_is_ready(monkeypatch):
    gate = threading.Event()
    monkeypatch.setattr(engine, "warm_up", slow_warm_up(gate))
    monkeypatch.setattr("ui.warmup.WARM_WAIT", 0.1)
    warmup.clear()                                  # a fresh process: nothing compiled yet
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/mlp.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="mlp_play").disabled                    # Play waits for the engine ...
    assert at.slider(key="mlp_w_noise").value == 0              # ... the controls do not
    assert at.selectbox(key="mlp_w_activation").value == "tanh"
    assert any("Preparing the engine" in p.proto.text for p in at.get("progress"))
    gate.set()
    time.sleep(0.3)
    at.run()
    assert not at.button(key="mlp_play").disabled
    at.button(key="mlp_play").click().run()
    assert at.session_state["mlp_run"].playing
    warmup.clear()
