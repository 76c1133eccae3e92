"""Batch normalization: forward and backward side by side.

A layer's input is (B, C, S) for a batch of B: C features with S = 1 on (F,) inputs, C
channels of S = H * W pixels on images. Each of the C is normalised over the B * S values
of the batch (training) or with the moving statistics (inference), then scaled by gamma
and shifted by beta:

    out = gamma * (x - mean) / sqrt(var + eps) + beta

``mode``: 0 the moving statistics; 1 the batch's mean and biased variance; 2 the same and
the moving statistics updated as PyTorch does (its momentum is 1 - ours):
``moving_mean = momentum * moving_mean + (1 - momentum) * mean``, and the same for the
variance with the batch's unbiased variance (over B * S - 1).

``stats`` (2, C) keeps the mean and 1 / sqrt(var + eps) each channel used, in the
network's dtype; backward recomputes the normalised values from the input and these, and
forward uses exactly the stored values so both agree bit for bit. Sums run in float64.
"""
import math

from ._jit import kernel

MOVING, BATCH, BATCH_UPDATE = 0, 1, 2


@kernel
def _batchnorm_forward(x, gamma, beta, moving_mean, moving_var, out, stats, mode, momentum, eps):
    # x, out (B, C, S); gamma, beta, moving_mean, moving_var (C,); stats (2, C)
    B, C, S = x.shape
    M = B * S
    for c in range(C):
        if mode == MOVING:
            mean = float(moving_mean[c])
            var = float(moving_var[c])
        else:
            s = 0.0
            for b in range(B):
                xs = x[b, c]
                for k in range(S):
                    s += xs[k]
            mean = s / M
            q = 0.0
            for b in range(B):
                xs = x[b, c]
                for k in range(S):
                    d = xs[k] - mean
                    q += d * d
            var = q / M
            if mode == BATCH_UPDATE:
                moving_mean[c] = momentum * moving_mean[c] + (1.0 - momentum) * mean
                moving_var[c] = momentum * moving_var[c] + (1.0 - momentum) * (q / (M - 1))
        stats[0, c] = mean
        stats[1, c] = 1.0 / math.sqrt(var + eps)
        m, inv, g, sh = stats[0, c], stats[1, c], gamma[c], beta[c]
        for b in range(B):
            xs, dst = x[b, c], out[b, c]
            for k in range(S):
                dst[k] = (xs[k] - m) * inv * g + sh


@kernel
def _batchnorm_backward(x, gamma, d_out, stats, d_gamma, d_beta, d_x, batch):
    # d_out (B, C, S) -> d_gamma, d_beta (C,) and d_x (B, C, S) unless d_x is empty. ``batch``:
    # the forward used the batch's statistics (which then depend on x), else fixed ones.
    B, C, S = x.shape
    M = B * S
    for c in range(C):
        m, inv = stats[0, c], stats[1, c]
        sg = 0.0
        sgx = 0.0
        for b in range(B):
            xs, g = x[b, c], d_out[b, c]
            for k in range(S):
                sg += g[k]
                sgx += g[k] * ((xs[k] - m) * inv)
        d_beta[c] = sg
        d_gamma[c] = sgx
        if d_x.size == 0:
            continue
        a = gamma[c] * inv
        if batch:
            m1 = d_out.dtype.type(sg / M)
            m2 = d_out.dtype.type(sgx / M)
            for b in range(B):
                xs, g, dst = x[b, c], d_out[b, c], d_x[b, c]
                for k in range(S):
                    dst[k] = a * (g[k] - m1 - (xs[k] - m) * inv * m2)
        else:
            for b in range(B):
                g, dst = d_out[b, c], d_x[b, c]
                for k in range(S):
                    dst[k] = a * g[k]
