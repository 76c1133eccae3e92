"""Your own symbols without Streamlit: class names, the set's rules, the .npz a teacher hands out (checked,
never pickled), and a head trained on frozen conv layers."""
import io
import zipfile

import numpy as np
import pytest

import engine
from ui.cnn import symbols as sym
from ui.cnn.settings import CnnSettings
from ui.cnn.transfer import pretrain
from ui.cnn.data import PAGE_IMAGES


@pytest.mark.parametrize("name, why", [("<b>x</b>", "plain text"), ("[a](http://e.x)", "plain text"),
                                       ("", "needs a name"), ("   ", "needs a name"), ("x" * 25, "at most 24"),
                                       ("`code`", "plain text")])
def test_a_class_name_with_markup_or_of_the_wrong_size_is_refused_in_words(name, why):
    with pytest.raises(ValueError, match=why):
        sym.check_name(name)


def test_class_names_of_any_script_are_kept_trimmed_and_duplicates_refused():
    assert sym.check_name("  Kreis   ü ") == "Kreis ü" and sym.check_name("星") == "星"
    with pytest.raises(ValueError, match="cannot both be called"):
        sym.check_name("circle", taken=["Circle"])


def test_a_set_says_why_it_cannot_train_yet():
    one = sym.SymbolSet(["alone"])
    assert "at least 2 classes" in one.problems()[0]
    s = sym.SymbolSet(["a", "b"])
    blank = np.zeros((28, 28), np.float32)
    for _ in range(3):
        s.add(0, blank + 1)
    s.add(1, blank + 1)
    assert s.problems() == ["'b' has 1 drawing: at least 3, so one can be held out to test the head."]
    assert s.remove_last(1) and s.problems() == ["'b' has no drawings yet: draw or upload at least 3."]
    with pytest.raises(ValueError, match="no class 3"):
        s.add(2, blank)
    for _ in range(sym.MAX_EXAMPLES - 3):
        s.add(0, blank)
    with pytest.raises(ValueError, match="40 drawings already"):
        s.add(0, blank)


def test_the_split_holds_out_every_third_drawing_of_each_class():
    train, held = sym.split([0, 0, 0, 1, 1, 1, 1, 1, 1, 0])
    assert held.tolist() == [2, 5, 8] and sorted(train.tolist() + held.tolist()) == list(range(10))


def example(n=5, seed=0, kinds=("circle", "square", "triangle")):
    images, labels = sym.demo_drawings(kinds, n, seed=seed)
    return sym.SymbolSet(list(kinds), list(images), labels.tolist())


def test_a_set_travels_as_a_small_npz_and_comes_back_the_same():
    s = example()
    data = s.to_npz()
    assert len(data) < 20_000
    back = sym.read_npz(data)
    assert back.names == s.names and back.labels == s.labels
    np.testing.assert_allclose(np.asarray(back.images), np.asarray(s.images), atol=1 / 255)


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


GOOD = dict(images=np.zeros((3, 28, 28), np.uint8), labels=np.array([0, 1, 1]), names=np.array(["a", "b"]))


@pytest.mark.parametrize("data, why", [
    (b"", "empty"),
    (b"PK\x03\x04" + b"\0" * 100, "not a set of symbols"),
    (b"x" * (sym.MAX_FILE + 1), "at most 512 KB"),
    (_npz(**{**GOOD, "names": np.array(["a", "b"], dtype=object)}), "damaged"),     # object arrays: never unpickled
    (_npz(images=GOOD["images"], labels=GOOD["labels"]), "exactly the arrays"),
    (_npz(**{**GOOD, "names": np.array(["only"])}), "2 to 5 class names"),
    (_npz(**{**GOOD, "names": np.array(["a", "<script>"])}), "plain text"),
    (_npz(**{**GOOD, "images": np.zeros((3, 12, 12), np.uint8)}), "28 x 28"),
    (_npz(**{**GOOD, "images": np.zeros((3, 28, 28), np.float32)}), "uint8"),
    (_npz(**{**GOOD, "labels": np.array([0, 1, 2])}), "names no class"),
    (_npz(**{**GOOD, "labels": np.array([0, 1])}), "one whole number per image"),
])
def test_a_bad_set_file_is_refused_in_words(data, why):
    with pytest.raises(ValueError, match=why):
        sym.read_npz(data)


def test_a_set_that_unpacks_too_large_is_refused_before_reading():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("images.npy", b"\0" * (sym.MAX_UNPACKED + 10))
    with pytest.raises(ValueError, match="unpacks to"):
        sym.read_npz(buf.getvalue())


def test_a_head_on_frozen_trained_conv_layers_learns_drawn_symbols():
    s = CnnSettings.from_values({"dataset": "digits04", "filters": (4, 8), "kernels": (3, 3)})
    base = pretrain(s.base_spec(), 0, PAGE_IMAGES["digits04"].load(), s.trainer_options(), steps=200)
    before = {k: v.copy() for k, v in base.net.params.items()}
    symbols = example(n=6, seed=1)
    model = sym.train_head(symbols, base.net, seed=0)
    assert model.held_out.keys() == {0, 1, 2} and all(n == 2 for _, n in model.held_out.values())
    images, labels = sym.demo_drawings(("circle", "square", "triangle"), 20, seed=99)    # drawings it never saw
    assert model.accuracy(images, labels) > 0.6                                          # chance: 1/3
    probs = model.predict(images[0])
    assert probs.shape == (3,) and abs(probs.sum() - 1) < 1e-5
    for name, value in before.items():                              # the base is not changed
        np.testing.assert_array_equal(base.net.params[name], value)
    np.testing.assert_array_equal(model.features.params["0.W"], before["0.W"])      # the base's, unchanged
    assert [layer.cfg["type"] for layer in model.head.layers] == ["dense"]            # only a new output layer


def test_a_head_needs_a_set_that_can_train():
    with pytest.raises(ValueError, match="no drawings yet"):
        sym.train_head(sym.SymbolSet(["a", "b"]), engine.build(CnnSettings().spec()))
