"""Dense, dropout and flatten: forward and backward side by side.

Inputs are flat per sample, (rows, features), so a dense layer after a
sequence acts on every time step at once. MNIST pixels and ReLU outputs are
mostly zero: such inputs (_sparse_enough) go through products that visit only the
non-zero ones (_add_sparse_product, _sparse_weight_grads), and after a ReLU the
input gradient is computed only where the input is positive.

Rows go four (the backward's weight gradient eight) at a time, so each weight is read
once for several samples.

A narrow layer (few outputs, many inputs: a classifier head) works on W
transposed, (O, I), so its inner loops run over the long input axis instead of
the handful of outputs (784 -> 10: 12x faster forward here).
"""
import numpy as np

from ._jit import jit, jit_inline, kernel
from .rng import _uniform

NARROW = 16          # fewer outputs than this, and four times as many inputs: the transposed path


@jit_inline
def _copy(src, dst):
    """dst[:] = src for 1-D arrays of one size. A loop, not a slice assignment: Numba
    compiles a formatted shape-mismatch error (tens of string functions, seconds on a
    cold start) into every array-to-slice assignment."""
    for i in range(src.size):
        dst[i] = src[i]


@kernel
def _dense_forward(x, W, b, out):
    # x (R, I), W (I, O), b (O,), out (R, O): out = b + x @ W (_add_product).
    R, I = x.shape
    O = W.shape[1]
    if O < NARROW and I >= 4 * NARROW:
        _narrow_forward(x, _transposed(W), b, out)
        return
    for r in range(R):
        row = out[r]
        for j in range(O):
            row[j] = b[j]
    if _sparse_enough(_nonzero_share(x) if O >= NARROW else 1.0, O):
        _add_sparse_product(x, W, out)
    else:
        _add_product(x, W, out)


@jit_inline
def _add_product(x, W, out):
    # out (R, O) += x (R, I) @ W (I, O). Four rows of x and four rows of W per pass (W is
    # read from the cache a quarter as often, out loaded and stored a quarter as often:
    # 784 -> 128 and 128 -> 784 at batch 64 1.5-2x faster than one row at a time; the
    # LSTM's h Wh 1.7x); a block of four inputs that are zero in all four rows is skipped.
    # The last pass of a batch that is not a multiple of four repeats its first row into
    # spare rows (one loop: less to compile than a second loop for the rest).
    R, I = x.shape
    O = W.shape[1]
    spare = np.empty((3 if R % 4 else 0, O), out.dtype)    # the last pass's missing rows
    r = 0
    while r < R:
        k = min(4, R - r)
        x0 = x[r]
        x1 = x[r + 1] if k > 1 else x0
        x2 = x[r + 2] if k > 2 else x0
        x3 = x[r + 3] if k > 3 else x0
        d0 = out[r]
        d1 = out[r + 1] if k > 1 else spare[0]
        d2 = out[r + 2] if k > 2 else spare[1]
        d3 = out[r + 3] if k > 3 else spare[2]
        i = 0
        while i + 4 <= I:
            a0, a1, a2, a3 = x0[i], x0[i + 1], x0[i + 2], x0[i + 3]
            b0, b1, b2, b3 = x1[i], x1[i + 1], x1[i + 2], x1[i + 3]
            c0, c1, c2, c3 = x2[i], x2[i + 1], x2[i + 2], x2[i + 3]
            e0, e1, e2, e3 = x3[i], x3[i + 1], x3[i + 2], x3[i + 3]
            if (a0 != 0 or a1 != 0 or a2 != 0 or a3 != 0 or b0 != 0 or b1 != 0 or b2 != 0 or b3 != 0
                    or c0 != 0 or c1 != 0 or c2 != 0 or c3 != 0 or e0 != 0 or e1 != 0 or e2 != 0 or e3 != 0):
                w0, w1, w2, w3 = W[i], W[i + 1], W[i + 2], W[i + 3]
                for j in range(O):
                    v0, v1, v2, v3 = w0[j], w1[j], w2[j], w3[j]
                    d0[j] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3
                    d1[j] += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3
                    d2[j] += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3
                    d3[j] += e0 * v0 + e1 * v1 + e2 * v2 + e3 * v3
            i += 4
        while i < I:
            a0, b0, c0, e0, w0 = x0[i], x1[i], x2[i], x3[i], W[i]
            for j in range(O):
                v0 = w0[j]
                d0[j] += a0 * v0
                d1[j] += b0 * v0
                d2[j] += c0 * v0
                d3[j] += e0 * v0
            i += 1
        r += k


@jit_inline
def _nonzero_share(x):
    """The share of x's values that are not zero (counted in x's type, a row at a time: the
    count vectorises)."""
    one, zero = x.dtype.type(1), x.dtype.type(0)
    n = 0.0
    for r in range(x.shape[0]):
        row = x[r]
        m = zero
        for i in range(row.size):
            m += one if row[i] != zero else zero
        n += m
    return n / max(x.size, 1)


@jit_inline
def _sparse_enough(share, outputs):
    """Whether inputs with this ``share`` of non-zero values take the sparse products: below
    3/4 for rows of 64 outputs or more (at 1/2, 128 -> 784 at batch 64: forward 1.1x, weight
    gradient 1.6x faster), below 0.4 for shorter ones (128 -> 32: 1.2x slower at 1/2). Layers of
    fewer than NARROW outputs are not counted (``share`` 1): a playground's 8 units."""
    return share < (0.75 if outputs >= 64 else 0.4)


@jit
def _add_sparse_product(x, W, out):
    # out (R, O) += x (R, I) @ W (I, O) for mostly zero x: two rows at a time over the inputs
    # that are not zero in either, four such inputs a pass (W's four rows read once for both
    # rows; MNIST pixels at 20 % 1.5x faster than _add_product, ReLU outputs at 30 % 1.5x,
    # at 16 % 2.4x). An odd last row pairs with a row of zeros.
    R, I = x.shape
    inputs = np.zeros(I + 3, np.int64)
    va, vb = np.zeros(I + 3, x.dtype), np.zeros(I + 3, x.dtype)
    for r in range(0, R, 2):
        s = min(r + 1, R - 1)
        n = _gather_nonzero(x[r], x[s], s > r, inputs, va, vb)
        _add_picked_rows(W, inputs, va, vb, n, out[r], out[s])


@jit
def _sparse_weight_grads(x, d_out, d_W):
    # d_W (I, O) = x.T @ d_out for mostly zero x: two inputs at a time over the rows where
    # either is not zero, four such rows a pass (each row of d_out read once for both). An
    # odd last input pairs with a column of zeros.
    R, I = x.shape
    z = x.dtype.type(0)
    rows = np.zeros(R + 3, np.int64)
    fa, fb = np.zeros(R + 3, x.dtype), np.zeros(R + 3, x.dtype)
    for i in range(0, I, 2):
        k = min(i + 1, I - 1)
        da, db = d_W[i], d_W[k]
        for j in range(da.size):
            da[j] = db[j] = z
        n = _gather_nonzero(x[:, i], x[:, k], k > i, rows, fa, fb)
        _add_picked_rows(d_out, rows, fa, fb, n, da, db)


@jit_inline
def _gather_nonzero(a, b, pair, picked, fa, fb):
    """Where a or b (equal lengths) is not zero: the places into ``picked``, the values into fa
    and fb (b's as zero unless ``pair``), and three zero factors past the end, so that groups of
    four need no last case. Returns how many."""
    z = fa.dtype.type(0)
    n = 0
    for i in range(a.size):
        if a[i] != 0 or b[i] != 0:
            picked[n], fa[n], fb[n] = i, a[i], (b[i] if pair else z)
            n += 1
    for k in range(n, n + 3):
        fa[k] = fb[k] = z
    return n


@jit_inline
def _add_picked_rows(M, picked, fa, fb, n, da, db):
    """da += sum over q < n of fa[q] * M[picked[q]], db the same with fb: four rows of M a pass,
    each read once for both sums (the factors past n are zero; ``picked`` holds valid rows there)."""
    for q in range(0, n, 4):
        m0, m1, m2, m3 = M[picked[q]], M[picked[q + 1]], M[picked[q + 2]], M[picked[q + 3]]
        a0, a1, a2, a3 = fa[q], fa[q + 1], fa[q + 2], fa[q + 3]
        b0, b1, b2, b3 = fb[q], fb[q + 1], fb[q + 2], fb[q + 3]
        for j in range(da.size):
            v0, v1, v2, v3 = m0[j], m1[j], m2[j], m3[j]
            da[j] += a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3
            db[j] += b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3


@kernel
def _dense_backward(x, W, d_out, d_W, d_b, d_x, x_from_relu):
    # d_out (R, O) -> d_W (I, O), d_b (O,) and d_x (R, I), unless d_x has no rows (not
    # needed: a flag would be a literal at some call sites, and a second compile). d_W takes
    # eight rows of d_out per pass, skipping an input whose eight values are all zero; d_x
    # four rows per pass against two rows of W, each value of d_out read once for two dot
    # products (the autoencoder's step 4 % faster than one row of W a pass).
    # ``x_from_relu``: x is a ReLU's output, whose backward keeps d_x only where x > 0, so
    # with under 35 % positive d_x is computed there alone (_d_x_where_positive: at 25 %
    # 1.7x faster than the four-row d_x, at 49 % 1.1x slower; 64 x 128 -> 784).
    # d_b may have no values either (the LSTM's h Wh, whose bias gradient x Wx's call sums).
    R, I = x.shape
    O = W.shape[1]
    if d_b.shape[0] > 0:
        for j in range(O):
            d_b[j] = 0
        for r in range(R):
            g = d_out[r]
            for j in range(O):
                d_b[j] += g[j]
    if O < NARROW and I >= 4 * NARROW:
        _narrow_backward(x, _transposed(W), d_out, d_W, d_x)
        return
    share = _nonzero_share(x) if O >= NARROW else 1.0      # a tiny layer: counting costs more than it saves
    if _sparse_enough(share, O):
        _sparse_weight_grads(x, d_out, d_W)
        R8 = 0                         # (the rows below are done)
    else:
        d_W[:] = 0
        R8 = R
    r = 0
    while r + 8 <= R8:
        g0, g1, g2, g3 = d_out[r], d_out[r + 1], d_out[r + 2], d_out[r + 3]
        g4, g5, g6, g7 = d_out[r + 4], d_out[r + 5], d_out[r + 6], d_out[r + 7]
        for i in range(I):
            x0, x1, x2, x3 = x[r, i], x[r + 1, i], x[r + 2, i], x[r + 3, i]
            x4, x5, x6, x7 = x[r + 4, i], x[r + 5, i], x[r + 6, i], x[r + 7, i]
            if x0 != 0 or x1 != 0 or x2 != 0 or x3 != 0 or x4 != 0 or x5 != 0 or x6 != 0 or x7 != 0:
                dst = d_W[i]
                for j in range(O):
                    dst[j] += (x0 * g0[j] + x1 * g1[j] + x2 * g2[j] + x3 * g3[j]
                               + x4 * g4[j] + x5 * g5[j] + x6 * g6[j] + x7 * g7[j])
        r += 8
    while r < R8:
        g0 = d_out[r]
        for i in range(I):
            xi = x[r, i]
            if xi != 0:
                dst = d_W[i]
                for j in range(O):
                    dst[j] += xi * g0[j]
        r += 1
    if d_x.shape[0] > 0 and x_from_relu and share < 0.35:
        _d_x_where_positive(x, W, d_out, d_x)
    elif d_x.shape[0] > 0:
        zero = d_out.dtype.type(0)
        r = 0
        while r + 4 <= R:              # four rows of d_out against two rows of W: eight sums a pass
            g0, g1, g2, g3 = d_out[r], d_out[r + 1], d_out[r + 2], d_out[r + 3]
            for i in range(0, I, 2):
                k = min(i + 1, I - 1)      # an odd last row pairs with itself: equal sums, one place
                wa, wb = W[i], W[k]
                s0 = s1 = s2 = s3 = t0 = t1 = t2 = t3 = zero
                for j in range(O):
                    va, vb = wa[j], wb[j]
                    u = g0[j]
                    s0 += u * va
                    t0 += u * vb
                    u = g1[j]
                    s1 += u * va
                    t1 += u * vb
                    u = g2[j]
                    s2 += u * va
                    t2 += u * vb
                    u = g3[j]
                    s3 += u * va
                    t3 += u * vb
                d_x[r, i], d_x[r + 1, i], d_x[r + 2, i], d_x[r + 3, i] = s0, s1, s2, s3
                d_x[r, k], d_x[r + 1, k], d_x[r + 2, k], d_x[r + 3, k] = t0, t1, t2, t3
            r += 4
        while r < R:
            g = d_out[r]
            for i in range(I):
                wi = W[i]
                s = zero
                for j in range(O):
                    s += g[j] * wi[j]
                d_x[r, i] = s
            r += 1


@jit
def _d_x_where_positive(x, W, d_out, d_x):
    # d_x[r, i] = d_out[r] . W[i] where x[r, i] > 0, else 0: a row's positive inputs four at
    # a time (each value of d_out read once for four dot products); the last group repeats
    # its last input (equal sums written twice).
    R, I = x.shape
    O = W.shape[1]
    zero = d_out.dtype.type(0)
    positive = np.empty(I + 3, np.int64)
    for r in range(R):
        n = 0
        for i in range(I):
            d_x[r, i] = zero
            if x[r, i] > 0:
                positive[n] = i
                n += 1
        if n == 0:
            continue
        for k in range(n, n + 3):
            positive[k] = positive[n - 1]
        g = d_out[r]
        for k in range(0, n, 4):
            ia, ib, ic, id_ = positive[k], positive[k + 1], positive[k + 2], positive[k + 3]
            wa, wb, wc, wd = W[ia], W[ib], W[ic], W[id_]
            s0 = s1 = s2 = s3 = zero
            for j in range(O):
                u = g[j]
                s0 += u * wa[j]
                s1 += u * wb[j]
                s2 += u * wc[j]
                s3 += u * wd[j]
            d_x[r, ia], d_x[r, ib], d_x[r, ic], d_x[r, id_] = s0, s1, s2, s3


@jit_inline
def _transposed(W):
    Wt = np.empty((W.shape[1], W.shape[0]), W.dtype)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            Wt[j, i] = W[i, j]
    return Wt


@jit_inline
def _narrow_forward(x, Wt, b, out):
    # out[r, j] = b[j] + x[r] . Wt[j]: dot products over the inputs, four rows at a time
    R, O = out.shape
    r = 0
    while r < R:
        k = min(4, R - r)
        x0, x1, x2, x3 = x[r], x[r + 1 if k > 1 else r], x[r + 2 if k > 2 else r], x[r + 3 if k > 3 else r]
        for j in range(O):
            w = Wt[j]
            z = w.dtype.type(0)
            s0 = s1 = s2 = s3 = z
            for i in range(w.size):
                v = w[i]
                s0 += x0[i] * v
                s1 += x1[i] * v
                s2 += x2[i] * v
                s3 += x3[i] * v
            out[r, j] = b[j] + s0
            if k > 1:
                out[r + 1, j] = b[j] + s1
            if k > 2:
                out[r + 2, j] = b[j] + s2
            if k > 3:
                out[r + 3, j] = b[j] + s3
        r += k


@jit_inline
def _narrow_backward(x, Wt, d_out, d_W, d_x):
    # d_W and d_x of _narrow_forward: rows of d_W.T and of d_x are sums of input rows
    R, I = x.shape
    O = Wt.shape[0]
    d_Wt = np.zeros((O, I), x.dtype)
    for r in range(R):
        xr, g = x[r], d_out[r]
        for j in range(O):
            dst, gj = d_Wt[j], g[j]
            for i in range(I):
                dst[i] += gj * xr[i]
    for i in range(I):
        for j in range(O):
            d_W[i, j] = d_Wt[j, i]
    for r in range(d_x.shape[0]):
        dst, g = d_x[r], d_out[r]
        for i in range(I):
            dst[i] = 0
        for j in range(O):
            w, gj = Wt[j], g[j]
            for i in range(I):
                dst[i] += gj * w[i]


@kernel
def _dropout_forward(x, out, mask, rate, training, rng_state):
    # x, out, mask 1-D of equal size; inverted dropout keeps E[out] = x.
    if not training or rate == 0:
        _copy(x, out)
        mask[:] = 1
        return
    scale = 1.0 / (1.0 - rate)
    for i in range(x.size):
        keep = _uniform(rng_state) >= rate
        mask[i] = scale if keep else 0.0
        out[i] = x[i] * mask[i]


@jit_inline
def _dropout_backward(d_out, mask, d_x):
    for i in range(d_out.size):
        d_x[i] = d_out[i] * mask[i]


@jit_inline
def _copy_forward(x, out):
    # flatten: activations are already flat per sample, so this is a copy.
    _copy(x, out)
