"""Per-family programs and the staged warm-up.

The subprocess tests start from an empty Numba cache: with a warm one, a program
loads from disk without compiling its kernels, and nothing could be observed.
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.warmup import programs

ROOT = Path(__file__).resolve().parents[2]

MLP = {"input_shape": [2], "loss": "mse", "layers": [
    {"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dropout", "rate": 0.1},
    {"type": "dense", "units": 1}]}
CNN = {"input_shape": [1, 6, 6], "loss": "softmax_crossentropy", "layers": [
    {"type": "conv2d", "filters": 3, "kernel_size": 3, "activation": "relu"},
    {"type": "avgpool2d", "pool_size": 2}, {"type": "flatten"}, {"type": "dense", "units": 2}]}
RNN = {"input_shape": [5, 2], "loss": "mse", "layers": [
    {"type": "gru", "units": 3, "return_sequences": True}, {"type": "rnn", "units": 2},
    {"type": "dense", "units": 1}]}


def test_families_of_a_spec():
    assert engine.families(MLP) == ("dense",)
    assert engine.families({"input_shape": [3], "loss": "mse", "layers": [{"type": "flatten"}]}) == ("dense",)
    assert engine.families(CNN) == ("dense", "conv")
    assert engine.families(RNN) == ("dense", "recurrent")
    with pytest.raises(ValueError):
        engine.families({"input_shape": [2], "loss": "mse", "layers": [{"type": "attention"}]})


def test_programs_serve_the_families_asked_for():
    assert programs(("dense",)) == [("dense",)]
    assert programs(engine.families(CNN)) == [("dense", "conv")]
    assert programs(("recurrent",)) == [("dense", "recurrent")]
    assert programs(None) == [("dense",), ("dense", "conv"), ("dense", "recurrent")]
    with pytest.raises(ValueError, match="unknown layer families"):
        programs(("transformer",))


def test_warm_up_reports_progress_from_0_to_1():
    calls = []
    engine.warm_up(families=None, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a <= b for a, b in zip(fractions, fractions[1:]))
    assert len(calls) >= 10 and all(isinstance(m, str) and m for _, m in calls)
    assert any("convolution" in m for _, m in calls) and any("LSTM" in m for _, m in calls)
    for spec in (MLP, CNN, RNN):
        assert engine.is_warm(engine.families(spec))
    assert not engine.is_warm(("dense",), dtype=np.float16)


def _run_cold(code):
    """Run ``code`` in a new Python with an empty Numba cache; return what it prints as JSON."""
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                             env=dict(os.environ, NUMBA_CACHE_DIR=cache),
                             capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


COUNT_SIGNATURES = """
    import json
    from engine.kernels import program as P, stages
    def count(families):
        return {k.__name__: len(k.signatures) for k in stages.kernels(families)}
"""


def test_a_dense_net_never_compiles_conv_or_recurrent_kernels():
    got = _run_cold(COUNT_SIGNATURES + """
    import numpy as np, engine
    spec = %r
    assert not engine.is_warm(("dense",))
    net = engine.build(spec, seed=0)
    x = np.random.default_rng(0).normal(size=(30, 2))
    tr = engine.Trainer(net, train=(x, x[:, :1]), batch_size=8)
    tr.step(5)
    net.forward(x), net.layer_outputs(x), net.loss_and_grads(x, x[:, :1]), net.forward(x, training=True)
    after_training = count(("conv", "recurrent"))
    programs = len(P._run.signatures)
    warm = [engine.is_warm(("dense",)), engine.is_warm(("dense", "conv"))]
    engine.warm_up(families=("dense",))
    print(json.dumps({"others": after_training, "programs": programs, "warm": warm,
                      "dense": count(("dense",))}))
    """ % MLP)
    assert got["others"] and not any(got["others"].values()), got["others"]
    assert got["programs"] == 1                      # train, predict, gradients: one program
    assert got["warm"] == [True, False]
    assert set(got["dense"].values()) == {1}, got["dense"]   # warm-up compiled the program's types


def test_warm_up_stages_compile_exactly_the_kernels_the_programs_use():
    got = _run_cold(COUNT_SIGNATURES + """
    import numpy as np, engine
    rng = np.random.default_rng(0)
    for spec, x, y in ((%r, rng.normal(size=(6, 1, 6, 6)), rng.integers(0, 2, 6)),
                       (%r, rng.normal(size=(6, 5, 2)), rng.normal(size=(6, 1)))):
        engine.Trainer(engine.build(spec, seed=0), train=(x, y), batch_size=4).step(2)
    before = count(("dense", "conv", "recurrent"))
    engine.warm_up(families=("conv", "recurrent"))
    print(json.dumps({"before": before, "after": count(("dense", "conv", "recurrent"))}))
    """ % (CNN, RNN))
    assert set(got["before"].values()) == {1}, got["before"]
    assert got["after"] == got["before"]
