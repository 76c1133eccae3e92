"""The Lessons page: the course grouped by concept, each lesson's status in this browser and its time."""
import streamlit as st

from ..text import plain
from ..theme import style
from .model import load_course
from .panel import LOADED, progress, reset_progress, status, store

ICONS = {"done": ":material/check_circle:", "in progress": ":material/pending:", "not started": ":material/circle:"}
COLOURS = {"done": "green", "in progress": "orange", "not started": "gray"}


def show_course():
    style()
    st.markdown("<style>h2 { font-size: 1.45rem !important; }</style>", unsafe_allow_html=True)
    course = load_course()
    st.title("Lessons", anchor=False)
    st.write("A guided course through every idea in the playground. Each lesson opens its page with a "
             "ready-made setup, asks you to predict what will happen, and then checks the live run as you "
             "work: the checks tick when the network does what the lesson asks. A few minutes each.")
    store("lessons_store")                         # brings this browser's progress; nothing is kept on the server
    loaded = bool(st.session_state.get(LOADED))
    mine = progress()
    states = {lesson.id: status(lesson, mine.get(lesson.id)) for lesson in course.lessons}
    done = sum(s == "done" for s in states.values())
    minutes = sum(lesson.minutes for lesson in course.lessons)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        st.progress(done / max(len(course.lessons), 1),
                    text=f"{done} of {len(course.lessons)} lessons done · about {minutes} minutes in all"
                    if loaded else f"{len(course.lessons)} lessons · about {minutes} minutes in all")
    with right.popover("Reset my progress", icon=":material/restart_alt:", width="stretch"):
        st.write("Forget every answer and check of every lesson in this browser?")
        st.button("Yes, reset", key="lessons_reset_all", on_click=reset_progress, type="primary")
    number = 0
    for concept, lessons in course.concepts():
        st.header(concept, anchor=False)            # h2 under the page's h1: headings in order (WCAG)
        with st.container(border=True, key=f"lessons-{lessons[0].id}"):
            for lesson in lessons:
                number += 1
                state = states[lesson.id] if loaded else None
                name, what = st.columns([5, 1.4], vertical_alignment="center")
                with name:
                    st.page_link(lesson.page_info.path, label=f"{number}. {lesson.title}", icon=":material/school:",
                                 query_params={"lesson": lesson.id})
                    st.caption(f"{lesson.minutes} min · {lesson.page_info.title} · link for a class: "
                               f"/{lesson.page}?lesson={lesson.id}")
                if state:
                    what.markdown(f":{COLOURS[state]}[{ICONS[state]} {state.capitalize()}]")
                else:
                    what.caption("…")
    if course.errors:
        st.header("Lesson files with mistakes", anchor=False)
        st.caption("These files are skipped until they are fixed; every other lesson works. "
                   "README.md, “Writing a lesson”, describes the format.")
        for err in course.errors:
            st.error(plain(str(err)), icon=":material/error:")
    st.caption("Teachers: a lesson's link (/page?lesson=id) opens it for a class. A new lesson is a file in "
               "lessons/: copy one and change it (README, “Writing a lesson”).")
