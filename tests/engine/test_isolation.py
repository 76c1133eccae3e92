"""The engine never imports a UI library (DESIGN.md's one-way imports)."""
import subprocess
import sys


def test_engine_imports_no_ui_library():
    code = ("import sys, engine, engine.data\n"
            "bad = [m for m in ('streamlit', 'plotly', 'altair') if m in sys.modules]\n"
            "assert not bad, bad\n"
            "print('clean')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"
