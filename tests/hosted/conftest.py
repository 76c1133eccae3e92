import os

import pytest

from tests.e2e.harness import ROOT, streamlit_server


@pytest.fixture(scope="session")
def fuzz_full():
    """NNP_FUZZ_FULL=1: 500 hostile links per page against the real app (default: a few)."""
    return os.environ.get("NNP_FUZZ_FULL") == "1"


@pytest.fixture(scope="session")
def app_server():
    """One `streamlit run app.py` for the hosted tests: (base URL, process id)."""
    with streamlit_server(ROOT, timeout=180) as server:
        yield server

