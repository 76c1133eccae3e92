"""Smoke test of bench/load.py: three browserless sessions against a real `streamlit run app.py`.

Runs in the normal suite (``-m "not load"`` leaves it out). With a warm Numba cache it takes
about 20 s. On a fresh machine the engine compiles when the page is first opened and played,
which can take minutes: bench/load.py's unmeasured warm-up session and each measured session
may wait up to 300 s (``--load-timeout``) for the Epoch metric to appear and move, and the
whole subprocess is bounded at 900 s so a hung server cannot hang the suite.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.load


def test_three_sessions_play_and_health_answers(tmp_path):
    out = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--sessions", "3", "--seconds", "5",
         "--after", "0", "--idle", "1", "--load-timeout", "300", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rep = json.loads(out.read_text())
    assert len(rep["sessions"]) == 3
    for s in rep["sessions"]:
        assert s["error"] is None, s
        assert s["updates"] >= 3, s                     # Epoch changed at least a few times
        assert s["epochs_per_s"] > 0, s                 # ... and went up
    detail = rep["raw"]["session_detail"]
    assert all(d["widgets_echoed"] > 0 for d in detail), detail
    health = rep["health"]["load"]
    assert health["polls"] > health["failures"] >= 0, health
    assert health["p50_ms"] is not None, health
    assert rep["server"]["load"]["cpu_mean"] > 0, rep["server"]
