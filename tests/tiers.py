"""The default run and the full one. CI runs the default (its budget is 20 minutes); NNP_FULL=1 adds
the long variants: a check at every screen size, on every page of a sweep, every lesson's solution.
The default keeps one representative of each, so every feature is still driven."""
import os

import pytest

FULL = bool(os.environ.get("NNP_FULL"))
full_only = pytest.mark.skipif(not FULL, reason="a long variant: NNP_FULL=1 runs it")


def variants(quick, full):
    """Parameters for ``pytest.mark.parametrize``: ``quick`` always, ``full`` only with NNP_FULL=1."""
    return [*quick, *(pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=full_only) for v in full)]
