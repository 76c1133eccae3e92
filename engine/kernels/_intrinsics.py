"""Two LLVM operations that Numba's Python-level code does not reach.

x86 has no conditional move for floats, so a scalar float ``a if c else b``
compiles to a branch unless the condition is a single float comparison; and a
vectorised ``z[i] = 0 if z[i] < 0 else z[i]`` becomes a masked store, which is
microcoded on AMD (7x slower here than a max). These two give the instruction
directly: ``_maximum`` is LLVM's NaN-propagating maximum, ``_select`` its
``select`` (a blend, never a branch, when ``c`` is a float comparison).
"""
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def _maximum(typingctx, a, b):
    """max(a, b) for two floats of one type; NaN if either is NaN."""
    if not (isinstance(a, types.Float) and a == b):
        return None

    def codegen(context, builder, signature, args):
        t = args[0].type
        fn = builder.module.declare_intrinsic("llvm.maximum", [t], ir.FunctionType(t, [t, t]))
        return builder.call(fn, args)
    return a(a, b), codegen


@intrinsic
def _select(typingctx, c, a, b):
    """``a if c else b`` without a branch."""
    if not (isinstance(c, types.Boolean) and a == b):
        return None

    def codegen(context, builder, signature, args):
        return builder.select(args[0], args[1], args[2])
    return a(c, a, b), codegen
