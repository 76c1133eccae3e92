"""The versioned Numba cache's clean-up must spare folders other processes may use."""
import os
import time

from engine.kernels import _jit


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
