""".streamlit/config.toml is fit for serving, and Streamlit reads it as meant (every key is one of
its options, with the value we wrote)."""
import tomllib
from pathlib import Path

import pytest
from streamlit import config

ROOT = Path(__file__).resolve().parents[2]
SERVING = {
    "client.toolbarMode": "viewer",               # no Deploy button or developer menu for students
    "client.showErrorDetails": "none",            # tracebacks stay in the server's log
    "server.fileWatcherType": "none",
    "server.runOnSave": False,
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "runner.postScriptGC": False,                 # measured: a full collection after every fragment run
    "runner.fastReruns": False,                   # two script threads raced on a session's state
    "browser.gatherUsageStats": False,
}


@pytest.fixture(scope="module")
def written():
    table = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return {f"{section}.{key}": value for section, values in table.items() for key, value in values.items()}


def test_every_key_is_a_streamlit_option(written):
    known = config.get_config_options()
    assert set(written) <= set(known), set(written) - set(known)


@pytest.mark.parametrize("option, value", SERVING.items())
def test_serving_values(written, option, value):
    assert written[option] == value


def test_uploads_are_small(written):
    assert 1 <= written["server.maxUploadSize"] <= 5          # megabytes


def test_streamlit_reads_the_file(monkeypatch, written):
    monkeypatch.chdir(ROOT)
    try:
        config.get_config_options(force_reparse=True)
        for option, value in written.items():
            assert config.get_option(option) == value, option
    finally:
        config.get_config_options(force_reparse=True)
