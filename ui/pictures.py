"""What a run can save as pictures and animations (no Streamlit): its views, read from the network.

Every page gets the curves; a network with conv layers its overview of the probe image, its
kernels and (classifying) its confusion matrix; a recurrent one its hidden state over the probe
sequence. A page adds its own views through ``Run.picture_views`` (a ``viz.pictures.View`` each).
``animation`` draws a view at every kept epoch of the run's rewind history (``run.history``),
with the epoch and the losses written in.
"""
import numpy as np

from viz import pictures as P
from viz.animation import FRAME_WIDTH, frames_of, pick

from .run import snapshot_at

GATES = {4: ("input gate i", "forget gate f", "candidate g", "output gate o"),      # PyTorch's orders
         3: ("reset gate r", "update gate z", "candidate n")}


def default_views(run):
    """{name: View} every page of this kind of network offers."""
    kinds = {layer.cfg["type"] for layer in run.trainer.net.layers}
    views = {}
    if "conv2d" in kinds:
        views["overview"] = P.View("overview", "Overview", lambda snap, width: overview(run, snap, width))
        views["kernels"] = P.View("kernels", "Kernels", kernels, animates=True)
    if {layer.cfg["type"] for layer in run.trainer.net.layers if layer.family == "recurrent"}:
        views["inside"] = P.View("inside", "Hidden state", lambda snap, width: inside(run, snap, width), animates=True)
    if run.snap.classification and run.trainer.xt is not None and len(run.trainer.xt):
        views["confusion"] = P.View("confusion", "Confusion matrix",
                                    lambda snap, width: confusion(run, snap, width))
    views["curves"] = P.View("curves", "Curves", lambda snap, width: P.curves(snap.history["evals"],
                                                                            snap.classification, width))
    return views


def kernels(snap, width=P.SLIDE_WIDTH):
    conv = [(f"conv {k + 1}", W) for k, W in enumerate(snap.kernels.values())]
    return P.kernels(conv, width)


def overview(run, snap, width=P.SLIDE_WIDTH):
    x, _ = run.probe_sample()
    outs = [o[0] for o in snap.layer_outputs(np.asarray(x, np.float32)[None])]
    columns = []
    for (i, kind, act, shape), out in zip(snap.layers[:-1], outs[:-1]):
        if kind in ("conv2d", "maxpool2d", "avgpool2d", "dense"):
            maps = out.reshape(shape) if len(shape) == 3 else out.reshape(-1, 1, 1)
            columns.append((kind.replace("2d", "") + (f" {act}" if act != "linear" else ""), maps))
    logits = np.asarray(outs[-1], np.float64).ravel()
    probs = np.exp(logits - logits.max())
    return P.overview(x, columns[:6], probs / probs.sum(), run_class_names(run), width)


def run_class_names(run):
    names = getattr(run, "class_names", None)
    if names:
        return list(names)
    return [str(k) for k in range(run.trainer.net.output_shape[-1])]


def confusion(run, snap, width=P.SLIDE_WIDTH):
    matrix = snap.confusion
    names = run_class_names(run) if len(matrix) == run.trainer.net.output_shape[-1] else ["-1", "+1"]
    return P.confusion(matrix, names, width)


def inside(run, snap, width=P.SLIDE_WIDTH):
    x, y = run.probe_sample()
    trace = run.trainer.net.recurrent_trace(x, y, flat=snap._flat, state=snap._state)
    rows, grad = [], None
    for k, (index, t) in enumerate(sorted(trace.items())):
        name = f"layer {k + 1}: " if len(trace) > 1 else ""
        rows.append((f"{name}hidden h", t["hidden"].T))
        gates = t.get("gates")
        if gates is not None:
            for g, label in enumerate(GATES.get(gates.shape[1], ())):
                rows.append((f"{name}{label}", gates[:, g].T))
        if "cell" in t:
            rows.append((f"{name}cell state c", np.tanh(t["cell"].T)))
        grad = t["grad_norm"] if k == 0 else grad
    return P.recurrent(rows, grad, width=width)


def views(run):
    """The run's views: the page's own first, then the defaults (``Run.picture_views``)."""
    return run.picture_views()


def picture(run, name, width=P.SLIDE_WIDTH):
    """PNG bytes of view ``name`` of the snapshot shown."""
    return P.png(views(run)[name].render(run.shown, width))


def animation(run, name, width=FRAME_WIDTH, most=100, progress=None):
    """Frames (PIL images) of view ``name`` at up to ``most`` kept epochs of the run, each with its
    epoch and losses written in; ``progress(done, total)`` after each frame."""
    view = views(run)[name]
    with run.lock:
        latest, net = run.snap, run.trainer.net
        moments = list(run.history.moments)
    chosen = [moments[k] for k in pick(len(moments), most)]

    def frame(moment):
        snap = snapshot_at(latest, moment, net) if moment.epoch != latest.epoch else latest
        text = f"epoch {moment.epoch:,}   train loss {snap.train_loss:.4f}"
        if np.isfinite(snap.test_loss):
            text += f"   test loss {snap.test_loss:.4f}"
        if snap.classification and np.isfinite(snap.test_acc):
            text += f"   test accuracy {snap.test_acc:.1%}"
        return P.caption(view.render(snap, width), text)
    return frames_of(frame, chosen, progress)
