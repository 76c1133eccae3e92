"""The arrays the compiled program works in, each starting on a cache line.

NumPy starts a large array 16 bytes into a cache line, so every other 32-byte vector load of
it straddles two lines; a small one starts wherever the heap has room, a different place in
each process. In the processes whose buffers landed 16 bytes in, the LSTM benchmark ran 10 %
and the CNN 6 % slower (bench/engine_bench.py, lstm-sine and cnn-mnist: one run fast, the next
slow). Starting every weight and work buffer on a line makes every process the fast one.
"""
import math

import numpy as np

LINE = 64       # bytes


def aligned_zeros(shape, dtype):
    """``np.zeros(shape, dtype)`` whose data starts on a cache line."""
    dtype = np.dtype(dtype)
    count = math.prod(shape) if isinstance(shape, tuple) else int(shape)
    raw = np.zeros(count * dtype.itemsize + LINE, np.uint8)
    start = -raw.ctypes.data % LINE
    return raw[start:start + count * dtype.itemsize].view(dtype).reshape(shape)


def aligned_zeros_like(a):
    return aligned_zeros(a.shape, a.dtype)
