"""Activation functions, applied in place, and their derivatives from the output.

Every derivative here is a function of the activation's *output* y, so the
backward pass needs no stored pre-activation: tanh' = 1 - y^2,
sigmoid' = y (1 - y), relu' = [y > 0], leaky_relu' = 1 or LEAKY_SLOPE.

Numba's scalar ``tanh`` and ``exp`` cost about 20 ns an element and block
vectorisation, so float32 uses a rational approximation (relative error below
4e-7, tested); float64 keeps the exact functions for gradient checks.
"""
import math

import numpy as np
from numba import types
from numba.extending import overload

from ._intrinsics import _maximum
from ._jit import jit

LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU = 0, 1, 2, 3, 4
ACTIVATIONS = {"linear": LINEAR, "sigmoid": SIGMOID, "tanh": TANH,
               "relu": RELU, "leaky_relu": LEAKY_RELU}
RELU_FAMILY = ("relu", "leaky_relu")
CAN_DIE = ("relu",)         # zero gradient below 0: a unit that never fires never learns again (Leaky ReLU keeps a slope)
LEAKY_SLOPE = 0.01


def fast_tanh(x):
    """tanh; inside kernels, a float32 rational approximation."""
    return math.tanh(x)


def fast_sigmoid(x):
    """Logistic sigmoid; inside kernels, built on ``fast_tanh`` for float32."""
    return 1.0 / (1.0 + math.exp(-x))


def _is_float32(x):
    return isinstance(x, types.Float) and x.bitwidth == 32


@overload(fast_tanh)
def _fast_tanh_typed(x):
    if _is_float32(x):
        def tanh32(x):
            # x * P(x^2) / Q(x^2), fitted here to tanh on [0, 9]; every coefficient
            # is positive, so float32 evaluation has no cancellation.
            c = np.float32(9.0)
            if x > c:
                x = c
            elif x < -c:
                x = -c
            s = x * x
            p = np.float32(1.3352534e-08)
            p = p * s + np.float32(2.0607544e-05)
            p = p * s + np.float32(3.4954954e-03)
            p = p * s + np.float32(1.3380948e-01)
            p = p * s + np.float32(9.9999998e-01)
            q = np.float32(7.7756850e-07)
            q = q * s + np.float32(3.2854824e-04)
            q = q * s + np.float32(2.5876631e-02)
            q = q * s + np.float32(4.6714264e-01)
            q = q * s + np.float32(1.0)
            return x * p / q
        return tanh32

    def tanh64(x):
        return math.tanh(x)
    return tanh64


@overload(fast_sigmoid)
def _fast_sigmoid_typed(x):
    if _is_float32(x):
        def sigmoid32(x):
            half = np.float32(0.5)
            return half + half * fast_tanh(half * x)
        return sigmoid32

    def sigmoid64(x):
        return 1.0 / (1.0 + math.exp(-x))
    return sigmoid64


@jit
def _activate(code, z):
    """Apply activation ``code`` in place to the 1-D array ``z``."""
    n = z.size
    if code == TANH:
        for i in range(n):
            z[i] = fast_tanh(z[i])
    elif code == SIGMOID:
        for i in range(n):
            z[i] = fast_sigmoid(z[i])
    elif code == RELU:                          # a max, not a select: see _intrinsics.py
        zero = z.dtype.type(0)
        for i in range(n):
            z[i] = _maximum(z[i], zero)
    elif code == LEAKY_RELU:                    # slope < 1: the larger of v and slope * v
        slope = z.dtype.type(LEAKY_SLOPE)
        for i in range(n):
            z[i] = _maximum(z[i], slope * z[i])


@jit
def _activation_backward(code, y, d):
    """Multiply ``d`` in place by f'(x), read from the output ``y`` = f(x)."""
    n = d.size
    one = d.dtype.type(1)
    if code == TANH:
        for i in range(n):
            d[i] *= one - y[i] * y[i]
    elif code == SIGMOID:
        for i in range(n):
            d[i] *= y[i] * (one - y[i])
    elif code == RELU:
        zero = d.dtype.type(0)
        for i in range(n):
            d[i] = d[i] if y[i] > 0 else zero
    elif code == LEAKY_RELU:
        slope = d.dtype.type(LEAKY_SLOPE)
        for i in range(n):
            d[i] = d[i] if y[i] > 0 else slope * d[i]


def activate(name, x):
    """Return activation ``name`` applied to a copy of ``x`` (any shape)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    out = np.ascontiguousarray(x, dtype=np.result_type(x, np.float32)).copy()
    _activate(ACTIVATIONS[name], out.reshape(-1))
    return out
