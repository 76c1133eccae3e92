"""What one live frame costs the engine: a training step, a snapshot, and the costly fields
a page reads from it on first access, for the MLP, CNN and LSTM reference nets.

    python bench/snapshot_cost.py [--case mlp|mlp-relu|cnn|lstm ...] [--repeats 15]

All figures are medians of ``repeats`` in ms. ``step(1)`` is a step that does not reach an
evaluation (it includes ``Trainer.snapshot``); ``eval step`` is the step(1) that ends an epoch
and so runs the per-epoch evaluation; ``snapshot`` is ``Trainer.snapshot()`` alone; the field
columns time the first access on a fresh snapshot; ``frame`` = step(1) + those fields.
Where ``Trainer.step`` takes a ``budget``, ``budget 30 ms`` gives the median and worst wall time
of ``step(10**6, budget=0.03)`` calls that cross epoch boundaries.
"""
import argparse
import inspect
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine  # noqa: E402
from engine.data import Plane, make_2d, split  # noqa: E402
from engine.plane import PlaneMaps  # noqa: E402
from engine.data.images import mnist  # noqa: E402
from engine.data.sequences import delayed_recall  # noqa: E402
from engine_bench import CNN_MNIST  # noqa: E402


def _mlp(activation):
    x, y, xt, yt = split(*make_2d("spiral", 500, 0.0, seed=0), train_fraction=0.5)
    layers = [{"type": "dense", "units": 8, "activation": activation} for _ in range(6)]
    spec = {"input_shape": [2], "loss": "mse",
            "layers": layers + [{"type": "dense", "units": 1, "activation": "tanh"}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), test=(xt, yt), optimizer="sgd",
                        lr=0.03, batch_size=10)
    tr.plane = Plane(resolution=50)                   # the page's neuron maps: engine/plane.py
    return tr, ("dead_units", "neuron_maps")


def probe(tr, snap, name):
    """A costly field of a snapshot, or of its plane maps (the MLP page's pictures)."""
    if name == "neuron_maps":
        return PlaneMaps(snap, tr.plane).neuron_maps
    return getattr(snap, name)


def _cnn():
    x, y, xt, yt = mnist()
    tr = engine.Trainer(engine.build(CNN_MNIST, seed=0), train=(x, y), test=(xt, yt),
                        optimizer="adam", lr=1e-3, batch_size=32)
    return tr, ("dead_units", "probe_outputs", "confusion")


def _lstm():
    x, y = delayed_recall(n=4000, delay=40, seed=0)
    xt, yt = delayed_recall(n=1000, delay=40, seed=1)
    spec = {"input_shape": [41, 8], "loss": "softmax_crossentropy",
            "layers": [{"type": "lstm", "units": 32}, {"type": "dense", "units": 4}]}
    tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), test=(xt, yt), optimizer="adam",
                        lr=2e-3, batch_size=32, clip_norm=1.0)
    return tr, ("dead_units", "probe_outputs", "confusion", "recurrent_trace")


CASES = {"mlp": lambda: _mlp("tanh"), "mlp-relu": lambda: _mlp("relu"), "cnn": _cnn, "lstm": _lstm}


def _ms(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1e3


def _to_eval_edge(tr):
    """Train until the next step(1) will end in an evaluation."""
    left = tr._next_eval - tr.step_count - 1
    if left > 0:
        tr.step(left)


def measure(name, repeats):
    tr, fields = CASES[name]()
    snap = tr.step(1)
    for f in fields:                                   # compile whatever a field needs
        probe(tr, snap, f)
    times = {k: [] for k in ("step(1)", "snapshot") + fields}
    for _ in range(repeats):
        if tr._next_eval - tr.step_count <= 1:
            tr.step(1)
        times["step(1)"].append(_ms(lambda: tr.step(1)))
        times["snapshot"].append(_ms(tr.snapshot))
        snap = tr.snapshot()
        for f in fields:
            times[f].append(_ms(lambda: probe(tr, snap, f)))
    evals = []
    for _ in range(max(3, repeats // 3)):
        _to_eval_edge(tr)
        evals.append(_ms(lambda: tr.step(1)))
    out = {k: statistics.median(v) for k, v in times.items()}
    out["eval step"] = statistics.median(evals)
    out["frame"] = out["step(1)"] + sum(out[f] for f in fields)
    if "budget" in inspect.signature(tr.step).parameters:
        calls = [_ms(lambda: tr.step(10**6, budget=0.03)) for _ in range(repeats * 3)]
        out["budget 30 ms"] = f"{statistics.median(calls):.1f} / max {max(calls):.1f}"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", choices=list(CASES))
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    for name in args.case or list(CASES):
        out = measure(name, args.repeats)
        cells = "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in out.items())
        print(f"{name:<9}{cells}", flush=True)


if __name__ == "__main__":
    main()
