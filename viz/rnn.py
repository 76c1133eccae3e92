"""A recurrent network's insides as frame data for the RNN page's canvas (ui/rnn/components).

Pure functions from a trace (engine Network.recurrent_trace: hidden states, gates,
|d loss / d h_t| for one probe sequence) and the probe's output to small JSON-able
panels. Heatmaps travel as base64 bytes (256 levels over the map's range): an LSTM's
six maps of 32 units over 100 steps are 26 KB a frame that way, not 100.
"""
import base64
import html
import re
from dataclasses import dataclass, field

import numpy as np

from .curves import LAYER_COLORS
from .palette import CLASS_COLORS, FRAME, NEGATIVE_LINE, POSITIVE, RIGHT, WRONG
from .rnn_cells import Stepper

CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
GATE_NAMES = {"lstm": ("input gate i", "forget gate f", "candidate g", "output gate o"),
              "gru": ("reset gate r", "update gate z", "candidate n")}
# Token outlines and chart lines: each 3:1 or more on white (WCAG 1.4.11; tests/viz/test_line_contrast.py)
SYMBOL_COLORS = ("#0877bd", "#cc5500", "#2b8a55", "#9467bd", "#d0404a", "#1f8794", "#8c564b", "#7a7a14")
DISTRACTOR_COLOR = FRAME
INPUT_COLOR, TRUTH_COLOR = FRAME, "#2ca25f"
UNROLLED_STEPS = 7            # the first steps drawn unrolled (the last one follows after a gap)
SYMBOLS = "ABCDEFGH"
DISTRACTORS = "wxyzuvst"
PARITY_NAMES = ("even", "odd")


@dataclass
class Views:
    """What one snapshot shows: the probe's trace and output, and the task's own view."""
    trace: dict
    probe_out: np.ndarray
    forecast: np.ndarray = None
    extra: dict = field(default_factory=dict)


def quantized(values, lo, hi):
    """Values as base64 bytes, 0 at ``lo`` and 255 at ``hi`` (hover shows them to 2 decimals)."""
    q = np.clip(np.round((np.asarray(values, float) - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _rounded(values, digits=4):
    a = np.asarray(values, float)
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in a.tolist()]


def _span(values):
    """A symmetric range that holds ``values`` (at least [-1, 1])."""
    top = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    return max(1.0, float(np.ceil(top * 2) / 2))


# -- the probe's inputs and outputs in words ----------------------------------
def input_tokens(task, x, chars=None):
    """One token (text, colour, mark) per time step of the probe sequence ``x`` (T, F)."""
    x = np.asarray(x)
    if task == "delayed_recall":
        codes = x.argmax(axis=1)
        symbols = 4
        return [{"text": SYMBOLS[c], "color": SYMBOL_COLORS[c], "mark": t == 0} if c < symbols else
                {"text": DISTRACTORS[(c - symbols) % len(DISTRACTORS)], "color": DISTRACTOR_COLOR}
                for t, c in enumerate(codes)]
    if task == "text":
        return [{"text": show_char(chars.chars[c]), "color": "#31333f"} for c in x.argmax(axis=1)]
    if task == "parity":
        return [{"text": str(int(v)), "color": POSITIVE if v > 0.5 else DISTRACTOR_COLOR} for v in x[:, 0]]
    if task == "adding":
        return [{"text": f"{v:.2f}", "color": POSITIVE if m > 0.5 else DISTRACTOR_COLOR, "mark": bool(m > 0.5),
                 "bar": float(v)} for v, m in x]
    return [{"text": f"{v:.2f}", "color": POSITIVE if v >= 0 else NEGATIVE_LINE, "bar": float(v)} for v in x[:, 0]]


def show_char(c):
    return {" ": "␣", "\n": "↵"}.get(c, c)


def step_outputs(task, out, label, chars=None):
    """An output token for every step of the probe: at each step for text (the character the
    network expects next), at the last step only for the other tasks."""
    T = len(out) if task == "text" else None
    if task == "text":
        tokens = []
        for t in range(T):
            k = int(np.argmax(out[t]))
            right = k == int(np.ravel(label)[t])
            tokens.append({"text": show_char(chars.chars[k]), "color": RIGHT if right else WRONG,
                           "tip": f"step t={t}: expects '{show_char(chars.chars[k])}' ({out[t][k]:.0%}); "
                                  f"next is '{show_char(chars.chars[int(np.ravel(label)[t])])}'"})
        return tokens
    network, truth = answer(task, out, label, chars)
    right = network.split(" ")[0] == truth or task in ("waves", "adding")
    return {"last": {"text": network, "color": RIGHT if right else WRONG,
                     "tip": f"the network's answer: {network}; the truth: {truth}"}}


def answer(task, out, label, chars=None):
    """(network's answer, truth) in words, for the last step of the probe."""
    if task == "delayed_recall":
        k = int(np.argmax(out[-1]))
        return f"{SYMBOLS[k]} ({out[-1][k]:.0%})", SYMBOLS[int(label)]
    if task == "parity":
        k = int(np.argmax(out[-1]))
        return f"{PARITY_NAMES[k]} ({out[-1][k]:.0%})", PARITY_NAMES[int(label)]
    if task == "text":
        k = int(np.argmax(out[-1]))
        return f"{show_char(chars.chars[k])} ({out[-1][k]:.0%})", show_char(chars.chars[int(np.ravel(label)[-1])])
    return f"{float(out[-1]):.3f}", f"{float(np.ravel(label)[0]):.3f}"


# -- panels -------------------------------------------------------------------
def unrolled_panel(trace, tokens, outputs, cell):
    """The network unrolled over the first steps of the probe (and its last step after a gap):
    each step's input, hidden state as a row of coloured cells, and output; arrows carry the
    state from step to step."""
    T = len(tokens)
    steps = list(range(T)) if T <= UNROLLED_STEPS + 1 else list(range(UNROLLED_STEPS)) + [T - 1]
    layers = []
    for index in sorted(trace):
        hidden = trace[index]["hidden"][steps]
        layers.append({"units": hidden.shape[1], "h": quantized(hidden, -1, 1)})
    if isinstance(outputs, dict):                  # many-to-one: the answer comes after the last step
        outputs = [None] * (T - 1) + [outputs["last"]]
    title = (f"{CELL_NAMES[cell]} unrolled over {T} steps: every column is the same cell with the same weights, "
             "its hidden state handed on to the next step")
    return {"type": "unrolled", "T": T, "steps": steps, "cell": CELL_NAMES[cell], "title": title,
            "inputs": [tokens[t] for t in steps], "layers": layers, "outputs": [outputs[t] for t in steps]}


def heatmaps_panel(trace, cell, marks=()):
    """Units x time heatmaps: the hidden state, and for an LSTM its cell state and four gates
    (a GRU its three), every layer."""
    maps = []
    layered = len(trace) > 1
    for k, index in enumerate(sorted(trace)):
        tr, tag = trace[index], f" (layer {k + 1})" if layered else ""
        maps.append(_map(f"hidden state h{tag}", tr["hidden"], -1, 1, "div"))
        if "cell" in tr:
            span = _span(tr["cell"])
            maps.append(_map(f"cell state c{tag}", tr["cell"], -span, span, "div"))
        if "gates" in tr:
            for g, name in enumerate(GATE_NAMES[cell]):
                signed = name.startswith("candidate")
                maps.append(_map(name + tag, tr["gates"][:, g], -1 if signed else 0, 1, "div" if signed else "seq"))
    return {"type": "heatmaps", "maps": maps, "marks": list(marks), "scales": color_scales(maps)}


def color_scales(maps):
    """The heatmaps' colour scales for their legend: one entry per (scale, lo, hi), naming the maps on
    it by their letters (h, c, i, f, ...), in the maps' order."""
    groups = {}
    for m in maps:
        letter = m["title"].split(" (layer")[0].split(" ")[-1]
        names = groups.setdefault((m["scale"], m["lo"], m["hi"]), [])
        if letter not in names:
            names.append(letter)
    return [{"names": ", ".join(names), "scale": scale, "lo": lo, "hi": hi} for (scale, lo, hi), names in groups.items()]


def _map(title, values, lo, hi, scale):
    """One heatmap: rows are units, columns time steps."""
    v = np.asarray(values, float).T                # (units, T)
    return {"title": title, "rows": v.shape[0], "cols": v.shape[1], "lo": lo, "hi": hi, "scale": scale,
            "data": quantized(v, lo, hi)}


def clipping_note(grad_norms, clip):
    """The whole gradient's size at the last step, and what clipping made of it."""
    norm = float(np.sqrt(sum(v * v for v in grad_norms.values())))
    if not norm:
        return ""
    if clip and norm > clip:
        return f"whole gradient at the last step: {norm:.3g}, clipped to {clip:g} (×{clip / norm:.2g})"
    return f"whole gradient at the last step: {norm:.3g}" + (f" (under the clipping threshold {clip:g})" if clip else "")


def gradient_panel(trace, marks=(), note=""):
    """|d loss / d h_t| at every step, log scale: how much of the error reaches each step."""
    series = []
    layered = len(trace) > 1
    for k, index in enumerate(sorted(trace)):
        g = np.asarray(trace[index]["grad_norm"], float)
        g = np.where(g > 0, g, np.nan)
        series.append({"name": f"layer {k + 1}" if layered else "|∂loss/∂hₜ|",
                       "color": LAYER_COLORS[k % len(LAYER_COLORS)], "values": _rounded(g, 3)})
    T = len(next(iter(trace.values()))["grad_norm"])
    return {"type": "lines", "title": "Gradient through time: |∂loss/∂hₜ|, how much of the error reaches step t (log scale)",
            "x": list(range(T)), "xlabel": "time step t", "log": True, "series": series, "marks": list(marks),
            "note": note}


def shared_log_range(panels):
    """Put every gradient-through-time panel of ``panels`` (one per cell) on one log axis: [lo, hi]
    in powers of ten around all their values, so two cells' curves can be read against each other."""
    values = [v for p in panels for s in p["series"] for v in s["values"] if v is not None and v > 0]
    if not values:
        return
    lo, hi = int(np.floor(np.log10(min(values)))), int(np.ceil(np.log10(max(values))))
    for p in panels:
        p["range"] = [lo, max(hi, lo + 1)]


def forecast_panel(window, truth, forecast):
    """The probe window (what the network saw), the true continuation, and the network's
    free-running forecast (its own predictions fed back as input)."""
    T, total = len(window), len(truth)
    pad = [None] * (total - T)
    return {"type": "lines", "title": "Forecast: the wave's value at each step; after the dashed line the network "
                                      "runs on its own",
            "x": list(range(total)), "xlabel": "time step t", "log": False, "range": [-1.3, 1.3],
            "series": [{"name": "input (noisy)", "color": INPUT_COLOR, "values": _rounded(window, 3) + pad},
                       {"name": "truth", "color": TRUTH_COLOR, "values": _rounded(truth, 3), "dash": True},
                       {"name": "network, free-running", "color": POSITIVE,
                        "values": [None] * (T - 1) + _rounded(np.concatenate([[window[-1]], forecast]), 3)}],
            "marks": [T - 0.5]}


def series_panel(window, truth, predicted, column, first_row=0):
    """The user's own series: the window the network read (its forecast column), then the true values
    of the test rows after it and the network's forecast of each, one step ahead (each from the true
    rows before it). Values in the column's own units; x counts the file's data rows from 1."""
    T, K = len(window), len(truth)
    values = np.concatenate([window, truth, predicted])
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
    pad = 0.08 * (hi - lo) or 1.0
    return {"type": "lines", "title": f"Forecast of {column}: after the dashed line, the network's value for each row "
                                      "from the true rows before it",
            "x": list(range(first_row + 1, first_row + T + K + 1)), "xlabel": "row", "log": False,
            "range": [lo - pad, hi + pad],
            "series": [{"name": "input", "color": INPUT_COLOR, "values": _rounded(window, 4) + [None] * K},
                       {"name": "truth", "color": TRUTH_COLOR, "dash": True,
                        "values": [None] * (T - 1) + _rounded(np.concatenate([window[-1:], truth]), 4)},
                       {"name": "network, one step ahead", "color": POSITIVE,
                        "values": [None] * T + _rounded(predicted, 4)}],
            "marks": [T - 0.5]}


def tokens_panel(title, tokens, network, truth, probs=None, names=SYMBOLS):
    """The probe sequence as a strip of tokens (marked ones ringed), and the answer."""
    panel = {"type": "tokens", "title": title, "tokens": tokens, "network": network, "truth": truth}
    if probs is not None:
        panel["bars"] = [{"name": names[k], "value": round(float(p), 3), "color": CLASS_COLORS[k]
                          if k < len(CLASS_COLORS) else SYMBOL_COLORS[k]} for k, p in enumerate(probs)]
    return panel


TASK_TITLES = {
    "delayed_recall": "Recall: the ringed symbol, after the distractors",
    "parity": "Parity: is the number of ones odd?",
    "adding": "Adding: the sum of the two ringed values",
    "text": "Text: the probe window, one character a step",
}


# -- text -----------------------------------------------------------------------
def sample_text(snap, chars, prompt, length, temperature, seed=0):
    """(prompt, [(char, probability it had)]): ``length`` characters drawn one at a time from
    the network of ``snap``, each fed back as the next input, the state carried along."""
    stepper = Stepper(snap.params, snap.layers)
    rng = np.random.default_rng(seed)
    out = None
    for c in prompt:
        out = stepper.step(chars.index[c])
    drawn, last = [], len(chars.chars) - 1
    for u in rng.random(length):
        e = np.exp((out - out.max()) / max(temperature, 1e-6))
        cum = np.cumsum(e)
        k = min(int(np.searchsorted(cum, u * cum[-1])), last)
        drawn.append((chars.chars[k], float(e[k] / cum[-1])))
        out = stepper.step(k)
    return prompt, drawn


def text_html(prompt, drawn):
    """The sample as HTML: the prompt grey, each drawn character shaded by how sure the
    network was, its probability on hover."""
    def esc(c):
        return {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": "<br>"}.get(c, c)
    spans = "".join(f'<span title="{html.escape(show_char(c))}: {p:.0%}" '       # a user's text may hold "
                    f'style="background:rgba(8,119,189,{0.22 * (1 - p):.2f})">'
                    f'{esc(c)}</span>' for c, p in drawn)
    return (f'<div class="rnn-text"><span style="color:#6b6f7b">{"".join(esc(c) for c in prompt)}</span>'
            f'{spans}</div>')


def word_rate(sample, text):
    """Share of the sample's words that occur in ``text`` (the bench's measure of learning)."""
    known = set(re.findall(r"[A-Za-z']+", text))
    words = re.findall(r"[A-Za-z']+", sample)
    return sum(w in known for w in words) / max(len(words), 1)


def heatmap_values(m):
    """One heatmap of ``heatmaps_panel`` (units x steps) as drawn: its bytes decoded on [lo, hi]."""
    q = np.frombuffer(base64.b64decode(m["data"]), np.uint8).reshape(m["rows"], m["cols"])
    return m["lo"] + q.astype(np.float64) / 255 * (m["hi"] - m["lo"])


def heatmaps_table(panel):
    """The hidden-unit maps of ``heatmaps_panel`` as drawn (issue 22: a text alternative): one row per
    map and unit, a column per time step (2 decimals, as hovering shows them)."""
    import pandas as pd          # here: a page's first run needs no pandas (0.3 s to import)
    rows, steps = [], max((m["cols"] for m in panel["maps"]), default=0)
    for m in panel["maps"]:
        for unit, line in enumerate(heatmap_values(m), 1):
            rows.append([m["title"], unit] + [round(float(v), 2) for v in line] + [None] * (steps - len(line)))
    return pd.DataFrame(rows, columns=["map", "unit"] + [f"step {t}" for t in range(1, steps + 1)])
