"""The engine's one JIT policy (DESIGN.md): cached on disk, GIL-free, serial.

No ``parallel=True``: Numba's default threading layer aborts the whole process
when two server sessions enter parallel code at once. Fast-math is limited to
flags that keep NaN and Inf real, because divergence detection relies on them;
reassociation lets LLVM vectorise the reductions. ``error_model="numpy"`` makes
x / 0 give inf or nan as in NumPy instead of raising inside a kernel.
"""
from numba import njit

FASTMATH = {"nsz", "arcp", "contract", "reassoc"}

jit = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
