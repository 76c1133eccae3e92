"""The "Take it with you" section every page gets from the runner, a shipped model opened by its
link, and each page's pictures for slides (AppTest; the browser side is in tests/e2e)."""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from engine import warm_up
from ui import model_file, pictures
from ui.mlp.settings import MlpSettings

APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up(families=("dense",))


def open_app(path, query=None):
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_section(at, page):
    """Open the "Take it with you" box (a box made only while open)."""
    assert not any("def load_weights" in c.value for c in at.code)      # closed: no code made or sent
    at.session_state[f"{page}_take_away_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_section_shows_the_pages_code_with_a_copy_button():
    at = open_section(open_app("app_pages/mlp.py"), "mlp")
    codes = [c.value for c in at.code]
    assert any("class Net(nn.Module)" in c and "_circle(np.random.default_rng(0), 500, 0.0)" in c for c in codes)
    compile(next(c for c in codes if "class Net" in c), "mlp_pytorch.py", "exec")
    at.session_state["mlp_take_part"] = "Keras 3"                # the section's part picker
    at.run()
    assert any("keras.Sequential" in c.value for c in at.code)
    assert not any("class Net(nn.Module)" in c.value for c in at.code)      # one part drawn at a time


def test_a_link_opens_a_shipped_model_as_it_was_saved():
    at = open_app("app_pages/mlp.py", {"model": "mlp-spiral"})
    run = at.session_state["mlp_run"]
    saved = model_file.read(model_file.shipped("mlp-spiral"), "mlp", MlpSettings)
    assert run.settings == saved.settings and run.snap.epoch == saved.epoch
    np.testing.assert_array_equal(run.snap.params["0.W"], saved.params["0.W"])
    assert run.snap.test_acc == saved.history["test_acc"][-1]
    assert any("Opened the model" in s.value and f"epoch {saved.epoch}" in s.value for s in at.success)
    assert at.query_params["model"] in ("mlp-spiral", ["mlp-spiral"]) and at.query_params["data"] in ("spiral", ["spiral"])


def test_a_link_naming_no_shipped_model_leaves_the_run_alone():
    at = open_app("app_pages/mlp.py", {"model": "../../etc/passwd"})
    assert any("no shipped model" in w.value for w in at.warning)
    assert at.session_state["mlp_run"].settings == MlpSettings()


def test_a_model_from_another_page_is_refused_by_its_link():
    at = open_app("app_pages/cnn.py", {"model": "mlp-spiral"})
    assert any("saved on the mlp page" in e.value for e in at.error)


@pytest.mark.parametrize("path", ["app_pages/cnn.py", "app_pages/rnn.py", "app_pages/autoencoder.py"])
def test_every_page_gets_the_section(path):
    warm_up(families=("dense", "conv", "recurrent"))
    at = open_section(open_app(path), path.split("/")[-1][:-3])
    assert any("def load_weights" in c.value for c in at.code)


def test_every_view_of_every_page_is_a_slide_sized_png():
    from ui.cnn.run import CnnRun
    from ui.cnn.settings import CnnSettings
    from ui.mlp.run import MlpRun
    from ui.rnn.run import RnnRun
    from ui.rnn.settings import RnnSettings
    runs = [MlpRun(MlpSettings(dataset="spiral3", hidden=(5, 3))), CnnRun(CnnSettings(dataset="bars")),
            RnnRun(RnnSettings.for_task("text", text="zen", length=16, units=8))]
    seen = set()
    for run in runs:
        run.advance(20)
        for name in pictures.views(run):
            image = Image.open(io.BytesIO(pictures.picture(run, name)))
            assert image.format == "PNG" and image.width >= 1600 and image.height >= 400, (name, image.size)
            seen.add(name)
    assert seen == {"network", "overview", "kernels", "confusion", "inside", "curves"}
