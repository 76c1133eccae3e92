"""The random layers: a VAE's sampling layer and Gaussian input noise, forward beside backward.

Sampling: the input is 2k values per sample, a mean and a log-variance per code unit;
while training the output is the reparameterised sample ``z = mean + exp(log_var / 2) * eps``
with eps ~ N(0, 1) from the engine's seeded stream, otherwise the mean. Whatever the
mode, each sample's KL divergence from N(mean, exp(log_var)) to N(0, 1),
``-0.5 * sum(1 + log_var - mean^2 - exp(log_var))``, goes to the cache beside the eps
it used; the program adds ``beta`` times its batch mean (scaled like the loss) to the
loss, and backward adds the term's gradient ``weight * mean`` and
``weight * 0.5 * (exp(log_var) - 1)`` to d_x.

Noise: ``out = x + stddev * eps`` while training (Keras' GaussianNoise), the identity
otherwise; its gradient passes unchanged.
"""
import math

from ._jit import jit_inline, kernel
from .dense import _copy
from .rng import _normal_pair


@kernel
def _sampling_forward(x, out, cache, training, rng_state):
    # x (B, 2k): mean | log_var; out (B, k); cache (B, k + 1): eps, then the sample's KL
    B, k = out.shape
    for b in range(B):
        xb, ob, cb = x[b], out[b], cache[b]
        j = 0
        while j < k:
            if training:
                e1, e2 = _normal_pair(rng_state)
            else:
                e1 = e2 = 0.0
            cb[j] = e1
            if j + 1 < k:
                cb[j + 1] = e2
            j += 2
        kl = 0.0
        for j in range(k):
            mu, lv = xb[j], xb[k + j]
            ob[j] = mu + math.exp(0.5 * lv) * cb[j]
            kl += -0.5 * (1.0 + lv - mu * mu - math.exp(lv))
        cb[k] = kl


@kernel
def _sampling_backward(x, d_out, cache, d_x, weight):
    # d_out (B, k) -> d_x (B, 2k) unless empty; ``weight`` = d(loss)/d(KL of one sample)
    B, k = d_out.shape
    if d_x.size == 0:
        return
    for b in range(B):
        xb, gb, cb, dst = x[b], d_out[b], cache[b], d_x[b]
        for j in range(k):
            mu, lv = xb[j], xb[k + j]
            s = math.exp(0.5 * lv)
            dst[j] = gb[j] + weight * mu
            dst[k + j] = gb[j] * cb[j] * 0.5 * s + weight * 0.5 * (math.exp(lv) - 1.0)


@jit_inline
def _kl_sum(cache, k):
    """The batch's summed KL divergence from the cache (B, k + 1) of a sampling layer."""
    total = 0.0
    for b in range(cache.shape[0]):
        total += cache[b, k]
    return total


@kernel
def _noise_forward(x, out, stddev, training, rng_state):
    # x, out 1-D of equal size
    if not training or stddev == 0:
        _copy(x, out)
        return
    n = x.size
    i = 0
    while i < n:
        e1, e2 = _normal_pair(rng_state)
        out[i] = x[i] + stddev * e1
        if i + 1 < n:
            out[i + 1] = x[i + 1] + stddev * e2
        i += 2
