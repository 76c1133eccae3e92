"""Recurrent cells (tanh RNN, LSTM, GRU) with full backpropagation through time.

Layouts (DESIGN.md, PyTorch's gate orders): Wx (F, G*U), Wh (U, G*U); the
LSTM's gates are i, f, g, o with one bias b (4U); the GRU's are r, z, n with
two biases bx, bh (3U) and n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n)); the
RNN has G = 1. Everything inside is time-major (T, B, ...), so the work that
does not depend on the previous step (x Wx for every step, the weight
gradients) is one dense product over all T * B rows; only h Wh and its
gradient run step by step. Gate loops index per-gate slices with the loop
variable only, so Numba can vectorise them (see engine/kernels/conv.py).
The gradient reaching each h_t is kept (``dh``) so the page can show how it
vanishes or explodes going back in time.
"""
import numpy as np

from ._jit import jit, jit_inline, kernel
from .activations import fast_sigmoid, fast_tanh
from .dense import _add_product, _copy, _dense_backward, _dense_forward

RNN, LSTM, GRU = 0, 1, 2
GATES = (1, 4, 3)


@jit_inline
def _back_through_wh(da, Wh, d_h):
    # d_h (B, U) += da (B, G*U) @ Wh.T: two samples against four rows of Wh a pass (eight dot
    # products, each value loaded once for two or four of them); an odd last sample pairs
    # with itself and an odd unit count's last units go one row at a time
    B, U = d_h.shape
    G = da.shape[1]
    z = da.dtype.type(0)
    for n in range(0, B, 2):
        m = min(n + 1, B - 1)
        src, other = da[n], da[m]
        i = 0
        while i + 4 <= U:
            r0, r1, r2, r3 = Wh[i], Wh[i + 1], Wh[i + 2], Wh[i + 3]
            s0 = s1 = s2 = s3 = t0 = t1 = t2 = t3 = z
            for j in range(G):
                v, w = src[j], other[j]
                s0 += v * r0[j]
                s1 += v * r1[j]
                s2 += v * r2[j]
                s3 += v * r3[j]
                t0 += w * r0[j]
                t1 += w * r1[j]
                t2 += w * r2[j]
                t3 += w * r3[j]
            if m != n:
                d_h[m, i] += t0
                d_h[m, i + 1] += t1
                d_h[m, i + 2] += t2
                d_h[m, i + 3] += t3
            d_h[n, i] += s0
            d_h[n, i + 1] += s1
            d_h[n, i + 2] += s2
            d_h[n, i + 3] += s3
            i += 4
        while i < U:
            r0 = Wh[i]
            acc = other_acc = z
            for j in range(G):
                acc += src[j] * r0[j]
                other_acc += other[j] * r0[j]
            if m != n:
                d_h[m, i] += other_acc
            d_h[n, i] += acc
            i += 1


@jit
def _rnn_steps(A, hs, Wh):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    for t in range(T):
        a, h = A[t], hs[t + 1]
        _add_product(hs[t], Wh, a)
        for n in range(B):
            av, hv = a[n], h[n]
            for j in range(U):
                v = fast_tanh(av[j])
                av[j] = v
                hv[j] = v


@jit
def _lstm_steps(A, hs, C, Wh):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    for t in range(T):
        a, h = A[t], hs[t + 1]
        _add_product(hs[t], Wh, a)
        for n in range(B):
            ai, af, ag, ao = a[n, 0:U], a[n, U:2 * U], a[n, 2 * U:3 * U], a[n, 3 * U:4 * U]
            cp, cv, hv = C[t, n], C[t + 1, n], h[n]
            for j in range(U):
                i_ = fast_sigmoid(ai[j])
                f_ = fast_sigmoid(af[j])
                g_ = fast_tanh(ag[j])
                o_ = fast_sigmoid(ao[j])
                ai[j] = i_
                af[j] = f_
                ag[j] = g_
                ao[j] = o_
                c_ = f_ * cp[j] + i_ * g_
                cv[j] = c_
                hv[j] = o_ * fast_tanh(c_)


@jit
def _gru_steps(A, hs, HN, Wh, bh):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    one = A.dtype.type(1)
    ah = np.empty((B, A.shape[2]), A.dtype)
    for t in range(T):
        a, h_prev, h = A[t], hs[t], hs[t + 1]
        for n in range(B):
            _copy(bh, ah[n])
        _add_product(h_prev, Wh, ah)
        for n in range(B):
            ar, az, an = a[n, 0:U], a[n, U:2 * U], a[n, 2 * U:3 * U]
            hr, hz, hn = ah[n, 0:U], ah[n, U:2 * U], ah[n, 2 * U:3 * U]
            keep, hp, hv = HN[t + 1, n], h_prev[n], h[n]
            for j in range(U):
                r = fast_sigmoid(ar[j] + hr[j])
                z = fast_sigmoid(az[j] + hz[j])
                nn = fast_tanh(an[j] + r * hn[j])
                ar[j] = r
                az[j] = z
                an[j] = nn
                keep[j] = hn[j]
                hv[j] = (one - z) * nn + z * hp[j]


@jit_inline
def _rnn_forward(cell, x, Wx, Wh, b, bh, out, xt, hs, A, C2, return_sequences):
    """x (B, T, F) -> out (B, T, U) or (B, U).

    Scratch, time-major: xt (T, B, F) the inputs; hs (T + 1, B, U) hidden states, hs[0] = 0;
    A (T, B, G*U) the x Wx + b of every step, overwritten by the gate values;
    C2 (T + 1, B, U) LSTM cell states, or GRU's h Wh_n + bh_n per step."""
    B, T, F = x.shape
    for t in range(T):
        for n in range(B):
            _copy(x[n, t], xt[t, n])
    _dense_forward(xt.reshape((T * B, F)), Wx, b, A.reshape((T * B, A.shape[2])))
    hs[0] = 0
    C2[0] = 0
    if cell == RNN:
        _rnn_steps(A, hs, Wh)
    elif cell == LSTM:
        _lstm_steps(A, hs, C2, Wh)
    else:
        _gru_steps(A, hs, C2, Wh, bh)
    for n in range(B):
        if return_sequences:
            for t in range(T):
                _copy(hs[t + 1, n], out[n, t])
        else:
            _copy(hs[T, n], out[n, 0])


@jit
def _rnn_steps_back(A, dA, Wh, d_out, dh, return_sequences):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    one = dA.dtype.type(1)
    d_h = np.zeros((B, U), dA.dtype)
    for t in range(T - 1, -1, -1):
        _add_output_grad(d_out, d_h, t, T, return_sequences)
        _copy(d_h.reshape(-1), dh[t].reshape(-1))
        a, da = A[t], dA[t]
        for n in range(B):
            av, dav, g = a[n], da[n], d_h[n]
            for j in range(U):
                dav[j] = g[j] * (one - av[j] * av[j])
        d_h[:] = 0
        _back_through_wh(da, Wh, d_h)


@jit
def _lstm_steps_back(A, C, dA, Wh, d_out, dh, return_sequences):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    one = dA.dtype.type(1)
    d_h = np.zeros((B, U), dA.dtype)
    d_c = np.zeros((B, U), dA.dtype)
    for t in range(T - 1, -1, -1):
        _add_output_grad(d_out, d_h, t, T, return_sequences)
        _copy(d_h.reshape(-1), dh[t].reshape(-1))
        a, da = A[t], dA[t]
        for n in range(B):
            ai, af, ag, ao = a[n, 0:U], a[n, U:2 * U], a[n, 2 * U:3 * U], a[n, 3 * U:4 * U]
            di, df, dg, do = da[n, 0:U], da[n, U:2 * U], da[n, 2 * U:3 * U], da[n, 3 * U:4 * U]
            cp, cv, g, dcn = C[t, n], C[t + 1, n], d_h[n], d_c[n]
            # one loop per gate: LLVM vectorises a loop only while it can check the overlap of
            # its few arrays at run time, so the one loop over all twelve ran scalar (2x slower)
            for j in range(U):
                o_, gj = ao[j], g[j]
                tc = fast_tanh(cv[j])
                dcn[j] += gj * o_ * (one - tc * tc)                # dc, the cell's gradient
                do[j] = gj * tc * o_ * (one - o_)
            for j in range(U):
                i_ = ai[j]
                di[j] = dcn[j] * ag[j] * i_ * (one - i_)
            for j in range(U):
                f_ = af[j]
                df[j] = dcn[j] * cp[j] * f_ * (one - f_)
            for j in range(U):
                g_ = ag[j]
                dg[j] = dcn[j] * ai[j] * (one - g_ * g_)
            for j in range(U):
                dcn[j] *= af[j]
        d_h[:] = 0
        _back_through_wh(da, Wh, d_h)


@jit
def _gru_steps_back(A, hs, HN, dA, dAh, Wh, d_out, dh, return_sequences):
    T, B, U = A.shape[0], A.shape[1], Wh.shape[0]
    one = dA.dtype.type(1)
    d_h = np.zeros((B, U), dA.dtype)
    for t in range(T - 1, -1, -1):
        _add_output_grad(d_out, d_h, t, T, return_sequences)
        _copy(d_h.reshape(-1), dh[t].reshape(-1))
        a, da, dah, h_prev = A[t], dA[t], dAh[t], hs[t]
        for n in range(B):
            ar, az, an = a[n, 0:U], a[n, U:2 * U], a[n, 2 * U:3 * U]
            dr, dz, dn = da[n, 0:U], da[n, U:2 * U], da[n, 2 * U:3 * U]
            hr, hz, hn = dah[n, 0:U], dah[n, U:2 * U], dah[n, 2 * U:3 * U]
            keep, hp, g = HN[t + 1, n], h_prev[n], d_h[n]
            for j in range(U):
                r, z, nn = ar[j], az[j], an[j]
                gj = g[j]
                dan = gj * (one - z) * (one - nn * nn)
                dar = dan * keep[j] * r * (one - r)
                daz = gj * (hp[j] - nn) * z * (one - z)
                dr[j] = dar
                dz[j] = daz
                dn[j] = dan
                hr[j] = dar
                hz[j] = daz
                hn[j] = dan * r
                g[j] = gj * z                      # the direct path h_prev -> h
        _back_through_wh(dah, Wh, d_h)


@jit_inline
def _add_output_grad(d_out, d_h, t, T, return_sequences):
    # the loss gradient reaching h_t from above: every step, or only the last one
    if return_sequences or t == T - 1:
        s = t if return_sequences else 0
        for n in range(d_h.shape[0]):
            g, src = d_h[n], d_out[n, s]
            for j in range(g.size):
                g[j] += src[j]


@jit_inline
def _rnn_backward(cell, Wx, Wh, d_out, d_Wx, d_Wh, d_b, d_bh, d_x, xt, hs, A, C2, dA, dAh, dh,
                  return_sequences, need_d_x):
    """Backpropagation through time for _rnn_forward; d_out is (B, T, U) or (B, 1, U).
    Scratch: dA (T, B, G*U) gradients of x Wx + b; dAh the same for h Wh (+ bh), only GRU's
    differs; dh (T, B, U) receives the gradient reaching each h_t."""
    T, B, F = xt.shape
    U = Wh.shape[0]
    if cell == RNN:
        _rnn_steps_back(A, dA, Wh, d_out, dh, return_sequences)
    elif cell == LSTM:
        _lstm_steps_back(A, C2, dA, Wh, d_out, dh, return_sequences)
    else:
        _gru_steps_back(A, hs, C2, dA, dAh, Wh, d_out, dh, return_sequences)
    G = dA.shape[2]
    d_x_tm = np.empty((T * B, F), dA.dtype)
    not_relu = T < 0          # False as a runtime bool: a literal would compile _dense_backward twice
    _dense_backward(xt.reshape((T * B, F)), Wx, dA.reshape((T * B, G)), d_Wx, d_b,
                    d_x_tm[:T * B if need_d_x else 0], not_relu)
    rows = hs[0:T].reshape((T * B, U))
    if cell == GRU:
        _dense_backward(rows, Wh, dAh.reshape((T * B, G)), d_Wh, d_bh, d_x_tm[:0], not_relu)
    else:
        _dense_backward(rows, Wh, dA.reshape((T * B, G)), d_Wh, d_b[:0], d_x_tm[:0], not_relu)   # d_b: summed above
    if need_d_x:
        for t in range(T):
            for n in range(B):
                _copy(d_x_tm[t * B + n], d_x[n, t])
