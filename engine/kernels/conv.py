"""Convolution and pooling on (N, C, H, W) images: forward and backward side by side.

A convolution is computed on the zero-padded inputs flattened row by row
(row length Wp), the batch's images stacked one under the other per channel:
output position i = y * Wp + x reads input i + ky * Wp + kx, so every kernel
tap is one long, contiguous multiply-add over the whole batch, which LLVM
vectorises; 3x3 kernels go four filters (or, for the input gradient, four
input channels) at a time, so each input value is loaded once for four. The
positions past an image's output are computed and dropped: one long loop beats
image-by-image calls here. Neighbours share their zero padding: a row's right
padding is the next row's left padding (the flat index runs on into it), and an
image's bottom padding the next image's top, so a row is W + max(left, right)
long and an image H + max(top, bottom) rows high (3x3 "same" on 14x14 images:
15 x 15 positions computed per image, not 16 x 16). A stride
of 2 computes the stride-1 plane and keeps every second row and column. The
input gradient is the same sum with the kernel flipped, read from a gradient
plane with a zero border in front.

Numba checks every index ``a[j]`` for a negative wrap-around unless ``j`` comes
straight from a ``range``; that check stops vectorisation (1.5 against 13-23
GMAC/s here), so the loops below index slices with the loop variable only.
"""
import numpy as np

from ._intrinsics import _maximum, _select
from ._jit import jit, jit_inline, kernel


@jit_inline
def _pad(x, xpad, Hp, pt, pl):
    # x (N, C, H, W) -> xpad (C, N * Hp + k, Wp): image n's data at row n * Hp + pt, column pl;
    # zeros everywhere else (the k spare rows: the last image's taps read past its plane)
    N, C, H, W = x.shape
    xpad[:] = 0
    for c in range(C):
        for n in range(N):
            for y in range(H):
                dst, src = xpad[c, n * Hp + pt + y, pl:pl + W], x[n, c, y]
                for xx in range(W):
                    dst[xx] = src[xx]


@jit_inline
def _plane_to_image(plane, out, Wp, stride, bias):
    # one image's stride-1 plane (rows of length Wp) -> out (Ho, Wo): every stride-th row and column
    Ho, Wo = out.shape
    for y in range(Ho):
        dst = out[y]
        if stride == 1:
            src = plane[y * Wp:y * Wp + Wo]
            for xx in range(Wo):
                dst[xx] = src[xx] + bias
        else:
            row = y * stride * Wp
            for xx in range(Wo):
                dst[xx] = plane[row + xx * stride] + bias


@jit_inline
def _image_to_plane(d_out, plane, Wp, stride):
    # the inverse placement: one image's plane (Hp * Wp) gets d_out, zeros elsewhere (row by row
    # at stride 1, no separate zeroing pass); returns the sum of d_out (the bias gradient)
    Ho, Wo = d_out.shape
    zero = total = d_out.dtype.type(0)
    if stride != 1:
        for i in range(plane.size):
            plane[i] = zero
    for y in range(Ho):
        src = d_out[y]
        if stride == 1:
            dst = plane[y * Wp:(y + 1) * Wp]
            for xx in range(Wo):
                dst[xx] = src[xx]
                total += src[xx]
            for xx in range(Wo, Wp):
                dst[xx] = zero
        else:
            row = y * stride * Wp
            for xx in range(Wo):
                plane[row + xx * stride] = src[xx]
                total += src[xx]
    if stride == 1:
        rest = plane[Ho * Wp:]
        for i in range(rest.size):
            rest[i] = zero
    return total


@jit_inline
def _taps(w, src, dst, Wp, n):
    """dst[i] += sum over taps w[ky, kx] * src[ky * Wp + kx + i] for i < n (flat planes).

    Inlined: a callee is compiled again inside every caller, so the kernels call each
    loop function from one place and no loop function calls another."""
    if w.shape[0] == 3:
        _taps3x3(w, src, dst, Wp, n)
    else:
        _taps_any(w, src, dst, Wp, n)


@jit
def _taps_any(w, src, dst, Wp, n):
    """_taps for any k: up to three taps of a row per pass, so dst is loaded and stored
    less often (20 against 14 GMAC/s here)."""
    k = w.shape[0]
    for ky in range(k):
        base = ky * Wp
        kx = 0
        while kx < k:
            a0 = src[base + kx:base + kx + n]
            w0 = w[ky, kx]
            if k - kx >= 3:
                a1, a2 = src[base + kx + 1:base + kx + 1 + n], src[base + kx + 2:base + kx + 2 + n]
                w1, w2 = w[ky, kx + 1], w[ky, kx + 2]
                for i in range(n):
                    dst[i] += w0 * a0[i] + w1 * a1[i] + w2 * a2[i]
                kx += 3
            elif k - kx == 2:
                a1, w1 = src[base + kx + 1:base + kx + 1 + n], w[ky, kx + 1]
                for i in range(n):
                    dst[i] += w0 * a0[i] + w1 * a1[i]
                kx += 2
            else:
                for i in range(n):
                    dst[i] += w0 * a0[i]
                kx += 1


@jit_inline
def _shifted(src, Wp, n):
    """The nine length-n views of src that a 3x3 kernel's taps read (rows of length Wp)."""
    return (src[0:n], src[1:1 + n], src[2:2 + n], src[Wp:Wp + n], src[Wp + 1:Wp + 1 + n],
            src[Wp + 2:Wp + 2 + n], src[2 * Wp:2 * Wp + n], src[2 * Wp + 1:2 * Wp + 1 + n],
            src[2 * Wp + 2:2 * Wp + 2 + n])


@jit
def _taps3x3(w, src, dst, Wp, n):
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = _shifted(src, Wp, n)
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w[0, 0], w[0, 1], w[0, 2], w[1, 0], w[1, 1], w[1, 2], w[2, 0], w[2, 1], w[2, 2]
    for i in range(n):
        dst[i] += (w0 * a0[i] + w1 * a1[i] + w2 * a2[i] + w3 * a3[i] + w4 * a4[i] + w5 * a5[i]
                   + w6 * a6[i] + w7 * a7[i] + w8 * a8[i])


@jit
def _taps3x3_quad(w, src, d0, d1, d2, d3, Wp, n):
    """_taps3x3 for four kernels w (4, 9) reading the same src, a kernel row per pass: each src
    value is loaded once for all four, and the pass's twelve weights stay in registers (all
    thirty-six in one pass did not fit in the sixteen vector registers: each step reloaded them)."""
    for ky in range(3):
        k = 3 * ky
        p0, p1, p2 = w[0, k], w[0, k + 1], w[0, k + 2]
        q0, q1, q2 = w[1, k], w[1, k + 1], w[1, k + 2]
        r0, r1, r2 = w[2, k], w[2, k + 1], w[2, k + 2]
        s0, s1, s2 = w[3, k], w[3, k + 1], w[3, k + 2]
        row = ky * Wp
        a0, a1, a2 = src[row:row + n], src[row + 1:row + 1 + n], src[row + 2:row + 2 + n]
        for i in range(n):
            x0, x1, x2 = a0[i], a1[i], a2[i]
            d0[i] += p0 * x0 + p1 * x1 + p2 * x2
            d1[i] += q0 * x0 + q1 * x1 + q2 * x2
            d2[i] += r0 * x0 + r1 * x1 + r2 * x2
            d3[i] += s0 * x0 + s1 * x1 + s2 * x2


@jit
def _tap_dots(g, src, out, Wp, n):
    """out[ky, kx] += sum over i < n of g[i] * src[ky * Wp + kx + i]: the kernel gradient.
    (3x3 kernels mostly go through _tap_dots3x3_pair, two filters at a time.)"""
    k = out.shape[0]
    for ky in range(k):
        for kx in range(k):
            a = src[ky * Wp + kx:ky * Wp + kx + n]
            acc = g.dtype.type(0)
            for i in range(n):
                acc += g[i] * a[i]
            out[ky, kx] += acc


@jit
def _tap_dots3x3_pair(g, h, src, out0, out1, Wp, n):
    """_tap_dots for two 3x3 gradient planes against the same src, in two passes: the kernels'
    top two rows (twelve sums), then their bottom row (six). All eighteen sums in one pass
    do not fit in the CPU's sixteen vector registers, and the spilled ones cost a store per
    step: 26 GMAC/s against 42-44 in two passes here."""
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = _shifted(src, Wp, n)
    z = g.dtype.type(0)
    s0 = s1 = s2 = s3 = s4 = s5 = t0 = t1 = t2 = t3 = t4 = t5 = z
    for i in range(n):
        u, v = g[i], h[i]
        x = a0[i]
        s0 += u * x
        t0 += v * x
        x = a1[i]
        s1 += u * x
        t1 += v * x
        x = a2[i]
        s2 += u * x
        t2 += v * x
        x = a3[i]
        s3 += u * x
        t3 += v * x
        x = a4[i]
        s4 += u * x
        t4 += v * x
        x = a5[i]
        s5 += u * x
        t5 += v * x
    s6 = s7 = s8 = t6 = t7 = t8 = z
    for i in range(n):
        u, v = g[i], h[i]
        x = a6[i]
        s6 += u * x
        t6 += v * x
        x = a7[i]
        s7 += u * x
        t7 += v * x
        x = a8[i]
        s8 += u * x
        t8 += v * x
    for (o, a, b, c) in ((0, s0, s1, s2), (1, s3, s4, s5), (2, s6, s7, s8)):
        out0[o, 0] += a
        out0[o, 1] += b
        out0[o, 2] += c
    for (o, a, b, c) in ((0, t0, t1, t2), (1, t3, t4, t5), (2, t6, t7, t8)):
        out1[o, 0] += a
        out1[o, 1] += b
        out1[o, 2] += c


@jit_inline
def _in_fours(W):
    """W (A, B, k, k) -> (B, A // 4, 4, k * k): kernel [4g + j, b] at [b, g, j], flat, so one
    _taps3x3_quad call reads four of them."""
    A, B, k = W.shape[0], W.shape[1], W.shape[2]
    out = np.empty((B, A // 4, 4, k * k), W.dtype)
    for a in range(A // 4 * 4):
        for b in range(B):
            for ky in range(k):
                for kx in range(k):
                    out[b, a // 4, a % 4, ky * k + kx] = W[a, b, ky, kx]
    return out


@jit_inline
def _correlate(W, fours, planes, dst, start, Wp, n):
    """dst[a, start:] += the correlation of planes[b] with W[a, b], summed over b, for n positions:
    four 3x3 kernels at a time (``fours`` is _in_fours(W)), the rest one by one."""
    A, B, k = W.shape[0], W.shape[1], W.shape[2]
    a = 0
    while a < A:
        four = k == 3 and a + 4 <= A
        for b in range(B):
            if four:
                _taps3x3_quad(fours[b, a // 4], planes[b], dst[a, start:], dst[a + 1, start:],
                              dst[a + 2, start:], dst[a + 3, start:], Wp, n)
            else:
                _taps(W[a, b], planes[b], dst[a, start:], Wp, n)
        a += 4 if four else 1


@jit_inline
def _conv2d_forward(x, W, b, out, xpad, full, pt, pl, stride):
    """x (N, C, H, W), W (F, C, k, k), b (F,), out (N, F, Ho, Wo); scratch: xpad
    (C, N * Hp + k, Wp) and full (F, M + N * Hp * Wp): output planes after a zero border
    of M = (k - 1) * (Wp + 1), which the input gradient reads."""
    N = x.shape[0]
    F, C, k = W.shape[0], W.shape[1], W.shape[2]
    Wp = xpad.shape[2]
    M = (k - 1) * (Wp + 1)
    size = (full.shape[1] - M) // N           # one image's plane: Hp * Wp
    _pad(x, xpad, size // Wp, pt, pl)
    full[:] = 0
    _correlate(W, _in_fours(W), xpad.reshape((C, -1)), full, M, Wp, N * size)
    for f in range(F):
        for n in range(N):
            _plane_to_image(full[f, M + n * size:M + (n + 1) * size], out[n, f], Wp, stride, b[f])


@jit_inline
def _conv2d_backward(W, d_out, d_W, d_b, d_x, xpad, full, pt, pl, stride, need_d_x):
    """Gradients of _conv2d_forward; xpad holds its padded inputs. Scratch: full
    (F, M + N * Hp * Wp), the output gradient planes after a zero border of
    M = (k - 1) * (Wp + 1), which the input gradient reads."""
    N, F = d_out.shape[0], d_out.shape[1]
    C, k = W.shape[1], W.shape[2]
    Wp = xpad.shape[2]
    M = (k - 1) * (Wp + 1)
    size = (full.shape[1] - M) // N
    d_W[:] = 0
    d_b[:] = 0
    for f in range(F):
        plane = full[f, M:]
        for n in range(N):
            d_b[f] += _image_to_plane(d_out[n, f], plane[n * size:(n + 1) * size], Wp, stride)
    for c in range(C):
        src = xpad[c].reshape(-1)
        f = 0
        while f < F:                           # 3x3 filters in pairs: each input value read once for two
            if k == 3 and f + 1 < F:
                _tap_dots3x3_pair(full[f, M:], full[f + 1, M:], src, d_W[f, c], d_W[f + 1, c], Wp, N * size)
                f += 2
            else:
                _tap_dots(full[f, M:], src, d_W[f, c], Wp, N * size)
                f += 1
    if not need_d_x:
        return
    flipped = np.empty((C, F, k, k), W.dtype)       # by input channel, each kernel turned 180 degrees
    for f in range(F):
        for c in range(C):
            for ky in range(k):
                for kx in range(k):
                    flipped[c, f, ky, kx] = W[f, c, k - 1 - ky, k - 1 - kx]
    d_pad = np.zeros((C, N * size), full.dtype)
    _correlate(flipped, _in_fours(flipped), full, d_pad, 0, Wp, N * size)
    H, Wd = d_x.shape[2], d_x.shape[3]
    for c in range(C):
        for n in range(N):
            for y in range(H):
                start = n * size + (pt + y) * Wp + pl
                dst, src = d_x[n, c, y], d_pad[c, start:start + Wd]
                for xx in range(Wd):
                    dst[xx] = src[xx]


@jit_inline
def _maxpool_forward(x, out, argmax, p, s):
    """x (N, C, H, W) -> out (N, C, Ho, Wo); argmax holds each window's winner as a flat
    index into its (H, W) plane. A NaN always wins, so it propagates."""
    if p == 2 and s == 2:
        _maxpool_2x2(x, out, argmax)
    else:
        _maxpool_any(x, out, argmax, p, s)


@jit
def _maxpool_any(x, out, argmax, p, s):
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    for n in range(N):
        for c in range(C):
            for y in range(Ho):
                best, at = out[n, c, y], argmax[n, c, y]
                for dy in range(p):
                    row = x[n, c, y * s + dy]
                    for dx in range(p):
                        src = row[dx:dx + s * (Wo - 1) + 1:s]
                        base = (y * s + dy) * W + dx
                        for xx in range(Wo):      # branch-free selects: 3x faster than ifs
                            v = src[xx]
                            take = (dy == 0 and dx == 0) or v > best[xx] or v != v
                            best[xx] = v if take else best[xx]
                            at[xx] = (base + xx * s) if take else at[xx]


@jit
def _maxpool_2x2(x, out, argmax):
    # the common case, branch-free (_intrinsics.py): 5x faster than the general loop.
    # The winner of a tie is the first in reading order, as in PyTorch
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    f = argmax.dtype.type
    k0, k1, k2, k3 = f(0), f(1), f(W), f(W + 1)            # offsets in the window
    for n in range(N):
        for c in range(C):
            for y in range(Ho):
                r0, r1 = x[n, c, 2 * y], x[n, c, 2 * y + 1]
                a0, a1, a2, a3 = r0[0:2 * Wo:2], r0[1:2 * Wo:2], r1[0:2 * Wo:2], r1[1:2 * Wo:2]
                best, at = out[n, c, y], argmax[n, c, y]
                row = f(2 * y * W)
                for xx in range(Wo):
                    a, b, c_, d = a0[xx], a1[xx], a2[xx], a3[xx]
                    top, bottom = _maximum(a, b), _maximum(c_, d)
                    k_top = _select(not (b <= a), k1, k0)
                    k_bottom = _select(not (d <= c_), k3, k2)
                    best[xx] = _maximum(top, bottom)
                    at[xx] = row + f(2 * xx) + _select(not (bottom <= top), k_bottom, k_top)


@jit
def _maxpool_backward(d_out, argmax, d_x):
    N, C, Ho, Wo = d_out.shape
    H, W = d_x.shape[2], d_x.shape[3]
    if 2 * Ho == H and 2 * Wo == W:       # 2x2 windows tile the plane: write each once, no zeroing
        f = argmax.dtype.type
        k0, k1, k2, k3 = f(0), f(1), f(W), f(W + 1)
        zero = d_x.dtype.type(0)
        for n in range(N):
            for c in range(C):
                for y in range(Ho):
                    r0, r1 = d_x[n, c, 2 * y], d_x[n, c, 2 * y + 1]
                    a0, a1, a2, a3 = r0[0:W:2], r0[1:W:2], r1[0:W:2], r1[1:W:2]
                    g, at = d_out[n, c, y], argmax[n, c, y]
                    row = f(2 * y * W)
                    for xx in range(Wo):
                        k = at[xx] - (row + f(2 * xx))       # float compares: blends, not branches
                        v = g[xx]
                        a0[xx] = _select(k == k0, v, zero)
                        a1[xx] = _select(k == k1, v, zero)
                        a2[xx] = _select(k == k2, v, zero)
                        a3[xx] = _select(k == k3, v, zero)
        return
    d_x[:] = 0
    for n in range(N):
        for c in range(C):
            for y in range(Ho):
                for xx in range(Wo):
                    at = int(argmax[n, c, y, xx])
                    d_x[n, c, at // W, at % W] += d_out[n, c, y, xx]


@jit
def _avgpool_forward(x, out, p, s):
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    scale = 1.0 / (p * p)
    for n in range(N):
        for c in range(C):
            for y in range(Ho):
                for xx in range(Wo):
                    acc = 0.0
                    for dy in range(p):
                        for dx in range(p):
                            acc += x[n, c, y * s + dy, xx * s + dx]
                    out[n, c, y, xx] = acc * scale


@jit
def _avgpool_backward(d_out, d_x, p, s):
    N, C, Ho, Wo = d_out.shape
    d_x[:] = 0
    scale = 1.0 / (p * p)
    for n in range(N):
        for c in range(C):
            for y in range(Ho):
                for xx in range(Wo):
                    g = d_out[n, c, y, xx] * scale
                    for dy in range(p):
                        for dx in range(p):
                            d_x[n, c, y * s + dy, xx * s + dx] += g
