"""How well and how fast the engine learns the CNN and RNN reference tasks.

    python bench/accuracy_bench.py [--task cnn-mnist|recall] [--budget SECONDS]

cnn-mnist: the benchmark CNN (bench/engine_bench.py) on the 8,000/2,000 MNIST split,
Adam 1e-3, batch 32, for 20 s of training (evaluation time not counted): test accuracy
after each epoch (on all 2,000 test images: eval_size), and when it first reaches 97.5 %.
recall: delayed recall (a symbol out of 4, then `delay` distractors out of 4 others,
one-hot in 8 channels), 32 units, Adam 2e-3, clipping at 1, batch 32, up to 60 s each for
an LSTM (forget-gate bias 1) and a plain tanh RNN: accuracy on 1,000 held-out sequences,
at delays 40 and 100. A run that holds 99.5 % for five epochs stops early.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine  # noqa: E402
from engine.data.images import mnist  # noqa: E402
from engine.data.sequences import delayed_recall  # noqa: E402
from engine_bench import CNN_MNIST  # noqa: E402



def train_for(trainer, budget, chunk, target=None, label="", settle=None):
    """Train in chunks until ``budget`` seconds of training; report accuracy after each.
    With ``settle``, stop once accuracy has stayed at or above 99.5 % for that many chunks."""
    trained, first, good = 0.0, None, 0
    while trained < budget and not (settle and good >= settle):
        t = time.perf_counter()
        trainer.step(chunk)
        trained += time.perf_counter() - t
        snap = trainer.snapshot()
        if target is not None and first is None and snap.test_acc >= target:
            first = trained
        good = good + 1 if snap.test_acc >= 0.995 else 0
        print(f"  {label}{trained:5.1f} s  epoch {snap.epoch:3d}  test accuracy {snap.test_acc:.2%}", flush=True)
    return snap.test_acc, first


def cnn_mnist(budget):
    x, y, xt, yt = mnist()
    tr = engine.Trainer(engine.build(CNN_MNIST, seed=0), train=(x, y), test=(xt, yt), optimizer="adam",
                        lr=1e-3, batch_size=32, seed=0, eval_size=len(xt))
    acc, first = train_for(tr, budget, tr.steps_per_epoch, target=0.975)
    when = f"first at {first:.1f} s" if first else "not reached"
    print(f"cnn-mnist: {acc:.2%} after {budget:g} s of training; 97.5 % {when}")


def recall(budget, delay=40):
    x, y = delayed_recall(n=4000, delay=delay, seed=0)
    xt, yt = delayed_recall(n=1000, delay=delay, seed=1)
    results = {}
    for cell in ("lstm", "rnn"):
        spec = {"input_shape": [1 + delay, 8], "loss": "softmax_crossentropy",
                "layers": [{"type": cell, "units": 32}, {"type": "dense", "units": 4}]}
        tr = engine.Trainer(engine.build(spec, seed=0), train=(x, y), test=(xt, yt), optimizer="adam",
                            lr=2e-3, batch_size=32, clip_norm=1.0, seed=0, eval_size=len(xt))
        results[cell] = train_for(tr, budget, tr.steps_per_epoch, target=0.95, label=f"{cell} d{delay} ",
                                  settle=5)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", action="append", choices=["cnn-mnist", "recall"])
    ap.add_argument("--delay", type=int, action="append", help="recall delays (default 40 and 100)")
    ap.add_argument("--budget", type=float, help="seconds of training (default 20 for the CNN, 60 for recall)")
    args = ap.parse_args()
    for task in args.task or ["cnn-mnist", "recall"]:
        if task == "cnn-mnist":
            cnn_mnist(args.budget or 20)
        else:
            summary = {delay: recall(args.budget or 60, delay) for delay in args.delay or (40, 100)}
            for delay, results in summary.items():
                for cell, (acc, first) in results.items():
                    when = f"95 % first at {first:.1f} s" if first else f"not 95 % within {args.budget or 60:g} s"
                    print(f"recall, delay {delay:3d}, {cell}: {acc:.2%} at the end; {when}")


if __name__ == "__main__":
    main()
