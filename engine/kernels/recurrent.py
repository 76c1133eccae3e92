"""Recurrent cells (tanh RNN, LSTM, GRU) with full backpropagation through time.

Layouts (DESIGN.md, PyTorch's gate orders): Wx (F, G*U), Wh (U, G*U); the
LSTM's gates are i, f, g, o with one bias b (4U); the GRU's are r, z, n with
two biases bx, bh (3U) and n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n)); the
RNN has G = 1. Everything inside is time-major (T, B, ...), so the work that
does not depend on the previous step (x Wx for every step, the weight
gradients) is one dense product over all T * B rows; only h Wh and its
gradient run step by step. The gradient reaching each h_t is kept (``dh``) so
the page can show how it vanishes or explodes going back in time.
"""
import numpy as np

from ._jit import jit
from .activations import fast_sigmoid, fast_tanh
from .dense import _dense_backward, _dense_forward

RNN, LSTM, GRU = 0, 1, 2
GATES = (1, 4, 3)


@jit
def _h_times_wh(h, Wh, a):
    # a (B, G*U) += h (B, U) @ Wh (U, G*U)
    B, U = h.shape
    for n in range(B):
        dst = a[n]
        for i in range(U):
            hv = h[n, i]
            row = Wh[i]
            for j in range(dst.size):
                dst[j] += hv * row[j]


@jit
def _back_through_wh(da, Wh, d_h):
    # d_h (B, U) += da (B, G*U) @ Wh.T
    B, U = d_h.shape
    for n in range(B):
        src = da[n]
        for i in range(U):
            row = Wh[i]
            acc = da.dtype.type(0)
            for j in range(src.size):
                acc += src[j] * row[j]
            d_h[n, i] += acc


@jit
def _rnn_forward(cell, x, Wx, Wh, b, bh, out, xt, hs, A, C2, return_sequences):
    """x (B, T, F) -> out (B, T, U) or (B, U).

    Scratch, time-major: xt (T, B, F) the inputs; hs (T + 1, B, U) hidden states, hs[0] = 0;
    A (T, B, G*U) the x Wx + b of every step, overwritten by the gate values;
    C2 (T + 1, B, U) LSTM cell states, or GRU's h Wh_n + bh_n per step."""
    B, T, F = x.shape
    U = Wh.shape[0]
    for t in range(T):
        for n in range(B):
            xt[t, n] = x[n, t]
    _dense_forward(xt.reshape((T * B, F)), Wx, b, A.reshape((T * B, A.shape[2])))
    hs[0] = 0
    C2[0] = 0
    one = A.dtype.type(1)
    ah = np.empty((B, A.shape[2]), A.dtype)
    for t in range(T):
        a, h_prev, h = A[t], hs[t], hs[t + 1]
        if cell == GRU:
            for n in range(B):
                ah[n] = bh
            _h_times_wh(h_prev, Wh, ah)
            for n in range(B):
                for j in range(U):
                    r = fast_sigmoid(a[n, j] + ah[n, j])
                    z = fast_sigmoid(a[n, U + j] + ah[n, U + j])
                    nn = fast_tanh(a[n, 2 * U + j] + r * ah[n, 2 * U + j])
                    a[n, j], a[n, U + j], a[n, 2 * U + j] = r, z, nn
                    C2[t + 1, n, j] = ah[n, 2 * U + j]
                    h[n, j] = (one - z) * nn + z * h_prev[n, j]
            continue
        _h_times_wh(h_prev, Wh, a)
        if cell == RNN:
            for n in range(B):
                for j in range(U):
                    v = fast_tanh(a[n, j])
                    a[n, j] = v
                    h[n, j] = v
        else:
            c_prev, c = C2[t], C2[t + 1]
            for n in range(B):
                for j in range(U):
                    i_ = fast_sigmoid(a[n, j])
                    f_ = fast_sigmoid(a[n, U + j])
                    g_ = fast_tanh(a[n, 2 * U + j])
                    o_ = fast_sigmoid(a[n, 3 * U + j])
                    a[n, j], a[n, U + j], a[n, 2 * U + j], a[n, 3 * U + j] = i_, f_, g_, o_
                    cv = f_ * c_prev[n, j] + i_ * g_
                    c[n, j] = cv
                    h[n, j] = o_ * fast_tanh(cv)
    for n in range(B):
        if return_sequences:
            for t in range(T):
                out[n, t] = hs[t + 1, n]
        else:
            out[n, 0] = hs[T, n]


@jit
def _rnn_backward(cell, Wx, Wh, d_out, d_Wx, d_Wh, d_b, d_bh, d_x, xt, hs, A, C2, dA, dAh, dh,
                  return_sequences, need_d_x):
    """Backpropagation through time for _rnn_forward; d_out is (B, T, U) or (B, 1, U).
    Scratch: dA (T, B, G*U) gradients of x Wx + b; dAh the same for h Wh (+ bh), only GRU's
    differs; dh (T, B, U) receives the gradient reaching each h_t."""
    T, B, F = xt.shape
    U = Wh.shape[0]
    one = dA.dtype.type(1)
    d_h = np.zeros((B, U), dA.dtype)
    d_c = np.zeros((B, U), dA.dtype)
    for t in range(T - 1, -1, -1):
        if return_sequences:
            for n in range(B):
                for j in range(U):
                    d_h[n, j] += d_out[n, t, j]
        elif t == T - 1:
            for n in range(B):
                for j in range(U):
                    d_h[n, j] += d_out[n, 0, j]
        dh[t] = d_h
        a, da, dah, h_prev = A[t], dA[t], dAh[t], hs[t]
        if cell == RNN:
            for n in range(B):
                for j in range(U):
                    v = a[n, j]
                    da[n, j] = d_h[n, j] * (one - v * v)
            d_h[:] = 0
        elif cell == LSTM:
            c_prev, c = C2[t], C2[t + 1]
            for n in range(B):
                for j in range(U):
                    i_, f_, g_, o_ = a[n, j], a[n, U + j], a[n, 2 * U + j], a[n, 3 * U + j]
                    tc = fast_tanh(c[n, j])
                    dc = d_c[n, j] + d_h[n, j] * o_ * (one - tc * tc)
                    da[n, j] = dc * g_ * i_ * (one - i_)
                    da[n, U + j] = dc * c_prev[n, j] * f_ * (one - f_)
                    da[n, 2 * U + j] = dc * i_ * (one - g_ * g_)
                    da[n, 3 * U + j] = d_h[n, j] * tc * o_ * (one - o_)
                    d_c[n, j] = dc * f_
            d_h[:] = 0
        else:  # GRU
            for n in range(B):
                for j in range(U):
                    r, z, nn = a[n, j], a[n, U + j], a[n, 2 * U + j]
                    g = d_h[n, j]
                    dan = g * (one - z) * (one - nn * nn)
                    dar = dan * C2[t + 1, n, j] * r * (one - r)
                    daz = g * (h_prev[n, j] - nn) * z * (one - z)
                    da[n, j], da[n, U + j], da[n, 2 * U + j] = dar, daz, dan
                    dah[n, j], dah[n, U + j], dah[n, 2 * U + j] = dar, daz, dan * r
                    d_h[n, j] = g * z                  # the direct path h_prev -> h
        _back_through_wh(dah if cell == GRU else da, Wh, d_h)
    G = dA.shape[2]
    scratch = np.empty(G, dA.dtype)
    d_x_tm = np.empty((T * B, F), dA.dtype)
    _dense_backward(xt.reshape((T * B, F)), Wx, dA.reshape((T * B, G)), d_Wx, d_b, d_x_tm, need_d_x)
    rows = hs[0:T].reshape((T * B, U))
    if cell == GRU:
        _dense_backward(rows, Wh, dAh.reshape((T * B, G)), d_Wh, d_bh, d_x_tm[:0], False)
    else:
        _dense_backward(rows, Wh, dA.reshape((T * B, G)), d_Wh, scratch, d_x_tm[:0], False)
    if need_d_x:
        for t in range(T):
            for n in range(B):
                d_x[n, t] = d_x_tm[t * B + n]
