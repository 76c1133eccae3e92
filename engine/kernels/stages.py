"""The compile stages of each layer family: which kernels, with which argument types.

``_run`` compiles (or loads) every kernel it calls, all in one long call. A
warm-up compiles the kernels first, in stages, each with exactly the argument
types the program passes them, so ``_run`` finds them ready and a progress bar
can move between stages. A type listed wrongly only costs a second compile;
tests/engine/test_warmup.py checks that no kernel ends up with two.

A family's stages are the union of its registered layer classes' ``stages``
(engine/layers.py; entries with the same message merge, weights add up) followed
by the family's own (``program.FAMILY_STAGES``: its layer functions and, for
"dense", the program-wide kernels). Each stage is (message, weight, kernels);
the weight is roughly its cold compile time in seconds on a 2-core machine, so
progress moves evenly.
"""
import numpy as np
from numba import from_dtype, types

from . import program


def _argtypes(dtype):
    """Short names for the types the program's kernels take."""
    f = from_dtype(np.dtype(dtype))
    ints = types.Array(types.int64, 1, "C")
    return dict(A1=types.Array(f, 1, "C"), A2=types.Array(f, 2, "C"), A3=types.Array(f, 3, "C"),
                A4=types.Array(f, 4, "C"), F1=types.Array(types.float64, 1, "C"), row=ints, ints=ints,
                runs=types.Array(types.int64, 2, "C"),
                rng=types.Array(types.uint64, 1, "C"), i=types.int64, f64=types.float64, b=types.boolean)


def family_stages(family, types=None):
    """[(message, weight, [(kernel, argument type names)])] of one family: for the layers of
    spec types ``types`` only, or (None) for every layer class of the family."""
    from .. import layers  # the registry imports this package's kernels
    if types is None:
        wanted = [(cls, cls.stages) for cls in layers.registered_classes()]
    else:
        wanted = [(layers.LAYERS[t], layers.LAYERS[t].stages_for(t)) for t in sorted(set(types))]
    merged = {}
    for cls, stages in wanted:
        if cls.family != family:
            continue
        for message, weight, kernels in stages:
            old_weight, old_kernels = merged.get(message, (0.0, []))
            merged[message] = (old_weight + weight, old_kernels + [k for k in kernels if k not in old_kernels])
    return [(m, w, ks) for m, (w, ks) in merged.items()] + program.FAMILY_STAGES[family]


def typed_stages(families, dtype, types=None):
    """[(family, message, weight, [(kernel, signature)])] for the kernels of ``families``
    (dense first; only the layers of spec types ``types`` unless None): what a stage compiles,
    with Numba types."""
    t = _argtypes(dtype)
    return [(family, message, weight, [(k, tuple(t[name] for name in names.split())) for k, names in kernels])
            for family in program.FAMILIES if family in families
            for message, weight, kernels in family_stages(family, types)]


def row_types(prog):
    """The spec types of the layers of the program table ``prog``."""
    from .. import layers
    by_code = {cls.code: cls for cls in layers.registered_classes()}
    return {by_code[int(row[program.KIND])].type_of_row(row) for row in prog}


def kernel_stages(families, dtype):
    """[(message, weight, compile)] for the kernels of ``families`` (dense first)."""
    return [(message, weight, lambda sigs=sigs: [k.compile(s) for k, s in sigs])
            for _, message, weight, sigs in typed_stages(families, dtype)]


def kernels(families):
    """Every kernel the stages of ``families`` compile."""
    return [k for f in families for _, _, ks in family_stages(f) for k, _ in ks]


_LISTED = {}


def listed_signatures(kernel):
    """Every signature a stage lists for ``kernel``, over all families and the engine's dtypes:
    the only ones compiled code may call it with (``_jit.Kernel``)."""
    if not _LISTED:
        for dtype in (np.float32, np.float64):
            for _, _, _, sigs in typed_stages(program.FAMILIES, dtype):
                for k, signature in sigs:
                    _LISTED.setdefault(k, set()).add(signature)
    return _LISTED.get(kernel, set())


def link_kernels(families, dtype, types=None):
    """Compile (or load) every kernel of ``families`` for ``dtype`` (of the layers of spec types
    ``types`` only, unless None) and fill its slot: before a program that calls them runs."""
    for _, _, _, sigs in typed_stages(families, dtype, types):
        for k, signature in sigs:
            k.compile(signature)
