"""A training slice that raised stops Play (tests/ui/core/test_live.py) and the page says why in
words a learner can act on, until Play is pressed again (issue 15: the reason was only in the log)."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

import engine

APP = str(Path(__file__).resolve().parents[3] / "app.py")


def test_a_failed_slice_is_told_on_the_page_until_play_again():
    engine.warm_up(families=("dense",))
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/mlp.py")
    at.run()
    run = at.session_state["mlp_run"]
    run.failure = "Training stopped: FloatingPointError: weights overflowed"     # as the scheduler sets it
    at.run()
    said = [e.value for e in at.error]
    assert any("weights overflowed" in s and "Press Reset" in s for s in said), said
    at.button(key="mlp_play").click().run()
    at.button(key="mlp_play").click().run()          # Pause
    assert not at.exception and not any("weights overflowed" in e.value for e in at.error)
