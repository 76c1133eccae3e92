"""The recurrent cells one time step at a time, in NumPy, from a snapshot's parameters.

Generating text or continuing a wave feeds the network's own output back in, one
step after another: carrying the state along costs one step per character, where
calling the compiled forward pass on a sliding window would redo the whole window
for each. The formulas are the engine's (PyTorch's), gates in its order:
lstm i, f, g, o; gru r, z, n with ``n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n))``.
A step is a dozen small NumPy calls (about 30 microseconds for an LSTM of 64 units).
"""
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Stepper:
    """Step a stack of recurrent layers and the dense head on top, one input at a time."""

    def __init__(self, params, layers):
        """``params``: a snapshot's params; ``layers``: its (index, type, activation, shape) list."""
        self.cells, self.head = [], []
        for index, kind, activation, _ in layers:
            p = {k.split(".", 1)[1]: v.astype(np.float64) for k, v in params.items()
                 if k.split(".", 1)[0] == str(index)}
            if kind in ("rnn", "lstm", "gru"):
                p["xb"] = p["Wx"] + (p["bx"] if kind == "gru" else p["b"])   # a one-hot input picks a row
                self.cells.append((kind, p))
            elif kind == "dense":
                self.head.append((p, activation))
        self.reset()

    def reset(self):
        self.h = [np.zeros(p["Wh"].shape[0]) for _, p in self.cells]
        self.c = [np.zeros(p["Wh"].shape[0]) for _, p in self.cells]

    def step(self, x):
        """Feed one input: a vector, or the index of the one-hot input (a character). Returns
        the head's raw output for it."""
        a = x if isinstance(x, (int, np.integer)) else np.asarray(x, np.float64)
        for k, (kind, p) in enumerate(self.cells):
            h, u = self.h[k], len(self.h[k])
            if isinstance(a, (int, np.integer)):
                zx = p["xb"][a]
            else:
                zx = a @ p["Wx"] + (p["bx"] if kind == "gru" else p["b"])
            if kind == "rnn":
                h = np.tanh(zx + h @ p["Wh"])
            elif kind == "lstm":
                z = zx + h @ p["Wh"]
                s = _sigmoid(z)
                self.c[k] = s[u:2 * u] * self.c[k] + s[:u] * np.tanh(z[2 * u:3 * u])
                h = s[3 * u:] * np.tanh(self.c[k])
            else:
                zh = h @ p["Wh"] + p["bh"]
                rz = _sigmoid(zx[:2 * u] + zh[:2 * u])
                n = np.tanh(zx[2 * u:] + rz[:u] * zh[2 * u:])
                h = n + rz[u:] * (h - n)                    # (1 - z) n + z h
            self.h[k] = a = h
        for p, activation in self.head:
            a = a @ p["W"] + p["b"]
            if activation == "tanh":
                a = np.tanh(a)
            elif activation == "sigmoid":
                a = _sigmoid(a)
            elif activation == "relu":
                a = np.maximum(a, 0)
        return a


def softmax(logits, temperature=1.0):
    z = np.asarray(logits, np.float64) / max(temperature, 1e-6)
    e = np.exp(z - z.max())
    return e / e.sum()
