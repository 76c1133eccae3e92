"""Start the real app (`streamlit run app.py`) and drive it with Debian's Chromium."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app_dir=ROOT, timeout=120, port=None):
    """Start a fresh `streamlit run app.py` in ``app_dir`` (on ``port``, default a free one); yield
    (base URL, process id) as soon as it answers. The server's log is deleted after a clean run and
    kept (its name printed) after a failure."""
    port = port or free_port()
    log = open(Path(app_dir) / f".streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=app_dir, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    ok = False
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.05)
        yield url, proc.pid
        ok = True
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if ok:
            Path(log.name).unlink(missing_ok=True)
        else:
            print(f"server log kept: {log.name}", file=sys.stderr)


@contextlib.contextmanager
def running_app(timeout=120):
    """Yield the base URL of a fresh `streamlit run app.py` server."""
    with streamlit_server(ROOT, timeout) as (url, _):
        yield url


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_until_idle(page, timeout=60_000):
    """Wait until Streamlit reports no script running."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)
