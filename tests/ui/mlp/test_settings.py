"""Settings -> engine spec and the reset rule."""
import engine
from ui.mlp.settings import FIELDS, MlpSettings


def test_default_spec_is_tf_playgrounds_network():
    spec = MlpSettings().spec()
    assert spec["input_shape"] == [2] and spec["loss"] == "mse"
    assert [(l["units"], l["activation"]) for l in spec["layers"]] == [(4, "tanh"), (2, "tanh"), (1, "tanh")]
    engine.build(spec)


def test_per_layer_activation_and_dropout():
    s = MlpSettings().with_(hidden=(3, 3), activation="relu", layer_acts=("sigmoid", ""), dropout=(0.0, 0.2))
    layers = s.spec()["layers"]
    assert [l["type"] for l in layers] == ["dense", "dense", "dropout", "dense"]
    assert layers[0]["activation"] == "sigmoid" and layers[1]["activation"] == "relu"
    assert layers[2]["rate"] == 0.2


def test_losses_and_outputs():
    ce = MlpSettings(loss="cross_entropy").spec()
    assert ce["loss"] == "binary_crossentropy" and ce["layers"][-1]["activation"] == "linear"
    three = MlpSettings().with_(dataset="spiral3").spec()
    assert three["loss"] == "softmax_crossentropy" and three["layers"][-1]["units"] == 3
    reg = MlpSettings().with_(problem="regression").spec()
    assert reg["loss"] == "mse" and reg["layers"][-1]["activation"] == "linear"


def test_only_resetting_fields_change_the_run_key():
    base = MlpSettings()
    for name, f in FIELDS.items():
        if name in ("features", "hide", "hidden", "layer_acts", "layer_bn", "dropout", "problem"):
            continue
        other = {"int": lambda v: v + 1, "bool": lambda v: not v,
                 "choice": lambda v: [c for c in f.bounds if c != v][0],
                 "ladder": lambda v: [c for c in f.bounds if c != v][0]}[f.kind](getattr(base, name))
        changed = base.with_(**{name: other})
        assert (changed.run_key() != base.run_key()) == f.resets, name


def test_the_last_feature_stays_and_three_classes_back_to_two_say_so():
    from dataclasses import replace

    from ui.url import settle
    s = MlpSettings()
    kept, notes = settle(replace(s, features=()), before=s)
    assert kept.features == ("x1", "x2") and any("At least one input feature" in n for n in notes)
    three, _ = settle(replace(s, dataset="spiral3"), before=s)
    assert three.loss == "cross_entropy"
    back, notes = settle(replace(three, dataset="circle"), before=three)
    assert back.loss == "mse" and any("back to squared error" in n for n in notes)


def test_a_canvas_click_with_nan_is_refused():
    import math

    import pytest

    from ui.canvas import BadEvent, checked
    from ui.mlp.views import EVENTS
    for value in ({"x": math.nan, "y": 0.0}, {"x": 0.0, "y": math.inf}, {"x": 7.0, "y": 0.0}):
        with pytest.raises(BadEvent):
            checked(value, EVENTS["plot_click"])


def test_batch_norm_goes_before_each_chosen_layers_activation():
    s = MlpSettings().with_(hidden=(3, 3, 3), activation="sigmoid", batchnorm=True, layer_bn=("", "off", ""),
                            dropout=(0.0, 0.0, 0.2))
    layers = s.spec()["layers"]
    assert [(l["type"], l.get("activation")) for l in layers] == [
        ("dense", "linear"), ("batchnorm", "sigmoid"), ("dense", "sigmoid"), ("dense", "linear"),
        ("batchnorm", "sigmoid"), ("dropout", None), ("dense", "tanh")]
    net = engine.build(s.spec())
    assert sorted(net.state) == ["1.moving_mean", "1.moving_variance", "4.moving_mean", "4.moving_variance"]
    assert MlpSettings().with_(layer_bn=("on", "on")).layer_bn == ("on", "on")       # on without the switch
    assert MlpSettings().with_(batchnorm=True, layer_bn=("on", "")).layer_bn == ()   # the same as the switch
    assert not MlpSettings().with_(batchnorm=True, layer_bn=("off", "off")).normalising
