"""Start ``scripts/serve.sh N`` (app processes behind nginx) on free loopback ports, for tests and
bench/load.py; find its processes; stop it as Ctrl-C does."""
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve.sh"


def run_coroutine(coro):
    """``asyncio.run(coro)`` on a thread of its own: Playwright's sync API holds this thread's loop."""
    out = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as e:          # noqa: BLE001 - raised again in the caller
            out["error"] = e
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_ports(n):
    """A port whose next ``n`` ports are free too (serve.sh puts its app processes there)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + n < 65535 and all(_port_free(port + i) for i in range(1, n + 1)):
            return port
    raise RuntimeError("no run of free ports")


def children(pid):
    """Every descendant of ``pid`` (from /proc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


def alive(pid):
    """True for a running process (a zombie has exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class Served:
    url: str                 # nginx, http://127.0.0.1:PORT
    run_dir: Path
    proc: subprocess.Popen   # serve.sh
    n: int
    app_ports: list = field(default_factory=list)

    def app_pids(self):
        """The app processes' ids as serve.sh wrote them (a restarted process has a new one)."""
        pids = []
        for i in range(self.n):
            with contextlib.suppress(OSError, ValueError):
                pids.append(int((self.run_dir / f"app-{i}.pid").read_text()))
        return pids

    def nginx_pids(self):
        with contextlib.suppress(OSError, ValueError):
            master = int((self.run_dir / "nginx.pid").read_text())
            return [master] + children(master)
        return []

    def log(self, name):
        path = self.run_dir / name
        return path.read_text(errors="replace") if path.exists() else ""


def _healthy(url):
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def served(n=2, timeout=300, env=None):
    """Run ``scripts/serve.sh n PORT`` (nginx on loopback only); yield a ``Served`` once nginx and
    every app process answer their health checks. Stops it with SIGINT to its process group, as a
    Ctrl-C in its terminal does. Its run directory (logs) is kept when the body fails."""
    port = free_ports(n)
    run_dir = Path(tempfile.mkdtemp(prefix="nnp-serve-"))
    out = open(run_dir / "serve.out", "w")
    proc = subprocess.Popen(["bash", str(SERVE), str(n), str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, "NNP_BIND": "127.0.0.1", "NNP_RUN_DIR": str(run_dir),
                                 "PYTHON": sys.executable, **(env or {})},
                            start_new_session=True)
    s = Served(f"http://127.0.0.1:{port}", run_dir, proc, n, [port + i for i in range(1, n + 1)])
    ok = False
    try:
        deadline = time.time() + timeout
        while not (_healthy(s.url) and all(_healthy(f"http://127.0.0.1:{p}") for p in s.app_ports)):
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"serve.sh did not start: {s.log('serve.out')[-2000:]}")
            time.sleep(0.5)
        yield s
        ok = True
    finally:
        stop(s)
        out.close()
        if not ok:
            print(f"serve.sh run directory kept: {run_dir}", file=sys.stderr)


def stop(s, sig=signal.SIGINT, timeout=30):
    """Stop serve.sh: ``sig`` to its whole process group (SIGINT: a Ctrl-C), then wait for it."""
    if s.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(s.proc.pid, sig)
        try:
            s.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(s.proc.pid, signal.SIGKILL)
            s.proc.wait(10)
