"""Importing the UI changes nothing outside it (issue 15: ui/warmup.py flipped a private Streamlit flag
at import); the page's explicit start (start_engine) is where such things happen."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import streamlit.delta_generator as d
import ui.warmup, ui.page, ui.mlp.views, ui.cnn.views, ui.rnn.views, ui.autoencoder.views, ui.lessons.course
print("import", d._use_warning_has_been_displayed)
ui.warmup._skip_the_repl_check()
print("start", d._use_warning_has_been_displayed)
"""


def test_importing_the_pages_flips_no_private_streamlit_flag():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["import", "False", "start", "True"]
