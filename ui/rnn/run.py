"""One user's RNN run: settings -> sequence data, one or two recurrent networks, their views.

No Streamlit here. In compare mode two cells (say an LSTM and a plain RNN) train
on the same data from the same seed: the page's run has the second as its partner
(ui/run.py trains them in lock step, so their curves share the epoch axis).
"""
from dataclasses import replace

import numpy as np

import engine
from engine.data import SEQUENCE_TASKS
from engine.data.sequences import char_text, free_run, wave_series
from engine.metrics import softmax
from viz import rnn as draw

from ..run import Run
from . import own_data
from .settings import LENGTHS, OWN_TEXT, TEXT_PROMPTS

WAVE_PROBE = (0.035, 0.15)          # frequency (periods per step) and phase of the forecast's wave
TEXT_CHARS = 500                     # characters generated per sample
TEXT_SEED = 7                        # the same weights and temperature give the same sample
TEXT_CONFUSION = 12                  # the text's confusion matrix: its commonest characters, the rest as "other"


class TaskData:
    """The sequences of one task, shared by both cells of a comparison, and its probe sequence. The
    user's own text or series (``own``: an own_data.OwnText or OwnSeries) is made into windows here."""

    def __init__(self, settings, own=None):
        s = settings
        self.key = data_key(s, own)
        self.task = s.task
        self.series = None              # own_data.SeriesData of an own series
        self.prompt = TEXT_PROMPTS.get(s.text)
        if s.task == "text" and s.text == OWN_TEXT:
            x, y, xt, yt, self.chars = own_data.text_windows(own, s.length, s.seed)
            self.prompt = own.prompt()
        elif s.task == "series":
            self.series = own_data.series_windows(own, s.column - 1, s.length)
            x, y, xt, yt, self.chars = self.series.x, self.series.y, self.series.xt, self.series.yt, None
        else:
            x, y, xt, yt = SEQUENCE_TASKS[s.task].load(seed=s.seed, **s.task_params())
            self.chars = char_text(s.text) if s.task == "text" else None
        as32 = lambda a: np.ascontiguousarray(a, np.float32)       # noqa: E731 (the trainers share them)
        self.arrays = (as32(x), as32(y), as32(xt), as32(yt))
        if self.chars is not None:      # the commonest next characters of the test windows, commonest first
            counts = np.bincount(np.ravel(yt).astype(int), minlength=len(self.chars.chars))
            self.common = np.argsort(-counts, kind="stable")[:TEXT_CONFUSION]
        if s.own_data:
            self.outputs = self.chars.vocab if self.chars is not None else 1
            self.io = (x.shape[-1], self.outputs)
        else:
            self.outputs = s.io_sizes()[1]
            self.io = None
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


def data_key(s, own=None):
    mine = (s.length, s.column, own.digest) if s.own_data and own is not None else None
    return (s.task, s.text if s.task == "text" else None, tuple(sorted(s.task_params().items())), s.seed, mine)


class RnnRun(Run):
    """One recurrent network trained on the page's data; in compare mode the page's run has the
    compared cell as its partner (another RnnRun on the same data, ui/run.py)."""

    def __init__(self, settings, build=True, lead=None, cell=None, data=None):
        self.cell, self.data = cell or settings.cell, data
        self.own_text = None                   # own_data.OwnText the user gave (this session only)
        self.own_series = None                 # own_data.OwnSeries the user gave (else the example series)
        self.wants_own_text = False            # asked for its own text without giving one: the form opens
        self._views = (None, None)             # (snapshot, its Views)
        self._text = (None, None)              # ((weights key, temperature), sample)
        super().__init__(settings, build, lead)

    def build(self):
        if self.lead is None:
            s = self.settings = self.fit_own_data(self.settings)
            own = self.own()
            if self.data is None or self.data.key != data_key(s, own):
                self.data = TaskData(s, own)
            self.cell = s.cell
        s = self.settings
        x, y, xt, yt = self.data.arrays
        net = engine.build(s.cell_spec(self.cell, io=self.data.io), seed=s.seed)
        return engine.Trainer(net, train=(x, y), test=(xt, yt), seed=s.seed, **s.trainer_options())

    # -- the user's own data (kept in the session: a link says only "own") -----------------------
    def own(self):
        """The own data the settings train on: the text, the series (or the example series), or None."""
        s = self.settings
        if s.task == "series":
            return self.own_series or own_data.example_series()
        return self.own_text if s.task == "text" and s.text == OWN_TEXT else None

    def fit_own_data(self, s):
        """``s`` made to fit the session's own data, each change said in the run's notices: no own text
        here (a link cannot carry it): the Zen of Python; a sequence length the text or series is too
        short for: the longest it allows; a column it does not have: the first."""
        if s.task == "text" and s.text == OWN_TEXT and self.own_text is None:
            self.notices.append("Your own text: paste or upload it under Text first (this session has none, and a "
                                "link does not carry one). Meanwhile: the Zen of Python.")
            self.wants_own_text = True
            return replace(s, text="zen")
        if s.task == "text" and s.text == OWN_TEXT:
            n = len(self.own_text.text)
            if n < own_data.min_text_length(s.length):
                longest = min(own_data.longest_window(n), LENGTHS["text"][1])
                self.notices.append(f"Your text has {n:,} characters: sequences of at most {longest} (the last tenth "
                                    f"is kept to test), not {s.length}; the sequence length is now {longest}.")
                return replace(s, length=longest)
        if s.task == "series":
            series = self.own()
            if s.column > len(series.columns):
                self.notices.append(f"{series.name} has {len(series.columns)} numeric column"
                                    f"{'s' if len(series.columns) != 1 else ''}, not {s.column}: forecasting the "
                                    f"first, {series.columns[0]!r}.")
                s = replace(s, column=1)
            if series.rows < own_data.min_rows(s.length):
                longest = own_data.longest_series_window(series.rows)
                self.notices.append(f"{series.name} has {series.rows:,} rows: windows of at most {longest} steps "
                                    f"(80 % of the rows train, 20 % test), not {s.length}; the sequence length is "
                                    f"now {longest}.")
                s = replace(s, length=longest)
        return s

    def use_text(self, own):
        """The user's text (an own_data.OwnText): trained on when the settings say ``text=own``."""
        with self.lock:
            self.own_text = own

    def use_series(self, series):
        """The user's series (an own_data.OwnSeries; None: the example series) for the series task."""
        with self.lock:
            self.own_series = series

    def refresh_own(self):
        """A new network and data if the own data the settings train on has changed under them."""
        with self.lock:
            if self.built and self.data.key != data_key(self.settings, self.own()):
                self.rebuild()

    def make_partners(self):
        s = self.settings
        if self.lead is not None or s.compare == "off":
            return []
        return [RnnRun(s, build=False, lead=self, cell=s.compare, data=self.data)]

    @property
    def title(self):
        return draw.CELL_NAMES[self.cell]

    # -- the paused confusion matrix ------------------------------------------------
    def confusion_labels(self):
        """The classes of the confusion matrix: the task's symbols or answers; for text its commonest
        characters and "other" (a matrix of 45-69 characters is unreadable)."""
        task = self.data.task
        if task == "text":
            return [draw.show_char(self.data.chars.chars[k]) for k in self.data.common] + ["other"]
        if task == "parity":
            return list(draw.PARITY_NAMES)
        return list(draw.SYMBOLS[:self.data.outputs]) if task == "delayed_recall" else None

    def confusion(self):
        """The engine's confusion matrix of the shown weights on the test data; for text, over every
        step's prediction, the characters outside the commonest folded into "other"."""
        matrix = super().confusion()
        if self.data.task != "text":
            return matrix
        k = len(self.data.common)
        row = np.full(len(matrix), k)
        row[self.data.common] = np.arange(k)
        folded = np.zeros((k + 1, k + 1), matrix.dtype)
        np.add.at(folded, (row[:, None], row[None, :]), matrix)
        return folded

    # -- take it with you (ui/take_away.py) -----------------------------------
    def data_recipe(self):
        """The task's sequences as the exported scripts make them (export/data.py); the user's own text
        or series travels as the arrays themselves."""
        s = self.settings
        if s.own_data:
            return {"source": "arrays"}
        return {"source": "sequence", "name": s.task, "settings": s.task_params(), "seed": s.seed}

    def probe_sample(self):
        return self.data.probe_x, self.data.probe_y

    # -- views of a snapshot (computed once per snapshot) -------------------
    def views(self, snap):
        """Everything the live view draws for ``snap``: the probe's trace, output and task view."""
        cached_snap, cached = self._views
        if cached_snap is snap:
            return cached
        views = draw.Views(trace=self.trace(snap), probe_out=self.probe_output(snap))
        if self.data.task == "waves":
            views.forecast = free_run(snap, self.data.probe_x, len(self.data.truth) - len(self.data.probe_x))
        elif self.data.task == "series":            # each test row from the true window before it
            xt = self.data.arrays[2][:own_data.FORECAST_STEPS]
            views.forecast = np.asarray(snap.predict(xt), float).reshape(-1)
        self._views = (snap, views)
        return views

    def trace(self, snap):
        """Hidden states, gates and |d loss / d h_t| of every recurrent layer for the probe sequence."""
        return self.trainer.net.recurrent_trace(self.data.probe_x, self.data.probe_y, flat=snap._flat)

    def probe_output(self, snap):
        """The network's output for the probe: (T, classes) probabilities for text, else one row."""
        out = np.asarray(snap.predict(self.data.probe_x[None].astype(np.float32))[0], float)
        if self.settings.classification:
            return softmax(out.reshape(-1, self.data.outputs))
        return out.reshape(-1)

    def frame(self, snap, parts=("inside", "task"), titled=False):
        """The canvas frame of ``snap``: the unrolled network, heatmaps and gradient through time
        ("inside"), and the task's own view ("task"); text is drawn apart (``sample_text``)."""
        v, data = self.views(snap), self.data
        task = "waves" if data.task == "series" else data.task      # a series is drawn as values, as a wave is
        tokens = draw.input_tokens(task, data.probe_x, data.chars)
        marks = [t for t, tok in enumerate(tokens) if tok.get("mark")]
        panels = []
        if "task" in parts and data.task == "series":
            d = data.series
            unit = lambda z: np.asarray(z, float).reshape(-1) * d.std + d.mean      # noqa: E731
            panels.append(draw.series_panel(unit(data.probe_x[:, 0]), unit(data.arrays[3][:len(v.forecast)]),
                                            unit(v.forecast), repr(d.column), d.test_start - len(data.probe_x)))
        elif "task" in parts and task == "waves":
            panels.append(draw.forecast_panel(data.probe_x[:, 0], data.truth, v.forecast))
        elif "task" in parts and task != "text":
            network, truth = draw.answer(task, v.probe_out, data.probe_y, data.chars)
            probs = v.probe_out[-1] if self.settings.classification else None
            names = draw.PARITY_NAMES if task == "parity" else draw.SYMBOLS
            panels.append(draw.tokens_panel(draw.TASK_TITLES[task], tokens, network, truth, probs, names))
        if "inside" in parts:
            outputs = draw.step_outputs(task, v.probe_out, data.probe_y, data.chars)
            note = draw.clipping_note(snap.grad_norms, self.settings.clip)
            panels += [draw.unrolled_panel(v.trace, tokens, outputs, self.cell),
                       draw.heatmaps_panel(v.trace, self.cell, marks), draw.gradient_panel(v.trace, marks, note)]
        return {"title": self.title if titled else "", "panels": panels}

    def sample_text(self, snap, temperature):
        """(prompt, [(char, probability)]) drawn from ``snap`` at ``temperature`` (cached)."""
        key = (snap.step, snap.epoch, id(self.trainer), temperature)
        if self._text[0] == key:
            return self._text[1]
        prompt = self.data.prompt
        sample = draw.sample_text(snap, self.data.chars, prompt, TEXT_CHARS, temperature, TEXT_SEED)
        self._text = (key, sample)
        return sample

    @property
    def last_sample(self):
        """(sample, temperature) of the text the page drew last, or None (lessons read it: drawing a
        new sample costs ~20 ms, reading this nothing)."""
        key, sample = self._text
        return None if key is None else (sample, key[3])
