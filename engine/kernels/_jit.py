"""The engine's one JIT policy (DESIGN.md): cached on disk, GIL-free, serial.

Serial, never Numba's parallel mode: its default threading layer aborts the whole process
when two server sessions enter parallel code at once. Fast-math is limited to
flags that keep NaN and Inf real, because divergence detection relies on them;
reassociation lets LLVM vectorise the reductions. ``error_model="numpy"`` makes
x / 0 give inf or nan as in NumPy instead of raising inside a kernel.

Numba's disk cache checks only the source file of the function it caches, so
a caller would keep running an edited callee's old machine code. The cache
therefore lives in a folder named after a hash of every kernel file: any edit
starts a fresh cache. ``NUMBA_CACHE_DIR`` still overrides this.

The folder is chosen at import (it must be set before any ``@njit`` runs), but
importing deletes nothing: ``drop_stale_caches`` runs at an explicit start
(``engine.warm_up``, ``python -m engine.warmup``). Other processes (a test
server, a second app replica, an older checkout) may be running on other
versions' folders right now, so it keeps the newest few and deletes only folders
nobody has touched for a day; every process marks its own folder as used when it
imports this module.
"""
import hashlib
import os
import shutil
import time
from pathlib import Path

import numba
from numba import njit

FASTMATH = {"nsz", "arcp", "contract", "reassoc"}
CACHE_ROOT = Path(__file__).resolve().parents[2] / ".numba_cache"
KEEP_NEWEST = 3                 # versions always kept, however old
STALE_SECONDS = 24 * 3600       # older versions are deleted once untouched this long


def _versioned_folder():
    """This version's cache folder, or None when ``NUMBA_CACHE_DIR`` chooses the cache."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return None
    sources = sorted(Path(__file__).parent.glob("*.py"))
    digest = hashlib.sha1(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    return CACHE_ROOT / digest


def _use_versioned_cache():
    """Point Numba at this version's folder; returns it (None: ``NUMBA_CACHE_DIR`` decides)."""
    folder = _versioned_folder()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)                      # in use now: keeps it off others' clean-up
        numba.config.CACHE_DIR = str(folder)
    return folder


def drop_stale_caches():
    """Delete other versions' cache folders nobody has used for a day (beyond the newest few)."""
    if CACHE_FOLDER is not None and CACHE_ROOT.is_dir():
        _drop_stale_versions(CACHE_ROOT, keep=CACHE_FOLDER)


def _drop_stale_versions(root, keep, now=None):
    """Delete version folders of ``root`` beyond the newest few that are untouched for a day."""
    now = time.time() if now is None else now
    folders = []
    for p in root.iterdir():
        try:
            if p.is_dir() and p != keep:
                folders.append((_last_touched(p), p))
        except OSError:                       # removed meanwhile by another process
            pass
    folders.sort(reverse=True)
    for mtime, p in folders[KEEP_NEWEST - 1:]:
        if now - mtime > STALE_SECONDS:
            shutil.rmtree(p, ignore_errors=True)


def _last_touched(folder):
    """Newest mtime of ``folder`` and its direct entries (Numba writes into subfolders)."""
    return max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()])


CACHE_FOLDER = _use_versioned_cache()
jit = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
# The same policy for small glue (views into the flat buffers, dispatch on a code) and the
# program's single-call-site parts: inlined into the caller's Numba IR, so they never cost
# a compile of their own. Not for big kernels: a big function compiles disproportionately slowly.
jit_inline = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy", inline="always")
