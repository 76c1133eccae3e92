"""Engine speed: steps/s against PyTorch CPU in the same process, plus start-up costs.

    python bench/engine_bench.py [--case NAME ...] [--repeats 5] [--seconds 1.0] [--torch-threads N]
                                 [--skip-cases] [--skip-startup | --startup mlp cnn lstm]

Each case trains the same network on the same data with both engines; the
timed blocks are interleaved (engine, torch, engine, torch, ...) and the
median of the repeats is reported, so machine noise hits both alike.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.data import Plane, make_2d, split  # noqa: E402
from engine.plane import PlaneMaps  # noqa: E402
from engine.data.images import mnist  # noqa: E402
from engine.data.sequences import waves  # noqa: E402

try:
    import torch
    torch.set_num_threads(os.cpu_count())
except ImportError:
    torch = None


# -- cases: each returns (engine trainer, torch step function or None) -----
def _dense_stack(widths, activation):
    return [{"type": "dense", "units": w, "activation": activation} for w in widths]


def case_mlp_playground():
    pts, labels = make_2d("circle", 500, 0.1, seed=0)
    x, y, xt, yt = split(pts, labels, 0.5, seed=0)
    spec = {"input_shape": [2], "loss": "mse",
            "layers": _dense_stack([8] * 6, "tanh") + [{"type": "dense", "units": 1, "activation": "tanh"}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), optimizer="sgd", lr=0.03,
                        batch_size=10, eval_every=10**12)
    if torch is None:
        return tr, None
    mods, width = [], 2
    for _ in range(6):
        mods += [torch.nn.Linear(width, 8), torch.nn.Tanh()]
        width = 8
    model = torch.nn.Sequential(*mods, torch.nn.Linear(8, 1), torch.nn.Tanh())
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    return tr, _torch_stepper(model, opt, torch.nn.functional.mse_loss, x, y[:, None], 10)


def case_mlp_mnist():
    x, y, xt, yt = mnist()
    x = x.reshape(len(x), -1)
    spec = {"input_shape": [784], "loss": "softmax_crossentropy", "layers": [
        {"type": "dense", "units": 128, "activation": "relu"}, {"type": "dropout", "rate": 0.2},
        {"type": "dense", "units": 10}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), optimizer="adam", lr=1e-3,
                        batch_size=32, eval_every=10**12)
    if torch is None:
        return tr, None
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return tr, _torch_stepper(model, opt, torch.nn.functional.cross_entropy, x, y, 32)


CNN_MNIST = {"input_shape": [1, 28, 28], "loss": "softmax_crossentropy", "layers": [
    {"type": "conv2d", "filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool2d", "pool_size": 2},
    {"type": "conv2d", "filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool2d", "pool_size": 2},
    {"type": "flatten"}, {"type": "dense", "units": 10}]}


def torch_cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10))


def case_cnn_mnist():
    x, y, xt, yt = mnist()
    tr = engine.Trainer(engine.build(CNN_MNIST, seed=0), train=(x, y), optimizer="adam", lr=1e-3,
                        batch_size=32, eval_every=10**12)
    if torch is None:
        return tr, None
    model = torch_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return tr, _torch_stepper(model, opt, torch.nn.functional.cross_entropy, x, y, 32)


BN_CONV = {"input_shape": [1, 28, 28], "loss": "softmax_crossentropy", "layers": [
    {"type": "conv2d", "filters": 8, "kernel_size": 3, "padding": "same"},
    {"type": "batchnorm", "activation": "relu"}, {"type": "maxpool2d", "pool_size": 2},
    {"type": "conv2d", "filters": 16, "kernel_size": 3, "padding": "same"},
    {"type": "batchnorm", "activation": "relu"}, {"type": "maxpool2d", "pool_size": 2},
    {"type": "flatten"}, {"type": "dense", "units": 10}]}


def case_bn_conv():
    """The CNN with batch normalization after each convolution (Keras' momentum 0.99 and epsilon 0.001:
    PyTorch's momentum 0.01)."""
    x, y, xt, yt = mnist()
    tr = engine.Trainer(engine.build(BN_CONV, seed=0), train=(x, y), optimizer="adam", lr=1e-3,
                        batch_size=32, eval_every=10**12)
    if torch is None:
        return tr, None
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8, eps=1e-3, momentum=0.01), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return tr, _torch_stepper(model, opt, torch.nn.functional.cross_entropy, x, y, 32)


def _case_sine(cell):
    x, y = waves("sine", n=2000, length=50, noise=0.05, seed=0)
    spec = {"input_shape": [50, 1], "loss": "mse", "layers": [{"type": cell, "units": 32},
                                                              {"type": "dense", "units": 1}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), optimizer="adam", lr=1e-3,
                        batch_size=16, eval_every=10**12)
    if torch is None:
        return tr, None

    class Last(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](1, 32, batch_first=True)
            self.out = torch.nn.Linear(32, 1)

        def forward(self, xb):
            return self.out(self.cell(xb)[0][:, -1])

    model = Last()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return tr, _torch_stepper(model, opt, torch.nn.functional.mse_loss, x, y, 16)


CASES = {"mlp-playground": case_mlp_playground, "mlp-mnist": case_mlp_mnist, "cnn-mnist": case_cnn_mnist,
         "bn-conv": case_bn_conv,
         "rnn-sine": lambda: _case_sine("rnn"), "lstm-sine": lambda: _case_sine("lstm"),
         "gru-sine": lambda: _case_sine("gru")}


def _torch_stepper(model, opt, loss_fn, x, y, batch):
    """A function running n shuffled minibatch steps of a plain PyTorch loop."""
    xs = torch.as_tensor(np.asarray(x, np.float32))
    ys = torch.as_tensor(y) if np.asarray(y).dtype.kind == "i" else torch.as_tensor(np.asarray(y, np.float32))
    n = len(xs)
    state = {"order": torch.randperm(n), "cursor": 0}

    def run(steps):
        model.train()
        for _ in range(steps):
            c = state["cursor"]
            idx = state["order"][c:c + batch]
            opt.zero_grad()
            loss_fn(model(xs[idx]), ys[idx]).backward()
            opt.step()
            state["cursor"] = c + batch
            if state["cursor"] >= n:
                state["cursor"] = 0
                state["order"] = torch.randperm(n)
    return run


CLOCK = time.perf_counter     # --cpu-time: time.thread_time, the calling thread's CPU seconds


def _rate(run, steps):
    t = CLOCK()
    run(steps)
    return steps / (CLOCK() - t)


def _calibrate(run, seconds):
    """Steps that take about ``seconds``."""
    steps = 1
    while True:
        t = CLOCK()
        run(steps)
        if CLOCK() - t > seconds / 4 or steps > 10**7:
            return max(1, int(steps * seconds / max(CLOCK() - t, 1e-9)))
        steps *= 4


def bench_case(name, repeats, seconds):
    trainer, torch_run = CASES[name]()
    engine_run = trainer.step
    engine_run(1)                                   # compile / load the kernels
    n_engine = _calibrate(engine_run, seconds)
    ours, theirs = [], []
    if torch_run is not None:
        torch_run(5)
        n_torch = _calibrate(torch_run, seconds)
    for _ in range(repeats):
        ours.append(_rate(engine_run, n_engine))
        if torch_run is not None:
            theirs.append(_rate(torch_run, n_torch))
    return statistics.median(ours), (statistics.median(theirs) if theirs else None)


# -- start-up and snapshot costs --------------------------------------------
# A new process to its first trained step: the MLP page's playground net (2 -> 4 tanh -> 2 tanh
# -> 1), the default CNN and an LSTM. Prints wall and CPU seconds.
FIRST_STEP = textwrap.dedent("""
    import time; t0 = time.perf_counter()
    import resource, sys; sys.path.insert(0, {root!r})
    import numpy as np, engine
    rng = np.random.default_rng(0)
    net = {net!r}
    if net == "mlp":
        spec = {{"input_shape": [2], "loss": "mse", "layers": [
            {{"type": "dense", "units": 4, "activation": "tanh"}},
            {{"type": "dense", "units": 2, "activation": "tanh"}}, {{"type": "dense", "units": 1}}]}}
        x, y = rng.normal(size=(50, 2)), rng.normal(size=(50, 1))
    elif net == "cnn":
        spec = {cnn!r}
        x, y = rng.normal(size=(20, 1, 28, 28)), rng.integers(0, 10, 20)
    else:
        spec = {{"input_shape": [50, 1], "loss": "mse", "layers": [
            {{"type": "lstm", "units": 32}}, {{"type": "dense", "units": 1}}]}}
        x, y = rng.normal(size=(20, 50, 1)), rng.normal(size=(20, 1))
    engine.Trainer(engine.build(spec), train=(x, y), batch_size=10).step(1)
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(time.perf_counter() - t0, r.ru_utime + r.ru_stime)
""")
STARTUP_NETS = ("mlp", "cnn", "lstm")


def first_step_seconds(net="mlp", cache_dir=None):
    """(wall, CPU) seconds from a new process's start to its first trained step of ``net``."""
    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    code = FIRST_STEP.format(root=str(ROOT), net=net, cnn=CNN_MNIST)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall, cpu = map(float, out.stdout.strip().splitlines()[-1].split())
    return wall, cpu


def startup(nets):
    """Cold (empty Numba cache) and warm (the project's cache) first-step times per net."""
    print(f"{'new process to first step':<26}{'cold wall s':>12}{'cold CPU s':>12}{'warm wall s':>12}")
    for net in nets:
        with tempfile.TemporaryDirectory() as empty:
            cold, cold_cpu = first_step_seconds(net, cache_dir=empty)
        first_step_seconds(net)                     # make sure the normal cache is filled
        warm = statistics.median(first_step_seconds(net)[0] for _ in range(3))
        print(f"{net:<26}{cold:>12.1f}{cold_cpu:>12.1f}{warm:>12.2f}", flush=True)


def snapshot_ms(repeats=20):
    pts, labels = make_2d("spiral", 500, 0.0, seed=0)
    spec = {"input_shape": [2], "loss": "mse",
            "layers": _dense_stack([8] * 6, "tanh") + [{"type": "dense", "units": 1, "activation": "tanh"}]}
    tr = engine.Trainer(engine.build(spec), train=(pts, labels))
    plane = Plane(resolution=50)
    PlaneMaps(tr.snapshot(), plane).neuron_maps
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        snap = tr.step(1)
        PlaneMaps(snap, plane).neuron_maps
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="cases to run (default all)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0, help="length of one timed block")
    ap.add_argument("--torch-threads", type=int, default=None,
                    help="PyTorch's threads (default: one per core; on a loaded machine 2 threads spin and "
                         "PyTorch collapses, so 1 gives a fairer figure there)")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time each engine by its thread's CPU seconds, PyTorch on one thread (a fair race on a "
                         "machine loaded by other work; wall time counts the waits for the CPU)")
    ap.add_argument("--skip-cases", action="store_true", help="only the start-up figures")
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--startup", nargs="*", choices=STARTUP_NETS, default=list(STARTUP_NETS),
                    help="nets whose cold and warm start-up to time (default all)")
    args = ap.parse_args()
    if torch is not None and args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    if args.cpu_time:
        global CLOCK
        CLOCK = time.thread_time
        if torch is not None:
            torch.set_num_threads(1)              # its work then runs in this thread, as the engine's
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}"
          f"{f' ({torch.get_num_threads()} threads)' if torch else ''}"
          f"{', CPU time of the calling thread' if args.cpu_time else ', wall time'}")
    print(f"{'case':<18}{'engine steps/s':>16}{'torch steps/s':>16}{'ratio':>8}")
    for name in [] if args.skip_cases else args.case or list(CASES):
        ours, theirs = bench_case(name, args.repeats, args.seconds)
        ratio = f"{ours / theirs:7.1f}x" if theirs else "      -"
        print(f"{name:<18}{ours:>16,.0f}{(f'{theirs:,.0f}' if theirs else '-'):>16}{ratio:>8}", flush=True)
    if not args.skip_startup:
        startup(args.startup)
    if not args.skip_cases:
        print(f"snapshot of 6x8 tanh net on a 50x50 grid (step + neuron maps): {snapshot_ms():.2f} ms")


if __name__ == "__main__":
    main()
