"""Compile (or load from the disk cache) the engine, one layer family at a time, with progress.

    python -m engine.warmup      # every family, float32: run once per deployment

The engine compiles one program per set of layer families (``families(spec)``):
an MLP page needs "dense" only and never waits for convolution or recurrent
kernels. A cold compile takes seconds to tens of seconds; ``warm_up`` splits it
into named stages so a caller can move a progress bar. With a warm disk cache
it all loads in well under a second.
"""
import sys
import time

import numpy as np

from . import network
from .kernels import program as P
from .kernels._jit import drop_stale_caches
from .kernels.stages import kernel_stages
from .trainer import Trainer

PROGRAM_WEIGHT = {"dense": 6.0, "conv": 14.0, "recurrent": 12.0}   # cold seconds, for progress

# The smallest network of each program, trained for a step to compile the program itself.
_TINY = {
    ("dense",): {"input_shape": [2], "loss": "mse", "layers": [
        {"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dropout", "rate": 0.1},
        {"type": "dense", "units": 1}]},
    ("dense", "conv"): {"input_shape": [1, 4, 4], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 2, "kernel_size": 3, "activation": "relu"},
        {"type": "maxpool2d", "pool_size": 2}, {"type": "flatten"}, {"type": "dense", "units": 2}]},
    ("dense", "recurrent"): {"input_shape": [3, 1], "loss": "mse", "layers": [
        {"type": "lstm", "units": 2}, {"type": "dense", "units": 1}]},
}


def programs(families=None):
    """The programs (family sets) that serve ``families``: one per family beyond "dense"
    (no network mixes convolutions and recurrent cells), or the dense one; None means all."""
    if families is None:
        return list(_TINY)
    families = set(families)
    P.family_flags(families)                     # rejects unknown names
    extra = [f for f in P.FAMILIES[1:] if f in families]
    return [("dense", f) for f in extra] or [("dense",)]


def is_warm(families, dtype=np.float32):
    """True when everything a network of ``families`` runs is compiled in this process:
    cheap enough to ask on every page run."""
    return all(P.is_compiled(p, dtype) for p in programs(families))


def warm_up(dtypes=(np.float32,), progress=None, families=None):
    """Compile the programs for ``families`` (None: all) and ``dtypes``, in stages.

    ``progress(fraction, message)`` is told before each stage, with fractions rising
    from 0 to 1 (a last call says "Engine ready"). It first deletes other versions'
    stale Numba cache folders (importing the engine deletes nothing).
    """
    drop_stale_caches()
    stages = _stages(programs(families), [np.dtype(d) for d in dtypes])
    total = sum(w for _, w, _ in stages)
    done = 0.0
    for message, weight, compile_ in stages:
        if progress is not None:
            progress(done / total, message)
        compile_()
        done += weight
    if progress is not None:
        progress(1.0, "Engine ready")


def _stages(progs, dtypes):
    """[(message, weight, compile)]: every program's kernels, then the program itself."""
    out, seen = [], set()
    for dtype in dtypes:
        suffix = f" ({dtype.name})" if len(dtypes) > 1 else ""
        for prog in progs:
            for message, weight, compile_ in kernel_stages(prog, dtype):
                if (message, dtype) not in seen:            # dense kernels serve every program
                    seen.add((message, dtype))
                    out.append((f"Compiling {message}{suffix}", weight, compile_))
            out.append((f"Compiling the {' + '.join(prog)} training program{suffix}",
                        PROGRAM_WEIGHT[prog[-1]], lambda p=prog, d=dtype: _train_tiny(p, d)))
    return out


def _train_tiny(prog, dtype):
    """Two training steps and an evaluation of the program's tiny network: compiles ``_run``
    and loads every kernel the trainer calls from Python."""
    net = network.build(_TINY[prog], seed=0, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4,) + net.input_shape)
    y = rng.integers(0, 2, 4) if net.loss == "softmax_crossentropy" else rng.normal(size=(4, 1))
    Trainer(net, train=(x, y), batch_size=2).step(2)


def main():
    start = time.perf_counter()

    def report(fraction, message):
        print(f"{time.perf_counter() - start:6.1f} s  {fraction:4.0%}  {message}", flush=True)

    warm_up(progress=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
