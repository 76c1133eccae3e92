"""URL codec: every field round-trips; bad links are clamped or dropped with a notice."""
import random
import string

import pytest

from ui.mlp.settings import FIELDS, HIDEABLE, LR_LADDER, MlpSettings
from ui.url import decode as _decode, encode


def decode(params):
    return _decode(params, MlpSettings)


FULL = MlpSettings(dataset="spiral", noise=25, train_pct=70, seed=123, features=("x1", "x2", "sin_x1"),
                   hidden=(8, 5, 3), activation="relu", layer_acts=("", "sigmoid", ""), dropout=(0.1, 0.0, 0.25),
                   problem="classification", loss="cross_entropy", init="uniform", optimizer="adam", lr=0.003,
                   regularization="l2", reg_rate=0.01, clip=1.0, batchnorm=True, layer_bn=("", "off", ""), batch=32,
                   speed=5.0, show_test=True, discretize=True,
                   present=True, hide=("data", "gradients"), zoom=1.75, contrast=True)


def test_every_field_round_trips():
    params = encode(FULL)
    assert set(params) == {f.url for f in FIELDS.values()} - {"problem"}   # problem equals the default
    settings, notices = decode(params)
    assert settings == FULL and notices == []


def test_defaults_give_an_empty_link():
    assert encode(MlpSettings()) == {}
    assert decode({}) == (MlpSettings(), [])


@pytest.mark.parametrize("params, field, value, notice", [
    ({"noise": "80"}, "noise", 50, "out of range"),
    ({"noise": "-3"}, "noise", 0, "out of range"),
    ({"batch": "abc"}, "batch", 10, "not a whole number"),
    ({"lr": "0.02"}, "lr", 0.03, "not on the scale"),
    ({"lr": "nan"}, "lr", 0.03, "not a finite number"),
    ({"lr": "1e400"}, "lr", 0.03, "not a finite number"),
    ({"data": "swirl"}, "dataset", "circle", "not one of"),
    ({"net": "9,0"}, "hidden", (8, 1), "out of range"),
    ({"net": "1,2,3,4,5,6,7"}, "hidden", (1, 2, 3, 4, 5, 6), "at most 6 values"),
    ({"feat": "x1,x9"}, "features", ("x1",), "unknown value"),
    ({"feat": ""}, "features", ("x1", "x2"), "cannot be empty"),
    ({"test": "maybe"}, "show_test", False, "not on/off"),
    ({"drop": "0.9"}, "dropout", (0.5, 0.0), "out of range"),
    ({"acts": "relu,swish"}, "layer_acts", (), "not among"),
    ({"zzz": "1"}, None, None, "Unknown link parameter"),
    ({"seed": "9" * 300}, "seed", 0, "too long"),
])
def test_bad_values_are_clamped_or_dropped_with_a_notice(params, field, value, notice):
    settings, notices = decode(params)
    assert any(notice in n for n in notices), notices
    if field:
        assert getattr(settings, field) == value


def test_problem_and_dataset_are_made_consistent():
    settings, _ = decode({"problem": "regression", "data": "spiral", "loss": "cross_entropy"})
    assert settings.dataset == "reg_plane" and settings.loss == "mse"
    settings, _ = decode({"data": "spiral3"})
    assert settings.loss == "cross_entropy" and settings.engine_loss == "softmax_crossentropy"


def test_fuzzed_links_never_raise():
    rng = random.Random(0)
    urls = [f.url for f in FIELDS.values()] + ["x", ""]
    alphabet = string.printable + "ä€😀"
    for _ in range(2000):
        params = {rng.choice(urls): "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
                  for _ in range(rng.randrange(1, 5))}
        settings, notices = decode(params)
        assert isinstance(settings, MlpSettings)
        settings.spec()                                # always a buildable network
        assert 0 <= len(settings.hidden) <= 6 and all(1 <= u <= 8 for u in settings.hidden)
        assert settings.lr in LR_LADDER and set(settings.hide) <= set(HIDEABLE)
