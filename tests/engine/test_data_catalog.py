"""The data name maps and the Zen of Python read without side effects."""
import subprocess
import sys

import numpy as np
import pytest

import engine
from engine.data import DATASETS, DATASETS_2D, IMAGE_DATASETS, SEQUENCE_TASKS, Param


def test_name_maps_list_the_expected_keys():
    assert DATASETS is DATASETS_2D is engine.DATASETS_2D
    assert {"circle", "xor", "gauss", "spiral"} <= set(DATASETS_2D)
    assert list(IMAGE_DATASETS) == ["mnist", "bars"]
    assert list(SEQUENCE_TASKS) == ["waves", "delayed_recall", "text", "parity", "adding"]
    assert engine.IMAGE_DATASETS is IMAGE_DATASETS and engine.SEQUENCE_TASKS is SEQUENCE_TASKS
    assert DATASETS_2D["circle"].params["noise"].bounds == (0.0, 0.5)


@pytest.mark.parametrize("name", list(IMAGE_DATASETS) + list(SEQUENCE_TASKS))
def test_every_source_loads_its_defaults(name):
    source = {**IMAGE_DATASETS, **SEQUENCE_TASKS}[name]
    assert source.title and source.kind in ("classification", "regression")
    for pname, p in source.params.items():
        assert p.check(pname, p.default) == p.default
    small = {"n": 120, "n_test": 60} if "n" in source.params else {}
    x, y, xt, yt = source.load(seed=3, **small)
    assert len(x) == len(y) and len(xt) == len(yt) and x.shape[1:] == xt.shape[1:]
    if small:
        assert (len(x), len(xt)) == (120, 60)
    np.testing.assert_array_equal(source.load(seed=3, **small)[2], xt)      # seeded
    if source.kind == "classification":
        assert np.issubdtype(np.asarray(y).dtype, np.integer)


def test_settings_are_checked():
    waves = SEQUENCE_TASKS["waves"]
    with pytest.raises(ValueError, match=r"length must be in \[5, 200\]"):
        waves.load(length=1000)
    with pytest.raises(ValueError, match="kind must be one of"):
        waves.load(kind="triangle")
    with pytest.raises(ValueError, match="unknown setting"):
        waves.load(delay=3)
    with pytest.raises(ValueError, match="integer"):
        Param("int", 1, (0, 9)).check("n", 2.5)
    with pytest.raises(ValueError, match="True or False"):
        SEQUENCE_TASKS["text"].load(every_step=1)
    x, y, _, _ = SEQUENCE_TASKS["delayed_recall"].load(n=100, n_test=50, delay=5)
    assert x.shape == (100, 6, 8)


ZEN_CHECK = """
import sys, threading
class Trap:
    def write(self, text):
        raise AssertionError("wrote to sys.stdout")
    def flush(self):
        pass
trap = Trap()
sys.stdout = trap
seen = []
def watch():                       # sys.stdout must stay the trap the whole time
    while not done:
        seen.append(sys.stdout is trap)
done = False
t = threading.Thread(target=watch)
t.start()
from engine.data.sequences import zen_of_python
text = zen_of_python()
done = True
t.join()
assert all(seen), "sys.stdout was swapped"
assert "this" not in sys.modules, "the this module ran"
assert text.startswith("The Zen of Python") and "Beautiful is better than ugly." in text
sys.stderr.write("ok")
"""


def test_reading_the_zen_leaves_sys_stdout_alone():
    out = subprocess.run([sys.executable, "-c", ZEN_CHECK], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().endswith("ok") and out.stdout == ""
