"""The exported PyTorch and Keras scripts and notebooks: they make the page's data, load the page's
weights and then compute the engine's outputs on the test set (within 1e-4), and they train.

PyTorch, Keras (on its PyTorch backend), nbclient and a Python kernel are optional, as PyTorch is:
where one is missing its tests skip, and every script is still compiled. The heavier runs (Keras'
training, every notebook) run with NNP_EXPORT_FULL=1.
"""
import os
import runpy
import sys

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")          # before anything imports keras

import engine  # noqa: E402
from engine.data import IMAGE_DATASETS, SEQUENCE_TASKS, featurize, make_2d, split  # noqa: E402
from engine.data.images import ASSETS  # noqa: E402
from export import data as data_code  # noqa: E402
from export import keras as keras_export  # noqa: E402
from export import layers as export_layers  # noqa: E402
from export import notebook, pytorch  # noqa: E402
from export.bundle import bundle  # noqa: E402
from export.recipe import Recipe  # noqa: E402
from tests.export.cases import CASES, make_case  # noqa: E402

FULL = os.environ.get("NNP_EXPORT_FULL") == "1"
EXPORTERS = {"pytorch": pytorch, "keras": keras_export}
_cases = {}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Small scripts on a shared 2-core machine: PyTorch's own threads only contend (3x slower)."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def case(name):
    if name not in _cases:
        _cases[name] = make_case(name)
    return _cases[name]


# -- the table and the data, no framework needed ------------------------------------------------------
def test_every_engine_layer_kind_has_an_export_entry():
    assert export_layers.missing_kinds() == [], "add the kind to export/layers.py: KINDS"


def test_a_kind_without_an_entry_is_refused_with_its_name(monkeypatch):
    monkeypatch.delitem(export_layers.KINDS, "gru")
    with pytest.raises(ValueError, match="layers\\[1\\].*'gru'"):
        export_layers.layer_plan({"input_shape": [5, 2], "loss": "mse", "layers": [
            {"type": "dense", "units": 3}, {"type": "gru", "units": 2}, {"type": "dense", "units": 1}]})


def run_data(recipe, home):
    src = "import numpy as np\n" + "\n".join(data_code.imports(recipe)) + "\n" + data_code.code(recipe)
    scope = {"__file__": str(home / "script.py")}
    exec(compile(src, "data", "exec"), scope)
    return [scope[k] for k in ("x_train", "y_train", "x_test", "y_test")]


TARGETS = {"binary": lambda labels: (labels > 0).astype(float), "float": lambda labels: labels,
           "class": lambda labels: labels.astype(int)}


@pytest.mark.parametrize("name", sorted(engine.DATASETS_2D))
def test_the_2d_data_code_makes_the_pages_points(name):
    targets = "class" if name == "spiral3" else "binary" if name == "moons" else "float"
    recipe = {"source": "toy2d", "name": name, "n": 300, "noise": 0.2, "seed": 7, "train_fraction": 0.6,
              "features": ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"], "targets": targets}
    got = run_data(recipe, ASSETS)
    xy, lab, txy, tlab = split(*make_2d(name, 300, 0.2, seed=7), 0.6, seed=7)
    want = [featurize(xy, recipe["features"]), TARGETS[targets](lab), featurize(txy, recipe["features"]),
            TARGETS[targets](tlab)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.reshape(len(w), -1), np.asarray(w, np.float32).reshape(len(w), -1), atol=1e-6)
    assert got[0].dtype == np.float32 and got[1].dtype == (np.int64 if targets == "class" else np.float32)


SOURCES = [("image", "mnist", {"n_test": 600}, ASSETS), ("image", "bars", {"n": 120, "n_test": 60, "size": 9}, ASSETS),
           ("sequence", "waves", {"n": 100, "n_test": 50, "kind": "square", "length": 30}, ASSETS),
           ("sequence", "delayed_recall", {"n": 100, "n_test": 50, "delay": 9, "symbols": 3}, ASSETS),
           ("sequence", "text", {"n": 100, "n_test": 50, "length": 10, "text": "zen"}, ASSETS),
           ("sequence", "text", {"n": 100, "n_test": 50, "length": 16, "text": "kjv", "every_step": True},
            ASSETS / "text"),
           ("sequence", "parity", {"n": 100, "n_test": 50, "length": 7}, ASSETS),
           ("sequence", "adding", {"n": 100, "n_test": 50, "length": 12}, ASSETS)]


@pytest.mark.parametrize("source, name, settings, home", SOURCES, ids=lambda v: v if isinstance(v, str) else None)
def test_the_data_code_makes_the_engines_arrays(source, name, settings, home):
    recipe = {"source": source, "name": name, "settings": settings, "seed": 3}
    got = run_data(recipe, home)
    want = (IMAGE_DATASETS if source == "image" else SEQUENCE_TASKS)[name].load(seed=3, **settings)
    for g, w in zip(got, want):
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g, np.asarray(w, g.dtype), atol=1e-7)
    assert got[0].dtype == np.float32


def test_a_bad_data_recipe_says_what_is_wrong():
    with pytest.raises(ValueError, match="source"):
        data_code.check({"source": "web"})
    with pytest.raises(ValueError, match="features"):
        data_code.check({"source": "toy2d", "name": "xor", "features": ["x9"], "targets": "float"})


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_script_and_notebook_compiles_and_validates(name):
    recipe = case(name).recipe
    for framework, exporter in EXPORTERS.items():
        compile(exporter.script(recipe), exporter.file_name(recipe), "exec")
        nb = notebook.notebook(recipe, framework)               # nbformat.validate inside
        for cell in nb.cells:
            if cell.cell_type == "code":
                compile(cell.source, "cell", "exec")
        assert [c.cell_type for c in nb.cells[:3]] == ["markdown", "markdown", "code"]


def test_the_bundle_holds_the_scripts_the_weights_and_the_data_files(tmp_path):
    import zipfile
    import io
    recipe = Recipe(page="cnn", title="CNN", spec={"input_shape": [1, 28, 28], "loss": "softmax_crossentropy",
                                                   "layers": [{"type": "flatten"}, {"type": "dense", "units": 10}]},
                    data={"source": "image", "name": "mnist", "settings": {"n_test": 2000}, "seed": 0},
                    accuracy="argmax")
    names = zipfile.ZipFile(io.BytesIO(bundle(recipe, b"npz"))).namelist()
    assert {n.split("/", 1)[1] for n in names} == {
        "README.txt", "cnn_pytorch.py", "cnn_keras.py", "cnn_pytorch.ipynb", "cnn_keras.ipynb", "weights.npz",
        "mnist/t10k-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz"}


# -- running the scripts --------------------------------------------------------------------------------
def run_script(framework, name, tmp_path, monkeypatch, epochs=0, fresh=False):
    c = case(name)
    exporter = EXPORTERS[framework]
    path = tmp_path / exporter.file_name(c.recipe)
    path.write_text(exporter.script(c.recipe))
    weights = tmp_path / "weights.npz"
    weights.write_bytes(c.weights())
    monkeypatch.setattr(sys, "argv", [str(path), "--epochs", str(epochs), "--weights", "" if fresh else str(weights)])
    return c, runpy.run_path(str(path), run_name="__main__")


def check_outputs(c, scope, out):
    x = scope["x_test"]
    if x.ndim == 4 and x.shape[1:] != c.x_test.shape[1:]:
        x = x.transpose(0, 3, 1, 2)                             # Keras' channels last
    np.testing.assert_array_equal(x, c.x_test)                  # the script made the page's test data
    want = c.outputs()
    out = np.asarray(out, np.float32).reshape(want.shape)
    assert np.abs(out - want).max() <= 1e-4


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_pytorch_script_computes_the_engines_outputs(name, tmp_path, monkeypatch, capsys):
    torch = pytest.importorskip("torch")
    c, scope = run_script("pytorch", name, tmp_path, monkeypatch)
    assert "Starting from the page's weights" in capsys.readouterr().out
    model = scope["model"].eval()
    with torch.no_grad():
        check_outputs(c, scope, model(torch.from_numpy(scope["x_test"])).numpy())


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_pytorch_script_trains(name, tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    _, scope = run_script("pytorch", name, tmp_path, monkeypatch, epochs=3, fresh=True)
    losses = scope["history"]["train_loss"]
    assert len(losses) == 4 and losses[-1] < losses[0], losses


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_keras_script_computes_the_engines_outputs(name, tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras was imported with another backend")
    c, scope = run_script("keras", name, tmp_path, monkeypatch)
    check_outputs(c, scope, scope["model"].predict(scope["x_test"], verbose=0))


@pytest.mark.skipif(not FULL, reason="Keras' training: NNP_EXPORT_FULL=1")
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_keras_script_trains(name, tmp_path, monkeypatch, capsys):
    pytest.importorskip("keras")
    _, scope = run_script("keras", name, tmp_path, monkeypatch, epochs=3, fresh=True)
    losses = scope["history"].history["loss"]
    assert len(losses) == 3 and losses[-1] < losses[0], losses


def run_notebook(framework, name, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("torch")
    if framework == "keras":
        pytest.importorskip("keras")
    c = case(name)
    (tmp_path / "weights.npz").write_bytes(c.weights())
    nb = notebook.notebook(c.recipe, framework)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "Starting from the page's weights" in text and "test loss" in text
    return nb


def test_the_pytorch_notebook_runs_in_order(tmp_path):
    nb = run_notebook("pytorch", "mlp", tmp_path)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.skipif(not FULL, reason="every notebook: NNP_EXPORT_FULL=1")
@pytest.mark.parametrize("framework", sorted(EXPORTERS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_notebook_runs(framework, name, tmp_path):
    run_notebook(framework, name, tmp_path)


def test_export_imports_no_ui_library():
    import subprocess
    code = ("import sys, export.pytorch, export.keras, export.notebook, export.bundle; "
            "print(sorted(m for m in ('streamlit', 'plotly', 'altair', 'torch', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_vae_scripts_minimise_the_engines_loss(tmp_path, monkeypatch, capsys):
    """Reconstruction plus beta x the KL term, scaled as the engine scales it (at the means: eval mode)."""
    torch = pytest.importorskip("torch")
    c, scope = run_script("pytorch", "vae", tmp_path, monkeypatch)
    want = c.net.loss_and_grads(c.x_test, scope["y_test"])[0]
    model = scope["model"].eval()
    with torch.no_grad():
        got = scope["training_loss"](model(torch.from_numpy(scope["x_test"])), torch.from_numpy(scope["y_test"]))
    assert float(got) == pytest.approx(want, rel=1e-5) and float(model.kl) > 0
    keras = pytest.importorskip("keras")
    if keras.backend.backend() == "torch":
        _, scope = run_script("keras", "vae", tmp_path, monkeypatch)
        got = scope["model"].evaluate(scope["x_test"], scope["y_test"], verbose=0, return_dict=True)["loss"]
        assert got == pytest.approx(want, rel=1e-5)
