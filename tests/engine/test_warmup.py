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
import time
from pathlib import Path

import numpy as np
import pytest

from tests.tiers import full_only

import engine
from engine import warmup as W
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
    # what was just compiled (or loaded) is in the disk cache, and a stage never compiled is not
    assert all(W.in_disk_cache(s) for s in W.plan(programs(None)))
    assert not any(W.in_disk_cache(s) for s in W.plan(programs(("conv",)), dtypes=(np.float16,)))


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
    warm = [engine.is_warm(engine.needs(spec)), engine.is_warm(("dense",)), engine.is_warm(("dense", "conv"))]
    engine.warm_up(families=("dense",))
    print(json.dumps({"others": after_training, "programs": programs, "warm": warm,
                      "dense": count(("dense",))}))
    """ % MLP)
    assert got["others"] and not any(got["others"].values()), got["others"]
    assert got["programs"] == 1                      # train, predict, gradients: one program
    assert got["warm"] == [True, False, False]       # its own layers' kernels, not batch norm's
    assert set(got["dense"].values()) == {1}, got["dense"]   # warm-up compiled the program's types


@full_only               # 115 s from cold: the dense case below runs by default
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
    assert set(got["before"].values()) == {0, 1}, got["before"]    # the networks' layers' kernels only
    assert got["before"]["_lstm_steps"] == 0 and got["before"]["_gru_steps"] == 1   # RNN: gru and rnn
    assert set(got["after"].values()) == {1}, got["after"]        # warm-up compiled the programs' types


def test_a_plan_runs_each_stage_after_the_stages_it_links_in():
    stages = W.plan(programs(None))
    keys = [s.key for s in stages]
    assert len(keys) == len(set(keys)) and all("\n" not in k for k in keys)
    by_message = {s.message: s for s in stages}
    conv_layers = by_message["Compiling convolution layers"]
    assert {k.split(": ")[1] for k in conv_layers.needs} == {"convolution taps (float32)"}
    assert by_message["Compiling max pooling layers"].needs == {"conv: max pooling (float32)"}
    bptt = by_message["Compiling LSTM backpropagation through time"]
    assert "recurrent: LSTM cells, backward (float32)" in bptt.needs
    assert "dense: dense layers (float32)" not in bptt.needs     # a kernel it calls through its slot
    lstm = W.plan(programs(("recurrent",)), types=["lstm", "dense"])      # a network's stages only
    assert not any("GRU" in s.key or "RNN" in s.key or "batch" in s.key for s in lstm)
    assert all(s.needs <= {t.key for t in lstm} for s in lstm)
    assert {"Compiling LSTM layers", "Compiling dense layers"} <= {s.message for s in lstm}
    for s in stages:
        assert all(keys.index(n) < keys.index(s.key) for n in s.needs), s.key
        if s.program:                                  # a program links in only the activations
            assert s.needs == {"dense: activations (float32)"}, s.needs
    only_kernels = W.plan(programs(("dense",)), with_programs=False)
    assert only_kernels and not any(s.program for s in only_kernels)


def test_stages_compile_in_any_order_and_a_program_loads_before_its_kernels():
    """The program right after the activations it links in, then its kernels last to first,
    each in a new process sharing one disk cache (as workers do); a last process loads the
    program from the cache before any kernel, then trains exactly as this process does."""
    with tempfile.TemporaryDirectory() as cache:
        def run(code):
            out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                                 env=dict(os.environ, NUMBA_CACHE_DIR=cache),
                                 capture_output=True, text=True, timeout=600)
            assert out.returncode == 0, out.stderr[-3000:]
            return out.stdout
        stages = W.plan(programs(("dense",)))
        program = next(s for s in stages if s.program)
        first = [s for s in stages if s.key in program.needs] + [program]
        order = first + [s for s in reversed(stages) if s not in first]
        assert len(order) == len(stages) >= 5 and order.index(program) < 2
        for stage in order:
            run(f"""
            from engine import warmup as W
            [s.compile() for s in W.plan(W.programs(("dense",))) if s.key == {stage.key!r}]
            """)
        got = json.loads(run("""
            import json, numpy as np
            from engine.kernels import program as P
            P.compile_program(("dense",), np.float32)
            cached = P._run.stats.cache_hits.total() == 1 and not P._run.stats.cache_misses
            import engine
            from engine.kernels import dense
            net = engine.build(%r, seed=0)
            x = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
            engine.Trainer(net, train=(x, x[:, :1]), batch_size=8).step(20)
            print(json.dumps({"cached": cached, "params": net.flat.tolist(),
                              "kernels": dense._dense_forward.stats.cache_hits.total()}))
            """ % MLP).strip().splitlines()[-1])
    assert got["cached"] and got["kernels"] >= 1
    net = engine.build(MLP, seed=0)            # the same training here, with this process's cache
    x = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    engine.Trainer(net, train=(x, x[:, :1]), batch_size=8).step(20)
    assert np.array_equal(np.float32(got["params"]), net.flat)


# -- the compiler's scheduling, with stand-in workers (no Numba: fast) ------------------------
FAKE_WORKER = r"""
import json, os, sys, time
def say(*a): print("nnp-warmup", json.dumps(list(a)), flush=True)
print("unrelated output", flush=True)
say("ready", None, None)
for line in sys.stdin:
    command, _, key = line.strip().partition(" ")
    if command == "nice":
        os.setpriority(os.PRIO_PROCESS, 0, int(key))
    elif command == "compile":
        if "crash" in key:
            os._exit(3)
        time.sleep(1.5 if "slow" in key else 0.02)
        if "fail" in key:
            say("failed", key, f"{key} broke")
        else:
            say("done", key, os.getpriority(os.PRIO_PROCESS, 0))
"""


def fake(key, *needs, weight=1.0):
    return W.Stage(key, f"Compiling {key}", weight, frozenset(needs), (), (), W.DTYPE)


def pump_until(compiler, condition, timeout=20):
    events, deadline = [], time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        events += compiler.pump(0.05)
    assert condition(), events
    return events


def fake_compiler(workers):
    return W.Compiler(workers, command=[sys.executable, "-c", FAKE_WORKER])


def test_compiler_runs_the_lowest_rank_first_each_stage_after_its_needs():
    c = fake_compiler(1)
    try:
        c.want([fake("late"), fake("also late", "late")], rank=5)
        c.want([fake("b", "a"), fake("a"), fake("short")], rank=1)
        events = pump_until(c, c.idle)
        order = [key for event, key, _ in events if event == "done"]
        assert order == ["a", "b", "short", "late", "also late"]     # rank 1, longest chain first, then 5
        assert c.done(order) and c.remaining(order) == 0 and c.error(order) is None
    finally:
        c.terminate()


def test_compiler_work_spreads_over_its_workers_and_estimates_what_is_left():
    c = fake_compiler(2)
    try:
        c.want([fake("slow 1", weight=4), fake("slow 2", weight=4), fake("last", "slow 1", "slow 2", weight=2)])
        assert c.remaining(["last"]) == 6                  # the chain: 4 + 2 (spread: 10 / 2 = 5)
        pump_until(c, lambda: len(c.running(["last"])) == 2)
        start = time.monotonic()
        pump_until(c, lambda: c.done(["last"]))
        assert time.monotonic() - start < 2.8              # both slow stages at once (1.5 s each)
    finally:
        c.terminate()


def test_a_failed_stage_fails_what_needs_it_and_is_tried_again_when_asked():
    c = fake_compiler(1)
    try:
        c.want([fake("fail once"), fake("after", "fail once"), fake("other")])
        events = pump_until(c, c.idle)
        assert ("failed", "after", "fail once broke") in events and c.done(["other"])
        assert c.error(["after"]) == "fail once broke" and not c.done(["after"])
        c.want([fake("after", "fail once")])               # its failed need is not asked again: still failed
        assert c.error(["after"]) == "fail once broke" and c.idle()
        c.want([fake("fail once"), fake("after", "fail once")])
        assert c.error(["after"]) is None and not c.idle()
    finally:
        c.terminate()


def test_a_worker_that_dies_fails_its_stage_and_one_that_cannot_start_says_so():
    c = fake_compiler(1)
    try:
        c.want([fake("crash")])
        pump_until(c, c.idle)
        assert "exit code 3" in c.error(["crash"]) and "crash" in c.error(["crash"]) and not c.unavailable
    finally:
        c.terminate()
    for command in ([sys.executable, "-c", "raise SystemExit(2)"], ["/nonexistent/python"]):
        c = W.Compiler(1, command=command)
        c.want([fake("a")])
        pump_until(c, lambda: c.unavailable is not None)
        assert "could not start" in c.unavailable and not c.done(["a"])
        c.terminate()


def test_background_stages_run_at_low_priority_and_give_their_worker_to_a_page():
    c = fake_compiler(1)
    try:
        c.want([fake("slow background")], rank=W.BACKGROUND)
        pump_until(c, lambda: c.running(["slow background"]))
        c.want([fake("page")], rank=0)                     # the only worker is taken back at once
        events = pump_until(c, lambda: c.done(["page"]), timeout=1.4)
        assert ("done", "page", 0) in events               # at normal priority
        events = pump_until(c, lambda: c.done(["slow background"]))
        assert ("done", "slow background", W.LOW_PRIORITY) in events
    finally:
        c.terminate()


def test_workers_fill_the_disk_cache_and_a_server_then_only_loads():
    """Cold: two workers compile the dense program into an empty cache; a new process finds
    every stage there and loads it all without one cache miss (nothing compiled twice)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)

        def run(code):
            out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=900)
            assert out.returncode == 0, out.stderr[-3000:]
            return json.loads(out.stdout.strip().splitlines()[-1])

        got = run("""
            import json
            from engine import warmup as W
            from engine.kernels import program as P, stages
            plan = W.plan(W.programs(("dense",)))
            before = [W.in_disk_cache(s) for s in plan]
            ok = W.compile_in_workers(2, families=("dense",))
            here = sum(len(k.overloads) for k in stages.kernels(("dense",))) + len(P._run.overloads)
            print(json.dumps({"before": before, "ok": ok, "after": [W.in_disk_cache(s) for s in plan],
                              "compiled here": here}))
            """)
        assert not any(got["before"]) and got["ok"] and all(got["after"]) and got["compiled here"] == 0
        got = run("""
            import json
            from engine import warmup as W
            from engine.kernels import program as P, stages
            W.warm_up(families=("dense",))
            ks = list(stages.kernels(("dense",))) + [P._run]
            print(json.dumps({"misses": sum(sum(k.stats.cache_misses.values()) for k in ks),
                              "hits": sum(sum(k.stats.cache_hits.values()) for k in ks),
                              "warm": W.is_warm(("dense",))}))
            """)
        assert got["misses"] == 0 and got["hits"] >= 10 and got["warm"], got
