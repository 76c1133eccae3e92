"""The engine's one JIT policy (DESIGN.md): cached on disk, GIL-free, serial.

Serial, never Numba's parallel mode: its default threading layer aborts the whole process
when two server sessions enter parallel code at once. Fast-math is limited to
flags that keep NaN and Inf real, because divergence detection relies on them;
reassociation lets LLVM vectorise the reductions. ``error_model="numpy"`` makes
x / 0 give inf or nan as in NumPy instead of raising inside a kernel.

Numba's disk cache checks only the source file of the function it caches, so
a caller would keep running an edited callee's old machine code. The cache
therefore lives in a folder named after a hash of every kernel file: any edit
starts a fresh cache. ``NUMBA_CACHE_DIR`` still overrides this.
"""
import hashlib
import os
import shutil
from pathlib import Path

import numba
from numba import njit

FASTMATH = {"nsz", "arcp", "contract", "reassoc"}
CACHE_ROOT = Path(__file__).resolve().parents[2] / ".numba_cache"


def _use_versioned_cache():
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    sources = sorted(Path(__file__).parent.glob("*.py"))
    digest = hashlib.sha1(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    numba.config.CACHE_DIR = str(CACHE_ROOT / digest)
    if CACHE_ROOT.is_dir():                   # drop caches of earlier versions of the kernels
        for old in CACHE_ROOT.iterdir():
            if old.name != digest:
                shutil.rmtree(old, ignore_errors=True)


_use_versioned_cache()
jit = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
