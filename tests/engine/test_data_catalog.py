"""The data name maps and the Zen of Python read without side effects."""
import subprocess
import sys

import numpy as np
import pytest

import engine
from engine.data import (
    DATASETS,
    DATASETS_2D,
    IMAGE_DATASETS,
    SEQUENCE_TASKS,
    Field,
    Param,
)
from engine.fields import REQUIRED


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
    with pytest.raises(ValueError, match="true or false"):     # one Field class with the spec's words
        SEQUENCE_TASKS["text"].load(every_step=1)
    x, y, _, _ = SEQUENCE_TASKS["delayed_recall"].load(n=100, n_test=50, delay=5)
    assert x.shape == (100, 6, 8)


def test_the_spec_and_the_data_sources_share_one_field_class():
    assert Param is Field
    assert isinstance(engine.LAYERS["dense"].fields["units"], Field)
    assert isinstance(SEQUENCE_TASKS["waves"].params["length"], Field)
    assert isinstance(DATASETS_2D["circle"].params["noise"], Field)
    assert engine.LAYERS["dense"].fields["units"].default is REQUIRED
    assert Field("int", 1, (0, 9)).check("n", 4.0) == 4 and Field("float", 1, (0, 9)).check("x", 2) == 2.0
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1"):
        Field("float", 0.5, (0, 1), open_high=True).check("rate", 1)
    with pytest.raises(ValueError, match="needs bounds"):
        Field("int", 1)


@pytest.mark.parametrize("name", list(IMAGE_DATASETS) + list(SEQUENCE_TASKS))
def test_every_source_says_its_facts(name):
    source = {**IMAGE_DATASETS, **SEQUENCE_TASKS}[name]
    small = {"n": 120, "n_test": 60} if "n" in source.params else {}
    facts = source.facts(**small)
    x, y, _, _ = source.load(seed=1, **small)
    assert facts.input_shape == x.shape[1:]
    assert len(facts.class_names) == facts.classes
    if source.kind == "regression":
        assert facts.classes == 0 and facts.outputs == y.reshape(len(y), -1).shape[1]
    else:
        assert facts.outputs == facts.classes >= 2 and 0 <= y.min() and y.max() < facts.classes
        assert all(isinstance(c, str) and c for c in facts.class_names)


def test_facts_follow_the_settings():
    assert IMAGE_DATASETS["mnist"].facts().class_names == tuple("0123456789")
    assert IMAGE_DATASETS["mnist"].facts().input_shape == (1, 28, 28)
    assert IMAGE_DATASETS["bars"].facts(size=20).input_shape == (1, 20, 20)
    assert IMAGE_DATASETS["bars"].facts().class_names == ("horizontal", "vertical", "diagonal ╲", "diagonal ╱")
    recall = SEQUENCE_TASKS["delayed_recall"].facts(symbols=3, distractors=2, delay=5)
    assert recall.input_shape == (6, 5) and recall.class_names == ("A", "B", "C") and recall.outputs == 3
    assert SEQUENCE_TASKS["parity"].facts().class_names == ("even", "odd")
    text = SEQUENCE_TASKS["text"].facts(length=8)
    assert text.input_shape == (8, text.classes) and "e" in text.class_names
    assert SEQUENCE_TASKS["waves"].facts(length=20).input_shape == (20, 1)
    with pytest.raises(ValueError, match=r"'?size'? must be in \[6, 28\]"):
        IMAGE_DATASETS["bars"].facts(size=40)


def test_2d_sets_say_their_classes():
    assert DATASETS_2D["circle"].class_names == ("-1", "+1") and DATASETS_2D["circle"].outputs == 1
    assert DATASETS_2D["spiral3"].class_names == ("0", "1", "2") and DATASETS_2D["spiral3"].outputs == 3
    assert DATASETS_2D["reg_plane"].class_names == () and DATASETS_2D["reg_plane"].outputs == 1


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
