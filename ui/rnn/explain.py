"""Plain-words explanations tied to what the RNN page shows: "What am I seeing?" and each task's
input, target and chance level (the sidebar's caption under the task)."""
from functools import lru_cache

import numpy as np

from engine.data.sequences import TEXTS, char_text

from ..text import plain

# Always answering 0 scores the clean wave's mean square (the waves are centred on 0).
WAVE_MEAN_SQUARE = {"sine": 0.5, "sines": 0.26, "square": 0.64, "sawtooth": 0.21}


@lru_cache(maxsize=None)
def text_facts(name):
    """(different characters, the commonest one's share) of a named text."""
    text = char_text(name)
    return len(text.chars), float(np.bincount(text.codes).max() / len(text.codes))


def task_caption(s, own=None):
    """What the task's input and target are, and what guessing would score, for settings ``s`` (and
    the user's own text or series ``own``, ui/rnn/own_data.py)."""
    if s.task == "series" and own is not None:
        k = len(own.columns)
        column = own.columns[min(s.column, k) - 1]
        inputs = f"all {k} columns" if k > 1 else "the column"
        return (f"**Input:** {s.length} rows of {inputs}, one row a step, each column scaled to mean 0 and spread 1 "
                f"over the training rows (the first 80 %). **Target:** the next value of {plain(repr(column))}. "
                "The loss is the squared error in those scaled units: always answering the column's mean would "
                "score about 1, so well under 1 is a real forecast. The test rows are the last 20 %.")
    if s.task == "text" and own is not None:
        chars = own.chars
        n, common = chars.vocab, float(np.bincount(chars.codes).max() / len(chars.codes))
        return (f"**Input:** {s.length} characters of your text ({len(own.text):,} characters), one a step. "
                f"**Target:** at every step, the next character. **Chance is 1 in {n}** ({100 / n:.1f} %, {n} "
                f"different characters); always answering the commonest is right {100 * common:.0f} % of the time.")
    if s.task == "waves":
        return (f"**Input:** a noisy wave, one value a step ({s.length} steps; each sequence has its own speed "
                "and phase). **Target:** the wave's next clean value. The loss is the squared error: always "
                f"answering 0 would score about {WAVE_MEAN_SQUARE[s.wave]:g}, so a loss near 0.01 is a real forecast.")
    if s.task == "delayed_recall":
        return (f"**Input:** one of 4 symbols (A, B, C, D) at step 0, then {s.delay} distractors (w, x, y, z), one a "
                "step. **Target:** the first symbol, after the last step. **Chance is 25 %:** with four symbols "
                "equally likely, a network that has forgotten can only guess one in four.")
    if s.task == "text" and s.text not in TEXTS:
        return "**Input:** your own text, one character a step: paste or upload it under Text."
    if s.task == "text":
        n, common = text_facts(s.text)
        return (f"**Input:** {s.length} characters of the text, one a step. **Target:** at every step, the next "
                f"character. **Chance is 1 in {n}** ({100 / n:.1f} %, {n} different characters); always answering "
                f"the commonest, a space, is right {100 * common:.0f} % of the time.")
    if s.task == "parity":
        return (f"**Input:** {s.length} random bits, one a step. **Target:** is the number of ones odd or even, "
                "after the last step. **Chance is 50 %:** two answers, each right for half the sequences, and "
                "missing a single bit leaves the network no better than a coin.")
    return (f"**Input:** {s.length} random values between 0 and 1, and a second channel that marks two of them "
            "(one in each half). **Target:** the sum of the two marked values. The loss is the squared error: always "
            "answering 1, the average sum, would score about 0.17.")


EQUATIONS = r"""
**The cells, as the engine computes them** (PyTorch's formulas and gate order). At step $t$ the
input is $x_t$ and the previous hidden state $h_{t-1}$; $\sigma$ is the sigmoid (0 to 1), $\odot$
multiplies unit by unit. The same weights $W_x$, $W_h$, $b$ serve every step.

*RNN:* $\;h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$

*LSTM*, gates in the order i, f, g, o: the input gate $i$ (how much to write), the forget gate $f$
(how much of the cell state to keep), the candidate $g$ (what to write), the output gate $o$ (how much
to show):

$$
\begin{aligned}
i_t &= \sigma(x_t W_{xi} + h_{t-1} W_{hi} + b_i)\\
f_t &= \sigma(x_t W_{xf} + h_{t-1} W_{hf} + b_f)\\
g_t &= \tanh(x_t W_{xg} + h_{t-1} W_{hg} + b_g)\\
o_t &= \sigma(x_t W_{xo} + h_{t-1} W_{ho} + b_o)\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t)
\end{aligned}
$$

*GRU*, gates in the order r, z, n: the reset gate $r$ (how much of the old state the candidate
sees), the update gate $z$ (how much of the old state to keep), the candidate $n$:

$$
\begin{aligned}
r_t &= \sigma(x_t W_{xr} + b_{xr} + h_{t-1} W_{hr} + b_{hr})\\
z_t &= \sigma(x_t W_{xz} + b_{xz} + h_{t-1} W_{hz} + b_{hz})\\
n_t &= \tanh\big(x_t W_{xn} + b_{xn} + r_t \odot (h_{t-1} W_{hn} + b_{hn})\big)\\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
\end{aligned}
$$

A dense layer on top turns the last hidden state (for text: every step's) into the answer.
"""

RNN_TEXT = """
**Memory.** A recurrent network reads a sequence one step at a time. At every step the same cell
takes the new input *and its own previous hidden state*, and makes a new hidden state: that state
is the network's memory of everything it has read so far. The unrolled picture draws the one cell
once per step: every column is the same cell with the same weights, and the arrow carries the state
forward.

**The tasks.** *Waves:* read a noisy wave, forecast its next value (squared error). *Delayed
recall:* remember the first of four symbols through up to 100 distractors (chance 25 %). *Text:*
predict the next character at every step, then write by feeding each drawn character back.
*Parity:* is the number of ones odd (chance 50 %)? *Adding:* the sum of the two marked values.
The caption under the task in the sidebar says each one's input, target and chance level.

**Hidden state over time.** Each heatmap row is one unit, each column one time step. The scale
above the heatmaps gives the colours' values: the hidden state runs from −1 (orange) through 0
(grey) to +1 (blue); gates from 0 (white) to 1 (dark blue). Hover any cell for its value. Watch the
rows settle into patterns as the network learns: some units count, some follow the wave, some hold
on to the symbol to remember.

**Gates.** A plain RNN rewrites its whole state at every step. An LSTM keeps a separate *cell
state* and three gates decide what happens to it: the forget gate what to keep (near 1: keep), the
input gate what to write, the output gate what to show. A GRU does the same with two gates.

**Gradients through time.** Training sends the error at the answer back through every step
(backpropagation through time). Each step multiplies it by the cell's recurrent weights and
derivatives: in a plain RNN it shrinks by the same factor again and again, so after many steps
almost nothing is left (the *vanishing gradient*), and the network cannot learn what it should
have remembered. Sometimes it grows instead (*exploding*): clipping caps it. The LSTM's cell state
passes the error along almost unchanged while the forget gate stays open. In compare mode both
cells' charts share one log scale, so their curves can be read against each other.

**The charts.** Loss per epoch (x: epochs; y: the loss, squared error or cross-entropy; switch it
to a log scale under the charts to see the small differences late in training), test accuracy
for the tasks with classes, and, when paused, "Look closer": the timeline to rewind on, each
layer's input and recurrent weights and their gradients, and for the tasks with classes the
confusion matrix, each for every cell in compare mode.

**Try this.** Delayed recall with a delay of 100, compare an LSTM with a plain RNN and press Play:
the LSTM's accuracy climbs to 100 % while the RNN stays at chance (25 %), and its gradient
through time drops by many powers of ten before it reaches step 0. Then lower the delay to 60: now
the plain RNN learns too (with the default seed; with some seeds it stays stuck: try New).
""" + EQUATIONS
