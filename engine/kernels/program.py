"""The network as a program: one compiled loop runs every layer and step.

A network is an int64 table ``prog`` (one row per layer, columns below), a
float64 table ``fprog`` (per-layer real settings such as the dropout rate) and
one flat parameter vector. Activations live in one flat workspace: per sample,
layer l reads [A_IN, A_IN + IN_SIZE) and writes [A_OUT, A_OUT + OUT_SIZE); for a
batch of B samples every offset and size is multiplied by B. Keeping the whole
training step in one compiled call removes the per-layer Python overhead that
dominates small networks.

``training`` always arrives as an argument from Python: a literal True or False
inside compiled code would make Numba compile ``_forward`` once per value.

A new layer kind adds a code here, a branch in ``_forward`` and ``_backward``,
and its kernels in the family file.
"""
import numpy as np

from ._jit import jit
from .activations import _activate, _activation_backward
from .conv import (_avgpool_backward, _avgpool_forward, _conv2d_backward, _conv2d_forward,
                   _maxpool_backward, _maxpool_forward)
from .dense import (_copy_forward, _dense_backward, _dense_forward,
                    _dropout_backward, _dropout_forward)
from .losses import _loss_forward_backward
from .recurrent import GRU, _rnn_backward, _rnn_forward
from .optim import _add_penalties, _clip_by_global_norm, _global_norm, _optimizer_step
from .rng import _shuffle

# Layer kinds.
DENSE, DROPOUT, FLATTEN, CONV2D, MAXPOOL2D, AVGPOOL2D, RECURRENT = 0, 1, 2, 3, 4, 5, 6

# Columns of ``prog``.
KIND, ACT, IN_SIZE, OUT_SIZE, P_OFF, P_SIZE, A_IN, A_OUT, C_OFF, C_SIZE = range(10)
X0 = 10        # first layer-specific column
N_COLS = 24

# Slots of the int64 loop state carried between calls of ``_train_steps``.
CURSOR, EPOCH, STEP = 0, 1, 2


@jit
def _span(buf, B, start, size):
    """A layer's region of a flat workspace for a batch of B: per-sample offsets times B."""
    return buf[B * start:B * (start + size)]


@jit
def _forward(prog, fprog, params, acts, cache, B, training, rng_state):
    for l in range(prog.shape[0]):
        row = prog[l]
        kind = row[KIND]
        x = _span(acts, B, row[A_IN], row[IN_SIZE])
        out = _span(acts, B, row[A_OUT], row[OUT_SIZE])
        c = _span(cache, B, row[C_OFF], row[C_SIZE])
        p = row[P_OFF]
        if kind == DENSE:
            R, I, O = B * row[X0], row[X0 + 1], row[X0 + 2]
            W = params[p:p + I * O].reshape((I, O))
            b = params[p + I * O:p + I * O + O]
            _dense_forward(x.reshape((R, I)), W, b, out.reshape((R, O)))
        elif kind == DROPOUT:
            _dropout_forward(x, out, c, fprog[l, 0], training, rng_state)
        elif kind == FLATTEN:
            _copy_forward(x, out)
        elif kind == CONV2D:
            _conv2d_forward(*_conv_views(row, params, x, out, c, B))
        elif kind == MAXPOOL2D:
            C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
            _maxpool_forward(x.reshape((B, C, H, W)), out.reshape((B, C, Ho, Wo)),
                             c.reshape((B, C, Ho, Wo)), pool, stride)
        elif kind == AVGPOOL2D:
            C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
            _avgpool_forward(x.reshape((B, C, H, W)), out.reshape((B, C, Ho, Wo)), pool, stride)
        elif kind == RECURRENT:
            cell, T, F, U, G, seq = row[X0:X0 + 6]
            Wx, Wh, b, bh, _, _, _ = _recurrent_params(row, params)
            xt, hs, A, C2, _, _, _ = _recurrent_cache(row, c, B)
            _rnn_forward(cell, x.reshape((B, T, F)), Wx, Wh, b, bh, out.reshape((B, T if seq else 1, U)),
                         xt, hs, A, C2, seq == 1)
        _activate(row[ACT], out)


@jit
def _conv_views(row, params, x, out, c, B):
    """The arguments of _conv2d_forward, as views into the flat buffers."""
    C, H, W, F, k, stride, pt, pl, Hp, Wp, Ho, Wo = row[X0:X0 + 12]
    p = row[P_OFF]
    n_w = F * C * k * k
    n_pad = C * (B * Hp + 1) * Wp
    n_full = (k - 1) * (Wp + 1) + B * Hp * Wp
    return (x.reshape((B, C, H, W)), params[p:p + n_w].reshape((F, C, k, k)), params[p + n_w:p + n_w + F],
            out.reshape((B, F, Ho, Wo)), c[:n_pad].reshape((C, B * Hp + 1, Wp)),
            c[n_pad:n_pad + F * n_full].reshape((F, n_full)), pt, pl, stride)


@jit
def _recurrent_params(row, params):
    """Wx, Wh, b (GRU: bx), bh (empty but for GRU) and the offsets of Wh, b and bh."""
    cell, T, F, U, G, seq = row[X0:X0 + 6]
    p = row[P_OFF]
    o_wh = p + F * G * U
    o_b = o_wh + U * G * U
    o_bh = o_b + G * U
    n_bh = G * U if cell == GRU else 0
    return (params[p:o_wh].reshape((F, G * U)), params[o_wh:o_b].reshape((U, G * U)),
            params[o_b:o_bh], params[o_bh:o_bh + n_bh], o_wh, o_b, o_bh)


@jit
def _recurrent_cache(row, c, B):
    """The time-major scratch arrays of a recurrent layer (engine/kernels/recurrent.py)."""
    cell, T, F, U, G, seq = row[X0:X0 + 6]
    sizes = (T * B * F, (T + 1) * B * U, T * B * G * U, (T + 1) * B * U, T * B * G * U,
             T * B * G * U if cell == GRU else 0, T * B * U)
    o = np.cumsum(np.array(sizes))
    xt = c[0:o[0]].reshape((T, B, F))
    hs = c[o[0]:o[1]].reshape((T + 1, B, U))
    A = c[o[1]:o[2]].reshape((T, B, G * U))
    C2 = c[o[2]:o[3]].reshape((T + 1, B, U))
    dA = c[o[3]:o[4]].reshape((T, B, G * U))
    dAh = c[o[4]:o[5]].reshape((T, B, G * U)) if cell == GRU else dA
    dh = c[o[5]:o[6]].reshape((T, B, U))
    return xt, hs, A, C2, dA, dAh, dh


@jit
def _backward(prog, params, grads, acts, d_acts, cache, B):
    """Backpropagate d_acts of the last layer's output into ``grads``."""
    for l in range(prog.shape[0] - 1, -1, -1):
        row = prog[l]
        kind = row[KIND]
        x, d_x = _span(acts, B, row[A_IN], row[IN_SIZE]), _span(d_acts, B, row[A_IN], row[IN_SIZE])
        out, d_out = _span(acts, B, row[A_OUT], row[OUT_SIZE]), _span(d_acts, B, row[A_OUT], row[OUT_SIZE])
        c = _span(cache, B, row[C_OFF], row[C_SIZE])
        p = row[P_OFF]
        need_d_x = l > 0
        _activation_backward(row[ACT], out, d_out)
        if kind == DENSE:
            R, I, O = B * row[X0], row[X0 + 1], row[X0 + 2]
            W = params[p:p + I * O].reshape((I, O))
            d_W = grads[p:p + I * O].reshape((I, O))
            d_b = grads[p + I * O:p + I * O + O]
            _dense_backward(x.reshape((R, I)), W, d_out.reshape((R, O)), d_W, d_b,
                            d_x.reshape((R, I)), need_d_x)
        elif kind == DROPOUT:
            if need_d_x:
                _dropout_backward(d_out, c, d_x)
        elif kind == FLATTEN:
            if need_d_x:
                _copy_forward(d_out, d_x)
        elif kind == CONV2D:
            xx, W, _, out4, xpad, full, pt, pl, stride = _conv_views(row, params, x, out, c, B)
            F, C, k = W.shape[0], W.shape[1], W.shape[2]
            n_w = F * C * k * k
            _conv2d_backward(W, d_out.reshape(out4.shape), grads[p:p + n_w].reshape(W.shape),
                             grads[p + n_w:p + n_w + F], d_x.reshape(xx.shape), xpad, full,
                             pt, pl, stride, need_d_x)
        elif kind == MAXPOOL2D:
            if need_d_x:
                C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
                _maxpool_backward(d_out.reshape((B, C, Ho, Wo)), c.reshape((B, C, Ho, Wo)),
                                  d_x.reshape((B, C, H, W)))
        elif kind == AVGPOOL2D:
            if need_d_x:
                C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
                _avgpool_backward(d_out.reshape((B, C, Ho, Wo)), d_x.reshape((B, C, H, W)), pool, stride)
        elif kind == RECURRENT:
            cell, T, F, U, G, seq = row[X0:X0 + 6]
            Wx, Wh, _, _, o_wh, o_b, o_bh = _recurrent_params(row, params)
            xt, hs, A, C2, dA, dAh, dh = _recurrent_cache(row, c, B)
            _rnn_backward(cell, Wx, Wh, d_out.reshape((B, T if seq else 1, U)),
                          grads[p:o_wh].reshape(Wx.shape), grads[o_wh:o_b].reshape(Wh.shape),
                          grads[o_b:o_b + G * U], grads[o_bh:o_bh + (G * U if cell == GRU else 0)],
                          d_x.reshape((B, T, F)), xt, hs, A, C2, dA, dAh, dh, seq == 1, need_d_x)


@jit
def _output_views(prog, acts, d_acts, B, loss_cols):
    """The last layer's output and its gradient as (rows, loss_cols)."""
    last = prog[prog.shape[0] - 1]
    a, n = B * last[A_OUT], B * last[OUT_SIZE]
    rows = n // loss_cols
    return acts[a:a + n].reshape((rows, loss_cols)), d_acts[a:a + n].reshape((rows, loss_cols))


@jit
def _loss_and_grads(prog, fprog, params, grads, x, y, acts, d_acts, cache, loss_code, loss_cols,
                    training, rng_state):
    """Mean data loss of the batch (x, y); fills ``grads``."""
    B = x.shape[0]
    acts[:x.size] = x.reshape(-1)
    _forward(prog, fprog, params, acts, cache, B, training, rng_state)
    out, d_out = _output_views(prog, acts, d_acts, B, loss_cols)
    loss = _loss_forward_backward(loss_code, out, y.reshape((out.shape[0], -1)), d_out, True)
    _backward(prog, params, grads, acts, d_acts, cache, B)
    return loss


@jit
def _layer_grad_norms(grads, layer_ranges, out):
    """Each layer's gradient norm into ``out``; returns the global norm (one pass)."""
    total = 0.0
    for k in range(layer_ranges.shape[0]):
        out[k] = _global_norm(grads[layer_ranges[k, 0]:layer_ranges[k, 1]])
        total += out[k] * out[k]
    return np.sqrt(total)


@jit
def _train_steps(prog, fprog, params, grads, m, v, decay_mask, layer_ranges,
                 X, Y, order, loop, rng_state, acts, d_acts, cache, ybuf,
                 n_steps, batch_size, loss_code, loss_cols, opt_code, lr, l1, l2, clip,
                 training, losses_out, norms_out):
    """Run up to ``n_steps`` minibatch updates over shuffled epochs.

    X (N, in_size), Y (N, y_cols); ``order`` is the epoch's permutation and
    ``loop`` holds cursor, epoch and step. The last batch of an epoch may be
    smaller. Stops early, returning the steps done, when the loss or the
    gradient stops being finite (the params are left as they were).
    """
    N = X.shape[0]
    in_size = X.shape[1]
    y_cols = Y.shape[1]
    for s in range(n_steps):
        cursor = loop[CURSOR]
        B = min(batch_size, N - cursor)
        for k in range(B):
            src = order[cursor + k]
            acts[k * in_size:(k + 1) * in_size] = X[src]
            ybuf[k * y_cols:(k + 1) * y_cols] = Y[src]
        _forward(prog, fprog, params, acts, cache, B, training, rng_state)
        out, d_out = _output_views(prog, acts, d_acts, B, loss_cols)
        y = ybuf[:B * y_cols].reshape((out.shape[0], -1))
        loss = _loss_forward_backward(loss_code, out, y, d_out, True)
        _backward(prog, params, grads, acts, d_acts, cache, B)
        losses_out[s] = loss
        norm = _layer_grad_norms(grads, layer_ranges, norms_out[s])
        if not (np.isfinite(loss) and np.isfinite(norm)):
            return s
        _clip_by_global_norm(grads, norm, clip)
        _add_penalties(params, grads, decay_mask, l1, l2)
        loop[STEP] += 1
        _optimizer_step(opt_code, params, grads, m, v, loop[STEP], lr)
        loop[CURSOR] = cursor + B
        if loop[CURSOR] >= N:
            loop[CURSOR] = 0
            loop[EPOCH] += 1
            _shuffle(rng_state, order)
    return n_steps


@jit
def _predict(prog, fprog, params, X, out, acts, cache, chunk, training, rng_state):
    """Outputs for all rows of X (N, in_size) into out (N, out_size), in chunks."""
    N, in_size = X.shape
    out_size = out.shape[1]
    last = prog[prog.shape[0] - 1]
    for start in range(0, N, chunk):
        B = min(chunk, N - start)
        acts[:B * in_size] = X[start:start + B].reshape(-1)
        _forward(prog, fprog, params, acts, cache, B, training, rng_state)
        a = B * last[A_OUT]
        out[start:start + B] = acts[a:a + B * out_size].reshape((B, out_size))
