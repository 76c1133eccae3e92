"""A lesson beside its page: the page runner's hook, the lesson panel, its live checks, and the
learner's progress, which lives in the browser (localStorage), never on the server.

The page runner (ui/page.py) calls ``LessonPanel.open(page)`` before it takes the
page's run: a link's ``?lesson=<id>`` for this page starts the run afresh from the
lesson's preset (the link's own settings on top), and the page's link is then
written against that preset. ``draw`` lays the panel out under the header (goal,
numbered tasks, the "predict first" questions, the checks); ``live`` makes the
checks' frame channel inside the live fragment and returns the function the
fragment's frame calls, throttled like the slow metrics: it evaluates the checks
(ui/lessons/checks.py) and sends them when they changed.

Progress: the browser keeps it (``components/lesson_store.js``). When a session
starts, the component sends what the browser has; the session keeps a copy in
``st.session_state`` while the tab is open and sends back what it adds (answers,
ticks); the browser merges (an answer once given stays, a tick stays).
"""
import json
import logging
import secrets
from pathlib import Path
from types import SimpleNamespace

import streamlit as st

from ..canvas import Text, component, frame_channel
from ..state import key, say
from ..url import encode
from .checks import evaluate
from .model import load_course

log = logging.getLogger(__name__)
STORAGE_KEY = "nnp-lessons-v1"
PROGRESS, LOADED, RESET = "lessons_progress", "lessons_loaded", "lessons_reset"
MAX_PROGRESS = 64_000            # characters of stored progress the server reads at most
_store = component("lesson_store", Path(__file__).parent / "components", {"progress": Text(MAX_PROGRESS)})

PANEL_CSS = """
<style>
.st-key-lesson-panel [data-testid="stExpander"] details { border-color: rgba(33, 163, 102, 0.55); }
.st-key-lesson-panel [data-testid="stExpander"] summary p { font-weight: 600; }
</style>
"""
# Presenter mode: the lesson is what the class reads, so the panel's type is larger still.
PRESENTER_CSS = """
<style>
.st-key-lesson-panel [data-testid="stMarkdownContainer"] p, .st-key-lesson-panel li,
.st-key-lesson-panel label p { font-size: 1.2rem; }
.st-key-lesson-panel h3 { font-size: 1.9rem; }
</style>
"""


# -- progress: the session's copy of what the browser keeps ---------------------------------------------
def progress():
    """lesson id -> {"opened", "answers": {question index (text): choice}, "ticks": [check ids]}."""
    return st.session_state.setdefault(PROGRESS, {})


def lesson_progress(lesson_id):
    p = progress().setdefault(lesson_id, {})
    p.setdefault("answers", {})
    p.setdefault("ticks", [])
    return p


def answered(lesson, p):
    return all(str(i) in p.get("answers", {}) for i in range(len(lesson.questions)))


def status(lesson, p):
    """"done", "in progress" or "not started" for ``p``, the lesson's progress (or None)."""
    if not p or not (p.get("opened") or p.get("answers") or p.get("ticks")):
        return "not started"
    ticks = set(p.get("ticks", ()))
    return "done" if answered(lesson, p) and all(c.id in ticks for c in lesson.checks) else "in progress"


def clean_progress(raw, course):
    """The browser's progress text, kept only where it names real lessons, questions, choices and
    checks (it is browser input): lesson id -> progress."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):          # RecursionError: nested deeper than Python's limit
        return {}
    lessons = data.get("lessons") if isinstance(data, dict) else None
    clean = {}
    for lesson_id, p in (lessons.items() if isinstance(lessons, dict) else ()):
        lesson = course.get(lesson_id) if isinstance(lesson_id, str) else None
        if lesson is None or not isinstance(p, dict):
            continue
        answers = p.get("answers") if isinstance(p.get("answers"), dict) else {}
        ticks = p.get("ticks") if isinstance(p.get("ticks"), list) else []
        check_ids = [c.id for c in lesson.checks]
        clean[lesson_id] = {
            "opened": 1 if p.get("opened") else 0,
            "answers": {q: a for q, a in answers.items() if q.isdigit() and int(q) < len(lesson.questions)
                        and isinstance(a, int) and not isinstance(a, bool)
                        and 0 <= a < len(lesson.questions[int(q)].choices)},
            "ticks": [t for t in check_ids if t in ticks]}
    return clean


def merge(into, other):
    """Union of two progress maps, into ``into``: an answer given first stays, ticks add up."""
    for lesson_id, p in other.items():
        mine = into.setdefault(lesson_id, {"answers": {}, "ticks": []})
        if p.get("opened"):
            mine["opened"] = 1
        for q, a in p.get("answers", {}).items():
            mine.setdefault("answers", {}).setdefault(q, a)
        ticks = mine.setdefault("ticks", [])
        ticks += [t for t in p.get("ticks", []) if t not in ticks]
    return into


def _received(_, raw):
    merge(progress(), clean_progress(raw, load_course()))
    st.session_state[LOADED] = True


def reset_progress(lesson_id="*"):
    """Forget the progress of one lesson ("*": all), here and, at the next run, in the browser."""
    if lesson_id == "*":
        st.session_state[PROGRESS] = {}
    else:
        progress().pop(lesson_id, None)
    st.session_state[RESET] = {"nonce": secrets.token_hex(8), "lesson": lesson_id}


def store(widget_key, mode="store", lesson=None, channel=None, large=False):
    """The progress component: loads the browser's progress into the session once, and saves the
    session's; in "checks" mode it also shows ``lesson``'s checks, live from ``channel``."""
    state = {"key": STORAGE_KEY, "loaded": bool(st.session_state.get(LOADED)), "save": progress(),
             "reset": st.session_state.get(RESET), "mode": mode, "channel": channel, "large": large}
    if lesson is not None:
        state.update(lesson=lesson.id, questions=len(lesson.questions),
                     checks=[{"id": c.id, "text": c.text} for c in lesson.checks])
    # One text, not nested lists: Streamlit looks for a data frame in a component's list data.
    _store(widget_key, _received, state=json.dumps(state, separators=(",", ":")))


# -- the lesson on its page -----------------------------------------------------------------------------
class LessonPanel:
    """The lesson open on a page (from its link's ``?lesson=``)."""

    def __init__(self, page, lesson, course):
        self.page, self.lesson, self.course = page, lesson, course

    @classmethod
    def open(cls, page):
        """The lesson the link opens on ``page``, or None. A lesson opened anew (a new link, Restart)
        has the page's run replaced and drops its widget values, so the page starts from the lesson's preset."""
        lesson_id = st.query_params.get("lesson")
        active = key(page, "lesson")
        if not lesson_id:
            if st.session_state.get(active):          # the lesson was left: the link is the page's own again
                st.session_state[active] = None
                st.session_state[key(page, "link_base")] = None
            return None
        course = load_course()
        lesson = course.get(lesson_id)
        if lesson is None:
            error = course.error_for(lesson_id)
            _tell_once(page, lesson_id, f"The lesson file {error.file} has a mistake: {error.where}: {error.message}"
                       if error else f"There is no lesson '{lesson_id}'; the Lessons page lists them all.")
            return None
        if lesson.page != page:
            _tell_once(page, lesson_id, f"The lesson '{lesson.title}' is on the {lesson.page_info.title}: "
                                        "open it from the Lessons page.")
            return None
        if st.session_state.get(active) != lesson.id:
            old = st.session_state.get(key(page, "run"))
            if old is not None:
                old.playing = False
            # page_run replaces the run in one step: Streamlit may stop this run at any session-state access,
            # and the next one's callbacks need a run (a popped one left the page without, a KeyError)
            st.session_state[key(page, "replace_run")] = True
            for name in [k for k in st.session_state if k.startswith(f"{page}_w_")]:
                del st.session_state[name]             # the widgets take the new run's values (ui/widgets.py keys)
            st.session_state[active] = lesson.id
            st.session_state[key(page, "link_base")] = lesson.settings
        p = lesson_progress(lesson.id)
        p["opened"] = 1
        return cls(page, lesson, course)

    # -- drawn with the page ----------------------------------------------------------------------
    def draw(self, run):
        lesson, course = self.lesson, self.course
        present = run.settings.present
        st.markdown(PANEL_CSS + (PRESENTER_CSS if present else ""), unsafe_allow_html=True)
        p = lesson_progress(lesson.id)
        number = [item.id for item in course.lessons].index(lesson.id) + 1
        with st.container(key="lesson-panel"):
            with st.expander(f"Lesson {number} of {len(course.lessons)}: {lesson.title}", expanded=True,
                             icon=":material/school:"):
                left, right = st.columns([1, 1], gap="large")
                with left:
                    st.caption(f"{lesson.concept} · about {lesson.minutes} minutes")
                    st.markdown(lesson.goal)
                    st.markdown("**Tasks**")
                    st.markdown("\n".join(f"{i}. {task}" for i, task in enumerate(lesson.tasks, 1)))
                with right:
                    if lesson.questions:
                        st.markdown("**Predict first**")
                        for i, q in enumerate(lesson.questions):
                            self._question(i, q, p)
                    store(f"lesson_store_{self.page}", "checks", lesson, channel=self.channel, large=present)
                self._footer(run)

    @property
    def channel(self):
        return f"frames-lesson-{self.page}"

    def _question(self, i, q, p):
        lesson = self.lesson
        chosen = p["answers"].get(str(i))
        if chosen is None:
            choice = st.radio(q.text, tuple(range(len(q.choices))), format_func=lambda k: q.choices[k], index=None,
                              key=f"lesson_{lesson.id}_q{i}")
            st.button("Lock in my prediction", key=f"lesson_{lesson.id}_lock{i}", disabled=choice is None,
                      on_click=_answer, args=(lesson.id, i, choice), type="primary")
            return
        st.markdown(q.text)
        right = chosen == q.answer
        st.markdown(f"Your prediction: **{q.choices[chosen]}** " +
                    (":green[:material/check_circle: right]" if right else ":orange[:material/cancel: not quite]"))
        box = st.success if right else st.info
        box(("Right. " if right else f"The answer: **{q.choices[q.answer]}**. ") + q.why)

    def _footer(self, run):
        lesson = self.lesson
        following = self.course.after(lesson)
        cols = st.columns(4, vertical_alignment="center")
        cols[0].button("Restart", key=f"lesson_restart_{self.page}", icon=":material/restart_alt:",
                       on_click=_restart, args=(self.page, lesson.id), width="stretch",
                       help="Forget this lesson's answers and checks, and start again from its preset")
        cols[1].button("Leave", key=f"lesson_leave_{self.page}", icon=":material/close:",
                       on_click=_leave, args=(self.page, run), width="stretch",
                       help="Close the panel and keep the page as it is")
        with cols[2]:
            st.page_link("app_pages/lessons.py", label="All lessons", icon=":material/list:")
        if following is not None:
            with cols[3]:
                st.page_link(following.page_info.path, label="Next lesson", help=following.title,
                             icon=":material/arrow_forward:", query_params={"lesson": following.id})

    # -- inside the live fragment ------------------------------------------------------------------
    def live(self):
        """The checks' channel (made inside the live fragment), and the function each slow frame
        calls with the run and the frame's snapshots."""
        send = frame_channel(self.channel)
        sent = SimpleNamespace(last=None)
        lesson = self.lesson

        def frame(run, snaps):
            try:
                results = evaluate(lesson, run, snaps)
            except Exception as err:                # a lesson's check must never take its page down
                if sent.last != "failed":
                    log.exception("lesson %s: checks failed", lesson.id)
                    send({"lesson": lesson.id, "locked": True, "ticks": [], "checks": [],
                          "error": f"The checks cannot be read now ({type(err).__name__})."})
                    sent.last = "failed"
                return
            p = lesson_progress(lesson.id)
            locked = not answered(lesson, p)
            if not locked:
                p["ticks"] += [r.id for r in results if r.met and r.id not in p["ticks"]]
            payload = {"lesson": lesson.id, "locked": locked, "ticks": list(p["ticks"]),
                       "checks": [r.as_dict() for r in results]}
            if payload != sent.last:             # an unchanged frame costs the browser nothing
                send(payload)
                sent.last = payload
        return frame


def _tell_once(page, lesson_id, message):
    told = key(page, "lesson_told")
    if st.session_state.get(told) != lesson_id:
        st.session_state[told] = lesson_id
        say(page, message, "warning")         # shown as plain text (ui/controls.page_messages)


def _answer(lesson_id, i, choice):
    if choice is not None:
        lesson_progress(lesson_id)["answers"].setdefault(str(i), int(choice))


def _restart(page, lesson_id):
    reset_progress(lesson_id)
    st.session_state[key(page, "lesson")] = None          # LessonPanel.open starts the run from the preset
    for name in [k for k in st.session_state if k.startswith(f"lesson_{lesson_id}_")]:
        del st.session_state[name]
    st.query_params.from_dict({"lesson": lesson_id})


def _leave(page, run):
    st.session_state[key(page, "link_base")] = None
    st.query_params.from_dict(encode(run.settings))       # the link alone now makes the page as it is
