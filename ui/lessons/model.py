"""Lesson files: read (TOML, the standard library's tomllib), validated against the schema, and the course.

One file a lesson, ``lessons/<id>.toml``; its id is the file's name. A file that
does not fit the schema raises ``LessonError`` naming the file and the field,
and ``load_course`` keeps the other lessons working. The schema, key by key:

    title, concept, page, minutes, goal      required; page is a key of ui.lessons.pages.PAGES
    order                                    the lesson's place in the course (smaller first)
    tasks = ["...", ...]                     numbered steps for the learner
    preset = { field = value, ... }          the page's settings the lesson opens with (its
                                             settings class's field names and bounds)
    [[questions]] text, choices, answer, why the "predict first" questions; answer counts from 1
    [[checks]] id, text, metric, op, value,  what the live run must show; also = [ {metric, op,
      epochs, run, settings, also, change    value, ...}, ... ] adds conditions that must hold
                                             together; settings = { field = value or [values] }
                                             counts the check only with those settings; change =
                                             true: it needs a change from the preset
    [[solution]] settings, reset, steps,     how the checks are met: settings changed as a learner
      edits, cell, confusion                 would (reset = true: then Reset), weights typed in,
                                             cells clicked, then steps of training (the tests play it)

A condition's keys besides metric, op, value, epochs and run are the metric's own
parameters (ui/lessons/metrics.py). Nothing here imports Streamlit; nothing is
evaluated as code.
"""
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..url import bounded, normalisation_notices
from .metrics import METRICS
from .pages import PAGES

FOLDER = Path(__file__).resolve().parents[2] / "lessons"
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
THRESHOLDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "=", "!=": "not"}
TRENDS = {"rising": "rising", "falling": "falling"}
OPS = {**THRESHOLDS, **TRENDS}
MAX_STEPS = 1_000_000
LESSON_KEYS = {"title", "concept", "page", "minutes", "order", "goal", "tasks", "preset", "questions", "checks",
               "solution"}
CONDITION_KEYS = {"metric", "op", "value", "epochs", "run"}
CHECK_KEYS = CONDITION_KEYS | {"id", "text", "settings", "also", "change"}
STAGE_KEYS = {"settings", "reset", "steps", "edits", "cell", "confusion"}
STAGE_ACTIONS = {"cell": ("cnn", 4), "confusion": ("cnn", 2)}       # action -> (page, numbers it takes)


class LessonError(ValueError):
    """A lesson file that does not fit the schema: which file, which field, what is wrong."""

    def __init__(self, file, where, message):
        self.file, self.where, self.message = str(file), where, message
        super().__init__(f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}")


@dataclass(frozen=True)
class Condition:
    metric: str
    op: str
    value: float = None
    epochs: int = 0           # threshold: held for the last N epochs; trend: over the last N epochs
    run: str = ""             # compare mode: the title of the run it reads ("" the page's own)
    params: tuple = ()        # the metric's own parameters: ((name, value), ...)


@dataclass(frozen=True)
class Check:
    id: str
    text: str
    conditions: tuple         # every Condition must hold at once
    settings: tuple = ()      # ((field, allowed values), ...): counted only with these settings
    change: bool = False      # met only after a change from the preset (the tests check it is not met there)


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple
    answer: int               # index into choices, from 0
    why: str


@dataclass(frozen=True)
class Stage:
    settings: tuple = ()      # ((field, value), ...) changed as a learner would
    reset: bool = False       # then Reset: fresh weights from the seed
    steps: int = 0
    edits: tuple = ()         # ((param, index tuple, value), ...): weights typed in by hand
    cell: tuple = None        # (layer, channel, row, column) clicked on a feature map
    confusion: tuple = None   # (true, predicted) cell of the confusion matrix clicked


@dataclass(frozen=True, eq=False)
class Lesson:
    id: str
    file: str
    title: str
    concept: str
    page: str
    minutes: int
    order: int
    goal: str
    tasks: tuple
    preset: dict = field(repr=False)          # field -> value, as written (the link's base)
    settings: object = field(repr=False)      # the page's settings the lesson opens with
    questions: tuple = ()
    checks: tuple = ()
    solution: tuple = ()

    @property
    def page_info(self):
        return PAGES[self.page]

    @property
    def fields(self):
        return self.settings.FIELDS


@dataclass(frozen=True, eq=False)
class Course:
    lessons: tuple            # in course order
    errors: tuple             # LessonError of every file that did not load

    def get(self, lesson_id):
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def concepts(self):
        """(concept, [lessons]) in course order: a concept where its first lesson is."""
        groups = {}
        for lesson in self.lessons:
            groups.setdefault(lesson.concept, []).append(lesson)
        return list(groups.items())

    def after(self, lesson):
        """The lesson after ``lesson`` in the course, or None."""
        ids = [item.id for item in self.lessons]
        k = ids.index(lesson.id) if lesson.id in ids else len(ids)
        return self.lessons[k + 1] if k + 1 < len(ids) else None

    def error_for(self, lesson_id):
        return next((e for e in self.errors if Path(e.file).stem == lesson_id), None)


# -- loading --------------------------------------------------------------------------------------------
def load_course(folder=FOLDER):
    """Every lesson of ``folder`` (cached while no file changes)."""
    folder = Path(folder)
    files = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.toml")))
    return _course(str(folder), files)


@lru_cache(maxsize=4)
def _course(folder, files):
    lessons, errors = [], []
    for name, _, _ in files:
        try:
            lessons.append(load_lesson(Path(folder) / name))
        except LessonError as err:
            errors.append(err)
        except OSError as err:
            errors.append(LessonError(name, "", f"cannot be read ({err.strerror})"))
    lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    return Course(tuple(lessons), tuple(errors))


def load_lesson(path):
    """The lesson in the TOML file ``path``, validated; LessonError names the file and field."""
    path = Path(path)
    name = f"lessons/{path.name}" if path.parent.name == "lessons" else str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise LessonError(name, "", f"not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise LessonError(name, "", "not UTF-8 text") from None
    return parse_lesson(data, path.stem, name)


def parse_lesson(data, lesson_id, file="lesson"):
    """A Lesson from the table ``data`` (a parsed file)."""
    r = _Reader(file)
    if not ID.match(lesson_id):
        raise LessonError(file, "", f"the file name {lesson_id!r} is not a lesson id: lower-case letters, digits "
                                    "and '-', at most 48")
    r.keys(data, "", LESSON_KEYS, {"title", "concept", "page", "minutes", "goal", "tasks", "checks", "solution"})
    page = r.text(data, "page", "page", 20)
    if page not in PAGES:
        raise LessonError(file, "page", f"{page!r} is not a page lessons can open (one of: {', '.join(PAGES)})")
    settings_class = PAGES[page].settings_class
    preset = r.table(data.get("preset", {}), "preset")
    settings = _preset(r, settings_class, preset)
    questions = tuple(_question(r, q, f"questions[{i + 1}]")
                      for i, q in enumerate(r.array(data.get("questions", []), "questions", 0, 5)))
    checks = tuple(_check(r, c, f"checks[{i + 1}]", PAGES[page], settings)
                   for i, c in enumerate(r.array(data["checks"], "checks", 1, 8)))
    ids = [c.id for c in checks]
    for i, check_id in enumerate(ids):
        if ids.index(check_id) != i:
            raise LessonError(file, f"checks[{i + 1}].id", f"{check_id!r} is used twice")
    stages = data["solution"] if isinstance(data["solution"], list) else [data["solution"]]
    solution = tuple(_stage(r, st, f"solution[{i + 1}]", PAGES[page], settings)
                     for i, st in enumerate(r.array(stages, "solution", 1, 8)))
    tasks = tuple(r.text({"t": t}, "t", f"tasks[{i + 1}]", 600) for i, t in enumerate(r.array(data["tasks"], "tasks", 1, 12)))
    return Lesson(id=lesson_id, file=file, title=r.text(data, "title", "title", 80),
                  concept=r.text(data, "concept", "concept", 60), page=page,
                  minutes=r.integer(data, "minutes", "minutes", 1, 60), order=r.integer(data, "order", "order", 0, 10**6, 1000),
                  goal=r.text(data, "goal", "goal", 1500), tasks=tasks, preset=dict(preset), settings=settings,
                  questions=questions, checks=checks, solution=solution)


class _Reader:
    """Typed reads of a parsed file that raise LessonError naming the file and the field."""

    def __init__(self, file):
        self.file = file

    def fail(self, where, message):
        raise LessonError(self.file, where, message)

    def keys(self, table, where, allowed, required=(), extra=()):
        prefix = f"{where}." if where else ""
        if not isinstance(table, dict):
            self.fail(where, "must be a table ({ key = value, ... })")
        for key in table:
            if key not in allowed and key not in extra:
                self.fail(f"{prefix}{key}", f"unknown key (known: {', '.join(sorted(set(allowed) | set(extra)))})")
        for key in sorted(required):
            if key not in table:
                self.fail(f"{prefix}{key}", "missing")

    def table(self, value, where):
        if not isinstance(value, dict):
            self.fail(where, "must be a table ({ key = value, ... })")
        return value

    def array(self, value, where, lo, hi):
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        if not lo <= len(value) <= hi:
            self.fail(where, f"needs {lo} to {hi} entries, has {len(value)}")
        return value

    def text(self, table, key, where, max_length, default=None):
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "must be a non-empty text")
        if len(value) > max_length:
            self.fail(where, f"is longer than {max_length} characters")
        return value.strip()

    def integer(self, table, key, where, lo, hi, default=None):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(where, f"must be a whole number from {lo} to {hi}, not {value!r}")
        return value

    def number(self, value, where):
        if isinstance(value, bool):
            return float(value)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(where, f"must be a number, not {value!r}")
        return float(value)


def _values(values):
    """TOML lists become the tuples the settings hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def _known_fields(r, settings_class, values, where):
    for name in values:
        if name not in settings_class.FIELDS:
            r.fail(f"{where}.{name}", f"not a setting of this page (one of: {', '.join(settings_class.FIELDS)})")


def _bounded(r, settings, where):
    """``settings`` if every value is inside its field's bounds, else LessonError with the first problem."""
    try:
        checked, notices = bounded(settings)
    except TypeError as err:
        r.fail(where, f"a value of the wrong kind ({err})")
    if notices:
        r.fail(where, notices[0])
    return checked


def _preset(r, settings_class, preset):
    _known_fields(r, settings_class, preset, "preset")
    try:
        settings = settings_class.from_values(_values(preset))
    except (TypeError, ValueError) as err:
        r.fail("preset", f"does not make the page's settings ({err})")
    settings = _bounded(r, settings, "preset")
    normalised = settings.normalise()
    notes = normalisation_notices(settings, normalised)
    if notes:
        r.fail("preset", notes[0] + " (the page would change it)")
    return normalised


def _question(r, q, where):
    r.keys(q, where, {"text", "choices", "answer", "why"}, {"text", "choices", "answer", "why"})
    choices = tuple(r.text({"c": c}, "c", f"{where}.choices[{i + 1}]", 300)
                    for i, c in enumerate(r.array(q["choices"], f"{where}.choices", 2, 6)))
    answer = r.integer(q, "answer", f"{where}.answer", 1, len(choices))
    return Question(text=r.text(q, "text", f"{where}.text", 800), choices=choices, answer=answer - 1,
                    why=r.text(q, "why", f"{where}.why", 1500))


def _condition(r, c, where, page, settings):
    metric_name = c.get("metric")
    metric = METRICS.get(metric_name) if isinstance(metric_name, str) else None
    if metric is None:
        r.fail(f"{where}.metric", f"{metric_name!r} is not a metric (one of: {', '.join(METRICS)})")
    if metric.pages and page.name not in metric.pages:
        r.fail(f"{where}.metric", f"{metric_name!r} is for the {', '.join(metric.pages)} page, not {page.name}")
    r.keys(c, where, CONDITION_KEYS, {"metric", "op"}, extra=metric.params)
    params = {}
    for name, check in metric.params.items():
        if name in c:
            try:
                params[name] = check(c[name], type(settings))
            except ValueError as err:
                r.fail(f"{where}.{name}", str(err))
    for name in metric.required:
        if name not in params:
            r.fail(f"{where}.{name}", f"missing: the metric {metric_name!r} needs it")
    op = c["op"]
    if op not in OPS:
        r.fail(f"{where}.op", f"{op!r} is not a comparison (one of: {', '.join(OPS)})")
    epochs = r.integer(c, "epochs", f"{where}.epochs", 0, 100_000, 0)
    value = None
    if op in TRENDS:
        if "value" in c:
            r.fail(f"{where}.value", f"'{op}' compares the metric with itself {epochs} epochs ago: no value")
        if epochs < 1:
            r.fail(f"{where}.epochs", f"'{op}' needs epochs = N (over how many epochs)")
    else:
        if "value" not in c:
            r.fail(f"{where}.value", "missing")
        value = r.number(c["value"], f"{where}.value")
    if (op in TRENDS or epochs) and metric.series is None:
        r.fail(f"{where}.epochs", f"the metric {metric_name!r} has no history per epoch")
    run = c.get("run", "")
    if not isinstance(run, str):
        r.fail(f"{where}.run", "must be a text")
    if run:
        titles = {t.lower(): t for t in page.runs}
        if run.lower() not in titles:
            r.fail(f"{where}.run", f"{run!r} is not a run of the {page.name} page" +
                   (f" (one of: {', '.join(page.runs)})" if page.runs else ": it trains one"))
        run = titles[run.lower()]
    return Condition(metric_name, op, value, epochs, run, tuple(sorted(params.items())))


def _check(r, c, where, page, settings):
    r.keys(c, where, CHECK_KEYS, {"text", "metric", "op"}, extra=set().union(*(m.params for m in METRICS.values())))
    check_id = c.get("id", where.replace("[", "-").replace("]", ""))
    if not isinstance(check_id, str) or not ID.match(check_id):
        r.fail(f"{where}.id", f"{check_id!r} is not an id: lower-case letters, digits and '-'")
    main = {k: v for k, v in c.items() if k not in ("id", "text", "settings", "also", "change")}
    conditions = [_condition(r, main, where, page, settings)]
    for i, extra in enumerate(r.array(c.get("also", []), f"{where}.also", 0, 6)):
        r.table(extra, f"{where}.also[{i + 1}]")
        conditions.append(_condition(r, extra, f"{where}.also[{i + 1}]", page, settings))
    within = []
    for name, allowed in r.table(c.get("settings", {}), f"{where}.settings").items():
        _known_fields(r, type(settings), {name: None}, f"{where}.settings")
        f = settings.FIELDS[name]
        scalar = f.kind not in ("multi", "ints", "floats", "choices")
        options = allowed if scalar and isinstance(allowed, list) else [allowed]
        values = []
        for value in options:
            value = tuple(value) if isinstance(value, list) else value
            _bounded(r, replace(settings, **{name: value}), f"{where}.settings.{name}")
            values.append(value)
        within.append((name, tuple(values)))
    change = c.get("change", False)
    if not isinstance(change, bool):
        r.fail(f"{where}.change", "must be true or false")
    return Check(id=check_id, text=r.text(c, "text", f"{where}.text", 300), conditions=tuple(conditions),
                 settings=tuple(within), change=change)


def _stage(r, st, where, page, settings):
    r.keys(r.table(st, where), where, STAGE_KEYS)
    changes = _values(r.table(st.get("settings", {}), f"{where}.settings"))
    _known_fields(r, type(settings), changes, f"{where}.settings")
    _bounded(r, replace(settings, **changes), f"{where}.settings")
    edits = []
    for i, e in enumerate(r.array(st.get("edits", []), f"{where}.edits", 0, 64)):
        at = f"{where}.edits[{i + 1}]"
        r.keys(e, at, {"param", "index", "value"}, {"param", "index", "value"})
        index = r.array(e["index"], f"{at}.index", 1, 4)
        if not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in index):
            r.fail(f"{at}.index", "must be whole numbers from 0")
        edits.append((r.text(e, "param", f"{at}.param", 20), tuple(index), r.number(e["value"], f"{at}.value")))
    actions = {}
    for name, (page_name, count) in STAGE_ACTIONS.items():
        if name in st:
            if page.name != page_name:
                r.fail(f"{where}.{name}", f"only the {page_name} page has it")
            numbers = r.array(st[name], f"{where}.{name}", count, count)
            if not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in numbers):
                r.fail(f"{where}.{name}", "must be whole numbers from 0")
            actions[name] = tuple(numbers)
    reset = st.get("reset", False)
    if not isinstance(reset, bool):
        r.fail(f"{where}.reset", "must be true or false")
    return Stage(settings=tuple(changes.items()), reset=reset, steps=r.integer(st, "steps", f"{where}.steps", 0, MAX_STEPS, 0),
                 edits=tuple(edits), **actions)
