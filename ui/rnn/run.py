"""One user's RNN run: settings -> sequence data, one or two recurrent networks, their views.

No Streamlit here. In compare mode two cells (say an LSTM and a plain RNN) train
on the same data from the same seed. To the scheduler (ui/live.py) they are one
run: one lock, one version, one Play; ``train_slice`` trains them in turn, the
one behind first, so both stand at the same step and their curves share the
epoch axis.
"""
import numpy as np

import engine
from engine.data import SEQUENCE_TASKS
from engine.data.sequences import char_text, free_run, wave_series
from viz import rnn as draw

from ..run import SLICE_SECONDS, Run
from .settings import TEXT_PROMPTS

WAVE_PROBE = (0.035, 0.15)          # frequency (periods per step) and phase of the forecast's wave
TEXT_CHARS = 500                     # characters generated per sample
TEXT_SEED = 7                        # the same weights and temperature give the same sample


class TaskData:
    """The sequences of one task, shared by both cells of a comparison, and its probe sequence."""

    def __init__(self, settings):
        s = settings
        self.key = data_key(s)
        self.task = s.task
        x, y, xt, yt = SEQUENCE_TASKS[s.task].load(seed=s.seed, **s.task_params())
        as32 = lambda a: np.ascontiguousarray(a, np.float32)       # noqa: E731 (the trainers share them)
        self.arrays = (as32(x), as32(y), as32(xt), as32(yt))
        self.features = x.shape[2]
        self.chars = char_text(s.text) if s.task == "text" else None
        self.outputs = {"delayed_recall": 4, "parity": 2}.get(s.task, self.chars.vocab if self.chars else 1)
        self.probe_x, self.probe_y = xt[0], yt[0]
        if s.task == "waves":
            self._wave_probe(s)

    def _wave_probe(self, s):
        """A wave of known frequency: its window is the probe, its clean rest the forecast's truth."""
        horizon = s.length
        noisy, clean = wave_series(s.wave, s.length + horizon, *WAVE_PROBE, noise=s.noise / 100, seed=s.seed)
        self.probe_x, self.probe_y = noisy[:s.length, None], clean[s.length:s.length + 1]
        self.truth = clean

    @property
    def n_train(self):
        return len(self.arrays[0])


def data_key(s):
    return (s.task, tuple(sorted(s.task_params().items())), s.seed)


class CellRun(Run):
    """One cell trained on the page's data."""

    def __init__(self, settings, cell, data, build=True):
        self.cell, self.data = cell, data
        self._views = (None, None)             # (snapshot, its Views)
        self._text = (None, None)              # ((weights key, temperature), sample)
        super().__init__(settings, build)

    def build(self):
        s, (x, y, xt, yt) = self.settings, self.data.arrays
        net = engine.build(s.spec(self.cell, self.data.features, self.data.outputs), seed=s.seed)
        return engine.Trainer(net, train=(x, y), test=(xt, yt), seed=s.seed, **s.trainer_options())

    def run_key(self):
        return self.settings.run_key()

    @property
    def title(self):
        return draw.CELL_NAMES[self.cell]

    # -- views of a snapshot (computed once per snapshot) -------------------
    def views(self, snap):
        """Everything the live view draws for ``snap``: the probe's trace, output and task view."""
        cached_snap, cached = self._views
        if cached_snap is snap:
            return cached
        views = draw.Views(trace=self.trace(snap), probe_out=self.probe_output(snap))
        if self.data.task == "waves":
            views.forecast = free_run(snap, self.data.probe_x, len(self.data.truth) - len(self.data.probe_x))
        self._views = (snap, views)
        return views

    def trace(self, snap):
        """Hidden states, gates and |d loss / d h_t| of every recurrent layer for the probe sequence."""
        flat = np.concatenate([v.ravel() for v in snap.params.values()])
        return self.trainer.net.recurrent_trace(self.data.probe_x, self.data.probe_y, flat=flat)

    def probe_output(self, snap):
        """The network's output for the probe: (T, classes) probabilities for text, else one row."""
        out = np.asarray(snap.predict(self.data.probe_x[None].astype(np.float32))[0], float)
        if self.settings.classification:
            out = out.reshape(-1, self.data.outputs)
            e = np.exp(out - out.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return out.reshape(-1)

    def frame(self, snap, parts=("inside", "task"), titled=False):
        """The canvas frame of ``snap``: the unrolled network, heatmaps and gradient through time
        ("inside"), and the task's own view ("task"); text is drawn apart (``sample_text``)."""
        v, data = self.views(snap), self.data
        task = data.task
        tokens = draw.input_tokens(task, data.probe_x, data.chars)
        marks = [t for t, tok in enumerate(tokens) if tok.get("mark")]
        panels = []
        if "task" in parts and task == "waves":
            panels.append(draw.forecast_panel(data.probe_x[:, 0], data.truth, v.forecast))
        elif "task" in parts and task != "text":
            network, truth = draw.answer(task, v.probe_out, data.probe_y, data.chars)
            probs = v.probe_out[-1] if self.settings.classification else None
            names = draw.PARITY_NAMES if task == "parity" else draw.SYMBOLS
            panels.append(draw.tokens_panel(draw.TASK_TITLES[task], tokens, network, truth, probs, names))
        if "inside" in parts:
            outputs = draw.step_outputs(task, v.probe_out, data.probe_y, data.chars)
            panels += [draw.unrolled_panel(v.trace, tokens, outputs, self.cell),
                       draw.heatmaps_panel(v.trace, self.cell, marks), draw.gradient_panel(v.trace, marks, draw.clipping_note(snap.grad_norms, self.settings.clip))]
        return {"title": self.title if titled else "", "panels": panels}

    def sample_text(self, snap, temperature):
        """(prompt, [(char, probability)]) drawn from ``snap`` at ``temperature`` (cached)."""
        key = (snap.step, snap.epoch, id(self.trainer), temperature)
        if self._text[0] == key:
            return self._text[1]
        prompt = TEXT_PROMPTS[self.settings.text]
        sample = draw.sample_text(snap, self.data.chars, prompt, TEXT_CHARS, temperature, TEXT_SEED)
        self._text = (key, sample)
        return sample


class RnnRun(CellRun):
    """The page's run: the first cell, and in compare mode its partner (a CellRun)."""

    def __init__(self, settings, build=True):
        self.partner = None
        self._quiet = False                    # inside a compare slice: one version bump, at its end
        super().__init__(settings, settings.cell, None, build)

    def publish(self, snap):
        self.history.record(snap)
        self.snap = snap
        if not self._quiet:
            self.version += 1

    @property
    def runs(self):
        return [self] + ([self.partner] if self.partner is not None else [])

    def build(self):
        s = self.settings
        if self.data is None or self.data.key != data_key(s):
            self.data = TaskData(s)
        self.cell = s.cell
        return super().build()

    def rebuild(self):
        with self.lock:
            super().rebuild()
            s = self.settings
            self.partner = None if s.compare == "off" else CellRun(s, s.compare, self.data)
            self.version += 1

    def update(self, settings):
        with self.lock:
            rebuilt = super().update(settings)
            if not rebuilt and self.partner is not None:
                self.partner.update(settings)
                self.version += 1
            return rebuilt

    # -- training: both cells in lock step ---------------------------------
    def train_slice(self, steps, seconds=SLICE_SECONDS):
        if self.partner is None:
            return super().train_slice(steps, seconds)
        with self.lock:
            done, self._quiet = 0, True        # the page draws both cells' progress, not half of it
            try:
                for _ in range(2):
                    live = [r for r in self.runs if not r.trainer.diverged]
                    if not live:
                        break
                    behind = min(live, key=lambda r: r.trainer.step_count)
                    lead = max(r.trainer.step_count for r in live) - behind.trainer.step_count
                    done += Run.train_slice(behind, lead or steps, seconds / 2)
            finally:
                self._quiet = False
            self.playing = self.playing and not all(r.trainer.diverged for r in self.runs)
            self.version += 1
            return done

    def step_epoch(self):
        with self.lock:
            super().step_epoch()
            if self.partner is not None:
                self.partner.step_epoch()
            self.version += 1

    def advance(self, steps, budget=10.0):
        """Train ``steps`` steps of each cell now (tests and benchmarks; the page plays through ui/live.py)."""
        for run in self.runs:
            run.trainer.step(steps, budget=budget)
            run.publish(run.trainer.snapshot())
        self.version += 1

    # -- rewinding: both cells to the same epoch ----------------------------
    def rewind_to(self, epoch):
        with self.lock:
            super().rewind_to(epoch)
            if self.partner is not None:
                self.partner.rewind_to(epoch)
                self.version += 1

    def back_to_latest(self):
        for run in self.runs:
            run.rewound = None
        self.version += 1

    def continue_from_rewound(self):
        with self.lock:
            super().continue_from_rewound()
            if self.partner is not None:
                self.partner.continue_from_rewound()
                self.version += 1
