"""The lesson panel on its page through Streamlit's AppTest: the link opens the preset, the predictions,
the checks' evaluation, the link keeps ?lesson=, leaving and restarting, and the Lessons page."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import warm_up
from ui.lessons.model import load_course
from ui.lessons.panel import clean_progress, merge, status

TIMEOUT = 120
APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up(families=("dense",))


def open_lesson(query):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.switch_page("app_pages/mlp.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at):
    return " ".join(m.value for m in at.markdown) + " ".join(e.label for e in at.expander)


def test_a_lesson_link_opens_its_preset_and_panel():
    at = open_lesson({"lesson": "overfitting"})
    run = at.session_state["mlp_run"]
    assert (run.settings.dataset, run.settings.noise, run.settings.train_pct, run.settings.hidden) == \
        ("circle", 50, 10, (8, 8, 8))
    assert "Overfitting: the train/test gap" in text(at)
    assert at.radio(key="lesson_overfitting_q0") is not None
    assert not at.warning, [w.value for w in at.warning]        # ?lesson= is no unknown link parameter


def test_the_links_own_settings_go_on_top_of_the_preset_and_the_link_keeps_the_lesson():
    at = open_lesson({"lesson": "learning-rate", "lr": "0.03"})
    run = at.session_state["mlp_run"]
    assert run.settings.problem == "regression" and run.settings.lr == 0.03
    at.slider(key="mlp_w_noise").set_value(10).run()
    assert dict(at.query_params) == {"lesson": "learning-rate", "noise": "10", "lr": "0.03"}
                                                                # (the preset's values are the link's base)


def test_a_prediction_is_locked_in_and_explained_and_unlocks_the_checks():
    at = open_lesson({"lesson": "overfitting"})
    at.radio(key="lesson_overfitting_q0").set_value(1).run()
    at.button(key="lesson_overfitting_lock0").click().run()
    assert at.session_state["lessons_progress"]["overfitting"]["answers"] == {"0": 1}
    assert any("Right." in s.value for s in at.success)
    run = at.session_state["mlp_run"]
    run.advance(run.trainer.steps_per_epoch * 150)
    at.run()                                                      # a paused page draws one frame: checks evaluated
    assert set(at.session_state["lessons_progress"]["overfitting"]["ticks"]) == {"turns", "gap"}


def test_checks_do_not_tick_before_the_prediction():
    at = open_lesson({"lesson": "overfitting"})
    run = at.session_state["mlp_run"]
    run.advance(run.trainer.steps_per_epoch * 150)
    at.run()
    assert at.session_state["lessons_progress"]["overfitting"]["ticks"] == []


def test_leaving_keeps_the_page_and_writes_its_full_link():
    at = open_lesson({"lesson": "overfitting"})
    at.button(key="lesson_leave_mlp").click().run()
    assert "lesson" not in at.query_params and at.query_params["noise"] == "50"
    assert at.session_state["mlp_run"].settings.noise == 50
    assert not at.expander or "Overfitting" not in text(at)


def test_restart_starts_the_preset_again_and_forgets_the_answers():
    at = open_lesson({"lesson": "batch-size"})
    at.slider(key="mlp_w_batch").set_value(1).run()
    at.radio(key="lesson_batch-size_q0").set_value(0).run()
    at.button(key="lesson_batch-size_lock0").click().run()
    at.button(key="lesson_restart_mlp").click().run()
    assert at.session_state["mlp_run"].settings.batch == 10
    assert at.session_state["lessons_progress"].get("batch-size", {}).get("answers", {}) == {}
    assert at.session_state["lessons_reset"]["lesson"] == "batch-size"


def test_unknown_and_misplaced_lessons_say_so():
    at = open_lesson({"lesson": "no-such-lesson"})
    assert any("no lesson" in w.value for w in at.warning)
    at = open_lesson({"lesson": "memory-recall"})
    assert any("RNN playground" in w.value for w in at.warning)
    assert at.session_state["mlp_run"].settings.dataset == "circle"


def test_the_lessons_page_lists_the_course():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/lessons.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    course = load_course()
    labels = " ".join(s.value for s in at.header)
    assert all(concept in labels for concept, _ in course.concepts())
    links = [(link.proto.label, link.proto.query_string) for link in at.get("page_link")]
    assert links == [(f"{k}. {lesson.title}", f"lesson={lesson.id}") for k, lesson in enumerate(course.lessons, 1)]
    assert at.get("progress")[0].proto.text.startswith(f"{len(course.lessons)} lessons")    # before the browser's progress


def test_progress_from_the_browser_is_checked_before_it_is_used():
    course = load_course()
    raw = json.dumps({"lessons": {"overfitting": {"opened": 1, "answers": {"0": 1, "7": 0, "x": 1}, "ticks": ["gap", "evil"]},
                                  "nope": {"opened": 1}, "learning-rate": "junk"}})
    clean = clean_progress(raw, course)
    assert clean == {"overfitting": {"opened": 1, "answers": {"0": 1}, "ticks": ["gap"]}}
    assert clean_progress("not json", course) == {} and clean_progress("[1, 2]", course) == {}
    lesson = course.get("overfitting")
    assert status(lesson, clean["overfitting"]) == "in progress"
    merge(clean, {"overfitting": {"answers": {"0": 0}, "ticks": ["turns"]}})
    assert clean["overfitting"]["answers"] == {"0": 1}                  # the first answer stays
    assert status(lesson, clean["overfitting"]) == "done" and status(lesson, None) == "not started"


def test_a_failing_check_does_not_take_the_page_down(monkeypatch):
    from ui.lessons import panel
    sent = []
    monkeypatch.setattr(panel, "frame_channel", lambda name: sent.append)
    monkeypatch.setattr(panel, "evaluate", lambda *a: 1 / 0)
    lesson = load_course().get("overfitting")
    frame = panel.LessonPanel("mlp", lesson, load_course()).live()
    monkeypatch.setattr(panel.st, "session_state", {})
    frame(None, [])
    frame(None, [])
    assert len(sent) == 1 and "cannot be read" in sent[0]["error"]


class _Stopped(Exception):
    """Streamlit stopping a script run at a session-state access (a newer rerun is waiting)."""


class _StoppingState(dict):
    def __delitem__(self, name):
        raise _Stopped(name)


def test_a_lesson_opening_that_streamlit_stops_midway_leaves_the_page_its_run(monkeypatch):
    """Streamlit may stop a run at any session-state access; the next run's callbacks then read the
    page's run (a widget's change): the lesson's new run replaces the old one, never a moment without."""
    from types import SimpleNamespace

    from ui.lessons import panel
    state = _StoppingState(mlp_run=SimpleNamespace(playing=True), mlp_w_lr=0.03)
    monkeypatch.setattr(panel, "st", SimpleNamespace(session_state=state, query_params={"lesson": "overfitting"}))
    with pytest.raises(_Stopped):
        panel.LessonPanel.open("mlp")                   # stopped where it drops the widget values
    assert "mlp_run" in state and state["mlp_run"].playing is False
    assert state["mlp_replace_run"] is True             # page_run makes the lesson's run on the next run


def test_progress_nested_past_pythons_limit_is_no_progress():
    """The browser's progress text is browser input: JSON nested deeper than Python's recursion limit
    (within the component's 64,000 characters) raised RecursionError out of the component's callback."""
    course = load_course()
    assert clean_progress("[" * 30_000 + "]" * 30_000, course) == {}
    assert clean_progress('{"lessons": ' + "[" * 5000, course) == {}
