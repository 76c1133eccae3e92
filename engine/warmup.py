"""Compile (or load from the disk cache) the engine in stages, in this process or in worker processes.

    python -m engine.warmup               # every program, float32, in parallel: run once per deployment
    python -m engine.warmup --in-process  # the same, one stage after another in this process

The engine compiles one program per set of layer families (``families(spec)``):
an MLP page needs "dense" only and never waits for convolution or recurrent
kernels. A cold compile takes seconds to tens of seconds, so it is split into
named stages (``plan``): each family's kernels, a few at a time, then each
program. A stage needs the stages of the plain compiled functions its code links in
(read from its code): a layer function needs its cells' or taps' stage, a program
its activations'. Kernels (kernels/_jit.py ``Kernel``) are called through slots,
so a caller compiles before them and a program's stage runs beside its kernels'.

Two ways to run a plan:
- ``warm_up``: one stage after another in this process, with progress. With a
  warm disk cache it all loads in well under a second.
- ``Compiler``: the stages in worker processes (``python -m engine.warmup
  --worker``), as many at once as there are workers and the stages' needs allow,
  each into the shared disk cache (the worker is told this process's cache
  folder); this process then loads them with ``warm_up``. Numba holds the GIL
  while it compiles, so a thread compiling in a server stalls every session and
  uses one core; workers use them all and stall nothing. Stages asked for at
  ``BACKGROUND`` rank and up run at the lowest CPU priority, only in workers no
  other stage needs, and give their worker up to any other stage.
``in_disk_cache(stage)`` says, without loading anything, whether a stage would
load rather than compile, so a warm start starts no process at all. With
``NNP_WARMUP_TRACE=file`` a compiler appends a JSON line per stage done (its
needs, rank, CPU and wall seconds): bench/first_visit.py reads it.
"""
import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import from_dtype, typeof
from numba.core.dispatcher import Dispatcher

from . import network
from .kernels import program as P
from .kernels._jit import Kernel, drop_stale_caches
from .kernels.stages import typed_stages
from .trainer import Trainer

DTYPE = np.dtype(np.float32)
# Cold compile CPU seconds of each program's own stage (its kernels loaded from the disk cache),
# measured on a 2-core machine: for progress and for the order of the stages.
PROGRAM_WEIGHT = {"dense": 4.8, "conv": 4.9, "recurrent": 4.8}
BACKGROUND = 1000          # ranks from here: at the lowest CPU priority, after everything else
LOW_PRIORITY = 19          # the background workers' niceness
MAX_CLI_WORKERS = 4        # python -m engine.warmup's default: more rarely helps (the programs' own stages
                           # are long), and each worker holds a few hundred MB while it compiles
ROOT = Path(__file__).resolve().parents[1]
_SAY = "nnp-warmup"        # a worker's protocol lines start with this; anything else is ignored

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


TYPE = "type:"              # a spec type in a key of ``needs``


def needs(spec):
    """What a network of ``spec`` waits for, as one sorted tuple of names: its layer families
    and its layers' spec types ("type:lstm"). ``warm_up``, ``is_warm`` and ``plan`` take it
    wherever they take families: an LSTM network then never waits for the GRU's kernels."""
    types = {layer["type"] for layer in network.validate(spec)["layers"]}
    return tuple(sorted(network.families(spec) + tuple(TYPE + t for t in types)))


def split_needs(names):
    """(families, spec types or None) of a tuple of family names and maybe ``needs``' types."""
    names = tuple(names)
    types = [n.removeprefix(TYPE) for n in names if n.startswith(TYPE)]
    return tuple(n for n in names if not n.startswith(TYPE)), (types or None)


def is_warm(families, dtype=np.float32):
    """True when everything a network of ``families`` (or of ``needs``) runs is compiled in this
    process: cheap enough to ask on every page run."""
    families, types = split_needs(families)
    return (all(P.is_compiled(p, dtype) for p in programs(families))
            and all(k.is_linked(sig) for _, _, _, sigs in typed_stages(families, dtype, types)
                    for k, sig in sigs if isinstance(k, Kernel)))


# -- the plan -----------------------------------------------------------------------
class Stage(NamedTuple):
    key: str             # unique and stable across processes: "conv: pooling (float32)"
    message: str         # for a progress bar: "Compiling pooling"
    weight: float        # about its cold compile CPU seconds
    needs: frozenset     # keys of the stages that must be compiled first
    kernels: tuple       # ((dispatcher, signature), ...) of a kernel stage
    program: tuple       # the families of a program stage, () for a kernel stage
    dtype: np.dtype

    def compile(self):
        """Compile the stage (or load it from the disk cache) in this process."""
        if self.program:
            P.compile_program(self.program, self.dtype)
        else:
            for kernel, signature in self.kernels:
                kernel.compile(signature)


def plan(progs, dtypes=(DTYPE,), with_programs=True, types=None):
    """The stages of ``progs`` (from ``programs``) for ``dtypes``, in an order that runs one
    after another: each program's kernels (shared ones once, dense first), then the program.
    A stage needs only the stages of the plain compiled functions its code links in; kernels
    it calls through their slots (kernels/_jit.py ``Kernel``) may compile after it.
    ``types``: only the stages of layers of these spec types (``needs``), else every layer's."""
    dtypes = [np.dtype(d) for d in dtypes]
    stages, owner = {}, {}
    for dtype in dtypes:
        suffix = f" ({dtype.name})" if len(dtypes) > 1 else ""
        for prog in progs:
            for family, message, weight, kernels in typed_stages(prog, dtype, types):
                key = f"{family}: {message} ({dtype.name})"
                if key not in stages:
                    stages[key] = Stage(key, f"Compiling {message}{suffix}", weight, frozenset(),
                                        tuple(kernels), (), dtype)
                    owner.update({(k, dtype): key for k, _ in kernels})
            if with_programs:
                key = f"program {'+'.join(prog)} ({dtype.name})"
                stages[key] = Stage(key, f"Compiling the {' + '.join(prog)} training program{suffix}",
                                    PROGRAM_WEIGHT[prog[-1]], frozenset(), (), tuple(prog), dtype)
    for key, s in stages.items():
        linked = _callees(P._run) if s.program else {c for k, _ in s.kernels for c in _callees(k)}
        needs = {owner[c, s.dtype] for c in linked if (c, s.dtype) in owner}
        stages[key] = s._replace(needs=frozenset(needs - {key}))
    return list(stages.values())


def _callees(kernel):
    """The plain compiled functions ``kernel``'s code links in, directly or through functions
    inlined into it (read from the global names in its code: kernels read no other globals).
    Kernels it calls through their slots are not among them."""
    found, seen, todo = set(), {kernel}, [kernel]
    while todo:
        func = todo.pop().py_func
        for name in _names(func.__code__):
            callee = func.__globals__.get(name)
            if isinstance(callee, Dispatcher) and callee not in seen:
                seen.add(callee)
                if callee.targetoptions.get("inline") == "always":
                    todo.append(callee)
                else:
                    found.add(callee)
    return found


def _names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def in_disk_cache(stage):
    """True when the disk cache holds everything ``stage`` compiles, so compiling it here would
    only load it. Reads Numba's cache index as its loader does (a private API: if a Numba
    release changes it, this says False and the stage is compiled, or loaded, by a worker)."""
    try:
        if stage.program:
            flags = tuple(map(typeof, P.family_flags(stage.program)))
            params, dtype = P.RUN_ARGS.index("params"), from_dtype(stage.dtype)
            return _cached(P._run, lambda sig: sig[-2:] == flags and sig[params].dtype == dtype)
        return all(_cached(kernel, lambda sig, s=signature: tuple(sig) == tuple(s))
                   for kernel, signature in stage.kernels)
    except Exception:                 # noqa: BLE001 (a changed private API: not known to be cached)
        return False


def _cached(kernel, matches):
    cache = kernel._cache
    _, magic, code = cache._index_key((), kernel.targetctx.codegen())
    index = cache._cache_file._load_index()
    return any(key[1] == magic and key[2] == code and matches(key[0])
               and os.path.exists(cache._cache_file._data_path(name)) for key, name in index.items())


# -- in this process ------------------------------------------------------------------
def warm_up(dtypes=(np.float32,), progress=None, families=None, with_programs=True):
    """Compile the programs for ``families`` (None: all; or a tuple of ``needs``: only its layers'
    kernels) and ``dtypes``, in stages, in this process (``with_programs=False``: only their kernels).

    ``progress(fraction, message)`` is told before each stage, with fractions rising
    from 0 to 1 (a last call says "Engine ready"). It first deletes other versions'
    stale Numba cache folders (importing the engine deletes nothing).
    """
    drop_stale_caches()
    families, types = split_needs(families) if families is not None else (None, None)
    stages = plan(programs(families), dtypes, with_programs, types)
    total = sum(s.weight for s in stages)
    done = 0.0
    for stage in stages:
        if progress is not None:
            progress(done / total, stage.message)
        stage.compile()
        done += stage.weight
    for stage in stages:                  # loads what the trainer calls from Python, checks the program
        if stage.program and types is None:
            _train_tiny(stage.program, stage.dtype)
    if progress is not None:
        progress(1.0, "Engine ready")


def _train_tiny(prog, dtype):
    """Two training steps and an evaluation of the program's tiny network: compiles ``_run``
    and loads every kernel the trainer calls from Python."""
    net = network.build(_TINY[prog], seed=0, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4,) + net.input_shape)
    y = rng.integers(0, 2, 4) if net.loss == "softmax_crossentropy" else rng.normal(size=(4, 1))
    Trainer(net, train=(x, y), batch_size=2).step(2)


# -- in worker processes ----------------------------------------------------------------
class Compiler:
    """Compiles stages in up to ``workers`` worker processes into the shared disk cache.

    Driven from one thread: ``want`` adds stages, ``pump`` hands ready stages to idle
    workers and waits a little for their news. The lowest rank goes first, then the
    stage with the longest chain of work behind it. A stage that fails, or whose needs
    failed, is failed with the worker's message (``error``); asked for again, it is tried
    again. ``unavailable`` says why a worker could not start (then compile in this
    process instead). ``close`` lets the workers go; they also end with this process.
    """

    def __init__(self, workers, command=None):
        self.size = max(1, int(workers))
        self.unavailable = None
        self._command = list(command or [sys.executable, "-m", "engine.warmup", "--worker"])
        self._stages, self._rank, self._state, self._errors = {}, {}, {}, {}
        self._began = {}                      # key -> when its current run began
        self._pace = [0.0, 0.0]               # weight and seconds of the stages done: this machine's pace
        self.cpu = 0.0                        # CPU seconds the workers spent on the stages done
        self._workers = []
        self._trace = os.environ.get("NNP_WARMUP_TRACE")   # a file: one JSON line per stage done (bench)

    # -- asking ------------------------------------------------------------------
    def want(self, stages, rank=0):
        """Compile ``stages`` at ``rank`` (lower first; ``BACKGROUND`` and up at low priority).
        Needs that are not given (already in the disk cache) count as done."""
        for s in stages:
            self._stages[s.key] = s
            if self._state.get(s.key) in (None, "failed"):
                self._state[s.key] = "pending"
                self._errors.pop(s.key, None)
            self._rank[s.key] = min(rank, self._rank.get(s.key, rank))
        for s in stages:                      # a failed need not asked again: fails at once
            failed = [n for n in s.needs if self._state.get(n) == "failed"]
            if failed and self._state[s.key] == "pending":
                self._finish(s.key, "failed", self._errors[failed[0]], [])
        changed = True
        while changed:                        # a stage's needs go no later than it
            changed = False
            for key, s in self._stages.items():
                for need in s.needs & self._stages.keys():
                    if self._rank[need] > self._rank[key]:
                        self._rank[need], changed = self._rank[key], True

    def stage(self, key):
        return self._stages[key]

    def done(self, keys):
        return all(self._state.get(k) == "done" for k in keys)

    def error(self, keys):
        """Why one of ``keys`` (or a stage it needs) failed, or None."""
        for key in self._closure(keys):
            if self._state.get(key) == "failed":
                return self._errors[key]
        return None

    def running(self, keys):
        """The messages of the stages of ``keys`` (and their needs) being compiled now."""
        return [self._stages[k].message for k in self._closure(keys) if self._state.get(k) == "running"]

    def remaining(self, keys):
        """Estimated work until ``keys`` are compiled, in weight units (seconds on a quiet machine):
        their chain of stages or their work spread over the workers, whichever is longer."""
        keys = self._closure(keys)
        left = {k: self._left(k) for k in keys}
        chain = {}

        def longest(k):                       # the longest chain of unfinished work ending at k
            if k not in chain:
                chain[k] = left[k] + max([longest(n) for n in self._stages[k].needs if n in left] or [0.0])
            return chain[k]
        return max(max(map(longest, keys), default=0.0), sum(left.values()) / self.size)

    def idle(self):
        return not any(st in ("pending", "running") for st in self._state.values())

    def _closure(self, keys):
        out, todo = set(), [k for k in keys if k in self._stages]
        while todo:
            k = todo.pop()
            if k not in out:
                out.add(k)
                todo.extend(self._stages[k].needs & self._stages.keys())
        return out

    def _left(self, key):
        state, weight = self._state.get(key), self._stages[key].weight
        if state == "done":
            return 0.0
        if state == "running":
            weight -= (time.monotonic() - self._began[key]) * self._speed()
            return max(weight, 0.1 * self._stages[key].weight)
        return weight

    def _speed(self):
        """Weight compiled per second so far (1 until a stage is done; less on a loaded machine)."""
        weight, seconds = self._pace
        return weight / seconds if weight and seconds else 1.0

    # -- running -----------------------------------------------------------------
    def pump(self, timeout):
        """Start what can start, then wait up to ``timeout`` seconds for the workers' news.
        Returns [(event, key, detail)] with event "done" or "failed"."""
        events = []
        self._assign()
        streams = {w.proc.stdout.fileno(): w for w in self._workers}
        if not streams:
            time.sleep(timeout)
            return events
        readable, _, _ = select.select(list(streams), [], [], timeout)
        for fd in readable:
            worker = streams[fd]
            chunk = os.read(fd, 65536)
            if not chunk:
                self._lost(worker, events)
                continue
            worker.buffer += chunk
            *lines, worker.buffer = worker.buffer.split(b"\n")
            for line in lines:
                self._heard(worker, line.decode(errors="replace"), events)
        self._assign()
        return events

    def close(self):
        """Let the workers go (each ends after its current stage)."""
        for worker in self._workers:
            _quietly(worker.proc.stdin.close)
        self._workers = []

    def terminate(self):
        """Stop every worker now."""
        for worker in list(self._workers):
            self._drop(worker)

    def _heard(self, worker, line, events):
        if not line.startswith(_SAY + " "):
            return
        event, key, detail = json.loads(line[len(_SAY) + 1:])
        if event == "ready":
            worker.started = True
        elif key == worker.stage and event in ("done", "failed"):
            worker.stage = None
            self._finish(key, event, detail, events)

    def _finish(self, key, event, detail, events):
        if event == "done" and self._state[key] == "running":
            self._pace[0] += self._stages[key].weight
            self._pace[1] += time.monotonic() - self._began[key]
            self.cpu += detail if isinstance(detail, (int, float)) else 0.0
            if self._trace:
                self._write_trace(key, detail)
        self._state[key] = event
        events.append((event, key, detail))
        if event == "failed":
            self._errors[key] = detail
            for other, s in self._stages.items():             # what needs it cannot start
                if key in s.needs and self._state[other] == "pending":
                    self._finish(other, "failed", detail, events)

    def _write_trace(self, key, cpu):
        s = self._stages[key]
        line = {"key": key, "rank": self._rank[key], "needs": sorted(s.needs & self._stages.keys()),
                "weight": s.weight, "cpu": cpu, "seconds": round(time.monotonic() - self._began[key], 2)}
        with open(self._trace, "a") as f:
            f.write(json.dumps(line) + "\n")

    def _lost(self, worker, events):
        """A worker's output ended: it exited."""
        self._workers.remove(worker)
        code = worker.proc.wait()
        if not worker.started:
            self.unavailable = f"a compiling process could not start (exit code {code})"
            if worker.stage:
                self._state[worker.stage] = "pending"
        elif worker.stage:
            self._finish(worker.stage, "failed", f"the compiling process stopped (exit code {code}) "
                                                 f"during: {self._stages[worker.stage].message}", events)

    def _assign(self):
        if self.unavailable:
            return
        for worker in list(self._workers):                     # foreground work never runs at low priority
            if worker.nice and worker.stage and self._rank[worker.stage] < BACKGROUND:
                self._drop(worker)
        ready = [k for k, st in self._state.items() if st == "pending"
                 and all(self._state.get(n, "done") == "done" for n in self._stages[k].needs)]
        tail = self._tails()
        ready.sort(key=lambda k: (self._rank[k], -tail[k]))
        for key in ready:
            worker = self._worker_for(self._rank[key] >= BACKGROUND)
            if worker is None:
                if self.unavailable:
                    return
                continue
            if self._send(worker, f"compile {key}"):
                worker.stage, self._state[key], self._began[key] = key, "running", time.monotonic()

    def _worker_for(self, background):
        idle = [w for w in self._workers if w.stage is None]
        if background:
            for worker in sorted(idle, key=lambda w: -w.nice):
                if worker.nice or self._send(worker, f"nice {LOW_PRIORITY}"):
                    worker.nice = LOW_PRIORITY
                    return worker
            return self._spawn(LOW_PRIORITY) if len(self._workers) < self.size else None
        for worker in idle:
            if not worker.nice:
                return worker
        if len(self._workers) >= self.size:
            low = sorted((w for w in self._workers if w.nice), key=lambda w: w.stage is not None)
            if not low:
                return None
            self._drop(low[0])
        return self._spawn(0)

    def _drop(self, worker):
        """Stop a worker now; its stage waits for another."""
        if worker.stage:
            self._state[worker.stage] = "pending"
        _quietly(worker.proc.kill)
        _quietly(worker.proc.wait)
        _quietly(worker.proc.stdin.close)
        _quietly(worker.proc.stdout.close)
        self._workers.remove(worker)

    def _spawn(self, nice):
        import numba
        env = dict(os.environ, NUMBA_CACHE_DIR=str(numba.config.CACHE_DIR))   # this process's cache folder
        try:
            proc = subprocess.Popen(self._command + ["--nice", str(nice), "--parent", str(os.getpid())],
                                    cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as err:
            self.unavailable = f"a compiling process could not start: {err}"
            return None
        worker = _Worker(proc, nice)
        self._workers.append(worker)
        return worker

    def _send(self, worker, line):
        try:
            worker.proc.stdin.write((line + "\n").encode())
            worker.proc.stdin.flush()
            return True
        except OSError:                       # it exited: its output ends, and _lost says why
            return False

    def _tails(self):
        """Each stage's weight plus the longest chain of stages waiting for it."""
        waiting = {k: [] for k in self._stages}
        for key, s in self._stages.items():
            for need in s.needs & waiting.keys():
                waiting[need].append(key)
        tails = {}

        def tail(k):
            if k not in tails:
                tails[k] = self._stages[k].weight + max([tail(w) for w in waiting[k]] or [0.0])
            return tails[k]
        return {k: tail(k) for k in self._stages}


class _Worker:
    def __init__(self, proc, nice):
        self.proc, self.nice = proc, nice
        self.stage, self.started, self.buffer = None, False, b""


def _quietly(call):
    try:
        call()
    except (OSError, ValueError, subprocess.SubprocessError):
        pass


def _say(event, key=None, detail=None):
    print(_SAY, json.dumps([event, key, detail]), flush=True)


def _end_with_parent(parent):
    """Linux: be stopped when the process (thread) that started this one ends."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        sys.exit(0)


def _set_nice(nice):
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except (AttributeError, OSError):
        pass


def worker(nice=0, parent=None):
    """A worker process: compiles the stages it is told on stdin ("compile KEY", "nice N") and
    says "done" or "failed" for each on stdout; ends at the end of its input."""
    _end_with_parent(parent)
    if nice:
        _set_nice(nice)
    stages = {s.key: s for s in plan(programs(None), (np.float32, np.float64))}
    _say("ready")
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "nice":
            _set_nice(int(arg))
        elif command == "compile":
            cpu = time.process_time()
            try:
                if arg not in stages:
                    raise ValueError(f"no compile stage {arg!r}")
                stages[arg].compile()
            except Exception as err:          # noqa: BLE001 (told to the parent, which shows it)
                import traceback
                traceback.print_exc()
                _say("failed", arg, f"{type(err).__name__}: {err}")
            else:
                _say("done", arg, round(time.process_time() - cpu, 2))
    return 0


def compile_in_workers(workers, families=None, dtypes=(DTYPE,), progress=None, poll=0.2):
    """Compile the programs for ``families`` (None: all) in ``workers`` processes into the disk
    cache, with progress; raises RuntimeError when a stage fails. Returns False (nothing done)
    when no worker could start."""
    drop_stale_caches()
    stages = [s for s in plan(programs(families), dtypes) if not in_disk_cache(s)]
    compiler = Compiler(workers)
    compiler.want(stages)
    keys = [s.key for s in stages]
    total = compiler.remaining(keys) or 1.0
    try:
        while not compiler.done(keys):
            for event, key, detail in compiler.pump(poll):
                if event == "failed":
                    raise RuntimeError(compiler.error([key]))
                if progress is not None:
                    message = compiler.stage(key).message.replace("Compiling", "Compiled", 1)
                    progress(1 - compiler.remaining(keys) / total, message)
            if compiler.unavailable:
                return False
    finally:
        compiler.close()
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compile the engine into its disk cache.")
    ap.add_argument("--in-process", action="store_true", help="one stage after another in this process")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ap.add_argument("--workers", type=int, default=min(cores, MAX_CLI_WORKERS),
                    help=f"worker processes (default: the cores this process may use, at most {MAX_CLI_WORKERS})")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--nice", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.nice, args.parent)
    start = time.perf_counter()

    def report(fraction, message):
        print(f"{time.perf_counter() - start:6.1f} s  {fraction:4.0%}  {message}", flush=True)

    if not args.in_process:
        compile_in_workers(args.workers, progress=report)
    warm_up(progress=report)           # loads what the workers compiled (and compiles anything they missed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
