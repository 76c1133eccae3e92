"""The layer registry: one class per kind, what the program and the warm-up read from it, the
build-time refusal of a kind the program cannot run, and the state vector's plumbing."""
import inspect

import numpy as np
import pytest

import engine
from engine import layers as L
from engine.fields import Field
from engine.kernels import program as P
from engine.kernels import stages
from engine.trainer import forward_work


def test_every_registered_class_declares_its_kind():
    for name, cls in engine.LAYERS.items():
        assert name in cls.types and cls in L.registered_classes()
        assert cls.family in P.FAMILIES and cls.code in P.FAMILY_KINDS[cls.family], cls
        assert all(isinstance(f, Field) for f in cls.fields.values())
        for message, weight, kernels in cls.stages:
            assert message and weight > 0 and all(hasattr(k, "compile") for k, _ in kernels)
    codes = [code for kinds in P.FAMILY_KINDS.values() for code in kinds]
    assert len(codes) == len(set(codes))                          # a code names one kind


def test_family_stages_are_the_union_of_the_classes_and_the_family_layer_functions():
    for family in P.FAMILIES:
        compiled = set(stages.kernels([family]))
        for cls in L.registered_classes():
            for _, _, kernels in cls.stages:
                assert (cls.family == family) == ({k for k, _ in kernels} <= compiled), (cls, family)
        assert {k for _, _, ks in P.FAMILY_STAGES[family] for k, _ in ks} <= compiled
    sampling = [s for s in stages.family_stages("dense") if s[0] == "sampling layers"]
    assert len(sampling) == 1 and sampling[0][1] == 1.5 and len(sampling[0][2]) == 3  # sampling + noise merged
    only_max = [s[0] for s in stages.family_stages("conv", types=["maxpool2d"])]   # a network's: its kinds'
    assert only_max == ["max pooling", "max pooling layers"]


@pytest.fixture
def extra_layer(monkeypatch):
    """Register a test-only class for the duration of a test."""
    def add(cls):
        for name in cls.types:
            monkeypatch.setitem(L.LAYERS, name, cls)
        return cls
    return add


def test_a_kind_the_program_has_no_branch_for_is_refused_when_the_network_is_built(extra_layer):
    @extra_layer
    class Mystery(L.Layer):
        types = ("mystery",)
        code = 99

    @extra_layer
    class Misfiled(L.Layer):                    # a real kind code, in a family that does not run it
        types = ("misfiled",)
        family = "recurrent"
        code = P.CONV2D

    for kind in ("mystery", "misfiled"):
        spec = {"input_shape": [3], "loss": "mse", "layers": [{"type": "dense", "units": 2}, {"type": kind},
                                                              {"type": "dense", "units": 1}]}
        with pytest.raises(ValueError, match=rf"layers\[1\] \({kind}\): the compiled program's .* no branch"):
            engine.build(spec)


def test_register_refuses_a_taken_name_or_an_unknown_family():
    with pytest.raises(ValueError, match="already Dense"):
        L.register(type("Other", (L.Layer,), {"types": ("dense",)}))
    with pytest.raises(ValueError, match="family must be one of"):
        L.register(type("Odd", (L.Layer,), {"types": ("odd",), "family": "attention"}))
    assert "odd" not in engine.LAYERS


def test_families_come_from_the_classes():
    spec = {"input_shape": [1, 6, 6], "loss": "mse", "layers": [
        {"type": "avgpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 1}]}
    assert engine.families(spec) == ("dense", "conv")
    net = engine.build(spec)
    assert list(net.prog[:, P.FAMILY]) == [P.CONV_FAMILY, P.DENSE_FAMILY, P.DENSE_FAMILY]


def test_work_per_sample_comes_from_each_layer():
    spec = {"input_shape": [1, 8, 8], "loss": "mse", "layers": [
        {"type": "conv2d", "filters": 2, "kernel_size": 3}, {"type": "maxpool2d"}, {"type": "flatten"},
        {"type": "dense", "units": 3}]}
    conv, pool, _, dense = engine.build(spec).layers
    assert conv.work() == (2 * 9 + 2) * 64 + 128 and pool.work() == 32 and dense.work() == 33 * 3 + 3
    rnn = engine.build({"input_shape": [5, 2], "loss": "mse", "layers": [
        {"type": "rnn", "units": 3, "return_sequences": True}, {"type": "dense", "units": 1}]})
    assert rnn.layers[0].work() == (2 * 3 + 3 * 3 + 3) * 5 + 15 and rnn.layers[1].work() == 4 * 5 + 5
    assert forward_work(rnn) == sum(layer.work() for layer in rnn.layers)


def test_run_takes_the_named_tuples_fields_in_order():
    params = list(inspect.signature(P._run.py_func).parameters)
    assert params == list(P.RUN_ARGS)
    assert params[1:1 + len(P.Model._fields)] == list(P.Model._fields)


def test_hyper_normalises_python_types():
    h = P.Hyper.of(np.int64(3), 4.0, lr=1, clip=np.float32(0.5), training=np.bool_(True))
    assert [type(v) for v in h] == [int] * 5 + [float] * 4 + [bool]


# -- state: non-trained per-layer values (none of today's kinds has any) ----------------
def test_todays_layers_have_an_empty_state(rng):
    net = engine.build({"input_shape": [2], "loss": "mse", "layers": [{"type": "dense", "units": 1}]})
    assert net.state == {} and net.state_flat.shape == (0,)
    x = rng.normal(size=(5, 2))
    snap = engine.Trainer(net, train=(x, x[:, :1])).step(1)
    assert snap.state == {} and snap._state.shape == (0,)


def test_state_is_laid_out_kept_by_snapshots_and_restored(extra_layer, rng):
    @extra_layer
    class Counting(L.Flatten):                  # a flatten that carries two state arrays
        types = ("counting",)

        @property
        def state_shapes(self):
            return {"mean": (self.in_size,), "count": (1,)}

        def init_state(self):
            return {"mean": np.arange(self.in_size, dtype=float), "count": np.ones(1)}

    spec = {"input_shape": [3], "loss": "mse", "layers": [
        {"type": "dense", "units": 2}, {"type": "counting"}, {"type": "counting"}, {"type": "dense", "units": 1}]}
    net = engine.build(spec)
    assert list(net.state) == ["1.mean", "1.count", "2.mean", "2.count"]
    np.testing.assert_array_equal(net.state_flat, [0, 1, 1, 0, 1, 1])
    assert list(net.prog[:, P.S_OFF]) == [0, 0, 3, 6] and list(net.prog[:, P.S_SIZE]) == [0, 3, 3, 0]
    assert np.shares_memory(net.state["2.mean"], net.state_flat)
    x = rng.normal(size=(6, 3))
    tr = engine.Trainer(net, train=(x, x[:, :1]))
    snap = tr.step(2)
    net.set_state({"2.count": [7.0]})
    assert snap.state["2.count"][0] == 1 and snap._state[-1] == 1          # the snapshot kept a copy
    np.testing.assert_array_equal(net.forward(x), snap.predict(x))         # state unused by these kinds
    tr.rewind(snap._flat, snap.step, snap.epoch, state=snap._state)
    assert net.state["2.count"][0] == 1
    with pytest.raises(ValueError, match="unknown state"):
        net.set_state({"0.mean": [1.0]})
    with pytest.raises(ValueError, match="state must have shape"):
        net.forward(x, state=np.zeros(2))
