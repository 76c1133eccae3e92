"""The engine's one JIT policy (DESIGN.md): cached on disk, GIL-free, serial.

Serial, never Numba's parallel mode: its default threading layer aborts the whole process
when two server sessions enter parallel code at once. Fast-math is limited to
flags that keep NaN and Inf real, because divergence detection relies on them;
reassociation lets LLVM vectorise the reductions. ``error_model="numpy"`` makes
x / 0 give inf or nan as in NumPy instead of raising inside a kernel.

Numba's disk cache checks only the source file of the function it caches, so
a caller would keep running an edited callee's old machine code. The cache
therefore lives in a folder named after a hash of every kernel file and of
engine/layers.py (its stage lists): any edit starts a fresh cache. ``NUMBA_CACHE_DIR``
still overrides this.

The folder is chosen at import (it must be set before any ``@njit`` runs), but
importing deletes nothing: ``drop_stale_caches`` runs at an explicit start
(``engine.warm_up``, ``python -m engine.warmup``). Other processes (a test
server, a second app replica, an older checkout) may be running on other
versions' folders right now, so it keeps the newest few and deletes only folders
nobody has touched for a day; every process marks its own folder as used when it
imports this module.
"""
import ctypes
import hashlib
import os
import shutil
import time
from pathlib import Path

import llvmlite.binding as llvm
from llvmlite import ir
import numba
from numba import njit, types
from numba.core import cgutils
from numba.core.compiler_lock import global_compiler_lock
from numba.core.errors import TypingError
from numba.core.extending import _Intrinsic   # Kernel's base: Numba's own intrinsic calls

FASTMATH = {"nsz", "arcp", "contract", "reassoc"}
CACHE_ROOT = Path(__file__).resolve().parents[2] / ".numba_cache"
KEEP_NEWEST = 3                 # versions always kept, however old
STALE_SECONDS = 24 * 3600       # older versions are deleted once untouched this long


def _versioned_folder():
    """This version's cache folder, or None when ``NUMBA_CACHE_DIR`` chooses the cache."""
    if "NUMBA_CACHE_DIR" in os.environ:
        return None
    # engine/layers.py lists the stages' signatures: a cached caller links exactly those (Kernel)
    sources = sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).parents[1] / "layers.py"]
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


# -- kernels: compiled once, called through a slot ------------------------------------------
class Kernel(_Intrinsic):
    """A kernel compiled once, on its own, that compiled callers call through a slot.

    Numba links a plain callee's code into each caller and optimises and translates it
    again there, and a caller cannot compile before its callees: the training program cost
    more to compile than all its kernels together, and the stages ran one after another.
    A call of a kernel from compiled code instead loads the kernel's address from a slot, a
    word in this process that the linker knows by a name (``symbol``) the same in every
    process, and calls it; ``compile`` compiles (or loads) the kernel and fills its slot.
    So a caller compiles without its kernels, each kernel compiles once, and every stage can
    run at once. A call through an empty slot raises (nothing is called). Python calls it
    as the compiled function it wraps (``dispatcher``).

    Compiled code may call a kernel only with a signature a warm-up stage lists
    (engine/kernels/stages.py: every such slot is made before any caller loads) and the
    return type the kernel declares (``returns``: checked when it compiles).
    """

    def __init__(self, dispatcher, returns):
        self.dispatcher, self.returns = dispatcher, returns
        super().__init__(dispatcher.py_func.__name__, self._type_call)
        self._register()
        self.__name__, self.__qualname__ = dispatcher.py_func.__name__, dispatcher.py_func.__qualname__
        self.__doc__ = dispatcher.py_func.__doc__

    def __call__(self, *args, **kwargs):
        make_slots()                          # it may call kernels: their slots before it loads
        return self.dispatcher(*args, **kwargs)

    def __getattr__(self, name):
        # only these: Numba would take others, such as its type (_numba_type_), for the dispatcher's
        if name not in _READ_THROUGH:
            raise AttributeError(name)
        return getattr(self.dispatcher, name)

    def __repr__(self):
        return f"<kernel {self.dispatcher.py_func.__qualname__}>"

    def symbol(self, signature):
        """The linker's name of the slot of this kernel compiled for ``signature``."""
        digest = hashlib.sha1(str(tuple(signature)).encode()).hexdigest()[:12]
        return f"nnp.{self.dispatcher.py_func.__module__}.{self.dispatcher.py_func.__qualname__}.{digest}"

    def compile(self, signature):
        """Compile (or load) the kernel for ``signature`` and fill its slot."""
        signature = tuple(signature)
        make_slots()
        with global_compiler_lock:
            slot = _SLOTS.get(self.symbol(signature))
            if slot is None or not slot.value:
                self.dispatcher.compile(signature)
                compiled = self.dispatcher.overloads[signature]
                if compiled.signature.return_type != self.returns:
                    raise TypeError(f"{self!r} returns {compiled.signature.return_type}, "
                                    f"declared {self.returns}")
                if slot is not None:
                    slot.value = compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)

    def is_linked(self, signature):
        slot = _SLOTS.get(self.symbol(signature))
        return slot is not None and bool(slot.value)

    def _type_call(self, typingctx, *args):
        from .stages import listed_signatures   # the stages list the kernels: imported when typing
        args = tuple(args)
        if args not in listed_signatures(self):
            raise TypingError(f"{self!r} called from compiled code with {args}, which no warm-up stage "
                              "lists (engine/layers.py or program.FAMILY_STAGES): a process loading "
                              "the caller from the disk cache would have no slot for it")
        restype, name = self.returns, self.symbol(args)

        def codegen(context, builder, signature, llargs):
            fnty = context.call_conv.get_function_type(restype, args)
            slot = builder.module.globals.get(name)
            if slot is None:
                slot = ir.GlobalVariable(builder.module, fnty.as_pointer(), name)
            address = builder.load(slot)
            with cgutils.if_unlikely(builder, cgutils.is_null(builder, address)):
                context.call_conv.return_user_exc(
                    builder, RuntimeError, (f"{self!r} is not compiled for {args}",))
            status, result = context.call_conv.call_function(   # the loaded value's type is fnty*
                builder, address, restype, args, cgutils.unpack_tuple(builder, llargs[0]))
            with cgutils.if_unlikely(builder, status.is_error):
                context.call_conv.return_status_propagate(builder, status)
            return result
        return restype(types.StarArgTuple.from_types(args)), codegen


_READ_THROUGH = {"signatures", "overloads", "nopython_signatures", "py_func", "targetctx",
                 "targetoptions", "stats", "_cache", "inspect_llvm", "inspect_asm", "inspect_types"}
_KERNELS = []
_SLOTS = {}                 # symbol -> its slot (the kernel's address, 0 until it compiles)


def kernel(func=None, returns=types.none):
    """``jit`` for a kernel that the program and the layer functions call (see ``Kernel``):
    ``@kernel``, or ``@kernel(returns=types.float64)`` for one that returns a value."""
    if func is None:
        return lambda f: kernel(f, returns)
    k = Kernel(jit(func), returns)
    _KERNELS.append(k)
    return k


def make_slots():
    """Make the slot of every kernel signature the stages list, once per process."""
    if _SLOTS:
        return
    from .stages import listed_signatures
    with global_compiler_lock:
        for k in _KERNELS:
            for signature in listed_signatures(k):
                name = k.symbol(signature)
                if name not in _SLOTS:
                    slot = ctypes.c_void_p(0)
                    llvm.add_symbol(name, ctypes.addressof(slot))
                    _SLOTS[name] = slot
