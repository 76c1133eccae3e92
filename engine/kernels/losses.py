"""Losses on raw outputs (logits), fused with their gradient.

mse: mean over all elements of (out - y)^2.  binary_crossentropy: mean over all
elements of the sigmoid cross-entropy of the logits.  softmax_crossentropy:
mean over samples, labels are class indices stored as floats in y[:, 0].
All three are computed in float64 in a form that cannot overflow.
"""
import math

from ._jit import jit

MSE, BINARY_CROSSENTROPY, SOFTMAX_CROSSENTROPY = 0, 1, 2
LOSSES = {"mse": MSE, "binary_crossentropy": BINARY_CROSSENTROPY,
          "softmax_crossentropy": SOFTMAX_CROSSENTROPY}


@jit
def _loss_forward_backward(code, out, y, d_out, want_grad):
    """Mean loss of ``out`` (R, O) against ``y``; writes d loss / d out when asked."""
    R, O = out.shape
    total = 0.0
    if code == MSE:
        scale = 2.0 / (R * O)
        for r in range(R):
            for j in range(O):
                e = out[r, j] - y[r, j]
                total += e * e
                if want_grad:
                    d_out[r, j] = scale * e
        return total / (R * O)
    if code == BINARY_CROSSENTROPY:
        scale = 1.0 / (R * O)
        for r in range(R):
            for j in range(O):
                z = float(out[r, j])
                t = y[r, j]
                # max(z, 0) - z t + log(1 + exp(-|z|))
                total += max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))
                if want_grad:
                    p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                    d_out[r, j] = scale * (p - t)
        return total / (R * O)
    # softmax cross-entropy
    scale = 1.0 / R
    for r in range(R):
        m = float(out[r, 0])
        for j in range(1, O):
            if out[r, j] > m:
                m = float(out[r, j])
        s = 0.0
        for j in range(O):
            s += math.exp(out[r, j] - m)
        label = int(y[r, 0])
        total += m + math.log(s) - out[r, label]
        if want_grad:
            for j in range(O):
                d_out[r, j] = scale * math.exp(out[r, j] - m) / s
            d_out[r, label] -= scale
    return total / R
