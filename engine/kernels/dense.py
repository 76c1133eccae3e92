"""Dense, dropout and flatten: forward and backward side by side.

Inputs are flat per sample, (rows, features), so a dense layer after a
sequence acts on every time step at once. Zero inputs are skipped: MNIST
pixels and ReLU outputs are mostly zero, so this halves the work or better.
"""
from ._jit import jit
from .rng import _uniform


@jit
def _dense_forward(x, W, b, out):
    # x (R, I), W (I, O), b (O,), out (R, O). The loop over i is outermost so
    # each row of W is read once per batch while ``out`` stays in L1.
    R, I = x.shape
    O = W.shape[1]
    for r in range(R):
        for j in range(O):
            out[r, j] = b[j]
    for i in range(I):
        for r in range(R):
            xi = x[r, i]
            if xi != 0:
                for j in range(O):
                    out[r, j] += xi * W[i, j]


@jit
def _dense_backward(x, W, d_out, d_W, d_b, d_x, need_d_x):
    # d_out (R, O) -> d_W (I, O), d_b (O,), d_x (R, I) when need_d_x
    R, I = x.shape
    O = W.shape[1]
    for j in range(O):
        d_b[j] = 0
    for r in range(R):
        for j in range(O):
            d_b[j] += d_out[r, j]
    for i in range(I):
        for j in range(O):
            d_W[i, j] = 0
        for r in range(R):
            xi = x[r, i]
            if xi != 0:
                for j in range(O):
                    d_W[i, j] += xi * d_out[r, j]
    if need_d_x:
        for r in range(R):
            for i in range(I):
                s = d_out.dtype.type(0)
                for j in range(O):
                    s += d_out[r, j] * W[i, j]
                d_x[r, i] = s


@jit
def _dropout_forward(x, out, mask, rate, training, rng_state):
    # x, out, mask 1-D of equal size; inverted dropout keeps E[out] = x.
    if not training or rate == 0:
        out[:] = x
        mask[:] = 1
        return
    scale = 1.0 / (1.0 - rate)
    for i in range(x.size):
        keep = _uniform(rng_state) >= rate
        mask[i] = scale if keep else 0.0
        out[i] = x[i] * mask[i]


@jit
def _dropout_backward(d_out, mask, d_x):
    for i in range(d_out.size):
        d_x[i] = d_out[i] * mask[i]


@jit
def _copy_forward(x, out):
    # flatten: activations are already flat per sample, so this is a copy.
    out[:] = x
