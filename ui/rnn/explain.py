"""Plain-words explanations tied to what the RNN page shows."""
RNN_TEXT = """
**Memory.** A recurrent network reads a sequence one step at a time. At every step the same cell
takes the new input *and its own previous hidden state*, and makes a new hidden state: that state
is the network's memory of everything it has read so far. The unrolled picture draws the one cell
once per step, with the arrow that carries the state forward.

**Hidden state over time.** Each heatmap row is one unit, each column one time step; blue is
positive, orange negative. Watch the rows settle into patterns as the network learns: some units
count, some follow the wave, some hold on to the symbol to remember.

**Gates.** A plain RNN rewrites its whole state at every step: `h = tanh(x·Wx + h·Wh + b)`. An
LSTM keeps a separate *cell state* and three gates decide what happens to it: the forget gate
what to keep (near 1: keep), the input gate what to write, the output gate what to show. A GRU
does the same with two gates. A gate is a number between 0 (white) and 1 (dark blue) per unit.

**Gradients through time.** Training sends the error at the answer back through every step
(backpropagation through time). Each step multiplies it by the cell's recurrent weights and
derivatives: in a plain RNN it shrinks by the same factor again and again, so after 50 steps
almost nothing is left (the *vanishing gradient*), and the network cannot learn what it should
have remembered. Sometimes it grows instead (*exploding*): clipping caps it. The LSTM's cell state
passes the error along almost unchanged while the forget gate stays open.

**Try this.** Delayed recall with a delay of 100, compare an LSTM with a plain RNN and press Play:
the LSTM's accuracy climbs to 100 % while the RNN stays at chance (25 %), and its gradient
through time drops to nothing long before step 0. Then lower the delay to 10: now both learn.
"""

