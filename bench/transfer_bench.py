"""Transfer learning on the CNN page (issue 20): does reusing conv layers trained on digits 0-4 help a
network learn digits 5-9 (or the bars) from a few examples per class? And the own-symbols head.

    python bench/transfer_bench.py [--nets default,deep] [--shots 1,5,10,50] [--seeds 8]
                                   [--steps 25,50,100,200,400] [--second digits59] [--torch] [--symbols]

For each network, a base is trained on digits 0-4 exactly as the page trains one for a link
(ui.cnn.transfer.pretrain: BASE_STEPS steps, the page's optimizer settings, seed 0). Then for every
number of examples per class and every seed (which examples, and the fresh weights), three networks
train on the same examples with the page's settings (batch 32): the base's conv layers frozen with a
new head, fine-tuned, and the same network from scratch. Test accuracy on every test image of the
second task after each step count; the table gives the mean over seeds and its spread (standard
deviation), and how many seeds the reused layers won by 2 points or more.

``--torch`` runs the same protocol in PyTorch (same architecture and data; its own initialisation and
batch order) beside it, as the yardstick the issue quotes. ``--symbols`` measures the own-symbols head
(ui/cnn/symbols.py) on generated drawings: training time of a head on 3 classes x 5 drawings, the
prediction time of one drawing, and the held-out accuracy with the page's base against a fresh base.

Measured figures are quoted in the README (machine and load there).
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from ui.cnn.data import PAGE_IMAGES, few_per_class  # noqa: E402
from ui.cnn.settings import CnnSettings  # noqa: E402
from ui.cnn.transfer import build_from, pretrain, reused_layers, with_frozen  # noqa: E402

NETS = {"default": dict(dataset="digits04", filters=(8, 16), kernels=(3, 3), strides=(1, 1), paddings=("same",) * 2,
                        acts=("relu",) * 2, norms=("off",) * 2, pools=("max",) * 2, lr=0.001),
        "deep": dict(dataset="digits04", filters=(8, 16, 16), kernels=(3, 3, 3), strides=(1, 1, 1),
                     paddings=("same",) * 3, acts=("relu",) * 3, norms=("off",) * 3, pools=("max",) * 3, lr=0.003)}


def settings(net, second):
    return CnnSettings.from_values({**NETS[net]}).with_(transfer=second)


def engine_runs(s, shots, seeds, steps):
    """{mode: array (seeds, len(steps))} of test accuracies, and the base."""
    base_spec = s.base_spec()
    data = PAGE_IMAGES[s.dataset].load(seed=0)
    opts = s.trainer_options()
    t = time.perf_counter()
    base = pretrain(base_spec, 0, data, opts)
    base_seconds = time.perf_counter() - t
    x, y, xt, yt = PAGE_IMAGES[s.transfer].load(seed=0)
    layers = reused_layers(base_spec)
    out = {m: np.zeros((len(seeds), len(steps))) for m in ("frozen", "fine", "scratch")}
    secs = {m: 0.0 for m in out}
    for k, seed in enumerate(seeds):
        rows = few_per_class(y, shots, seed)
        for mode in out:
            spec = s.with_(reuse=mode if mode != "scratch" else "fine").spec()
            if mode == "frozen":
                spec = with_frozen(spec, layers)
            net = build_from(spec, seed, base.net, layers) if mode != "scratch" else engine.build(spec, seed=seed)
            tr = engine.Trainer(net, train=(x[rows], y[rows]), seed=seed, eval_every=10**9, **opts)
            done = 0
            for j, n in enumerate(steps):
                t = time.perf_counter()
                tr.step(n - done)
                secs[mode] += time.perf_counter() - t
                done = n
                out[mode][k, j] = tr.loss_and_accuracy(xt, yt)[1]
    return out, base, base_seconds, {m: v / len(seeds) for m, v in secs.items()}


def torch_runs(s, shots, seeds, steps):
    """The same protocol in PyTorch: {mode: (seeds, len(steps)) accuracies}, base accuracy."""
    import torch
    from torch import nn
    torch.set_num_threads(1)

    def make(classes, shape):
        layers, c, h = [], shape[0], shape[1]
        for f, k in zip(s.filters, s.kernels):
            layers += [nn.Conv2d(c, f, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2)]
            c, h = f, h // 2
        return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * h * h, classes))

    def train(model, x, y, n, gen, params=None):
        opt = torch.optim.Adam(params if params is not None else model.parameters(), lr=s.lr)
        lossf = nn.CrossEntropyLoss()
        for _ in range(n):
            idx = torch.randint(0, len(x), (min(s.batch, len(x)),), generator=gen) if len(x) > s.batch \
                else torch.randperm(len(x), generator=gen)
            opt.zero_grad()
            lossf(model(x[idx]), y[idx]).backward()
            opt.step()

    def acc(model, x, y):
        with torch.no_grad():
            return float((model(x).argmax(1) == y).float().mean())

    bx, by, bxt, byt = (torch.as_tensor(np.asarray(a)) for a in PAGE_IMAGES[s.dataset].load(seed=0))
    torch.manual_seed(0)
    base = make(5, (1, 28, 28))
    train(base, bx, by, 400, torch.Generator().manual_seed(0))
    base_acc = acc(base, bxt[:1000], byt[:1000])
    x, y, xt, yt = PAGE_IMAGES[s.transfer].load(seed=0)
    tx, ty, txt, tyt = (torch.as_tensor(np.asarray(a)) for a in (x, y, xt, yt))
    out = {m: np.zeros((len(seeds), len(steps))) for m in ("frozen", "fine", "scratch")}
    n_conv = 3 * len(s.filters)
    for k, seed in enumerate(seeds):
        rows = torch.as_tensor(few_per_class(y, shots, seed))
        for mode in out:
            torch.manual_seed(seed)
            model = make(len(np.unique(y)), x.shape[1:])
            if mode != "scratch":
                for a, b in zip(model[:n_conv], base[:n_conv]):
                    a.load_state_dict(b.state_dict())
            params = list(model[n_conv:].parameters()) if mode == "frozen" else None
            gen, done = torch.Generator().manual_seed(seed), 0
            for j, n in enumerate(steps):
                train(model, tx[rows], ty[rows], n - done, gen, params)
                done = n
                out[mode][k, j] = acc(model, txt, tyt)
    return out, base_acc


def table(title, out, steps):
    print(title)
    print("    mode      " + "".join(f"{n:>14d}" for n in steps))
    for mode, a in out.items():
        print(f"    {mode:<9} " + "".join(f"  {100 * m:5.1f} ± {100 * sd:4.1f}" for m, sd in zip(a.mean(0), a.std(0))))
    for mode in ("frozen", "fine"):
        diff = 100 * (out[mode] - out["scratch"])
        print(f"    {mode} - scratch, points (mean ± sd of the paired gap): " +
              "".join(f"  {m:+5.1f} ± {sd:4.1f}" for m, sd in zip(diff.mean(0), diff.std(0))))
        wins = ((out[mode] - out["scratch"]) >= 0.02).sum(0)
        losses = ((out["scratch"] - out[mode]) >= 0.02).sum(0)
        print(f"    {mode} vs scratch, seeds won / lost by 2+ points: " +
              "  ".join(f"{w}/{l}" for w, l in zip(wins, losses)))


def drawing_url():
    """A cross drawn on the pad's 280 x 280 canvas, as the pad sends it (a PNG data URL)."""
    import base64
    import io
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (280, 280), "white")
    d = ImageDraw.Draw(img)
    d.line([(60, 60), (220, 220)], fill="black", width=20)
    d.line([(220, 60), (60, 220)], fill="black", width=20)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def symbols_bench(seeds):
    """Own symbols: 3 classes x 5 generated drawings (every third held out, as the page does), a head on the
    page's base (the digits 0-4 network, as trained for a link) and on a fresh base; accuracy on 30 more
    drawings per class it never saw; the head's training time and one prediction's time."""
    from ui.cnn.symbols import SymbolSet, demo_drawings, train_head
    from ui.digit import digit_from_bytes, read_data_url
    kinds = ("circle", "square", "triangle")
    s = CnnSettings.from_values(NETS["deep"])
    base = pretrain(s.base_spec(), 0, PAGE_IMAGES["digits04"].load(seed=0), s.trainer_options())
    fresh = engine.build(s.base_spec(), seed=1)
    rows = []
    for seed in seeds:
        images, labels = demo_drawings(kinds, 5, seed=seed)
        symbols = SymbolSet(list(kinds), list(images), labels.tolist())
        t = time.perf_counter()
        model = train_head(symbols, base.net, seed=seed)
        trained = time.perf_counter() - t
        fresh_model = train_head(symbols, fresh, seed=seed)
        more, more_labels = demo_drawings(kinds, 30, seed=1000 + seed)
        url = drawing_url()
        t = time.perf_counter()
        for _ in range(20):                      # the page's path: the pad's PNG, MNIST-like, the head
            model.predict(digit_from_bytes(read_data_url(url)))
        predict_ms = (time.perf_counter() - t) / 20 * 1000
        rows.append((trained, predict_ms, model.accuracy(more, more_labels), fresh_model.accuracy(more, more_labels)))
        print(f"  seed {seed}: head trained in {trained:.2f} s ({model.steps} steps, 10 drawings), a drawing's "
              f"prediction (PNG to answer) {predict_ms:.1f} ms; on 90 new drawings: the page's base {rows[-1][2]:.0%}, a fresh base "
              f"{rows[-1][3]:.0%}", flush=True)
    a = np.asarray(rows)
    print(f"  median: training {np.median(a[:, 0]):.2f} s, prediction {np.median(a[:, 1]):.1f} ms; mean accuracy on "
          f"new drawings: the page's base {a[:, 2].mean():.0%}, a fresh base {a[:, 3].mean():.0%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nets", default="default,deep")
    ap.add_argument("--shots", default="1,5,10,50")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--steps", default="25,50,100,200,400")
    ap.add_argument("--second", default="digits59", choices=("digits59", "bars"))
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--symbols", action="store_true")
    args = ap.parse_args()
    steps = [int(v) for v in args.steps.split(",")]
    seeds = list(range(args.seeds))
    if args.symbols:
        symbols_bench(seeds[:5])
        return
    for name in args.nets.split(","):
        s = settings(name, args.second)
        for shots in [int(v) for v in args.shots.split(",")]:
            out, base, base_seconds, secs = engine_runs(s, shots, seeds, steps)
            print(f"\n{name} net {s.filters}, lr {s.lr:g}, base {base.steps} steps on digits 0-4 ({base_seconds:.1f} s; "
                  f"{base.test_acc:.1%} right); {args.second}, {shots} per class, {len(seeds)} seeds; training seconds "
                  f"for {steps[-1]} steps: " + ", ".join(f"{m} {v:.1f}" for m, v in secs.items()), flush=True)
            table("  engine: test accuracy % (mean ± sd over seeds) after each number of steps", out, steps)
            if args.torch:
                tout, tbase = torch_runs(s, shots, seeds, steps)
                table(f"  PyTorch (base {tbase:.1%} right):", tout, steps)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
