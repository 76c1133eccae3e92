"""Lesson files: every one validates, and a bad one is a clear error naming its file and field."""
from pathlib import Path

import pytest

from ui.lessons.metrics import METRICS
from ui.lessons.model import FOLDER, LessonError, load_course, load_lesson, parse_lesson
from ui.lessons.pages import PAGES

GOOD = """
title = "A test lesson"
concept = "Testing"
page = "mlp"
minutes = 3
goal = "Learn the circle."
tasks = ["Press Play."]
preset = { dataset = "circle", lr = 0.1 }

[[questions]]
text = "Will it learn?"
choices = ["Yes", "No"]
answer = 1
why = "It is easy."

[[checks]]
text = "Test accuracy at least 90 %"
metric = "test_acc"
op = ">="
value = 0.9

[[solution]]
steps = 500
"""


def write(tmp_path, text, name="a-lesson"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, "utf-8")
    return path


def test_every_lesson_file_validates():
    course = load_course()
    assert not course.errors, [str(e) for e in course.errors]
    assert len(course.lessons) >= 16
    assert {lesson.page for lesson in course.lessons} == set(PAGES)
    assert len(course.lessons) == len(list(FOLDER.glob("*.toml")))


def test_the_course_groups_lessons_by_concept_in_order():
    course = load_course()
    orders = [lesson.order for lesson in course.lessons]
    assert orders == sorted(orders)
    concepts = course.concepts()
    assert [lesson for _, group in concepts for lesson in group] == list(course.lessons)
    first = course.lessons[0]
    assert course.after(first) is course.lessons[1] and course.after(course.lessons[-1]) is None


def test_every_metric_of_the_registry_is_documented():
    assert all(m.help for m in METRICS.values())
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    missing = [name for name in METRICS if f"`{name}`" not in readme]
    assert not missing, f"metrics missing from the README's 'Writing a lesson': {missing}"


def test_a_good_file_loads(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    assert lesson.id == "a-lesson" and lesson.settings.lr == 0.1 and lesson.settings.dataset == "circle"
    assert lesson.questions[0].answer == 0 and lesson.checks[0].id == "checks-1"
    assert lesson.solution[0].steps == 500


@pytest.mark.parametrize("change, where, words", [
    ('page = "mlp"', "page", "not a page"),
    ("minutes = 3", "minutes", "whole number"),
    ('preset = { dataset = "circle", lr = 0.1 }', "preset.speling", "not a setting"),
    ('lr = 0.1 }', "preset", "not on the scale"),
    ('metric = "test_acc"', "checks[1].metric", "not a metric"),
    ('op = ">="', "checks[1].op", "not a comparison"),
    ('value = 0.9', "checks[1].value", "missing"),
    ("answer = 1", "questions[1].answer", "whole number from 1 to 2"),
    ('title = "A test lesson"', "title", "missing"),
    ("steps = 500", "solution[1].steps", "whole number"),
])
def test_a_bad_field_is_named(tmp_path, change, where, words):
    broken = {
        'page = "mlp"': 'page = "gan"',
        "minutes = 3": "minutes = 300",
        'preset = { dataset = "circle", lr = 0.1 }': 'preset = { dataset = "circle", speling = 1 }',
        'lr = 0.1 }': 'lr = 0.2 }',
        'metric = "test_acc"': 'metric = "tset_acc"',
        'op = ">="': 'op = "=>"',
        'value = 0.9': '',
        "answer = 1": "answer = 3",
        'title = "A test lesson"': '',
        "steps = 500": "steps = -1",
    }[change]
    path = write(tmp_path, GOOD.replace(change, broken, 1))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert err.value.where == where and words in err.value.message, str(err.value)
    assert str(err.value).startswith(str(path))


@pytest.mark.parametrize("check, where, words", [
    ('metric = "test_loss"\nop = "rising"\nvalue = 1', "checks[1].value", "no value"),
    ('metric = "test_loss"\nop = "rising"', "checks[1].epochs", "needs epochs"),
    ('metric = "step"\nop = "<"\nvalue = 1\nepochs = 5', "checks[1].epochs", "no history"),
    ('metric = "line_detector"\nop = ">"\nvalue = 1', "checks[1].metric", "for the cnn page"),
    ('metric = "test_acc"\nop = ">"\nvalue = 1\nrun = "LSTM"', "checks[1].run", "trains one"),
    ('metric = "setting"\nop = ">"\nvalue = 1', "checks[1].field", "missing"),
    ('metric = "setting"\nfield = "dataset"\nop = ">"\nvalue = 1', "checks[1].field", "not a numeric setting"),
    ('metric = "test_acc"\nop = ">"\nvalue = 1\nsettings = { dataset = "moon" }', "checks[1].settings.dataset",
     "not one of"),
    ('metric = "test_acc"\nop = ">"\nvalue = 1\nalso = [{ metric = "epoch", op = ">", value = "ten" }]',
     "checks[1].also[1].value", "must be a number"),
    ('metric = "test_acc"\nop = ">"\nvalue = 1\ncolour = 3', "checks[1].colour", "unknown key"),
])
def test_a_bad_check_is_named(tmp_path, check, where, words):
    text = GOOD.replace('metric = "test_acc"\nop = ">="\nvalue = 0.9', check)
    with pytest.raises(LessonError) as err:
        load_lesson(write(tmp_path, text))
    assert err.value.where == where and words in err.value.message, str(err.value)


def test_bad_toml_and_bad_names_are_errors_and_the_other_lessons_load(tmp_path):
    write(tmp_path, GOOD, "fine")
    write(tmp_path, GOOD.replace("[[checks]]", "[[checks"), "broken")
    write(tmp_path, GOOD, "Bad_Name")
    course = load_course(tmp_path)
    assert [lesson.id for lesson in course.lessons] == ["fine"]
    messages = sorted(str(e) for e in course.errors)
    assert len(messages) == 2
    assert "Bad_Name.toml" in messages[0] and "not a lesson id" in messages[0]
    assert "broken.toml" in messages[1] and "not valid TOML" in messages[1]
    assert course.error_for("broken") is not None


def test_a_preset_the_page_would_change_is_an_error(tmp_path):
    text = GOOD.replace('preset = { dataset = "circle", lr = 0.1 }', 'preset = { problem = "regression", loss = "cross_entropy" }')
    with pytest.raises(LessonError) as err:
        load_lesson(write(tmp_path, text))
    assert err.value.where == "preset" and "would change it" in err.value.message


def test_stage_actions_belong_to_their_page(tmp_path):
    with pytest.raises(LessonError) as err:
        load_lesson(write(tmp_path, GOOD.replace("steps = 500", "steps = 500\ncell = [0, 0, 1, 1]")))
    assert err.value.where == "solution[1].cell" and "cnn" in err.value.message


def test_nothing_in_a_file_is_evaluated(tmp_path):
    evil = GOOD.replace('value = 0.9', 'value = "__import__(\'os\').system(\'true\')"')
    with pytest.raises(LessonError, match="must be a number"):
        load_lesson(write(tmp_path, evil))
    with pytest.raises(LessonError):
        parse_lesson({"title": "x"}, "../etc")
