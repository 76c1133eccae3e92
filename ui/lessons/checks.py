"""A lesson's checks evaluated against a page's run: what each condition reads now, against its target.

``evaluate(lesson, run, snaps)`` gives one ``Result`` per check: met or not, and
one ``Part`` per condition with the value now and the target, as the panel shows
them ("test loss 0.142 -> below 0.1"). A check counts only while the page's
settings are among its ``settings``; in compare mode a condition reads the run it
names. No Streamlit; the arithmetic is the metric functions' (ui/lessons/metrics.py)
and a few comparisons over the history arrays.
"""
import math
import operator
from dataclasses import dataclass

import numpy as np

from .metrics import METRICS, Subject
from .model import THRESHOLDS, TRENDS

COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
           "!=": operator.ne}
WORDS = {**THRESHOLDS, "==": "exactly", "!=": "not"}


@dataclass(frozen=True)
class Part:
    label: str        # what is measured ("LSTM: test accuracy")
    value: str        # its value now ("87.5 %")
    target: str       # what the check wants ("at least 95 %")
    ok: bool


@dataclass(frozen=True)
class Result:
    id: str
    met: bool
    parts: tuple
    note: str = ""    # why it does not count with the settings now

    def as_dict(self):
        return {"id": self.id, "met": self.met, "note": self.note,
                "parts": [{"label": p.label, "value": p.value, "target": p.target, "ok": p.ok} for p in self.parts]}


def evaluate(lesson, run, snaps=None):
    """One Result per check of ``lesson`` for the page's ``run`` (``snaps``: the snapshot shown for
    each of ``run.runs``; by default the ones they show now)."""
    runs = run.runs
    snaps = list(snaps) if snaps is not None else [r.shown for r in runs]
    return [evaluate_check(check, lesson.fields, run.settings, runs, snaps) for check in lesson.checks]


def evaluate_check(check, fields, settings, runs, snaps):
    parts = tuple(_condition(c, fields, settings, runs, snaps) for c in check.conditions)
    note = _settings_note(check, fields, settings)
    return Result(check.id, not note and all(p.ok for p in parts), parts, note)


def _settings_note(check, fields, settings):
    for name, allowed in check.settings:
        now = getattr(settings, name)
        if now not in allowed:
            f = fields[name]
            return (f"Counts with {f.label.lower() or name} {' or '.join(_setting_text(f, v) for v in allowed)} "
                    f"(now {_setting_text(f, now)}).")
    return ""


def _setting_text(f, value):
    if isinstance(value, tuple):
        return ", ".join(map(f.label_of, value)) if value else "none"
    return f.label_of(value)


def _condition(c, fields, settings, runs, snaps):
    metric = METRICS[c.metric]
    params = dict(c.params)
    label = metric.label_for(params, fields)
    if c.run:
        label = f"{c.run}: {label}"
    target = _target(c, metric.fmt)
    subject = _subject(c, runs, snaps, settings, params)
    if subject is None:
        return Part(label, f"no {c.run} run (compare mode)", target, False)
    if c.op in TRENDS:
        return _trend(c, metric, subject, label, target)
    if c.epochs:
        return _held(c, metric, subject, label, target)
    value = metric.value(subject)
    ok = value is not None and math.isfinite(value) and COMPARE[c.op](value, c.value)
    return Part(label, fmt(value, metric.fmt), target, bool(ok))


def _subject(c, runs, snaps, settings, params):
    for run, snap in zip(runs, snaps):
        if not c.run or run.title == c.run:
            return Subject(run, snap, settings, params)
    return None


def _trend(c, metric, subject, label, target):
    """Rising or falling: the value now against the value ``epochs`` epochs ago."""
    epochs, values = metric.series(subject)
    if not len(epochs):
        return Part(label, "—", target, False)
    now_epoch = epochs[-1]
    k = int(np.searchsorted(epochs, now_epoch - c.epochs, side="right")) - 1
    if k < 0 or now_epoch - c.epochs < epochs[0]:
        return Part(label, f"{fmt(values[-1], metric.fmt)} (needs {c.epochs:,} epochs)", target, False)
    then, now = float(values[k]), float(values[-1])
    ok = now > then if c.op == "rising" else now < then
    return Part(label, f"from {fmt(then, metric.fmt)} to {fmt(now, metric.fmt)}", target, bool(ok))


def _held(c, metric, subject, label, target):
    """A threshold that must hold at every evaluation of the last ``epochs`` epochs."""
    epochs, values = metric.series(subject)
    if not len(epochs):
        return Part(label, "—", target, False)
    with np.errstate(invalid="ignore"):
        good = COMPARE[c.op](np.asarray(values, float), c.value)
    bad = np.flatnonzero(~good)
    if len(bad) and bad[-1] == len(values) - 1:
        held = 0.0
    else:
        start = bad[-1] + 1 if len(bad) else 0
        held = float(epochs[-1] - epochs[start])
    ok = held >= c.epochs
    value = fmt(float(values[-1]), metric.fmt)
    return Part(label, value if ok else f"{value}, for {held:,.0f} of {c.epochs:,} epochs", target, bool(ok))


def _target(c, kind):
    if c.op in TRENDS:
        return f"{c.op} over {c.epochs:,} epochs"
    if kind == "yes" and c.op in ("==", "!="):
        return fmt(c.value if c.op == "==" else 1 - c.value, kind)
    text = f"{WORDS[c.op]} {fmt(c.value, kind, target=True)}"
    return f"{text} for {c.epochs:,} epochs" if c.epochs else text


def fmt(value, kind="number", target=False):
    """A metric's value as the panel writes it."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    if kind == "percent":
        return f"{100 * v:g} %" if target else f"{100 * v:.1f} %"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "yes":
        return "yes" if v else "no"
    if kind == "size":
        return f"{v:.0f} × {v:.0f}"
    if kind == "times":
        return f"{v:g}×" if target else f"{v:.2g}×"
    if kind == "fraction" and 0 < abs(v) < 1:
        inverse = float(f"{1 / abs(v):.2g}")
        return f"{'-' if v < 0 else ''}1/{inverse:,.0f}"
    if target:
        return f"{v:g}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
