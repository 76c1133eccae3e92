"""Every number a lesson's check may read: one named function each, in one registry (``METRICS``).

A metric reads a ``Subject``: one run of the page (the page's own, or a partner in
compare mode), the snapshot the page shows for it, the page's settings and the
check's own parameters. It returns a number, or None when there is none yet. A
metric with a ``series`` also gives its value after every evaluation (per
epoch), so a check can ask for "rising over 50 epochs" or "below 0.1 for 20
epochs". Every metric costs well under a millisecond: it reads the snapshot's
numbers and history, the settings, a few kernels, or what the page has already
computed for its own view (an RNN's trace through time, the last text sample);
``bench/lesson_checks.py`` measures them.

Adding a metric: a function here, its ``Metric`` entry (label, format, pages it
applies to, its parameters and their check), a test in tests/ui/lessons, and a
line in the README's "Writing a lesson".
"""
import math
import re
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Subject:
    """What a metric reads: ``run`` (one run of the page), ``snap`` (its snapshot shown now),
    ``settings`` (the page's), ``params`` (the check's parameters for this metric)."""
    run: object
    snap: object
    settings: object
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    label: str                        # how the panel names it: "test loss"
    value: object                     # Subject -> float or None
    series: object = None             # Subject -> (epochs, values) arrays, or None
    fmt: str = "number"               # number, percent, int, fraction, times, yes, size
    pages: tuple = ()                 # the pages it applies to; () every page
    params: dict = field(default_factory=dict)   # name -> check(value, settings_class) -> value (raises ValueError)
    required: tuple = ()              # the params a check must give
    help: str = ""                    # one line for "Writing a lesson"

    def label_for(self, params, fields):
        """Its label for a check's ``params`` on a page whose settings fields are ``fields``."""
        return self.label(params, fields) if callable(self.label) else self.label


# -- the run's numbers and their history ----------------------------------------------------------
def _evals(s):
    return s.snap.history["evals"]


def _number(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _snap_value(name):
    return lambda s: _number(getattr(s.snap, name))


def _eval_series(name):
    def series(s):
        ev = _evals(s)
        return ev["epoch"], ev[name]
    return series


def _gap(s):
    return _number(s.snap.test_loss - s.snap.train_loss)


def _gap_series(s):
    ev = _evals(s)
    return ev["epoch"], ev["test_loss"] - ev["train_loss"]


JITTER_EPOCHS = 20


def _jitter(s):
    """How much the test loss jumps between consecutive epochs: the mean absolute change over
    the last JITTER_EPOCHS evaluations, as a share of the mean test loss then."""
    loss = _evals(s)["test_loss"][-(JITTER_EPOCHS + 1):]
    if len(loss) < JITTER_EPOCHS + 1 or not np.all(np.isfinite(loss)) or loss.mean() <= 0:
        return None
    return float(np.abs(np.diff(loss)).mean() / loss.mean())


def _rebound(s):
    """The most the test loss has climbed back above its best so far: max over evaluations of
    loss / (lowest loss before it). 1 for a loss that only ever fell."""
    loss = _evals(s)["test_loss"]
    loss = loss[np.isfinite(loss)]
    if len(loss) < 2:
        return None
    best = np.minimum.accumulate(loss)[:-1]
    return float(np.max(loss[1:] / np.maximum(best, 1e-12)))


def _grad_rows(s):
    ev = _evals(s)
    norms = s.snap.history["grad_norms"]
    rows = min(len(norms), len(ev["epoch"]))
    return ev["epoch"][:rows], np.asarray(norms[:rows], float)


def _grad_ratio_series(s):
    """The first layer's gradient size over the output layer's, after each evaluation (the
    page's gradient chart)."""
    epochs, norms = _grad_rows(s)
    if norms.ndim != 2 or norms.shape[1] < 2:
        return epochs[:0], np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return epochs, norms[:, 0] / norms[:, -1]


def _grad_ratio(s):
    _, ratios = _grad_ratio_series(s)
    return _number(ratios[-1]) if len(ratios) else None


# -- what each layer's activation receives (ui/activations.py) ----------------------------------------
def _spread_layer(s):
    """(index, name) of the layer a spread check reads: the k-th shown layer (``layer`` = k), or the
    output; None when there is none."""
    from .. import activations
    history = activations.history_of(s.run, activations.PROBE_SIZE)
    if history.layers is None:
        history.layers = activations.shown_layers(s.snap.layers)
    if not history.layers:
        return None
    k = s.params.get("layer", len(history.layers))
    return (history, history.layers[k - 1][0]) if k <= len(history.layers) else None


def _point_spread(s):
    """How much a layer's pre-activations differ from probe point to probe point: each neuron's
    standard deviation over the probe batch, averaged over the layer's neurons (0: every point
    looks the same to the layer). Reads the values the page computed for its activation
    statistics of the same snapshot (computed here when it has not)."""
    found = _spread_layer(s)
    if found is None:
        return None
    history, index = found
    z = np.asarray(history.values(s.snap)[index], np.float64)
    return _number(z.reshape(len(z), -1).std(axis=0).mean())


def _spread_label(params, _):
    return ("the output's" if "layer" not in params else f"layer {params['layer']}'s") + \
        " pre-activation spread over the points"


# -- settings ---------------------------------------------------------------------------------------
NUMERIC_KINDS = ("int", "float", "ladder", "bool")


def _setting(s):
    return float(getattr(s.settings, s.params["field"]))


def _check_field(value, settings_class):
    f = settings_class.FIELDS.get(value) if isinstance(value, str) else None
    if f is None or f.kind not in NUMERIC_KINDS:
        numeric = [n for n, fl in settings_class.FIELDS.items() if fl.kind in NUMERIC_KINDS]
        raise ValueError(f"{value!r} is not a numeric setting of this page (one of: {', '.join(numeric)})")
    return value


def _setting_label(params, fields):
    return (fields[params["field"]].label or params["field"]).lower()


def _dropout(s):
    """The smallest dropout of the hidden layers (0 when one has none): "dropout in every layer"."""
    hidden = s.settings.hidden
    return min((s.settings.layer_dropout(i) for i in range(len(hidden))), default=0.0)


# -- the CNN's first kernels: do they look like lines? -----------------------------------------------
ORIENTATIONS = ("horizontal", "vertical", "diagonal", "antidiagonal")    # the bars' classes, in order
ORIENTATION_NAMES = {"horizontal": "horizontal ─", "vertical": "vertical │", "diagonal": "diagonal ╲",
                     "antidiagonal": "diagonal ╱"}


def line_templates(k):
    """(4, k, k): a line through the centre of a k x k kernel in each orientation of ORIENTATIONS,
    each made zero-mean and of unit length."""
    yy, xx = np.mgrid[0:k, 0:k]
    c = k // 2
    t = np.array([yy == c, xx == c, yy == xx, yy + xx == k - 1], float)
    t -= t.mean(axis=(1, 2), keepdims=True)
    return t / np.linalg.norm(t, axis=(1, 2), keepdims=True)


def line_match(kernels):
    """(filters, 4): how much each kernel (filters, k, k) looks like a line through its centre in
    each orientation: the cosine between the zero-mean kernel and the zero-mean line, so 1 is a
    pure line detector (its response to a centred bar of that orientation, normalised) and
    random weights give about 0.2-0.5."""
    k = kernels.shape[-1]
    centred = kernels - kernels.mean(axis=(1, 2), keepdims=True)
    norms = np.linalg.norm(centred, axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.einsum("fij,oij->fo", centred, line_templates(k)) / norms[:, None]
    return np.nan_to_num(cos)


def _first_kernels(s):
    for index, kind, _, _ in s.snap.layers:
        if kind == "conv2d":
            w = s.snap.params[f"{index}.W"]
            return w.reshape(-1, *w.shape[-2:]) if w.shape[1] == 1 else w.mean(axis=1)
    return None


def _line_detector(s):
    """The best line match among the first conv layer's kernels (or filter ``filter``), in
    orientation ``orientation`` (or any)."""
    w = _first_kernels(s)
    if w is None or w.shape[-1] < 3:
        return None
    match = line_match(np.asarray(w, float))
    if "filter" in s.params:
        if s.params["filter"] > len(match):
            return None
        match = match[s.params["filter"] - 1:s.params["filter"]]
    if "orientation" in s.params:
        match = match[:, ORIENTATIONS.index(s.params["orientation"])]
    return float(match.max())


def _line_label(params, _):
    what = "a first-layer kernel" if "filter" not in params else f"filter {params['filter']}'s kernel"
    line = f"a {ORIENTATION_NAMES[params['orientation']]} line" if "orientation" in params else "a line"
    return f"how much {what} looks like {line}"


def _check_orientation(value, _):
    if value not in ORIENTATIONS:
        raise ValueError(f"{value!r} is not an orientation (one of: {', '.join(ORIENTATIONS)})")
    return value


def _check_positive(value, _):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{value!r} is not a whole number from 1")
    return value


# -- the CNN's shapes and what the learner opened ----------------------------------------------------
def _map_layers(s, kinds=("conv2d", "maxpool2d", "avgpool2d")):
    return [(kind, shape) for _, kind, _, shape in s.snap.layers if kind in kinds]


def _conv_map(s):
    convs = _map_layers(s, ("conv2d",))
    k = s.params["conv"]
    return float(convs[k - 1][1][1]) if k <= len(convs) else None


def _last_map(s):
    maps = _map_layers(s)
    return float(maps[-1][1][1]) if maps else None


def _pooling_layers(s):
    return float(sum(kind != "conv2d" for kind, _ in _map_layers(s)))


def _cell_open(kinds):
    def value(s):
        cell = getattr(s.run, "cell", None)
        if cell is None:
            return 0.0
        layers = s.snap.layers
        return float(0 <= cell[0] < len(layers) and layers[cell[0]][1] in kinds)
    return value


def _mistake_open(s):
    cell = getattr(s.run, "confusion_cell", None)
    return float(cell is not None and cell[0] != cell[1])


# -- the RNN: the gradient through time and the generated text ----------------------------------------
def _gradient_reach(s):
    """|d loss / d h| at the probe sequence's first step over that at its last step, in the first
    recurrent layer: how much of the error signal reaches back through time. Read from the trace
    the page draws for the same snapshot (computed once per snapshot)."""
    views = getattr(s.run, "views", None)
    if views is None:
        return None
    trace = views(s.snap).trace
    if not trace:
        return None
    g = np.asarray(trace[0]["grad_norm"], float)
    if len(g) < 2 or not g[-1] > 0:
        return None
    return _number(g[0] / g[-1])


WORD = re.compile(r"[A-Za-z']+")


def _sample(s):
    """(text, temperature) of the text sample the page last drew, or None."""
    last = getattr(s.run, "last_sample", None)
    if not last:
        return None
    (prompt, drawn), temperature = last
    return "".join(c for c, _ in drawn), temperature


def _real_words(s):
    """Share of the last sample's words that occur in the training text."""
    sample = _sample(s)
    if sample is None:
        return None
    words = WORD.findall(sample[0])
    if not words:
        return 0.0
    known = _words_of(s.run.data.chars.text)
    return sum(w in known for w in words) / len(words)


_WORDS = {}


def _words_of(text):
    """The set of words of a training text (one per text for the process: the texts are shipped)."""
    words = _WORDS.get(text)
    if words is None:
        words = frozenset(WORD.findall(text))
        if len(_WORDS) < 8:
            _WORDS[text] = words
    return words


def _sample_temperature(s):
    sample = _sample(s)
    return None if sample is None else float(sample[1])


# -- the autoencoder: codes found without labels, a VAE's KL term -----------------------------------
def _grouped(s):
    """The page's "Grouped by digit": the share of test codes whose 5 nearest codes mostly carry their
    own label (the page computes it for its metrics from the same snapshot)."""
    grouped = getattr(s.run, "grouped", None)
    return None if grouped is None else _number(grouped(s.snap))


def _kl(s):
    """A VAE's KL divergence to N(0, 1) per image, the mean over the last epoch's training steps."""
    kl = s.snap.history.get("kl")
    if kl is None or not len(kl):
        return None
    return _number(np.mean(kl[-max(1, s.run.trainer.steps_per_epoch):]))


def _code_offset(s):
    """How far the mean of the test images' codes lies from the code 0 (in code units)."""
    views = getattr(s.run, "views", None)
    if views is None:
        return None
    return _number(np.linalg.norm(np.asarray(views(s.snap)["codes"], float).mean(axis=0)))


def _transfer_gap(s):
    """The page's Transfer comparison: the reused layers' lead over the network from scratch (the run
    computes it from both runs' snapshots, as its words do)."""
    gap = getattr(s.run, "transfer_gap", None)
    return None if gap is None else gap()


METRICS = {
    "epoch": Metric("epoch", lambda s: float(s.snap.epoch), lambda s: (_evals(s)["epoch"],) * 2, "int",
                    help="passes over the training data so far"),
    "step": Metric("step", lambda s: float(s.snap.step), fmt="int", help="weight updates so far"),
    "train_loss": Metric("training loss", _snap_value("train_loss"), _eval_series("train_loss"),
                         help="the loss on the training data (the page's Train loss)"),
    "test_loss": Metric("test loss", _snap_value("test_loss"), _eval_series("test_loss"),
                        help="the loss on the test data (the page's Test loss)"),
    "train_acc": Metric("training accuracy", _snap_value("train_acc"), _eval_series("train_acc"), "percent",
                        help="share of the training data classified right (0 to 1)"),
    "test_acc": Metric("test accuracy", _snap_value("test_acc"), _eval_series("test_acc"), "percent",
                       help="share of the test data classified right (0 to 1)"),
    "loss_gap": Metric("test loss minus training loss", _gap, _gap_series,
                       help="how much worse the network does on data it never trained on"),
    "test_loss_jitter": Metric("epoch-to-epoch jumps of the test loss", _jitter, fmt="percent",
                               help=f"mean change of the test loss between epochs over the last {JITTER_EPOCHS}, "
                                    "as a share of the loss"),
    "test_loss_rebound": Metric("the test loss's jump back above its best", _rebound, fmt="times",
                                help="the largest factor by which the test loss rose above its lowest value "
                                     "before (1: it only fell)"),
    "diverged": Metric("training diverged", lambda s: float(s.snap.diverged), fmt="yes",
                       help="1 when training stopped on NaN or infinity"),
    "grad_ratio": Metric("first layer's gradient / output layer's", _grad_ratio, _grad_ratio_series, "fraction",
                         help="the gradient chart's first layer over its output layer (vanishing gradients: tiny)"),
    "setting": Metric(_setting_label, _setting, params={"field": _check_field}, required=("field",),
                      help="a numeric setting of the page, named by `field` (\"lr\", \"batch\", ...)"),
    "hidden_neurons": Metric("hidden neurons", lambda s: float(sum(s.settings.hidden)), fmt="int", pages=("mlp",),
                             help="neurons in all hidden layers together"),
    "hidden_layers": Metric("hidden layers", lambda s: float(len(s.settings.hidden)), fmt="int", pages=("mlp",),
                            help="number of hidden layers"),
    "dropout": Metric("dropout of the least-dropped hidden layer", _dropout, pages=("mlp",),
                      help="the smallest dropout rate among the hidden layers (so > 0: dropout in every layer)"),
    "point_spread": Metric(_spread_label, _point_spread, pages=("mlp",), params={"layer": _check_positive},
                           help="how much what a layer's activation receives differs from point to point: each "
                                "neuron's standard deviation over the probe batch, averaged over the layer "
                                "(0: every point looks the same to it); the output layer, or the k-th layer "
                                "of the activation statistics (`layer` = k)"),
    "line_detector": Metric(_line_label, _line_detector, pages=("cnn",),
                            params={"orientation": _check_orientation, "filter": _check_positive},
                            help="cosine between a first-layer kernel and a line through its centre (1: a pure line "
                                 "detector); the best kernel, or `filter` = k; any orientation, or `orientation`"),
    "map_size": Metric(lambda p, _: f"conv layer {p['conv']}'s map size", _conv_map, fmt="size", pages=("cnn",),
                       params={"conv": _check_positive}, required=("conv",), help="side of the k-th conv layer's feature maps (`conv` = k)"),
    "last_map_size": Metric("the last feature map's size", _last_map, fmt="size", pages=("cnn",),
                            help="side of the last conv or pooling layer's maps"),
    "pooling_layers": Metric("pooling layers", _pooling_layers, fmt="int", pages=("cnn",),
                             help="number of pooling layers"),
    "conv_cell_open": Metric("a conv cell's arithmetic open", _cell_open(("conv2d",)), fmt="yes", pages=("cnn",),
                             help="1 while the learner has a conv layer's cell open (paused, clicked)"),
    "pool_cell_open": Metric("a pooling cell's arithmetic open", _cell_open(("maxpool2d", "avgpool2d")), fmt="yes",
                             pages=("cnn",), help="1 while a pooling layer's cell is open"),
    "transfer_gap": Metric("reused layers' test accuracy minus from scratch's", _transfer_gap, fmt="percent",
                           pages=("cnn",),
                           help="in the Transfer comparison, how far the network with the reused conv layers is "
                                "ahead of the same network from scratch in test accuracy (negative: behind), the "
                                "mean of the last 3 evaluations as the page's words say it"),
    "mistake_open": Metric("a mistake of the confusion matrix open", _mistake_open, fmt="yes", pages=("cnn",),
                           help="1 while an off-diagonal cell of the confusion matrix is open"),
    "gradient_reach": Metric("gradient reaching the first step / at the last", _gradient_reach, fmt="fraction",
                             pages=("rnn",), help="the size of d loss / d h at the probe sequence's first step over that at its last step"),
    "sample_real_words": Metric("real words in the generated text", _real_words, fmt="percent", pages=("rnn",),
                                help="share of the last text sample's words that occur in the training text"),
    "sample_temperature": Metric("temperature of the generated text", _sample_temperature, pages=("rnn",),
                                 help="the temperature the last text sample was drawn at"),
    "grouped": Metric("test codes grouped by their label", _grouped, fmt="percent", pages=("autoencoder",),
                      help="the page's Grouped by digit: share of test codes whose 5 nearest codes mostly carry their "
                           "own label (training never sees a label)"),
    "kl": Metric("KL divergence to N(0, 1) per image", _kl, pages=("autoencoder",),
                 help="a VAE's KL term before β, the mean over the last epoch's steps (none without Variational)"),
    "code_offset": Metric("distance of the mean code from 0", _code_offset, pages=("autoencoder",),
                          help="how far the test images' mean code lies from the code 0 (a VAE keeps it near 0)"),
}
