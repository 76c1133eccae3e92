"""Play a lesson as a learner would, without a browser: the preset, then each stage of its solution.

``play(lesson)`` builds the page's run from the preset and, stage by stage,
changes the settings as a learner would (``Run.update``, as the widgets do),
types in weights, clicks a feature-map or confusion-matrix cell, and trains the
stage's steps in pieces of about an epoch, evaluating the checks after each piece
as the page's live frames do. It returns every check that was met at some point
(checks stay ticked once met, as in the panel). ``play(lesson, solution=False)``
trains the unchanged preset for as many steps: the checks that ask for a change
must not be met then. Used by the tests and bench/lesson_checks.py.
"""
import math
import time
from dataclasses import replace

from .checks import evaluate

MAX_PIECES = 60          # evaluations per stage at most (a stage of many epochs is checked in larger pieces)


def make_run(lesson, settings=None):
    """The lesson's page run, built from its preset (or ``settings``), with what it needs first
    (``Run.prepare``: a base network a Transfer comparison reuses, say)."""
    run = lesson.page_info.run_class(settings or lesson.settings, build=False)
    run.prepare()
    run.ensure_built()
    return run


def draw_like_the_page(run):
    """What the page computes for its own view and a metric reads: the text sample the RNN page draws."""
    for r in run.runs:
        if getattr(r.settings, "task", None) == "text":
            r.sample_text(r.shown, r.settings.temperature)


def train(run, steps, budget=60.0):
    """``steps`` more steps of every run (the engine may stop a call early at its time budget)."""
    target = run.snap.step + steps
    deadline = time.monotonic() + budget * max(1, steps / 1000)
    while run.snap.step < target and not run.diverged and time.monotonic() < deadline:
        run.advance(target - run.snap.step)


def play(lesson, solution=True, on_piece=None):
    """(run, ids of the checks met at some point) after playing the lesson's solution (or, with
    ``solution=False``, the preset for the same number of steps, changing nothing)."""
    run = make_run(lesson)
    met = set()

    def look():
        draw_like_the_page(run)
        results = evaluate(lesson, run)
        met.update(r.id for r in results if r.met)
        if on_piece:
            on_piece(run, results)

    stages = lesson.solution if solution else [replace(lesson.solution[0], settings=(), reset=False, edits=(), cell=None,
                                                       confusion=None, steps=sum(s.steps for s in lesson.solution))]
    for stage in stages:
        if stage.settings:
            run.update(replace(run.settings, **dict(stage.settings)))
        if stage.reset:
            run.rebuild()
        for param, index, value in stage.edits:
            run.edit_param(param, index, value)
        if stage.cell is not None:
            run.select_cell(*stage.cell)
        if stage.confusion is not None:
            run.confusion_cell = stage.confusion
        look()
        if stage.steps:
            per_epoch = max(1, run.trainer.steps_per_epoch)
            piece = per_epoch * max(1, math.ceil(stage.steps / per_epoch / MAX_PIECES))
            done = 0
            while done < stage.steps and not run.diverged:
                n = min(piece, stage.steps - done)
                train(run, n)
                done += n
                look()
    return run, met
