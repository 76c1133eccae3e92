"""A tiny deterministic random generator for kernels (splitmix64).

Randomness enters the engine only through a seed: the wrapper seeds a one-word
state from a ``np.random.Generator`` and kernels advance it. The same seed gives
the same stream on every machine, bit for bit, with no global state.
"""
import numpy as np

from ._jit import jit_inline, kernel


def new_state(rng):
    """A fresh kernel RNG state drawn from the Generator ``rng``."""
    return rng.integers(0, 2**63 - 1, size=1, dtype=np.int64).astype(np.uint64)


@jit_inline
def _next_u64(state):
    z = state[0] + np.uint64(0x9E3779B97F4A7C15)
    state[0] = z
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit_inline
def _uniform(state):
    """A float64 uniform in [0, 1) with 53 random bits."""
    return np.float64(_next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit_inline
def _below(state, n):
    """An integer uniform in [0, n) (n < 2**53)."""
    return np.int64(_uniform(state) * n)


@kernel
def _shuffle(state, a):
    """Fisher-Yates shuffle of the 1-D array ``a`` in place."""
    for i in range(a.size - 1, 0, -1):
        j = _below(state, i + 1)
        t = a[i]
        a[i] = a[j]
        a[j] = t


@jit_inline
def _normal_pair(state):
    """Two independent standard normals (Box-Muller on two uniforms)."""
    u1 = 1.0 - _uniform(state)                  # in (0, 1]: log is finite
    u2 = _uniform(state)
    r = np.sqrt(-2.0 * np.log(u1))
    t = 2.0 * np.pi * u2
    return r * np.cos(t), r * np.sin(t)
