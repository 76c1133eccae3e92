"""The RNN page with the user's own text and series, through Streamlit's AppTest: the forms, the link
("own", never the data), and every bad input a message that changes nothing."""
import pytest

from tests.ui.rnn.test_page import open_page, run_of, warm_engine  # noqa: F401 (the fixture warms the engine)

TEXT = "It was the best of times, it was the worst of times, it was the age of wisdom. " * 12


def captions(at):
    """The captions' words (user text in them is escaped: ui.text.plain)."""
    return " ".join(c.value for c in at.caption).replace("\\", "").replace("\u2060", "")


def test_a_link_to_an_own_text_opens_the_form_and_trains_on_the_zen_meanwhile():
    at = open_page({"task": "text", "text": "own", "units": "8"})
    assert run_of(at).settings.text == "zen"
    assert any("paste or upload it under Text first" in w.value for w in at.warning)
    assert any(e.label == "Your own text" for e in at.expander)
    assert at.query_params.get("text") in (None, "zen")


def test_a_pasted_text_becomes_the_task_and_the_link_says_own():
    at = open_page({"task": "text", "units": "8"})
    at.text_area(key="rnn_own_paste").set_value("Too short.").run()
    at.button(key="rnn_own_use").click().run()
    assert any("at least 200" in e.value for e in at.error) and run_of(at).settings.text == "kjv"
    at.text_area(key="rnn_own_paste").set_value(TEXT).run()
    at.button(key="rnn_own_use").click().run()
    run = run_of(at)
    assert run.settings.text == "own" and at.query_params["text"] == "own" and not at.error
    assert TEXT not in str(dict(at.query_params))                            # the link carries no text
    assert run.trainer.net.spec["input_shape"] == [64, len(set(TEXT))]
    assert f"In use: pasted text, {len(TEXT)} characters, {len(set(TEXT))} different" in captions(at)
    assert "**Input:** 64 characters of your text" in captions(at)
    at.button(key="rnn_step").click().run()
    assert run_of(at).snap.step > 0


def test_the_series_task_starts_on_the_example_and_forecasts_the_column_picked():
    at = open_page({"task": "series", "units": "4"})
    run = run_of(at)
    assert run.data.series.column == "temperature" and "Example series (made up)" in captions(at)
    at.selectbox(key="rnn_own_column").select(2).run()
    assert run_of(at).data.series.column == "heating" and at.query_params["col"] == "2"
    assert any(b.label == "The example as CSV" for b in at.get("download_button"))


def test_a_link_to_a_column_the_series_lacks_forecasts_the_first_and_says_so():
    at = open_page({"task": "series", "col": "9"})
    assert run_of(at).settings.column == 1
    assert any("not 9" in w.value for w in at.warning)
