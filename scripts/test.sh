#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run the whole suite.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests' time budget counts from here, set-up included (tests/conftest.py).
export NNP_RUN_STARTED="${NNP_RUN_STARTED:-$(date +%s)}"

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# PyTorch is a third oracle where it can be installed; its tests skip otherwise.
.venv/bin/python -m pip install --quiet "torch==2.13.0" \
    || echo "PyTorch not installed: the PyTorch comparisons will be skipped."
# The exported Keras scripts run on Keras 3's PyTorch backend, the notebooks with nbclient and a
# Python kernel, the MP4 animation with imageio-ffmpeg: optional too (tests/export skips without them).
.venv/bin/python -m pip install --quiet "keras>=3.0" \
    || echo "Keras not installed: the exported Keras scripts are only compiled."
.venv/bin/python -m pip install --quiet "nbclient>=0.10" "ipykernel>=6.0" \
    || echo "nbclient not installed: the exported notebooks are only validated."
.venv/bin/python -m pip install --quiet "imageio-ffmpeg>=0.5" \
    || echo "imageio-ffmpeg not installed: animations are GIFs only."
# Browser tests drive Debian's Chromium (a test tool's own browser download fails here).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get install -y -qq chromium >/dev/null 2>&1) \
            || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
    else
        sudo apt-get install -y -qq chromium
    fi
fi
# Three workers (NNP_TEST_WORKERS) on two cores: the browser tests mostly wait (CPU 12 of 34 core-minutes
# with two). Each file's tests on one of them (a file shares its app server),
# in tests/conftest.py's order (xdist's own reorder put the files with most tests first: engine and
# viz files ran last): the suite is mostly waiting on browsers and servers, and CI's budget is 20 minutes.
exec .venv/bin/python -m pytest -n "${NNP_TEST_WORKERS:-3}" --dist loadfile --no-loadscope-reorder "$@"
