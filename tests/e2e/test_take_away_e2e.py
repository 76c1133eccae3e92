"""Take it with you, in Chromium against the real app: every page's code view and its downloads give
non-empty files that compile (scripts) or parse (notebooks, zips), PNGs at slide size, an animation
of more than one frame; a model downloaded, the run reset, the model uploaded: the same numbers."""
import io
import json
import time
import zipfile

import pytest

from tests.tiers import variants
from PIL import Image

from .harness import wait_until_idle

pytestmark = pytest.mark.e2e


def metric(page, label):
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text()


def step(page, times=1):
    for _ in range(times):
        epoch = int(metric(page, "Epoch").replace(",", ""))
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(
            "e => { const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(x => "
            "x.innerText.startsWith('Epoch')); return m && +m.querySelector('[data-testid=stMetricValue]')"
            ".innerText.replace(/,/g, '') > e; }", arg=epoch, timeout=120_000)
        wait_until_idle(page)


def part_button(page, name):
    return page.get_by_role("radiogroup", name="Take away").get_by_role("radio", name=name, exact=True)


def open_section(page):
    if not part_button(page, "PyTorch").is_visible():
        page.get_by_text("Take it with you: code, notebook, animation, your model").click()
    part_button(page, "PyTorch").wait_for(timeout=20_000)


def tab(page, name):
    part_button(page, name).click()
    wait_until_idle(page)
    time.sleep(0.3)


def uploader(page):
    page.get_by_text("Upload a model file", exact=True).click()
    # by its label: the CNN page has other uploaders (your digit, your own symbols)
    return (page.get_by_test_id("stMain").locator("[data-testid=stFileUploader]")
            .filter(has_text="Open a model (.npz)").locator("[data-testid=stFileUploaderDropzoneInput]"))


def download(page, label, timeout=60_000):
    with page.expect_download(timeout=timeout) as d:
        page.get_by_role("button", name=label, exact=True).click()
    assert d.value.failure() is None
    return d.value.suggested_filename, open(d.value.path(), "rb").read()


def check_code_and_pictures(page, name):
    open_section(page)
    code = page.locator("[data-testid=stCode]").first.inner_text()
    assert "class Net(nn.Module)" in code and "def load_weights" in code
    file, data = download(page, f"{name}_pytorch.py")
    assert file == f"{name}_pytorch.py" and len(data) > 1000
    compile(data, file, "exec")
    tab(page, "Keras 3")
    file, data = download(page, f"{name}_keras.py")
    compile(data, file, "exec")
    tab(page, "Notebook")
    file, data = download(page, f"{name}_pytorch.ipynb")
    assert json.loads(data)["nbformat"] == 4
    png = page.locator("[data-testid=stDownloadButton] button").filter(has_text="(.png)").first   # under the view
    with page.expect_download(timeout=60_000) as d:
        png.click()
    image = Image.open(io.BytesIO(open(d.value.path(), "rb").read()))
    assert image.format == "PNG" and image.width >= 1600


def test_the_mlp_page_takes_it_all_away_and_a_model_comes_back(open_page):
    page = open_page("/mlp?data=xor&net=5,3&opt=adam&lr=0.01")
    step(page, 3)
    check_code_and_pictures(page, "mlp")
    tab(page, "PyTorch")
    file, data = download(page, "Everything (.zip)")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "mlp-playground/weights.npz" in names and "mlp-playground/mlp_keras.ipynb" in names
    tab(page, "Animation")
    page.get_by_role("button", name="Make the animation").click()
    page.get_by_role("button", name="Animation (.gif)").wait_for(timeout=60_000)
    file, data = download(page, "Animation (.gif)")
    assert Image.open(io.BytesIO(data)).n_frames == 4                  # epochs 0 to 3
    epoch, accuracy, loss = metric(page, "Epoch"), metric(page, "Test accuracy"), metric(page, "Test loss")
    _, weights = download(page, "Weights (.npz)")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stMetric]')].find(x => "
                           "x.innerText.startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]')"
                           ".innerText === '0'", timeout=60_000)
    wait_until_idle(page)
    open_section(page)
    tab(page, "Open a model")
    uploader(page).set_input_files(
        files=[{"name": "weights.npz", "mimeType": "application/octet-stream", "buffer": weights}])
    page.wait_for_function("e => [...document.querySelectorAll('[data-testid=stMetric]')].find(x => "
                           "x.innerText.startsWith('Epoch'))?.querySelector('[data-testid=stMetricValue]')"
                           ".innerText === e", arg=epoch, timeout=60_000)
    wait_until_idle(page)
    assert (metric(page, "Test accuracy"), metric(page, "Test loss")) == (accuracy, loss)
    assert "Opened weights.npz" in page.locator("[data-testid=stMain]").inner_text()


def test_a_file_from_another_page_is_refused_and_the_run_kept(open_page):
    page = open_page("/cnn?data=bars")
    step(page)
    epoch = metric(page, "Epoch")
    open_section(page)
    tab(page, "Open a model")
    from ui import model_file
    uploader(page).set_input_files(
        files=[{"name": "spiral.npz", "mimeType": "application/octet-stream",
                "buffer": model_file.shipped("mlp-spiral")}])
    page.wait_for_function("() => document.body.innerText.includes('The model was not opened')", timeout=60_000)
    assert "saved on the mlp page" in page.locator("[data-testid=stMain]").inner_text()
    assert metric(page, "Epoch") == epoch


@pytest.mark.parametrize("path, name", variants([("/cnn?data=bars", "cnn")], [("/rnn", "rnn"), ("/autoencoder", "autoencoder")]))
def test_every_page_takes_its_code_and_pictures_away(open_page, path, name):
    page = open_page(path)
    step(page)
    check_code_and_pictures(page, name)
