"""Slow, obviously-correct NumPy references for the engine's kernels."""
import numpy as np

LEAKY_SLOPE = 0.01


def activation(name, z):
    z = np.asarray(z, np.float64)
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    raise KeyError(name)


def same_padding(size, k, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, W, b, stride=1, padding="same"):
    """Direct cross-correlation of x (N, C, H, W) with W (F, C, k, k), TensorFlow's padding."""
    N, C, H, Wd = x.shape
    F, _, k, _ = W.shape
    if padding == "same":
        (t, bo), (l, r) = same_padding(H, k, stride), same_padding(Wd, k, stride)
        x = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)))
    Ho, Wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = np.zeros((N, F, Ho, Wo))
    for y in range(Ho):
        for xx in range(Wo):
            patch = x[:, :, y * stride:y * stride + k, xx * stride:xx * stride + k]
            out[:, :, y, xx] = np.einsum("nckl,fckl->nf", patch, W)
    return out + b[None, :, None, None]


def pool2d(x, p, stride, op):
    N, C, H, W = x.shape
    Ho, Wo = (H - p) // stride + 1, (W - p) // stride + 1
    out = np.zeros((N, C, Ho, Wo))
    for y in range(Ho):
        for xx in range(Wo):
            out[:, :, y, xx] = op(x[:, :, y * stride:y * stride + p, xx * stride:xx * stride + p], axis=(2, 3))
    return out


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def recurrent(cell, x, P, i, return_sequences):
    """Step-by-step NumPy rnn / lstm / gru with DESIGN.md's layouts and gate orders."""
    Wx, Wh = P[f"{i}.Wx"].astype(np.float64), P[f"{i}.Wh"].astype(np.float64)
    U = Wh.shape[0]
    N, T, _ = x.shape
    h, c, hs = np.zeros((N, U)), np.zeros((N, U)), []
    for t in range(T):
        if cell == "rnn":
            h = np.tanh(x[:, t] @ Wx + h @ Wh + P[f"{i}.b"])
        elif cell == "lstm":
            a = x[:, t] @ Wx + h @ Wh + P[f"{i}.b"]
            ig, fg, gg, og = sigmoid(a[:, :U]), sigmoid(a[:, U:2 * U]), np.tanh(a[:, 2 * U:3 * U]), sigmoid(a[:, 3 * U:])
            c = fg * c + ig * gg
            h = og * np.tanh(c)
        else:
            ax, ah = x[:, t] @ Wx + P[f"{i}.bx"], h @ Wh + P[f"{i}.bh"]
            r, z = sigmoid(ax[:, :U] + ah[:, :U]), sigmoid(ax[:, U:2 * U] + ah[:, U:2 * U])
            n = np.tanh(ax[:, 2 * U:] + r * ah[:, 2 * U:])
            h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs, 1) if return_sequences else h


def batchnorm(h, gamma, beta, mean=None, var=None, eps=1e-3):
    """h (N, C) or (N, C, H, W) normalised per feature / channel: with the given mean and variance
    (inference), else with the batch's mean and biased variance (training)."""
    axes = (0,) if h.ndim == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (h.ndim - 2)
    if mean is None:
        mean, var = h.mean(axis=axes), h.var(axis=axes)
    return ((h - np.reshape(mean, shape)) / np.sqrt(np.reshape(var, shape) + eps) * np.reshape(gamma, shape)
            + np.reshape(beta, shape))


def moving_stats(h, mean, var, momentum):
    """Batch normalization's moving statistics after one training batch h, as PyTorch updates
    them: the batch mean and the unbiased batch variance."""
    axes = (0,) if h.ndim == 2 else (0, 2, 3)
    return (momentum * mean + (1 - momentum) * h.mean(axis=axes),
            momentum * var + (1 - momentum) * h.var(axis=axes, ddof=1))


def kl_to_standard_normal(mean, log_var):
    """Each sample's KL divergence from N(mean, exp(log_var)) to N(0, 1): (N,)."""
    return -0.5 * (1 + log_var - mean ** 2 - np.exp(log_var)).sum(axis=1)


def forward(spec, params, x, state=None, training=False, eps=None):
    """Forward pass of a spec of dense / dropout (inactive) / flatten / conv / pool / recurrent /
    batchnorm / sampling / noise layers. Training: batch normalization with the batch's
    statistics, sampling and noise with the normals ``eps[i]`` of layer i (none: the mean, no
    noise); otherwise batch normalization with ``state``'s moving statistics."""
    h = np.asarray(x, np.float64).reshape(len(x), *spec["input_shape"])
    eps = eps or {}
    for i, layer in enumerate(spec["layers"]):
        kind = layer["type"]
        if kind == "dense":
            W = np.asarray(params[f"{i}.W"], np.float64)
            b = np.asarray(params[f"{i}.b"], np.float64)
            z = np.zeros(h.shape[:-1] + (W.shape[1],))
            for j in range(W.shape[1]):
                z[..., j] = (h * W[:, j]).sum(axis=-1) + b[j]
            h = activation(layer.get("activation", "linear"), z)
        elif kind == "flatten":
            h = h.reshape(len(h), -1)
        elif kind == "dropout":
            pass
        elif kind == "conv2d":
            z = conv2d(h, params[f"{i}.W"].astype(np.float64), params[f"{i}.b"].astype(np.float64),
                       layer.get("stride", 1), layer.get("padding", "same"))
            h = activation(layer.get("activation", "linear"), z)
        elif kind in ("rnn", "lstm", "gru"):
            h = recurrent(kind, h, params, i, layer.get("return_sequences", False))
        elif kind in ("maxpool2d", "avgpool2d"):
            p = layer.get("pool_size", 2)
            h = pool2d(h, p, layer.get("stride") or p, np.max if kind == "maxpool2d" else np.mean)
        elif kind == "batchnorm":
            frozen = not layer.get("trainable", True)
            stats = ((state[f"{i}.moving_mean"], state[f"{i}.moving_variance"]) if frozen or not training
                     else (None, None))
            h = activation(layer.get("activation", "linear"),
                           batchnorm(h, params[f"{i}.gamma"], params[f"{i}.beta"], *stats, layer.get("epsilon", 1e-3)))
        elif kind == "sampling":
            k = h.shape[1] // 2
            e = eps.get(i) if training else None
            h = h[:, :k] + (0 if e is None else np.exp(h[:, k:] / 2) * e)
        elif kind == "noise":
            e = eps.get(i) if training else None
            h = h + (0 if e is None else layer["stddev"] * np.reshape(e, h.shape))
        else:
            raise KeyError(kind)
    return h


def loss(name, out, y):
    out = np.asarray(out, np.float64)
    if name == "mse":
        return float(np.mean((out - np.asarray(y, np.float64).reshape(out.shape)) ** 2))
    if name == "binary_crossentropy":
        p = 1.0 / (1.0 + np.exp(-out))
        t = np.asarray(y, np.float64).reshape(out.shape)
        return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))
    if name == "softmax_crossentropy":
        z = out.reshape(-1, out.shape[-1])
        labels = np.asarray(y).reshape(-1).astype(int)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(z)), labels].mean())
    raise KeyError(name)


def numeric_grads(net, x, y, eps=1e-6):
    """Central finite differences of net's mean loss for every parameter."""
    grads = {}
    for name, p in net.params.items():
        g = np.zeros_like(p, dtype=np.float64)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            up, _ = net.loss_and_grads(x, y)
            flat[k] = old - eps
            down, _ = net.loss_and_grads(x, y)
            flat[k] = old
            gflat[k] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def adam(w, g, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), m, v


WEIGHT_NAMES = ("W", "Wx", "Wh")        # what L1/L2 penalise; biases are left alone


def finite_difference_grads(f, params, names, eps=1e-6):
    """Central differences of the scalar f(params) with respect to params[name] for ``names``."""
    grads = {}
    for name in names:
        p = params[name]
        g = np.zeros_like(p, dtype=np.float64)
        for k in range(p.size):
            old = p.flat[k]
            p.flat[k] = old + eps
            up = f(params)
            p.flat[k] = old - eps
            down = f(params)
            p.flat[k] = old
            g.flat[k] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def adam_training(spec, params, x, y, steps, lr, l1=0.0, l2=0.0, clip=None):
    """Full-batch Adam steps as PyTorch does them with requires_grad=False on the layers whose
    spec says "trainable": false: only trainable parameters move or get moments, L1/L2 apply to
    their weights, clipping reads their gradients' global norm. Returns the new params."""
    def data_loss(p):
        return loss(spec["loss"], forward(spec, p, x), y)

    params = {k: np.array(v, np.float64) for k, v in params.items()}
    trained = [n for n in params if spec["layers"][int(n.split(".")[0])].get("trainable", True)]
    m = {n: np.zeros_like(params[n]) for n in trained}
    v = {n: np.zeros_like(params[n]) for n in trained}
    for t in range(1, steps + 1):
        g = finite_difference_grads(data_loss, params, trained)
        norm = np.sqrt(sum((gi ** 2).sum() for gi in g.values()))
        scale = clip / (norm + 1e-6) if clip and norm > clip else 1.0
        for n in trained:
            gn = g[n] * scale
            if n.split(".")[1] in WEIGHT_NAMES:
                gn = gn + l2 * params[n] + l1 * np.sign(params[n])
            params[n], m[n], v[n] = adam(params[n], gn, m[n], v[n], t, lr)
    return params
