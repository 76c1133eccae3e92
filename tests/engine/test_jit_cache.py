"""The versioned Numba cache's clean-up must spare folders other processes may use."""
import os
import subprocess
import sys
import time
from pathlib import Path

import engine
from engine.kernels import _jit

ROOT = Path(__file__).resolve().parents[2]


def _folder(root, name, age_days, now):
    p = root / name
    (p / "sub").mkdir(parents=True)
    t = now - age_days * 86400
    os.utime(p / "sub", (t, t))
    os.utime(p, (t, t))
    return p


def test_keeps_recent_and_newest_versions(tmp_path):
    now = time.time()
    mine = _folder(tmp_path, "mine", 10, now)
    recent = [_folder(tmp_path, f"recent{k}", 0.1 * k, now) for k in range(4)]
    old = [_folder(tmp_path, f"old{k}", 2 + k, now) for k in range(3)]
    _jit._drop_stale_versions(tmp_path, keep=mine, now=now)
    assert mine.is_dir()
    assert all(p.is_dir() for p in recent)          # used within a day: another process may run it
    assert not any(p.exists() for p in old)


def test_keeps_newest_few_however_old(tmp_path):
    now = time.time()
    mine = _folder(tmp_path, "mine", 0, now)
    old = [_folder(tmp_path, f"old{k}", 2 + k, now) for k in range(4)]
    _jit._drop_stale_versions(tmp_path, keep=mine, now=now)
    kept = [p.is_dir() for p in old]
    assert kept == [True] * (_jit.KEEP_NEWEST - 1) + [False] * (4 - _jit.KEEP_NEWEST + 1)


def test_subfolder_writes_count_as_use(tmp_path):
    now = time.time()
    mine = _folder(tmp_path, "mine", 0, now)
    others = [_folder(tmp_path, f"v{k}", 5, now) for k in range(3)]
    busy = _folder(tmp_path, "busy", 10, now)        # the oldest folder by its own mtime...
    os.utime(busy / "sub", (now, now))               # ...but a running server just wrote a kernel here
    _jit._drop_stale_versions(tmp_path, keep=mine, now=now)
    assert busy.is_dir()


IMPORT_TOUCHES = """
import os, shutil, sys
from pathlib import Path
root = str(Path("engine").resolve().parent / ".numba_cache")
seen = []
def audit(event, args):
    if event in ("os.listdir", "os.scandir", "shutil.rmtree", "os.rmdir", "os.remove"):
        if args and str(args[0]).startswith(root):
            seen.append((event, str(args[0])))
sys.addaudithook(audit)
import engine
print("import", len(seen))
engine.kernels._jit.drop_stale_caches()
print("start", len(seen))
"""


def test_importing_the_engine_deletes_nothing_and_the_explicit_start_cleans_up():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    out = subprocess.run([sys.executable, "-c", IMPORT_TOUCHES], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["import", "0", "start", out.stdout.split()[-1]]
    assert int(out.stdout.split()[-1]) > 0               # drop_stale_caches lists the versions


def test_warm_up_drops_stale_caches(monkeypatch):
    calls = []
    monkeypatch.setattr(_jit, "_drop_stale_versions", lambda root, keep: calls.append((root, keep)))
    monkeypatch.setattr(_jit, "CACHE_FOLDER", _jit.CACHE_ROOT / "current")
    engine.warm_up(families=("dense",))
    assert calls == [(_jit.CACHE_ROOT, _jit.CACHE_ROOT / "current")]
    monkeypatch.setattr(_jit, "CACHE_FOLDER", None)                  # NUMBA_CACHE_DIR chose the cache
    engine.warm_up(families=("dense",))
    assert len(calls) == 1
