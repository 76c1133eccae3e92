"""A trained model as one ``.npz`` that carries its setup, and the way back in.

The file (``write``) holds plain arrays only, no pickle: every parameter by its engine name
(``"0.W"``: what the exported scripts load), the engine state as ``"state:<name>"``, the
evaluation history as ``"history:<column>"``, the spec as JSON (``"spec"``, as before) and the setup
as JSON (``"setup"``): the format, the page, which of the page's runs, the settings, the spec, the
step and epoch.

``read`` trusts nothing: a size limit before anything is decoded, the zip's own sizes before any
array is read, ``allow_pickle=False``, the page, the settings inside their fields' bounds
(``ui.url.bounded``: a file outside them is refused, not clamped), the spec the settings make, and
every array's name, shape, dtype and values against a network built from that spec. Any failure
is one ``ValueError`` with a sentence a page shows; ``restore`` builds a new run from a checked file
and only then replaces the page's run, so a bad file leaves the current run as it was.
"""
import io
import json
import math
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from .history import ParamHistory
from .url import bounded

FORMAT = "nn-playground-model/1"
MAX_BYTES = 8 * 2**20                # a file, as uploaded
MAX_UNPACKED = 64 * 2**20            # its arrays, unpacked
MAX_SETUP = 64 * 2**10               # its setup's JSON
MAX_ROWS = 200_000                   # history rows
EVAL_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc")
MODELS = Path(__file__).resolve().parents[1] / "assets" / "models"      # a teacher's shipped models


@dataclass
class ModelFile:
    page: str
    run: int                         # which of the page's runs (0: the page's own; 1: a compared cell)
    settings: object                 # the page's Settings
    spec: dict
    step: int
    epoch: int
    params: dict
    state: dict
    history: dict                    # EVAL_COLUMNS -> (rows,), "grad_norms" -> (rows, layers)


# -- writing --------------------------------------------------------------------------------------------
def write(run, page):
    """The ``.npz`` bytes of ``run``'s shown snapshot with its setup (``page``: the page's name)."""
    snap, net = run.shown, run.trainer.net
    lead = run.lead or run
    setup = {"format": FORMAT, "page": page, "run": lead.runs.index(run) if run in lead.runs else 0,
             "title": run.title, "settings": _jsonable(run.settings.as_dict()), "spec": net.spec,
             "step": int(snap.step), "epoch": int(snap.epoch)}
    evals = snap.history["evals"]
    arrays = {name: np.asarray(v, net.dtype) for name, v in snap.params.items()}
    arrays.update({f"state:{name}": np.asarray(v, net.dtype) for name, v in snap.state.items()})
    arrays.update({f"history:{k}": np.asarray(evals[k], np.float64) for k in EVAL_COLUMNS})
    arrays["history:grad_norms"] = np.asarray(snap.history["grad_norms"], np.float64)
    buf = io.BytesIO()
    np.savez(buf, spec=np.array(json.dumps(net.spec)), setup=np.array(json.dumps(setup)), **arrays)
    return buf.getvalue()


def _jsonable(values):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


# -- reading --------------------------------------------------------------------------------------------
def read(data, page, settings_class, page_title=None):
    """A checked ``ModelFile`` from an uploaded file's bytes, or a ValueError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is {len(data) / 2**20:.1f} MB; a model file is at most {MAX_BYTES // 2**20} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValueError("This is not a model file (.npz) from this playground: it cannot be read.") from None
    if unpacked > MAX_UNPACKED:
        raise ValueError(f"The file unpacks to {unpacked / 2**20:.0f} MB; a model is at most "
                         f"{MAX_UNPACKED // 2**20} MB.")
    try:
        npz = np.load(io.BytesIO(data), allow_pickle=False)
        arrays = {name: npz[name] for name in npz.files}
    except Exception:               # numpy raises many kinds on a damaged file
        raise ValueError("The model file is damaged: its arrays cannot be read.") from None
    setup = _setup(arrays)
    if setup.get("page") != page:
        other = setup.get("page")
        raise ValueError(f"This model was saved on the {other!s:.20} page; open it there."
                         if isinstance(other, str) else "The model file does not say which page it is from.")
    settings = _settings(setup.get("settings"), settings_class)
    spec = setup.get("spec")
    run = _count(setup.get("run", 0), "run", 1)
    step, epoch = _count(setup.get("step"), "step"), _count(setup.get("epoch"), "epoch")
    import engine
    try:
        net = engine.build(spec)
    except (ValueError, TypeError, KeyError):
        raise ValueError("The model file's network (spec) is not one the playground can build.") from None
    if run == 0 and net.spec != engine.validate(settings.spec()):
        raise ValueError("The model file's network does not match its own settings.")
    expected = {**{k: v.shape for k, v in net.params.items()},
                **{f"state:{k}": v.shape for k, v in net.state.items()}}
    present = set(arrays) - {"spec", "setup"}
    history_names = {f"history:{k}" for k in EVAL_COLUMNS} | {"history:grad_norms"}
    missing, unknown = sorted(set(expected) - present), sorted(present - set(expected) - history_names)
    if missing or unknown:
        raise ValueError("The model file's arrays do not fit its network: "
                         + (f"missing {', '.join(missing[:5])}" if missing else f"unknown {', '.join(unknown[:5])}")
                         + ".")
    for name, shape in expected.items():
        a = arrays[name]
        if a.dtype != np.float32:
            raise ValueError(f"'{name}' holds {a.dtype} values; a model's weights are float32.")
        if a.shape != shape:
            raise ValueError(f"'{name}' has shape {a.shape}; its network needs {shape}.")
        if not np.isfinite(a).all():
            raise ValueError(f"'{name}' holds NaN or infinite values.")
    history = _history(arrays, len(net.param_layers), epoch)
    return ModelFile(page, run, settings, net.spec, step, epoch,
                     {k: arrays[k] for k in net.params}, {k: arrays[f"state:{k}"] for k in net.state}, history)


def _setup(arrays):
    raw = arrays.get("setup")
    if raw is None:
        raise ValueError("This weights file has no setup inside (it is from an older version of the playground): "
                         "download the model again to restore it.")
    if raw.dtype.kind != "U" or raw.ndim != 0 or raw.dtype.itemsize > 4 * MAX_SETUP:
        raise ValueError("The model file's setup is damaged.")
    try:
        setup = json.loads(str(raw))
    except (ValueError, RecursionError):          # RecursionError: nested deeper than Python's limit
        raise ValueError("The model file's setup is damaged.") from None
    if not isinstance(setup, dict) or setup.get("format") != FORMAT:
        raise ValueError("The model file is not in this playground's format.")
    return setup


def _count(value, name, hi=10**12):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= hi:
        raise ValueError(f"The model file's {name} is not a whole number from 0 to {hi:,}.")
    return value


def _settings(values, settings_class):
    if not isinstance(values, dict):
        raise ValueError("The model file has no settings.")
    names = {f.name for f in fields(settings_class)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"The model file has settings this page does not know: {', '.join(map(str, unknown[:5]))}.")
    try:
        settings = settings_class(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
        checked, notices = bounded(settings)
    except (TypeError, ValueError):
        raise ValueError("The model file's settings cannot be read.") from None
    if notices or checked != settings:
        raise ValueError("The model file's settings are outside the page's bounds: " + " ".join(notices[:3]))
    if settings.normalise() != settings:
        raise ValueError("The model file's settings do not fit together.")
    return settings


def _history(arrays, layers, epoch):
    columns = {}
    for k in EVAL_COLUMNS:
        a = arrays.get(f"history:{k}")
        if a is None:
            return None
        if a.ndim != 1 or a.dtype.kind != "f" or len(a) > MAX_ROWS:
            raise ValueError(f"The model file's history ('{k}') is damaged.")
        columns[k] = a.astype(np.float64)
    norms = arrays.get("history:grad_norms")
    rows = len(columns["step"])
    if (norms is None or norms.dtype.kind != "f" or norms.shape != (rows, layers)
            or any(len(v) != rows for v in columns.values())):
        raise ValueError("The model file's history does not fit together.")
    steps, epochs = columns["step"], columns["epoch"]
    if rows and (not np.isfinite(steps).all() or not np.isfinite(epochs).all() or (np.diff(epochs) < 0).any()
                 or epochs[-1] > epoch or (np.diff(steps) < 0).any()):
        raise ValueError("The model file's history is out of order.")
    columns["grad_norms"] = norms.astype(np.float64)
    return columns


# -- restoring ------------------------------------------------------------------------------------------
def restore(run_class, model):
    """A new run of ``run_class`` in the file's state: its settings, the file's weights, state, step,
    epoch and history in the file's run; the numbers measured again when the file's last evaluation
    was at its step (so they are the saved ones only if the weights are). Raises ValueError."""
    fresh = run_class(model.settings, build=False)
    fresh.prepare()                       # what it needs first (a comparison's base: a file carries only its run)
    fresh.ensure_built()
    runs = fresh.runs
    if model.run >= len(runs):
        raise ValueError("The model file names a compared run these settings do not have.")
    target = runs[model.run]
    net = target.trainer.net
    if net.spec != model.spec:
        raise ValueError("The model file's network does not match its own settings.")
    tr = target.trainer
    with fresh.lock:
        net.set_params(model.params)
        net.set_state(model.state)
        flat, state = net.flat.copy(), net.state_flat.copy()
        if model.history is not None and len(model.history["step"]):
            for k in EVAL_COLUMNS:
                tr.evals[k].n = 0
                tr.evals[k].extend(model.history[k])
            tr.eval_grad_norms.n = 0
            tr.eval_grad_norms.extend(model.history["grad_norms"])
        tr.rewind(flat, model.step, model.epoch, state)
        if tr.evals["step"].n and tr.evals["step"].values[-1] == model.step:
            tr.refresh()                  # the saved numbers, measured again from the restored weights
        target.history = ParamHistory()
        target.rewound = None
        target.publish(tr.snapshot())
        fresh.version += 1
    return fresh


def shipped_models():
    """{name: path} of the models shipped in assets/models/ (a lesson's or a link's ``?model=``)."""
    if not MODELS.is_dir():
        return {}
    return {p.stem: p for p in sorted(MODELS.glob("*.npz")) if p.stem.replace("-", "").replace("_", "").isalnum()}


def shipped(name):
    """The bytes of the shipped model ``name`` (a name from ``shipped_models``, never a path), or a
    ValueError."""
    models = shipped_models()
    if not isinstance(name, str) or name not in models:
        raise ValueError(f"There is no shipped model '{str(name)[:40]}'"
                         + (f"; there are: {', '.join(models)}." if models else "."))
    return models[name].read_bytes()


def total_values(model):
    return sum(math.prod(a.shape) for a in model.params.values())
