"""Optimizers, penalties and clipping on the flat parameter vector.

One flat vector holds every parameter, so each update is a single fused loop.
Hyper-parameters follow PyTorch's defaults: momentum 0.9 (v = 0.9 v + g),
Adam (0.9, 0.999, eps 1e-8 added to sqrt of the corrected second moment),
RMSProp (alpha 0.99, eps 1e-8). L2 adds l2 * w to the gradient (PyTorch's
weight_decay, i.e. a penalty 0.5 l2 w^2); L1 adds l1 * sign(w).

Frozen layers' parameters lie outside the optimizer's ``runs`` (the [start, end)
stretches of trainable parameters) and outside ``decay_mask``: they, and their
moments, are never written.
"""
import math

from ._jit import jit_inline, kernel

SGD, MOMENTUM, ADAM, RMSPROP = 0, 1, 2, 3
OPTIMIZERS = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM, "rmsprop": RMSPROP}


@jit_inline
def _global_norm(g):
    s = 0.0
    for i in range(g.size):
        s += float(g[i]) * float(g[i])
    return math.sqrt(s)


@jit_inline
def _clip_by_global_norm(g, norm, max_norm):
    # As torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when over.
    if max_norm > 0 and norm > max_norm:
        scale = g.dtype.type(max_norm / (norm + 1e-6))
        for i in range(g.size):
            g[i] *= scale


@jit_inline
def _add_penalties(w, g, decay_mask, l1, l2):
    # decay_mask is 1 for weights, 0 for biases: biases are not penalised.
    if l1 == 0 and l2 == 0:
        return
    a1 = w.dtype.type(l1)
    a2 = w.dtype.type(l2)
    for i in range(w.size):
        if decay_mask[i]:
            s = 1 if w[i] > 0 else (-1 if w[i] < 0 else 0)
            g[i] += a2 * w[i] + a1 * s


@kernel
def _optimizer_step(code, w, g, m, v, t, lr, runs):
    """One update in place of w[start:end] for each row (start, end) of ``runs``: the
    trainable parameters. ``t`` is the 1-based step count (Adam)."""
    for k in range(runs.shape[0]):
        _update_run(code, w, g, m, v, t, lr, runs[k, 0], runs[k, 1])


@jit_inline
def _update_run(code, w, g, m, v, t, lr, start, end):
    # Loops over slices with the loop variable from range(n): Numba checks an index from
    # range(start, end) for a negative wrap-around, which stops vectorisation (conv.py).
    w, g, m, v = w[start:end], g[start:end], m[start:end], v[start:end]
    n = w.size
    lr_ = w.dtype.type(lr)
    if code == SGD:
        for i in range(n):
            w[i] -= lr_ * g[i]
    elif code == MOMENTUM:
        mu = w.dtype.type(0.9)
        for i in range(n):
            m[i] = mu * m[i] + g[i]
            w[i] -= lr_ * m[i]
    elif code == ADAM:
        b1, b2 = 0.9, 0.999
        c1 = 1.0 - b1 ** t
        c2 = 1.0 - b2 ** t
        step = w.dtype.type(lr / c1)
        inv_sqrt_c2 = w.dtype.type(1.0 / math.sqrt(c2))
        eps = w.dtype.type(1e-8)
        b1_, b2_ = w.dtype.type(b1), w.dtype.type(b2)
        a1_, a2_ = w.dtype.type(1 - b1), w.dtype.type(1 - b2)
        for i in range(n):
            m[i] = b1_ * m[i] + a1_ * g[i]
            v[i] = b2_ * v[i] + a2_ * g[i] * g[i]
            w[i] -= step * m[i] / (math.sqrt(v[i]) * inv_sqrt_c2 + eps)
    else:  # RMSPROP
        alpha, beta = w.dtype.type(0.99), w.dtype.type(0.01)
        eps = w.dtype.type(1e-8)
        for i in range(n):
            v[i] = alpha * v[i] + beta * g[i] * g[i]
            w[i] -= lr_ * g[i] / (math.sqrt(v[i]) + eps)
