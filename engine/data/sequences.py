"""Sequence tasks: waves to forecast, delayed recall, character-level text, parity, adding.

Every generator takes a seed and returns (x, y): x (n, T, features) float, y as the
engine's losses expect (class indices (n,) or (n, T), or targets (n, out)).
"""
import codecs
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

WAVES = ("sine", "sines", "square", "sawtooth")
SYMBOLS = "ABCDEFGH"            # delayed recall's symbols: class k is SYMBOLS[k]
ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _wave(kind, t, freq, phase):
    u = freq * t + phase                       # in periods
    if kind == "sine":
        return np.sin(2 * np.pi * u)
    if kind == "sines":
        return 0.6 * np.sin(2 * np.pi * u) + 0.4 * np.sin(2 * np.pi * 2.7 * u + 1.3)
    if kind == "square":
        return np.where((u % 1.0) < 0.5, 0.8, -0.8)
    if kind == "sawtooth":
        return 1.6 * (u % 1.0) - 0.8
    raise ValueError(f"wave must be one of {list(WAVES)}, got {kind!r}")


def waves(kind="sine", n=1000, length=50, noise=0.05, seed=0, freq=(0.02, 0.08)):
    """Windows of a noisy wave (n, length, 1) and the next value (n, 1) to forecast.

    Each window has its own random frequency (periods per step) and phase."""
    if kind not in WAVES:
        raise ValueError(f"wave must be one of {list(WAVES)}, got {kind!r}")
    rng = np.random.default_rng(seed)
    f = rng.uniform(*freq, size=(n, 1))
    phase = rng.uniform(0, 1, size=(n, 1))
    t = np.arange(length + 1)[None, :]
    clean = _wave(kind, t, f, phase)
    signal = clean + rng.normal(0, noise, clean.shape)
    return signal[:, :length, None], clean[:, length:length + 1]


def wave_series(kind, steps, freq, phase, noise=0.0, seed=0):
    """One wave of ``steps`` values with a known frequency (periods per step) and phase:
    (noisy, clean), each (steps,). A window of it and the clean rest show a forecast."""
    clean = _wave(kind, np.arange(steps, dtype=float), freq, phase)
    return clean + np.random.default_rng(seed).normal(0, noise, steps), clean


def _predictor(model):
    """A Snapshot's ``predict`` (its own small buffers, training's are left alone) or a
    Network's ``forward``."""
    return getattr(model, "predict", None) or model.forward


def free_run(net, context, steps):
    """Continue a wave: feed the model's own predictions back for ``steps`` steps.

    ``net`` is a Snapshot (preferred during training) or a Network; ``context`` (T, 1) is
    the last window; returns the (steps,) predicted values."""
    predict = _predictor(net)
    window = np.array(context, dtype=float).reshape(-1)
    out = np.empty(steps)
    for s in range(steps):
        out[s] = predict(window[None, :, None])[0, 0]
        window = np.append(window[1:], out[s])
    return out


def delayed_recall(n=2000, delay=40, symbols=4, distractors=4, seed=0):
    """A symbol (one of ``symbols``) at step 0, then ``delay`` random distractors (from
    ``distractors`` other symbols); the label is the first symbol. One-hot inputs of
    symbols + distractors channels: x (n, 1 + delay, channels), y (n,)."""
    if not 1 <= delay <= 1000:
        raise ValueError(f"delay must be in [1, 1000], got {delay}")
    rng = np.random.default_rng(seed)
    channels = symbols + distractors
    first = rng.integers(0, symbols, n)
    noise = rng.integers(symbols, channels, (n, delay))
    codes = np.concatenate([first[:, None], noise], axis=1)
    x = np.zeros((n, 1 + delay, channels))
    np.put_along_axis(x, codes[:, :, None], 1.0, axis=2)
    return x, first


@lru_cache(maxsize=1)
def zen_of_python():
    """The Zen of Python from the standard library's ``this``, without running it.

    Importing ``this`` prints the text, and hiding that by swapping ``sys.stdout`` would
    touch every thread of the server. The module's compiled code holds the text
    rot13-encoded as its longest string constant; reading that executes nothing."""
    code = importlib.util.find_spec("this").loader.get_code("this")
    encoded = max((c for c in code.co_consts if isinstance(c, str)), key=len)
    return codecs.decode(encoded, "rot13")


@lru_cache(maxsize=1)
def kjv_selections():
    """Chapters of the King James Bible (1611; public domain), shipped in assets/text/:
    about 40 kB, written out for this project (see assets/text/README.md)."""
    return (ASSETS / "text" / "kjv.txt").read_text(encoding="utf-8")


TEXTS = {"zen": zen_of_python, "kjv": kjv_selections}     # name -> the text (cached)


@lru_cache(maxsize=len(TEXTS))
def char_text(name):
    """The CharText of a named text (one per process: its vocabulary fixes the network's size)."""
    if name not in TEXTS:
        raise ValueError(f"text must be one of {list(TEXTS)}, got {name!r}")
    return CharText(TEXTS[name]())


class CharText:
    """Character-level text: one-hot windows, next-character labels, sampling."""

    def __init__(self, text=None):
        self.text = zen_of_python() if text is None else text
        self.chars = sorted(set(self.text))
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.codes = np.array([self.index[c] for c in self.text])

    @property
    def vocab(self):
        return len(self.chars)

    def one_hot(self, codes):
        codes = np.asarray(codes)
        return np.eye(self.vocab)[codes]

    def windows(self, length=32, n=2000, seed=0, every_step=False, span=None):
        """x (n, length, vocab); y (n,) the next character, or (n, length) the next one at
        every step when ``every_step`` (for return_sequences models). ``span`` (start, end)
        takes the windows from that part of the text only (a held-out part for testing)."""
        lo, hi = span or (0, len(self.codes))
        if hi - lo < length + 1:
            raise ValueError(f"a window of {length} needs {length + 1} characters, the span has {hi - lo}")
        rng = np.random.default_rng(seed)
        start = rng.integers(lo, hi - length, n)
        idx = start[:, None] + np.arange(length)[None, :]
        x = self.one_hot(self.codes[idx])
        y = self.codes[idx + 1] if every_step else self.codes[start + length]
        return x, y

    def sample(self, net, prefix, length, temperature=1.0, seed=0):
        """Extend ``prefix`` by ``length`` characters drawn from the softmax of ``net`` (a
        Snapshot, preferred during training, or a Network) at a temperature (0 = always the
        most likely character)."""
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        predict = _predictor(net)
        rng = np.random.default_rng(seed)
        window = [self.index[c] for c in prefix]
        T = net.input_shape[0]
        out = []
        for _ in range(length):
            codes = ([0] * T + window)[-T:]
            logits = np.asarray(predict(self.one_hot(codes)[None]), float).reshape(-1, self.vocab)[-1]
            out.append(pick(logits, temperature, rng))
            window.append(out[-1])
        return prefix + "".join(self.chars[c] for c in out)


def pick(logits, temperature, rng):
    """An index drawn from softmax(logits / temperature); temperature 0 is the argmax."""
    if temperature == 0:
        return int(np.argmax(logits))
    z = np.asarray(logits, float) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def parity(n=2000, length=10, seed=0):
    """Random bits (n, length, 1); the label is 1 when the number of ones is odd."""
    bits = np.random.default_rng(seed).integers(0, 2, (n, length))
    return bits[:, :, None].astype(float), bits.sum(axis=1) % 2


def adding(n=2000, length=30, seed=0):
    """The adding problem: channel 0 holds random values, channel 1 marks two of them;
    the target (n, 1) is the sum of the two marked values."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (n, length))
    marks = np.zeros((n, length))
    first = rng.integers(0, length // 2, n)
    second = rng.integers(length // 2, length, n)
    marks[np.arange(n), first] = 1
    marks[np.arange(n), second] = 1
    return np.stack([values, marks], axis=2), (values * marks).sum(axis=1, keepdims=True)
