"""Lessons: a guided course through the playground, checked against the live run.

A lesson is a data file in ``lessons/`` (TOML): its page and preset, goal, tasks,
"predict first" questions, declarative checks over the run's metrics and settings,
and its solution. This package reads and validates them (``model``), names the
metrics a check may read (``metrics``), evaluates checks against a run's
snapshots (``checks``) and plays a lesson's solution through the engine
(``solve``); none of these import Streamlit. ``panel`` draws a lesson beside its
page and keeps the learner's progress in the browser (localStorage), never on
the server. The pages a lesson can open are listed once, in ``pages``.
"""
