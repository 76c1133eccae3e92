"""A first visit to a page: seconds from `streamlit run` to a usable page (Play moves its metrics).

    python bench/first_visit.py [--page mlp|cnn|rnn|autoencoder|all] [--cold] [--repeat 3]
                                [--fresh-browser] [--app-dir DIR [--app-dir DIR2 ...]]

Starts headless Chromium first (a visitor's browser is already open), then the real app
(with NUMBA_CACHE_DIR pointing at a new empty folder for --cold), opens the page as soon as
the server answers, and reports when the page showed its controls, when Play became
enabled and when its first metrics moved after pressing it (Epoch or Step: a CNN's first
epoch over MNIST takes a while, its first step does not), each counted from the moment
`streamlit run` was started. Also the CPU seconds by then of the server process and of the
processes it started (the engine's compiling workers), and the load average: on a shared
machine the CPU seconds move less than the wall time. From the workers' trace
(NNP_WARMUP_TRACE) it replays the stages the page waited for on --cores cores, each taking
its measured CPU seconds ("compile on N cores"), and adds the server's CPU seconds: "CPU path",
a loaded machine's estimate of a quiet one's wall time (an upper bound: the server's work and
the compile overlap in part); for a version that compiles in the server, its CPU seconds are
its path. A warm run first fills the app's own caches (`python -m engine.warmup --in-process` and Python's
bytecode, `compileall`: a second start on a visitor's machine has both), not timed, and its
browser is a returning visitor's: it opened the page once before, untimed, from the same address
(its HTTP cache holds Streamlit's scripts); ``--fresh-browser`` times a warm server with a browser
that never saw the app (a cold run always has one).

``--repeat`` runs each page several times and prints the median of each figure; several
``--app-dir`` (checkouts, say a git worktree of the previous commit) are measured in turn,
alternating run by run, and printed side by side.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from engine.warmup import BACKGROUND  # noqa: E402 (the ranks no page waits for)
from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_server  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PAGES = ("mlp", "cnn", "rnn", "autoencoder")

METRIC_MOVED = """() => [...document.querySelectorAll('[data-testid=stMetric]')].some(e =>
  /^(Epoch|Step)/.test(e.innerText)
  && +e.querySelector('[data-testid=stMetricValue]').innerText.replaceAll(',', '') > 0)"""
PLAY_ENABLED = """() => [...document.querySelectorAll('button')].some(
  b => b.innerText.trim().endsWith('Play') && !b.disabled)"""


def _stat(pid):
    """(parent pid, CPU seconds of the process itself) from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def cpu_seconds(pid):
    stat = _stat(pid)
    return stat[1] if stat else 0.0


class TreeCPU:
    """The CPU seconds of a process's descendants (started and ended meanwhile too), sampled
    every 0.1 s: the last figure seen of each."""

    def __init__(self, pid):
        self.pid, self.seen, self._stop = pid, {}, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.wait(0.1):
            stats = {int(p): _stat(p) for p in os.listdir("/proc") if p.isdigit()}
            family = {self.pid}
            for _ in range(3):                 # children, grandchildren, ...
                family |= {p for p, s in stats.items() if s and s[0] in family}
            for p in family - {self.pid}:
                if stats.get(p):
                    self.seen[p] = stats[p][1]

    def total(self):
        self._stop.set()
        self._thread.join()
        return sum(self.seen.values())


def replay(stages, cores):
    """Seconds to compile ``stages`` (trace lines) on ``cores`` cores, each stage taking its CPU
    seconds, after its needs, the longest chain first (the compiler's order within a rank)."""
    cpu = {s["key"]: s["cpu"] for s in stages}
    needs = {s["key"]: [n for n in s["needs"] if n in cpu] for s in stages}
    tail = {}

    def chain(k):
        if k not in tail:
            tail[k] = cpu[k] + max([chain(o) for o in cpu if k in needs[o]] or [0.0])
        return tail[k]
    now, pending, running, finished = 0.0, set(cpu), [], set()
    while pending or running:
        ready = sorted((k for k in pending if all(n in finished for n in needs[k])), key=lambda k: -chain(k))
        while ready and len(running) < cores:
            k = ready.pop(0)
            pending.discard(k)
            running.append((now + cpu[k], k))
        end, k = min(running)
        running.remove((end, k))
        now, _ = end, finished.add(k)
    return now


def first_visit(page_name, cold, app_dir=ROOT, cores=2, returning=True):
    marks = {}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                       viewport={"width": 1400, "height": 1000})
        port = free_port()
        if returning and not cold:
            visit_once(browser, app_dir, port, page_name)
        page = browser.new_page()
        trace = Path(cache) / "trace.jsonl"
        os.environ["NNP_WARMUP_TRACE"] = str(trace)
        if cold:
            os.environ["NUMBA_CACHE_DIR"] = cache
        try:
            start = time.perf_counter()
            load = os.getloadavg()[0]
            with streamlit_server(app_dir, timeout=300, port=port) as (url, pid):
                marks["server answers"] = time.perf_counter() - start
                workers = TreeCPU(pid)
                page.goto(f"{url}/{page_name}", wait_until="commit")
                page.get_by_text("Learning rate", exact=True).first.wait_for(timeout=600_000)
                marks["controls shown"] = time.perf_counter() - start
                page.wait_for_function(PLAY_ENABLED, timeout=900_000)
                marks["Play enabled"] = time.perf_counter() - start
                page.get_by_role("button", name="Play", exact=True, disabled=False).first.click(
                    no_wait_after=True, timeout=120_000)
                page.wait_for_function(METRIC_MOVED, timeout=300_000)
                marks["metrics move"] = time.perf_counter() - start
                marks["server CPU s"] = cpu_seconds(pid)
                marks["workers CPU s"] = workers.total()
                marks["load average"] = (load + os.getloadavg()[0]) / 2
            lines = [json.loads(t) for t in trace.read_text().splitlines()] if trace.exists() else []
            if os.environ.get("NNP_KEEP_TRACE"):      # a folder: each page's compile trace, to read
                Path(os.environ["NNP_KEEP_TRACE"], f"{page_name}.jsonl").write_text(
                    "".join(json.dumps(t) + "\n" for t in lines))
            waited = [s for s in lines if s["rank"] < BACKGROUND]
            marks[f"compile on {cores} cores"] = replay(waited, cores) if waited else 0.0
            marks["CPU path"] = marks["server CPU s"] + marks[f"compile on {cores} cores"]
        finally:
            os.environ.pop("NUMBA_CACHE_DIR", None)
            os.environ.pop("NNP_WARMUP_TRACE", None)
            browser.close()
    return marks


def visit_once(browser, app_dir, port, page_name):
    """Open the page once, untimed, from a server at ``port``: the browser of a returning visitor."""
    page = browser.new_page()
    with streamlit_server(app_dir, timeout=300, port=port) as (url, _):
        page.goto(f"{url}/{page_name}")
        page.wait_for_function(PLAY_ENABLED, timeout=300_000)
    page.close()


def fill_cache(app_dir):
    """A warm run's caches, filled before timing: the engine's (the app's own folder, filled and
    checked) and Python's bytecode, which a first run writes on a visitor's machine but not where
    PYTHONDONTWRITEBYTECODE is set (this sandbox: every start compiled the app's modules again,
    0.2-0.3 s of a first visit)."""
    subprocess.run([sys.executable, "-m", "engine.warmup", "--in-process"], cwd=app_dir, check=True,
                   stdout=subprocess.DEVNULL)
    sources = [p for p in ("app.py", "app_pages", "engine", "export", "ui", "viz") if (Path(app_dir) / p).exists()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sources], cwd=app_dir, check=True,
                   stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", choices=PAGES + ("all",), default="mlp")
    ap.add_argument("--cold", action="store_true", help="start with an empty Numba cache")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--fresh-browser", action="store_true",
                    help="warm: a browser that never opened the app (default: a returning visitor's)")
    ap.add_argument("--cores", type=int, default=2, help="the quiet machine the CPU path replays on")
    ap.add_argument("--app-dir", action="append", default=None,
                    help="a checkout whose app.py to serve (default: this one); give several to compare")
    args = ap.parse_args()
    dirs = args.app_dir or [str(ROOT)]
    pages = PAGES if args.page == "all" else (args.page,)
    if not args.cold:
        for d in dirs:
            fill_cache(d)
    runs = {(d, pg): [] for d in dirs for pg in pages}
    for i in range(args.repeat):
        for pg in pages:
            for d in (dirs if i % 2 == 0 else dirs[::-1]):      # alternating: neither always goes first
                marks = first_visit(pg, args.cold, d, args.cores, returning=not args.fresh_browser)
                runs[d, pg].append(marks)
                print(f"  {pg:11s} {d}: " + ", ".join(f"{k} {v:.1f}" for k, v in marks.items()), flush=True)
    visitor = "" if args.cold else ", a new visitor's browser" if args.fresh_browser else ", a returning visitor's browser"
    print(f"\n{'cold' if args.cold else 'warm'} cache{visitor}, seconds since `streamlit run` "
          f"(median of {args.repeat}):")
    names = list(next(iter(runs.values()))[0])
    for pg in pages:
        print(f"  /{pg}" + "".join(f"{Path(d).name or d:>16s}" for d in dirs))
        for name in names:
            print(f"    {name:16s}" + "".join(f"{statistics.median(r[name] for r in runs[d, pg]):16.1f}"
                                          for d in dirs))


if __name__ == "__main__":
    main()
