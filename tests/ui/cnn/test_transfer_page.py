"""The CNN page's Transfer comparison and own symbols through Streamlit's AppTest: links, the controls,
the base trained for a link, the words, and every bad input of the symbols a message."""
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import engine
from ui.cnn.settings import CnnSettings
from ui.widgets import STALE_ECHO_SECONDS

TIMEOUT = 180
APP = str(Path(__file__).resolve().parents[3] / "app.py")
SMALL = {"filters": "2,4", "kernels": "3,3"}        # a small base: trained for the link in well under a second


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    engine.warm_up(families=engine.families(CnnSettings().spec()))


def open_page(query=None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/cnn.py")
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_of(at):
    return at.session_state["cnn_run"]


def texts(at):
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_a_link_to_a_comparison_trains_its_base_and_shows_both_networks():
    at = open_page({**SMALL, "tl": "digits59", "tn": "10"})
    run = run_of(at)
    assert run.built and not run.base.yours and [r.title for r in run.runs] == ["Reused", "From scratch"]
    assert len(run.x) == 50 and at.query_params["tl"] == "digits59" and at.query_params["tn"] == "10"
    words = texts(at)
    assert "Transfer: Digits 5-9 from 10 examples per class" in words and "Press Play" in words
    assert "a network trained just now for 400 steps on digits 0-4" in words
    assert [m.value for m in at.metric if m.label == "Step"] == ["0", "0"]          # a metrics row per network
    at.button(key="cnn_step").click().run()
    assert [m.value for m in at.metric if m.label == "Step"] == ["2", "2"]          # one epoch: 50 examples
    assert at.segmented_control(key="cnn_w_transfer").value == "digits59"
    assert not at.warning, [w.value for w in at.warning]


def test_the_hint_starts_a_comparison_from_the_network_trained_so_far():
    at = open_page({**SMALL, "data": "digits04"})
    at.button(key="cnn_step").click().run()
    at.button(key="cnn_transfer_start").click().run()
    run = run_of(at)
    assert run.settings.transfer == "digits59" and run.base.yours and run.base.steps > 0
    assert at.query_params["tl"] == "digits59"
    at.segmented_control(key="cnn_w_reuse").set_value("frozen").run()
    assert run_of(at).trainer.net.spec["layers"][0]["trainable"] is False
    time.sleep(STALE_ECHO_SECONDS)          # the widget showed "off" moments ago: sooner would count as an echo
    at.segmented_control(key="cnn_w_transfer").set_value("off").run()
    assert len(run_of(at).runs) == 1 and run_of(at).snap.step > 0                   # the first task as it was
    assert "tl" not in at.query_params
    assert not at.warning, [w.value for w in at.warning]             # the code export takes the arrays


def test_a_bad_transfer_link_is_a_notice_and_nothing_else():
    at = open_page({"tl": "cats", "tn": "3"})
    assert run_of(at).settings.transfer == "off"
    assert any("tl" in w.value for w in at.warning) and any("tn" in w.value for w in at.warning)


def symbols_state(at):
    return at.session_state["cnn_symbols"]


def test_own_symbols_train_and_bad_input_is_a_message():
    at = open_page()
    names = at.text_input(key="cnn_symbol_names")
    names.set_value("circle, <b>cross</b>").run()
    assert symbols_state(at)["set"].names == ["circle", "cross", "triangle"]
    assert any("plain text" in e.value for e in at.error)
    at.text_input(key="cnn_symbol_names").set_value("only one").run()
    assert any("at least 2 classes" in e.value for e in at.error)
    assert at.button(key="cnn_symbol_train").disabled                     # no drawings yet
    at.button(key="cnn_symbol_example").click().run()
    assert symbols_state(at)["set"].counts() == [5, 5, 5] and not at.button(key="cnn_symbol_train").disabled
    at.button(key="cnn_symbol_train").click().run()
    model = symbols_state(at)["model"]
    assert model is not None and sum(n for _, n in model.held_out.values()) == 3
    assert "held out: circle" in texts(at) and "fresh, untrained network" in texts(at)
    at.button(key="cnn_symbol_remove_1").click().run()
    at.button(key="cnn_symbol_remove_1").click().run()
    assert symbols_state(at)["set"].counts() == [5, 3, 5]
    at.text_input(key="cnn_symbol_names").set_value("ring, x").run()         # the third class and its drawings go
    assert symbols_state(at)["set"].counts() == [5, 3] and symbols_state(at)["model"] is None
    assert any("5 drawings of the classes taken out were removed" in i.value for i in at.info)


def test_presenter_mode_can_hide_the_own_symbols():
    assert any(h.value == "Your own symbols" for h in open_page().header)
    at = open_page({"present": "1", "hide": "symbols"})
    assert not any(h.value == "Your own symbols" for h in at.header)
    assert not [w for w in at.text_input if w.key == "cnn_symbol_names"]
