"""Every model page steps through its run's history while paused: Back, Forward, a slider over the
kept epochs and Latest (issue 16: a teacher had to click chart points inside a collapsed section)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import engine

from tests.hosted.pages import model_pages

APP = str(Path(__file__).resolve().parents[3] / "app.py")
QUICK = {"mlp": {}, "cnn": {"data": "bars"}, "rnn": {"task": "parity", "units": "4"}, "autoencoder": {"data": "bars"}}
PAGES = model_pages()


def test_every_page_has_a_quick_setup():
    assert {p.path for p in PAGES} <= set(QUICK)


def shown(at, page):
    run = at.session_state[f"{page}_run"]
    return [r.shown.epoch for r in run.runs], [r.snap.epoch for r in run.runs]


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_back_forward_the_slider_and_latest_walk_the_epochs(page):
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params.update(QUICK.get(page, {}))
    at.run()
    engine.warm_up(families=engine.families(at.session_state[f"{page}_run"].settings.spec()))
    at.run()                                   # the engine ready: Step enabled
    for _ in range(3):
        at.button(key=f"{page}_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    back, forward, latest = (at.button(key=f"{page}_{k}") for k in ("rewind_back", "rewind_forward", "latest"))
    assert at.select_slider(key=f"{page}_rewind").options == ["0", "1", "2", "3 (latest)"]
    assert forward.disabled and latest.disabled and not back.disabled
    back.click().run()
    assert shown(at, page)[0] == [2] * len(shown(at, page)[0]) and shown(at, page)[1][0] == 3
    at.button(key=f"{page}_rewind_back").click().run()
    assert shown(at, page)[0][0] == 1 and at.select_slider(key=f"{page}_rewind").value == 1
    at.button(key=f"{page}_rewind_forward").click().run()
    assert shown(at, page)[0][0] == 2
    at.select_slider(key=f"{page}_rewind").set_value(0).run()
    assert shown(at, page)[0][0] == 0 and at.button(key=f"{page}_rewind_back").disabled
    assert any("Showing epoch 0 of 3" in i.value for i in at.info)
    at.button(key=f"{page}_latest").click().run()
    assert shown(at, page) == ([3] * len(shown(at, page)[0]),) * 2
    assert not any("Showing epoch" in i.value for i in at.info) and not at.exception
