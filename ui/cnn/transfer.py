"""Transfer learning on the CNN page, without Streamlit: the base a comparison reuses, the networks
that start from it, and what the two curves show, in words.

A comparison trains two networks side by side in lock step (``ui.run.Run`` partners) on the same
few examples per class of a second task: one starts from the *base*'s conv layers (those before
``flatten``: convolutions, their batch normalization; frozen or fine-tuned) with a new head, the
other is the same network from scratch. Both draw their fresh weights from the same seed, so they
differ only in the reused layers.

The base is the page's network as trained on the first task (digits 0-4). A link carries no
weights, so a run opened from a link (or a lesson) trains one first, ``BASE_STEPS`` steps with the
page's settings and seed; that base is kept once per process (read-only), so a class opening the
same link trains it once.
"""
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

import engine
from engine.layers import LAYERS

BASE_STEPS = 400             # a base trained for a link: ~4 s of Adam on digits 0-4 here, 97-99 % right
BASE_CHUNK = 20              # steps between two progress reports
BASES_KEPT = 6               # pretrained bases one process keeps
NOISE_POINTS = 2.0           # a gap smaller than this (percentage points) is "no clear benefit"
SMOOTH = 3                   # evaluations the words average (the latest ones)
LOCK = threading.Lock()
_BASES = OrderedDict()       # key -> Base, the most recently used last


def reused_layers(spec):
    """Indices of the layers a new task reuses: those with weights (convolutions, batch normalization)
    before the first flatten or dense layer. A layer kind has weights when its spec takes "trainable"
    (engine/layers.py gives that field to exactly those kinds)."""
    out = []
    for i, layer in enumerate(spec["layers"]):
        if layer["type"] in ("flatten", "dense", "dropout"):
            break
        if "trainable" in LAYERS[layer["type"]].fields:
            out.append(i)
    return out


def with_frozen(spec, layers):
    """``spec`` with ``"trainable": false`` on the layers ``layers`` that have weights."""
    frozen = set(layers)
    return {**spec, "layers": [{**layer, "trainable": False} if i in frozen else layer
                               for i, layer in enumerate(spec["layers"])]}


def build_from(spec, seed, base_net, layers):
    """A network for ``spec`` with fresh weights from ``seed``, then the parameters and state of
    ``layers`` copied from ``base_net`` (the engine checks that they match in kind and shape)."""
    return engine.build(spec, seed=seed, init_from=base_net, layers=list(layers))


@dataclass
class Base:
    """The network whose conv layers a comparison reuses, and where it came from."""
    net: object              # an engine Network with the base's weights (not trained further)
    key: tuple               # what it must match (base_key, pretrained_key)
    steps: int               # steps it was trained on the first task
    test_acc: float          # its test accuracy on the first task
    yours: bool              # True: the page's own network as the user trained it; False: trained for a link

    def describe(self, task_name):
        acc = f"{self.test_acc:.0%}" if np.isfinite(self.test_acc) else "unmeasured"
        if self.yours:
            return (f"the conv layers of your network as trained on {task_name} ({self.steps:,} steps, "
                    f"{acc} of its test images right)")
        return (f"the conv layers of a network trained just now for {self.steps:,} steps on {task_name} "
                f"({acc} right; a link carries no weights, so the page trains this base first)")


def base_key(spec, seed, yours):
    return (json.dumps(spec, sort_keys=True), None if yours else seed)


def pretrained_key(spec, seed, options):
    """What a base trained for a link depends on: the first task's spec, the seed, the training options."""
    return base_key(spec, (seed, json.dumps(options, sort_keys=True)), False)


def base_of_trainer(trainer, spec):
    """The user's trained network as a base (a copy of its weights), or None when it has not
    trained a step (an untrained base would be the network from scratch)."""
    snap = trainer.snapshot()
    if snap.step == 0:
        return None
    net = engine.build(spec, seed=0)
    net.set_params(snap.params)
    if snap.state:
        net.set_state(snap.state)
    return Base(net, base_key(spec, None, True), snap.step, float(snap.test_acc), True)


def cached_base(spec, seed, options):
    """The base trained for ``spec``, ``seed`` and ``options`` if this process has it, else None."""
    key = pretrained_key(spec, seed, options)
    with LOCK:
        base = _BASES.get(key)
        if base is not None:
            _BASES.move_to_end(key)
        return base


def pretrain(spec, seed, data, options, steps=BASE_STEPS, progress=None):
    """A base for ``spec`` trained ``steps`` steps on ``data`` (x, y, xt, yt) with the trainer
    ``options``, kept for the process; ``progress(done, steps)`` after each chunk."""
    base = cached_base(spec, seed, options)
    if base is not None:
        return base
    x, y, xt, yt = data
    net = engine.build(spec, seed=seed)
    tr = engine.Trainer(net, train=(x, y), test=(xt, yt), seed=seed, eval_every=10**9, **options)
    done = 0
    while done < steps:
        n = min(BASE_CHUNK, steps - done)
        tr.step(n)
        done += n
        if progress is not None:
            progress(done, steps)
    acc = tr.loss_and_accuracy(xt[:1000], yt[:1000])[1]
    base = Base(net, pretrained_key(spec, seed, options), done, float(acc), False)
    with LOCK:
        _BASES[base.key] = base
        while len(_BASES) > BASES_KEPT:
            _BASES.popitem(last=False)
    return base


class Clock:
    """Seconds of training a run has had (the scheduler trains it in slices)."""

    def __init__(self):
        self.seconds = 0.0

    def __enter__(self):
        self._t = time.perf_counter()

    def __exit__(self, *exc):
        self.seconds += time.perf_counter() - self._t


# -- the two curves in words -------------------------------------------------------------------
def _curve(snap):
    ev = snap.history["evals"]
    return np.asarray(ev["step"], float), np.asarray(ev["test_acc"], float)


def first_reaching(steps, accs, level):
    """The first step at which ``accs`` reached ``level``, or None."""
    hit = np.flatnonzero(accs >= level - 1e-9)
    return None if not len(hit) else int(steps[hit[0]])


def pct(a):
    return f"{100 * a:.0f} %"


def gap(reused, scratch):
    """The reused layers' lead in test accuracy over the network from scratch (a fraction), over the
    latest evaluations both have (the mean of the last ``SMOOTH``, as the words say it); None before
    the first step."""
    s_r, a_r = _curve(reused)
    s_s, a_s = _curve(scratch)
    n = min(len(s_r), len(s_s))
    if n == 0 or s_r[n - 1] == 0:
        return None
    last = slice(max(0, n - SMOOTH), n)
    return float(a_r[:n][last].mean() - a_s[:n][last].mean())


def comparison_words(reused, scratch, reused_seconds, scratch_seconds, mode, shots, classes):
    """What the two test-accuracy curves show, in words: the gap now (in percentage points), and how
    much sooner the one ahead got to where the other is now (steps and seconds of training).
    ``reused`` and ``scratch`` are the two runs' snapshots; ``mode`` "frozen" or "fine"."""
    s_r, a_r = _curve(reused)
    s_s, a_s = _curve(scratch)
    n = min(len(s_r), len(s_s))
    chance = 1 / classes
    if n == 0 or s_r[n - 1] == 0:
        return (f"Press Play: both networks start near chance ({pct(chance)}) and train on the same {shots} "
                f"example{'s' if shots != 1 else ''} per class, in lock step.")
    s_r, a_r, s_s, a_s = s_r[:n], a_r[:n], s_s[:n], a_s[:n]
    step = int(s_r[-1])
    last = slice(max(0, n - SMOOTH), n)           # a few examples make the curves jump: their latest mean
    now_r, now_s = float(a_r[last].mean()), float(a_s[last].mean())
    gap = 100 * (now_r - now_s)
    reused_name = "frozen reused layers" if mode == "frozen" else "fine-tuned reused layers"
    over = f" (means of the last {n - last.start} evaluations)" if n - last.start > 1 else ""
    head = (f"After {step:,} steps on {shots} example{'s' if shots != 1 else ''} per class: {reused_name} "
            f"**{pct(now_r)}** of the test images right, from scratch **{pct(now_s)}**{over}")
    if abs(gap) < NOISE_POINTS:
        verdict = (f": a gap of {abs(gap):.1f} points. **No clear benefit here**: another draw of the examples "
                   "(New seed) moves the gap by more than that.")
    elif gap > 0:
        verdict = f": **{gap:.0f} points** for the reused layers."
    else:
        verdict = (f": **{-gap:.0f} points** for the network from scratch. The reused layers hold it back here: "
                   "what they learnt on the first task does not fit this one.")
    ahead, behind = ((s_r, a_r, reused_seconds, "The reused layers"), (s_s, a_s, scratch_seconds, "from scratch")) \
        if now_r >= now_s else ((s_s, a_s, scratch_seconds, "The network from scratch"), (s_r, a_r, reused_seconds,
                                                                                          "with the reused layers"))
    level = min(now_r, now_s)
    when_ahead = first_reaching(ahead[0], ahead[1], level)
    when_behind = first_reaching(behind[0], behind[1], level)
    time_words = ""
    if abs(gap) >= NOISE_POINTS or (when_ahead and when_behind and when_behind >= 2 * max(when_ahead, 1)):
        if when_ahead is not None and when_behind is not None and when_ahead > 0 and when_behind > when_ahead:
            per_a = ahead[2] / max(step, 1)
            per_b = behind[2] / max(step, 1)
            time_words = (f" {ahead[3]} got to {pct(level)} at step {when_ahead:,} ({when_ahead * per_a:.1f} s of "
                          f"training), {behind[3]} at step {when_behind:,} ({when_behind * per_b:.1f} s): "
                          f"{when_behind / when_ahead:.1f} times as many steps.")
    return head + verdict + time_words
