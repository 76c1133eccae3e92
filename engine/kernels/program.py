"""The network as a program: one compiled loop runs every layer and step.

A network is an int64 table ``prog`` (one row per layer, columns below), a
float64 table ``fprog`` (per-layer real settings such as the dropout rate), one
flat parameter vector and one flat state vector (non-trained per-layer values:
batch normalization's moving statistics). Activations live in one
flat workspace: per sample, layer l reads [A_IN, A_IN + IN_SIZE) and writes
[A_OUT, A_OUT + OUT_SIZE); for a batch of B samples every offset and size is
multiplied by B. Keeping the whole training step in one compiled call removes
the per-layer Python overhead that dominates small networks.

Compiling is the expensive part. Numba compiles every function on its own and
then again inside each caller (linked in, re-optimised, turned into machine code),
and a big function compiles more than proportionally slower than its parts. So:
one compiled entry point, ``_run``, trains, predicts and computes gradients (three
would each re-compile the whole program); kernels are separate functions called
from the program or from a family's layer function, never in long chains; only
small glue (views, dispatch on a code) is inlined into the caller (``jit_inline``).

The Python entry points gather ``_run``'s arguments in named tuples: ``Model``,
``Training``, ``Data`` and ``Buffers`` for the arrays, passed unpacked (``RUN_ARGS``:
unpacking tuples of arrays inside compiled code costs the program a tenth more
compile time), and ``Hyper`` for the scalars, passed whole. What a mode does not
read is a zero-size stand-in of the same type, so every mode shares one compiled
program.

A network compiles only the layer families it uses: ``_run`` takes ``conv`` and
``recurrent`` as None or True, and Numba prunes a branch on ``flag is not None``
from the argument's type before typing anything inside it (only on plain
arguments: inside a tuple it would not). A dense net therefore never compiles a
convolution or recurrent kernel; each combination is one cached specialisation.

Dispatch goes by the family in each row, then by the kind; every branch names its
kind, and ``FAMILY_KINDS`` lists what each family runs: ``engine.layers`` refuses,
when a network is built, a layer whose kind its family does not list. The dense
family's first kinds (dense, dropout, flatten) are written out in ``_forward`` and
``_backward``; its later ones (batchnorm, sampling, noise) sit in their own compiled
``_extra_layer_forward``/``_backward``, which take everything a kind may read
(params, state, the float row, ``training``, the batch-statistics mode, the random
state), so the program's loop, and with it the dense, conv and recurrent nets' steps,
stays as it was; the conv and recurrent families' layer functions take only what their
kinds read today, since every array argument costs compile time at each call: a
kind that needs more adds it there. ``training`` always arrives from Python: a
literal True or False inside compiled code would make Numba compile a callee once
per value.
"""
import weakref
from typing import NamedTuple

import numpy as np
from numba import from_dtype, typeof

from ._jit import jit, jit_inline, kernel, make_slots
from .activations import RELU, _activate, _activation_backward
from .conv import (_avgpool_backward, _avgpool_forward, _conv2d_backward, _conv2d_forward,
                   _maxpool_backward, _maxpool_forward)
from .dense import (_copy, _copy_forward, _dense_backward, _dense_forward,
                    _dropout_backward, _dropout_forward)
from .losses import SOFTMAX_CROSSENTROPY, _loss_forward_backward
from .normalization import BATCH, BATCH_UPDATE, MOVING, _batchnorm_backward, _batchnorm_forward
from .recurrent import GRU, LSTM, RNN, _rnn_backward, _rnn_forward
from .optim import _add_penalties, _clip_by_global_norm, _global_norm, _optimizer_step
from .rng import _shuffle
from .sampling import _kl_sum, _noise_forward, _sampling_backward, _sampling_forward

# Layer families: the units compiled together. "dense" (dense, dropout, flatten, the
# losses and optimizers) is in every program.
FAMILIES = ("dense", "conv", "recurrent")
DENSE_FAMILY, CONV_FAMILY, RECURRENT_FAMILY = 0, 1, 2
FAMILY_CODES = {"dense": DENSE_FAMILY, "conv": CONV_FAMILY, "recurrent": RECURRENT_FAMILY}

# Layer kinds, and the kinds each family's layer functions have a branch for.
DENSE, DROPOUT, FLATTEN, CONV2D, MAXPOOL2D, AVGPOOL2D, RECURRENT = 0, 1, 2, 3, 4, 5, 6
BATCHNORM, SAMPLING, NOISE = 7, 8, 9
FAMILY_KINDS = {"dense": (DENSE, DROPOUT, FLATTEN, BATCHNORM, SAMPLING, NOISE),
                "conv": (CONV2D, MAXPOOL2D, AVGPOOL2D), "recurrent": (RECURRENT,)}

# Columns of ``prog``.
(KIND, FAMILY, ACT, IN_SIZE, OUT_SIZE, P_OFF, P_SIZE, S_OFF, S_SIZE,
 A_IN, A_OUT, C_OFF, C_SIZE) = range(13)
X0 = 13        # first layer-specific column
N_COLS = 28
F_COLS = 4     # columns of ``fprog``

# Slots of the int64 loop state carried between calls of ``_train_steps``.
CURSOR, EPOCH, STEP = 0, 1, 2

# What ``_run`` does.
TRAIN, PREDICT, GRADS = 0, 1, 2


class Model(NamedTuple):
    """The network as the program sees it."""
    prog: np.ndarray            # (layers, N_COLS) int64
    fprog: np.ndarray           # (layers, F_COLS) float64
    params: np.ndarray          # every parameter, flat
    state: np.ndarray           # every layer's non-trained state, flat


class Training(NamedTuple):
    """What a training step writes besides the parameters, and what it may update."""
    grads: np.ndarray           # like params
    m: np.ndarray               # the optimizer's moments, like params
    v: np.ndarray
    decay_mask: np.ndarray      # uint8 per parameter: 1 where L1/L2 apply
    layer_ranges: np.ndarray    # (layers with params, 3) int64: start, end, trainable
    train_runs: np.ndarray      # (runs, 2) int64: [start, end) of trainable parameters


class Data(NamedTuple):
    X: np.ndarray               # (N, in_size), read-only
    Y: np.ndarray               # (N, label_cols), read-only
    order: np.ndarray           # int64: the epoch's permutation of the rows
    loop: np.ndarray            # int64: CURSOR, EPOCH, STEP
    rng_state: np.ndarray       # uint64: shuffling and dropout


class Buffers(NamedTuple):
    acts: np.ndarray            # every layer's input and output, B per offset
    d_acts: np.ndarray          # their gradients
    cache: np.ndarray           # what backward needs besides inputs and outputs
    ybuf: np.ndarray            # a batch's labels
    out: np.ndarray             # (N, out_size): PREDICT's outputs
    losses: np.ndarray          # (steps, 3) float64: data loss, KL (batch mean), the KL term added
    norms: np.ndarray           # (steps, layers with params) float64


class Hyper(NamedTuple):
    """``_run``'s scalars. Make it with ``Hyper.of``: a wrong Python type (an int lr) would
    compile the program a second time."""
    n_steps: int
    batch_size: int
    loss_code: int
    loss_cols: int
    opt_code: int
    lr: float
    l1: float
    l2: float
    clip: float                 # 0: no clipping
    training: bool              # dropout on

    @classmethod
    def of(cls, n_steps=0, batch_size=1, loss_code=0, loss_cols=1, opt_code=0, lr=0.0, l1=0.0,
           l2=0.0, clip=0.0, training=False):
        return cls(int(n_steps), int(batch_size), int(loss_code), int(loss_cols), int(opt_code),
                   float(lr), float(l1), float(l2), float(clip), bool(training))


# _run's arguments, in order: the arrays are the fields of Model, Training, Data and Buffers.
RUN_ARGS = (("mode",) + Model._fields + Training._fields + Data._fields + Buffers._fields
            + ("hyper", "conv", "recurrent"))


@jit_inline
def _span(buf, B, start, size):
    """A layer's region of a flat workspace for a batch of B: per-sample offsets times B."""
    return buf[B * start:B * (start + size)]


@jit_inline
def _forward(prog, fprog, params, state, acts, cache, B, training, stats, rng_state, conv, recurrent):
    """Every layer's output into ``acts`` for a batch of B whose inputs are already there.
    ``training``: dropout, noise and sampling draw; ``stats``: what batch normalization
    normalises with (normalization.py: MOVING, BATCH, BATCH_UPDATE).
    The dense family's kinds are written out here: an inlined function taking these
    arguments costs the program more compile time than its few lines."""
    for l in range(prog.shape[0]):
        row = prog[l]
        family, kind = row[FAMILY], row[KIND]
        x = _span(acts, B, row[A_IN], row[IN_SIZE])
        out = _span(acts, B, row[A_OUT], row[OUT_SIZE])
        c = _span(cache, B, row[C_OFF], row[C_SIZE])
        if family == DENSE_FAMILY:
            if kind == DENSE:
                R, I, O, W, o_b = _dense_views(row, params, B)
                _dense_forward(x.reshape((R, I)), W, params[o_b:o_b + O], out.reshape((R, O)))
            elif kind == DROPOUT:
                _dropout_forward(x, out, c, fprog[l, 0], training, rng_state)
            elif kind == FLATTEN:
                _copy_forward(x, out)
            else:
                _extra_layer_forward(row, fprog[l], params, state, x, out, c, B, training, stats, rng_state)
        elif conv is not None and family == CONV_FAMILY:
            if kind == CONV2D:
                _conv2d_layer_forward(row, params, x, out, c, B)
            elif kind == MAXPOOL2D:
                _maxpool_layer_forward(row, params, x, out, c, B)
            else:
                _avgpool_layer_forward(row, params, x, out, c, B)
        elif recurrent is not None and family == RECURRENT_FAMILY:
            cell = row[X0]
            if cell == LSTM:
                _lstm_layer_forward(row, params, x, out, c, B)
            elif cell == GRU:
                _gru_layer_forward(row, params, x, out, c, B)
            else:
                _simple_rnn_layer_forward(row, params, x, out, c, B)
        _activate(row[ACT], out)


@jit_inline
def _backward(prog, fprog, params, state, grads, acts, d_acts, cache, B, kl_weight, conv, recurrent):
    """Backpropagate d_acts of the last layer's output into ``grads``; ``kl_weight``: d loss /
    d (one sample's KL divergence) before a sampling layer's beta. Nothing reads the gradient
    of the inputs of the layers before the first layer with parameters (flatten, dropout,
    noise, pooling): the loop stops at that layer and leaves its input gradient alone (the
    autoencoder's 784 -> 128 layer: a third of its backward)."""
    first = 0
    while first < prog.shape[0] and prog[first, P_SIZE] == 0:
        first += 1
    for l in range(prog.shape[0] - 1, first - 1, -1):
        row = prog[l]
        family, kind = row[FAMILY], row[KIND]
        x, d_x = _span(acts, B, row[A_IN], row[IN_SIZE]), _span(d_acts, B, row[A_IN], row[IN_SIZE])
        out, d_out = _span(acts, B, row[A_OUT], row[OUT_SIZE]), _span(d_acts, B, row[A_OUT], row[OUT_SIZE])
        c = _span(cache, B, row[C_OFF], row[C_SIZE])
        need_d_x = l > first
        _activation_backward(row[ACT], out, d_out)
        if family == DENSE_FAMILY:
            if kind == DENSE:
                R, I, O, W, o_b = _dense_views(row, params, B)
                p = row[P_OFF]
                _dense_backward(x.reshape((R, I)), W, d_out.reshape((R, O)),
                                grads[p:o_b].reshape((I, O)), grads[o_b:o_b + O],
                                d_x[:R * I if need_d_x else 0].reshape((-1, I)),
                                need_d_x and _relu_before(prog, l))
            elif kind == DROPOUT:
                if need_d_x:
                    _dropout_backward(d_out, c, d_x)
            elif kind == FLATTEN:
                if need_d_x:
                    _copy_forward(d_out, d_x)
            else:
                _extra_layer_backward(row, fprog[l], params, grads, x, d_x, d_out, c, B, kl_weight, need_d_x)
        elif conv is not None and family == CONV_FAMILY:
            if kind == CONV2D:
                _conv2d_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)
            elif kind == MAXPOOL2D:
                _maxpool_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)
            else:
                _avgpool_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)
        elif recurrent is not None and family == RECURRENT_FAMILY:
            cell = row[X0]
            if cell == LSTM:
                _lstm_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)
            elif cell == GRU:
                _gru_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)
            else:
                _simple_rnn_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x)


@jit_inline
def _relu_before(prog, l):
    """Whether layer l's input is the output of a ReLU (layer l - 1's activation)."""
    return l > 0 and prog[l - 1, ACT] == RELU and prog[l - 1, A_OUT] == prog[l, A_IN]


@kernel
def _extra_layer_forward(row, frow, params, state, x, out, c, B, training, stats, rng_state):
    """Forward of the dense family's batchnorm, sampling and noise layers (row[KIND]): their
    own compiled function, so the program's loop stays as small as before they came."""
    kind = row[KIND]
    if kind == BATCHNORM:
        C, S, trainable = row[X0], row[X0 + 1], row[X0 + 2]
        p, o = row[P_OFF], row[S_OFF]
        _batchnorm_forward(x.reshape((B, C, S)), params[p:p + C], params[p + C:p + 2 * C],
                           state[o:o + C], state[o + C:o + 2 * C], out.reshape((B, C, S)),
                           c[:2 * C].reshape((2, C)), stats if trainable else MOVING, frow[0], frow[1])
    elif kind == SAMPLING:
        k = row[X0]
        _sampling_forward(x.reshape((B, 2 * k)), out.reshape((B, k)), c.reshape((B, k + 1)), training, rng_state)
    elif kind == NOISE:
        _noise_forward(x, out, frow[0], training, rng_state)


@kernel
def _extra_layer_backward(row, frow, params, grads, x, d_x, d_out, c, B, kl_weight, need_d_x):
    """Backward of the dense family's batchnorm, sampling and noise layers; d_out already holds
    d loss / d out; ``kl_weight``: d loss / d (one sample's KL divergence) before beta."""
    kind = row[KIND]
    if kind == BATCHNORM:
        C, S, trainable = row[X0], row[X0 + 1], row[X0 + 2]
        p = row[P_OFF]
        _batchnorm_backward(x.reshape((B, C, S)), params[p:p + C], d_out.reshape((B, C, S)),
                            c[:2 * C].reshape((2, C)), grads[p:p + C], grads[p + C:p + 2 * C],
                            d_x[:B * C * S if need_d_x else 0].reshape((-1, C, S)), trainable != 0)
    elif kind == SAMPLING:
        k = row[X0]
        _sampling_backward(x.reshape((B, 2 * k)), d_out.reshape((B, k)), c.reshape((B, k + 1)),
                           d_x[:B * 2 * k if need_d_x else 0].reshape((-1, 2 * k)), frow[0] * kl_weight)
    elif kind == NOISE:
        if need_d_x:
            _copy_forward(d_out, d_x)


@jit_inline
def _dense_views(row, params, B):
    """A dense layer's row count, input and output widths, W (I, O) and the offset of b."""
    p, R, I, O = row[P_OFF], B * row[X0], row[X0 + 1], row[X0 + 2]
    return R, I, O, params[p:p + I * O].reshape((I, O)), p + I * O


# -- the conv family ----------------------------------------------------------
@jit_inline
def _conv_views(row, params, x, out, c, B):
    """The arguments of _conv2d_forward, as views into the flat buffers."""
    C, H, W, F, k, stride, pt, pl, Hp, Wp, Ho, Wo = row[X0:X0 + 12]
    p = row[P_OFF]
    n_w = F * C * k * k
    n_pad = C * (B * Hp + k) * Wp
    n_full = (k - 1) * (Wp + 1) + B * Hp * Wp
    return (x.reshape((B, C, H, W)), params[p:p + n_w].reshape((F, C, k, k)), params[p + n_w:p + n_w + F],
            out.reshape((B, F, Ho, Wo)), c[:n_pad].reshape((C, B * Hp + k, Wp)),
            c[n_pad:n_pad + F * n_full].reshape((F, n_full)), pt, pl, stride)


# One pair of layer functions per kind, so a network compiles, and links in, only its kinds' kernels.
@kernel
def _conv2d_layer_forward(row, params, x, out, c, B):
    x4, W, b, out4, xpad, full, pt, pl, stride = _conv_views(row, params, x, out, c, B)
    _conv2d_forward(x4, W, b, out4, xpad, full, pt, pl, stride)


@kernel
def _conv2d_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    """d_out already holds d loss / d out (as for every layer function's backward)."""
    d_x4, W, _, d_out4, xpad, full, pt, pl, stride = _conv_views(row, params, d_x, d_out, c, B)
    F, C, k = W.shape[0], W.shape[1], W.shape[2]
    p, n_w = row[P_OFF], F * C * k * k
    _conv2d_backward(W, d_out4, grads[p:p + n_w].reshape(W.shape), grads[p + n_w:p + n_w + F],
                     d_x4, xpad, full, pt, pl, stride, need_d_x)


@kernel
def _maxpool_layer_forward(row, params, x, out, c, B):
    C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
    _maxpool_forward(x.reshape((B, C, H, W)), out.reshape((B, C, Ho, Wo)), c.reshape((B, C, Ho, Wo)),
                     pool, stride)


@kernel
def _maxpool_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
    if need_d_x:
        _maxpool_backward(d_out.reshape((B, C, Ho, Wo)), c.reshape((B, C, Ho, Wo)), d_x.reshape((B, C, H, W)))


@kernel
def _avgpool_layer_forward(row, params, x, out, c, B):
    C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
    _avgpool_forward(x.reshape((B, C, H, W)), out.reshape((B, C, Ho, Wo)), pool, stride)


@kernel
def _avgpool_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    C, H, W, pool, stride, Ho, Wo = row[X0:X0 + 7]
    if need_d_x:
        _avgpool_backward(d_out.reshape((B, C, Ho, Wo)), d_x.reshape((B, C, H, W)), pool, stride)


# -- the recurrent family -------------------------------------------------------
@jit_inline
def _recurrent_params(row, params):
    """Wx, Wh, b (GRU: bx), bh (empty but for GRU) and the offsets of Wh, b and bh."""
    cell, T, F, U, G, seq = row[X0:X0 + 6]
    p = row[P_OFF]
    o_wh = p + F * G * U
    o_b = o_wh + U * G * U
    o_bh = o_b + G * U
    n_bh = G * U if cell == GRU else 0
    return (params[p:o_wh].reshape((F, G * U)), params[o_wh:o_b].reshape((U, G * U)),
            params[o_b:o_bh], params[o_bh:o_bh + n_bh], o_wh, o_b, o_bh)


@jit_inline
def _recurrent_cache(row, c, B):
    """The time-major scratch arrays of a recurrent layer (engine/kernels/recurrent.py).
    Plain NumPy too: ``Network.recurrent_trace`` calls its ``py_func``."""
    cell, T, F, U, G, seq = row[X0:X0 + 6]
    sizes = (T * B * F, (T + 1) * B * U, T * B * G * U, (T + 1) * B * U, T * B * G * U,
             T * B * G * U if cell == GRU else 0, T * B * U)
    o = np.cumsum(np.array(sizes))
    xt = c[0:o[0]].reshape((T, B, F))
    hs = c[o[0]:o[1]].reshape((T + 1, B, U))
    A = c[o[1]:o[2]].reshape((T, B, G * U))
    C2 = c[o[2]:o[3]].reshape((T + 1, B, U))
    dA = c[o[3]:o[4]].reshape((T, B, G * U))
    dAh = c[o[4]:o[5]].reshape((T, B, G * U)) if cell == GRU else dA
    dh = c[o[5]:o[6]].reshape((T, B, U))
    return xt, hs, A, C2, dA, dAh, dh


@jit_inline
def _recurrent_forward(cell, row, params, x, out, c, B):
    """Forward of a recurrent layer of ``cell`` (a constant in each caller below, so each
    compiles, and links in, only its own cell's kernels); its time-major scratch stays in ``c``."""
    T, F, U, seq = row[X0 + 1], row[X0 + 2], row[X0 + 3], row[X0 + 5]
    Wx, Wh, b, bh, _, _, _ = _recurrent_params(row, params)
    xt, hs, A, C2, _, _, _ = _recurrent_cache(row, c, B)
    _rnn_forward(cell, x.reshape((B, T, F)), Wx, Wh, b, bh, out.reshape((B, T if seq else 1, U)),
                 xt, hs, A, C2, seq == 1)


@jit_inline
def _recurrent_backward(cell, row, params, grads, d_x, d_out, c, B, need_d_x):
    """Backpropagation through time of a recurrent layer of ``cell``; d_out already holds
    d loss / d out."""
    T, F, U, G, seq = row[X0 + 1], row[X0 + 2], row[X0 + 3], row[X0 + 4], row[X0 + 5]
    p = row[P_OFF]
    Wx, Wh, _, _, o_wh, o_b, o_bh = _recurrent_params(row, params)
    xt, hs, A, C2, dA, dAh, dh = _recurrent_cache(row, c, B)
    _rnn_backward(cell, Wx, Wh, d_out.reshape((B, T if seq else 1, U)),
                  grads[p:o_wh].reshape(Wx.shape), grads[o_wh:o_b].reshape(Wh.shape),
                  grads[o_b:o_b + G * U], grads[o_bh:o_bh + (G * U if cell == GRU else 0)],
                  d_x.reshape((B, T, F)), xt, hs, A, C2, dA, dAh, dh, seq == 1, need_d_x)


# One pair of module functions per cell, not made by a factory: a kernel's slot is named after its
# module and qualified name (_jit.py), which a factory's functions would share.
@kernel
def _lstm_layer_forward(row, params, x, out, c, B):
    _recurrent_forward(LSTM, row, params, x, out, c, B)


@kernel
def _lstm_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    _recurrent_backward(LSTM, row, params, grads, d_x, d_out, c, B, need_d_x)


@kernel
def _gru_layer_forward(row, params, x, out, c, B):
    _recurrent_forward(GRU, row, params, x, out, c, B)


@kernel
def _gru_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    _recurrent_backward(GRU, row, params, grads, d_x, d_out, c, B, need_d_x)


@kernel
def _simple_rnn_layer_forward(row, params, x, out, c, B):
    _recurrent_forward(RNN, row, params, x, out, c, B)


@kernel
def _simple_rnn_layer_backward(row, params, grads, d_x, d_out, c, B, need_d_x):
    _recurrent_backward(RNN, row, params, grads, d_x, d_out, c, B, need_d_x)


# What warm-up compiles for each family besides its layer classes' kernels
# (engine/layers.py): its layer functions, and for "dense" the program-wide kernels.
# A network compiles only its layers' stages and these (stages.py ``typed_stages(..., types)``).
# Every kernel the program calls (not inlined) is in some stage: tests/engine/test_warmup.py.
# (message, weight, [(kernel, argument types)]); the types are named in stages.py.
FAMILY_STAGES = {
    "dense": [
        ("activations", 0.9, [(_activate, "i A1"), (_activation_backward, "i A1 A1")]),
        ("losses and optimizers", 1.8, [(_loss_forward_backward, "i A2 A2 A2 b"),
                                        (_optimizer_step, "i A1 A1 A1 A1 i f64 runs"),
                                        (_shuffle, "rng ints")]),
    ],
    "conv": [],                 # each kind's layer functions are its own (layers.Conv2D, Pool2D)
    "recurrent": [],            # each cell's layer functions are its own (layers.Recurrent)
}
# The dense family's later kinds' layer functions: each such layer class lists this stage.
EXTRA_LAYER_STAGE = ("batch normalization and sampling layers", 0.5,
                     [(_extra_layer_forward, "row F1 A1 A1 A1 A1 A1 i b i rng"),
                      (_extra_layer_backward, "row F1 A1 A1 A1 A1 A1 A1 i f64 b")])


# -- the loop -------------------------------------------------------------------
@jit_inline
def _layer_grad_norms(grads, layer_ranges, out):
    """Each layer's gradient norm into ``out``; returns the global norm of the trainable
    layers (one pass), the norm clipping and divergence detection use."""
    total = 0.0
    for k in range(layer_ranges.shape[0]):
        out[k] = _global_norm(grads[layer_ranges[k, 0]:layer_ranges[k, 1]])
        if layer_ranges[k, 2]:
            total += out[k] * out[k]
    return np.sqrt(total)


@jit_inline
def _program_needs(prog):
    """(the smallest training batch: 2 when a trainable batch normalization normalises single
    values over the batch, else 1; whether a sampling layer adds a KL term)."""
    min_batch, kl = 1, False
    for l in range(prog.shape[0]):
        if prog[l, KIND] == BATCHNORM and prog[l, X0 + 2] != 0 and prog[l, X0 + 1] == 1:
            min_batch = 2
        elif prog[l, KIND] == SAMPLING:
            kl = True
    return min_batch, kl


@jit_inline
def _kl_terms(prog, fprog, cache, B):
    """(the batch's summed KL divergence over every sampling layer, the same weighted by each
    layer's beta), read from the layers' caches."""
    raw = 0.0
    weighted = 0.0
    for l in range(prog.shape[0]):
        row = prog[l]
        if row[KIND] == SAMPLING:
            k = row[X0]
            total = _kl_sum(_span(cache, B, row[C_OFF], row[C_SIZE]).reshape((B, k + 1)), k)
            raw += total
            weighted += fprog[l, 0] * total
    return raw, weighted


@jit_inline
def _gather(src, rows, order, start, B, dst):
    """Rows start..start+B of ``src`` (through ``order`` unless ``rows`` is false), flat into dst."""
    w = src.shape[1]
    for k in range(B):
        r = order[start + k] if rows else start + k
        _copy(src[r], dst[k * w:(k + 1) * w])


@jit
def _run(mode, prog, fprog, params, state, grads, m, v, decay_mask, layer_ranges, train_runs,
         X, Y, order, loop, rng_state, acts, d_acts, cache, ybuf, out, losses, norms, hyper, conv, recurrent):
    """The program: TRAIN, PREDICT or GRADS on X (N, in_size), in batches of ``batch_size``.

    Its arrays are the fields of Model, Training, Data and Buffers, in order (``RUN_ARGS``;
    the Python entry points below pass the tuples unpacked: unpacking tuples of arrays
    inside compiled code costs the program a tenth more compile time); its scalars are
    ``hyper``.

    TRAIN runs up to ``n_steps`` minibatch updates over shuffled epochs: ``order``
    is the epoch's permutation and ``loop`` holds cursor, epoch and step; the last
    batch of an epoch may be smaller. It stops early, returning the steps done,
    when the loss or the gradient stops being finite (the params are left as they
    were). PREDICT writes the outputs of every row into ``out`` (N, out_size); the
    last batch's layer outputs stay in ``acts``. GRADS fills ``grads`` from one
    batch of the first ``batch_size`` rows and returns its losses in losses[0].

    losses[s] holds the data loss, the KL divergence averaged over the batch (summed over
    sampling layers; 0 without) and the KL term added to the loss: each sampling layer's
    beta times its batch-summed KL over the number of values the loss averages (B times
    the outputs per sample; B for softmax), so beta 1 weighs the KL as a VAE's summed
    reconstruction loss does. Batch normalization normalises with the batch's statistics
    in TRAIN (and updates its moving ones) and GRADS, in PREDICT only with ``training``.
    A TRAIN epoch skips a last batch of one sample when a batch normalization needs two.
    """
    n_steps, batch_size, loss_code, loss_cols, opt_code, lr, l1, l2, clip, training = hyper
    N = X.shape[0]
    last = prog[prog.shape[0] - 1]
    min_batch, has_kl = _program_needs(prog)
    stats = BATCH_UPDATE if mode == TRAIN else (BATCH if mode == GRADS or training else MOVING)
    if mode == PREDICT:
        n_steps = (N + batch_size - 1) // batch_size
    for s in range(n_steps):
        start = loop[CURSOR] if mode == TRAIN else s * batch_size
        B = min(batch_size, N - start)
        _gather(X, mode == TRAIN, order, start, B, acts)
        _forward(prog, fprog, params, state, acts, cache, B, training, stats, rng_state, conv, recurrent)
        a, n = B * last[A_OUT], B * last[OUT_SIZE]
        if mode == PREDICT:
            _copy(acts[a:a + n], out[start:start + B].reshape(-1))
            continue
        _gather(Y, mode == TRAIN, order, start, B, ybuf)
        rows = n // loss_cols
        y_hat, d_y = acts[a:a + n].reshape((rows, loss_cols)), d_acts[a:a + n].reshape((rows, loss_cols))
        # want_grad is True here, but a runtime bool: a literal would be a second compile of the
        # loss beside the trainer's call from Python
        loss = _loss_forward_backward(loss_code, y_hat, ybuf[:B * Y.shape[1]].reshape((rows, -1)), d_y,
                                      mode != PREDICT)
        kl_weight = 1.0 / (rows if loss_code == SOFTMAX_CROSSENTROPY else n)
        kl = 0.0
        if has_kl:
            kl, weighted = _kl_terms(prog, fprog, cache, B)
            losses[s, 1] = kl / B
            losses[s, 2] = weighted * kl_weight
        _backward(prog, fprog, params, state, grads, acts, d_acts, cache, B, kl_weight, conv, recurrent)
        losses[s, 0] = loss
        if mode == GRADS:
            return 1
        norm = _layer_grad_norms(grads, layer_ranges, norms[s])
        if not (np.isfinite(loss) and np.isfinite(kl) and np.isfinite(norm)):
            return s
        _clip_by_global_norm(grads, norm, clip)
        _add_penalties(params, grads, decay_mask, l1, l2)
        loop[STEP] += 1
        _optimizer_step(opt_code, params, grads, m, v, loop[STEP], lr, train_runs)
        loop[CURSOR] = start + B
        if loop[CURSOR] + min_batch > N:
            loop[CURSOR] = 0
            loop[EPOCH] += 1
            _shuffle(rng_state, order)
    return n_steps


# -- Python entry points (the trainer, the network and snapshots call these) --------
def family_flags(families):
    """``_run``'s (conv, recurrent) arguments for a set of family names."""
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown layer families {sorted(unknown)}; known: {list(FAMILIES)}")
    return (True if "conv" in families else None, True if "recurrent" in families else None)


def is_compiled(families, dtype):
    """True when ``_run`` for ``families`` and ``dtype``, and the kernels the trainer calls
    from Python, are compiled (or loaded from the disk cache) in this process."""
    flags = tuple(typeof(flag) for flag in family_flags(families))
    dt = from_dtype(np.dtype(dtype))
    params = RUN_ARGS.index("params")
    return (any(sig[-2:] == flags and sig[params].dtype == dt for sig in list(_run.overloads))
            and any(sig[1].dtype == dt for sig in list(_loss_forward_backward.overloads))
            and len(_shuffle.overloads) > 0)


def program_flags(prog):
    """``_run``'s (conv, recurrent) arguments for the program table ``prog`` (a Network keeps
    them: computing them costs a few microseconds a call)."""
    families = prog[:, FAMILY]
    return (True if (families == CONV_FAMILY).any() else None,
            True if (families == RECURRENT_FAMILY).any() else None)


def read_only(a):
    """A read-only view of ``a``: the program takes its inputs read-only, so shared read-only
    data sets and private arrays run the same compiled code."""
    if not a.flags.writeable:
        return a
    view = a.view()
    view.flags.writeable = False
    return view


class _Unused:
    """Zero-size stand-ins for the arguments a mode does not read, one set per dtype
    (their types are those of the real ones, so every mode shares one compiled program)."""

    def __init__(self, dtype):
        f, i = np.zeros(0, dtype), np.zeros(0, np.int64)
        self.vec, self.mat, self.ints = f, f.reshape(0, 0), i
        self.input = read_only(f.reshape(0, 0))
        self.training = Training(f, f, f, np.zeros(0, np.uint8), i.reshape(0, 3), i.reshape(0, 2))
        self.losses, self.norms = np.zeros((0, 3)), np.zeros((0, 0))


_UNUSED = {np.dtype(t): _Unused(t) for t in (np.float32, np.float64)}


def compile_program(families, dtype):
    """Compile (or load) ``_run`` for ``families`` and ``dtype`` without running it: it calls its
    kernels through their slots, so it compiles before them (``_jit.Kernel``)."""
    make_slots()
    u, flags = _UNUSED[np.dtype(dtype)], family_flags(families)
    model = Model(np.zeros((0, N_COLS), np.int64), np.zeros((0, F_COLS)), u.vec, u.vec)
    data = Data(u.input, u.input, u.ints, u.ints, np.zeros(0, np.uint64))
    buf = Buffers(u.vec, u.vec, u.vec, u.vec, u.mat, u.losses, u.norms)
    args = (TRAIN, *model, *u.training, *data, *buf, Hyper.of(), *flags)
    _run.compile(tuple(typeof(a) for a in args))


_LINKED_KINDS = set()                      # (kinds, cells, dtype) whose kernels are linked
_LINKED_TABLES = weakref.WeakValueDictionary()   # id -> a program table already checked (a network's)


def _link(model, flags):
    """Fill the slots of the kernels ``model``'s layers call (compiling what the disk cache lacks)
    before the program runs them in this process; only those: an LSTM network never waits for
    the GRU's kernels. A network's table is checked once (this runs on every call of the program)."""
    prog = model.prog
    if _LINKED_TABLES.get(id(prog)) is prog:
        return
    key = (prog[:, KIND].tobytes(), prog[prog[:, FAMILY] == RECURRENT_FAMILY, X0].tobytes(), model.params.dtype)
    if key not in _LINKED_KINDS:
        from .stages import link_kernels, row_types   # stages reads this module's FAMILY_STAGES
        make_slots()
        link_kernels([f for f, flag in zip(FAMILIES, (True,) + flags) if flag], model.params.dtype,
                     row_types(prog))
        _LINKED_KINDS.add(key)
    _LINKED_TABLES[id(prog)] = prog


def _train_steps(model, flags, tr, data, hyper, acts, d_acts, cache, ybuf, losses, norms):
    """Up to ``hyper.n_steps`` minibatch updates (see ``_run``); returns the steps done.
    ``flags``: the program's ``program_flags``; ``data``'s X and Y read-only."""
    _link(model, flags)
    buf = Buffers(acts, d_acts, cache, ybuf, _UNUSED[model.params.dtype].mat, losses, norms)
    return _run(TRAIN, *model, *tr, *data, *buf, hyper, *flags)


def _predict(model, flags, X, out, acts, cache, chunk, training, rng_state):
    """Outputs for all rows of X (N, in_size) into out (N, out_size), ``chunk`` rows per batch."""
    _link(model, flags)
    u = _UNUSED[model.params.dtype]
    data = Data(read_only(X), u.input, u.ints, u.ints, rng_state)
    buf = Buffers(acts, u.vec, cache, u.vec, out, u.losses, u.norms)
    _run(PREDICT, *model, *u.training, *data, *buf, Hyper.of(batch_size=chunk, training=training), *flags)


def _loss_and_grads(model, flags, grads, X, Y, acts, d_acts, cache, loss_code, loss_cols, training,
                    rng_state):
    """The loss of the batch (X, Y) (all rows): the mean data loss plus any KL term; fills
    ``grads`` with its gradient."""
    _link(model, flags)
    u = _UNUSED[model.params.dtype]
    loss = np.zeros((1, 3))
    tr = u.training._replace(grads=grads)
    data = Data(read_only(X), read_only(Y), u.ints, u.ints, rng_state)
    buf = Buffers(acts, d_acts, cache, np.zeros(Y.size, model.params.dtype), u.mat, loss, u.norms)
    _run(GRADS, *model, *tr, *data, *buf, Hyper.of(1, len(X), loss_code, loss_cols, training=training),
         *flags)
    return loss[0, 0] + loss[0, 2]
