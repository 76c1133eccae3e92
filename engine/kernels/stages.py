"""The compile stages of each layer family: which kernels, with which argument types.

``_run`` compiles (or loads) every kernel it calls, all in one long call. A
warm-up compiles the kernels first, in stages, each with exactly the argument
types the program passes them, so ``_run`` finds them ready and a progress bar
can move between stages. A type listed wrongly only costs a second compile;
tests/engine/test_warmup.py checks that no kernel ends up with two.

Each stage is (message, weight, kernels); the weight is roughly its cold
compile time in seconds on a 2-core machine, so progress moves evenly.
"""
import numpy as np
from numba import from_dtype, types

from . import activations, conv, dense, losses, optim, program, recurrent, rng


def _argtypes(dtype):
    """Short names for the types the program's kernels take."""
    f = from_dtype(np.dtype(dtype))
    return dict(A1=types.Array(f, 1, "C"), A2=types.Array(f, 2, "C"), A3=types.Array(f, 3, "C"),
                A4=types.Array(f, 4, "C"), row=types.Array(types.int64, 1, "C"),
                ints=types.Array(types.int64, 1, "C"), state=types.Array(types.uint64, 1, "C"),
                i=types.int64, f64=types.float64, b=types.boolean)


def _stages_spec():
    """family -> [(message, weight, [(kernel, argument type names)])]."""
    return {
        "dense": [
            ("activations", 1.5, [(activations._activate, "i A1"),
                                  (activations._activation_backward, "i A1 A1")]),
            ("dense layers", 2.0, [(dense._dense_forward, "A2 A2 A1 A2"),
                                   (dense._dense_backward, "A2 A2 A2 A2 A1 A2"),
                                   (dense._dropout_forward, "A1 A1 A1 f64 b state")]),
            ("losses and optimizers", 2.0, [(losses._loss_forward_backward, "i A2 A2 A2 b"),
                                            (optim._optimizer_step, "i A1 A1 A1 A1 i f64"),
                                            (rng._shuffle, "state ints")]),
        ],
        "conv": [
            ("convolution taps", 2.5, [(conv._taps3x3, "A2 A1 A1 i i"),
                                       (conv._taps3x3_quad, "A2 A1 A1 A1 A1 A1 i i"),
                                       (conv._taps_any, "A2 A1 A1 i i")]),
            ("kernel gradients", 1.5, [(conv._tap_dots, "A1 A1 A2 i i"),
                                       (conv._tap_dots3x3_pair, "A1 A1 A1 A2 A2 i i")]),
            ("pooling", 3.0, [(conv._maxpool_2x2, "A4 A4 A4"), (conv._maxpool_any, "A4 A4 A4 i i"),
                              (conv._maxpool_backward, "A4 A4 A4"), (conv._avgpool_forward, "A4 A4 i i"),
                              (conv._avgpool_backward, "A4 A4 i i")]),
            ("convolution layers", 3.0, [(program._conv_layer_forward, "row A1 A1 A1 A1 i")]),
            ("convolution gradients", 4.0, [(program._conv_layer_backward, "row A1 A1 A1 A1 A1 i b")]),
        ],
        "recurrent": [
            ("RNN cells", 1.5, [(recurrent._rnn_steps, "A3 A3 A2"),
                                (recurrent._rnn_steps_back, "A3 A3 A2 A3 A3 b")]),
            ("LSTM cells", 2.5, [(recurrent._lstm_steps, "A3 A3 A3 A2"),
                                 (recurrent._lstm_steps_back, "A3 A3 A3 A2 A3 A3 b")]),
            ("GRU cells", 2.5, [(recurrent._gru_steps, "A3 A3 A3 A2 A1"),
                                (recurrent._gru_steps_back, "A3 A3 A3 A3 A3 A2 A3 A3 b")]),
            ("recurrent layers", 3.0, [(program._recurrent_layer_forward, "row A1 A1 A1 A1 i")]),
            ("backpropagation through time", 4.0,
             [(program._recurrent_layer_backward, "row A1 A1 A1 A1 A1 i b")]),
        ],
    }


def kernel_stages(families, dtype):
    """[(message, weight, compile)] for the kernels of ``families`` (dense first)."""
    t = _argtypes(dtype)
    spec = _stages_spec()
    out = []
    for family in program.FAMILIES:
        if family not in families:
            continue
        for message, weight, kernels in spec[family]:
            sigs = [(k, tuple(t[name] for name in names.split())) for k, names in kernels]
            out.append((message, weight, lambda sigs=sigs: [k.compile(s) for k, s in sigs]))
    return out


def kernels(families):
    """Every kernel the stages of ``families`` compile."""
    spec = _stages_spec()
    return [k for f in families for _, _, ks in spec[f] for k, _ in ks]
