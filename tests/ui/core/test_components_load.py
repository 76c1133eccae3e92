"""The pages' canvas components load under any locale: their scripts are UTF-8 ("·", "−"), and a
server whose locale encoding is ASCII must still serve them (CI once failed the first /mlp visit)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_every_page_component_loads_with_an_ascii_locale():
    code = ("import locale; assert locale.getpreferredencoding(False).lower() in ('ascii', 'ansi_x3.4-1968'); "
            "import ui.canvas, ui.mlp.views, ui.cnn.views, ui.cnn.own_digit, ui.rnn.views; print('loaded')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **ASCII_LOCALE})
    assert done.returncode == 0 and "loaded" in done.stdout, done.stderr[-2000:]
