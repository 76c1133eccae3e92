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


def test_a_pages_first_run_imports_no_table_or_notebook_library():
    """pandas (tables, made when a "Show ... as a table" is on) and nbformat (a notebook, made when
    asked for) cost a first visit 0.2-0.5 s each to import: the pages import them only when used."""
    code = ("import sys\nimport ui.page, ui.mlp.views, ui.cnn.views, ui.rnn.views, ui.autoencoder.views\n"
            "print(sorted(m for m in ('pandas', 'nbformat') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["[]"]
