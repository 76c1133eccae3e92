"""Every buffer the compiled program works in starts on a cache line (engine/buffers.py)."""
import numpy as np
import pytest

import engine
from engine.buffers import LINE, aligned_zeros

LSTM = {"input_shape": [50, 1], "loss": "mse",
        "layers": [{"type": "lstm", "units": 32}, {"type": "dense", "units": 1}]}


@pytest.mark.parametrize("shape", [1, 3, 17, 1000, 300_000, (5, 7), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_aligned_zeros_is_np_zeros_on_a_cache_line(shape, dtype):
    a = aligned_zeros(shape, dtype)
    expected = np.zeros(shape, dtype)
    assert a.ctypes.data % LINE == 0
    assert a.shape == expected.shape and a.dtype == expected.dtype and a.flags.c_contiguous
    assert not a.any()
    a[...] = 1                       # writeable, and the whole of it
    assert a.sum() == expected.size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weights_gradients_moments_and_work_buffers_start_on_a_line(dtype):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 50, 1)), rng.normal(size=(40, 1))
    trainer = engine.Trainer(engine.build(LSTM, seed=0, dtype=dtype), train=(x, y), batch_size=13)
    trainer.step(2)
    net = trainer.net
    buffers = [net.flat, trainer._grads, trainer._m, trainer._v, *net.workspace(13),
                trainer._eval_ws.acts, trainer._eval_ws.cache]
    assert [b.ctypes.data % LINE for b in buffers] == [0] * len(buffers)
