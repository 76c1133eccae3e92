"""Spec validation: a bad field names itself and what it allows."""
import pytest

import engine

GOOD = {"input_shape": [2], "layers": [{"type": "dense", "units": 4, "activation": "relu"},
                                       {"type": "dense", "units": 1}], "loss": "mse"}


def with_layer(**layer):
    return {**GOOD, "layers": [layer, {"type": "dense", "units": 1}]}


@pytest.mark.parametrize("spec, message", [
    (with_layer(type="convolution", units=3), r"layers\[0\]: 'type' must be one of \['avgpool2d', 'batchnorm', 'conv2d', 'dense', .*got 'convolution'"),
    (with_layer(type="dense", units=-3), r"layers\[0\]: 'units' must be in \[1, 4096\], got -3"),
    (with_layer(type="dense", units=2.5), r"'units' must be an integer"),
    (with_layer(type="dense", units=4, activation="swish"),
     r"layers\[0\]: 'activation' must be one of \['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu'\]"),
    (with_layer(type="dense"), r"a dense layer needs 'units'"),
    (with_layer(type="dense", units=3, unit=4), r"unknown field\(s\) \['unit'\]"),
    (with_layer(type="dropout", rate=1.0), r"'rate' must be in \[0.0, 1.0\)"),
    ({**GOOD, "input_shape": [0]}, r"input_shape: must be a list of 1 to 3 positive integers"),
    ({**GOOD, "input_shape": "2"}, r"input_shape"),
    ({**GOOD, "input_shape": [1, 2, 3, 4]}, r"input_shape"),
    ({**GOOD, "loss": "hinge"}, r"loss: must be one of \['binary_crossentropy', 'mse', 'softmax_crossentropy'\]"),
    ({**GOOD, "layers": []}, r"layers: must be a list of 1 to"),
    ({**GOOD, "init": "zeros"}, r"init: must be one of"),
    ({**GOOD, "optimiser": "adam"}, r"unknown field\(s\) \['optimiser'\]"),
    ([1, 2], r"spec must be a dict"),
])
def test_bad_specs_raise_value_error_naming_the_field(spec, message):
    with pytest.raises(ValueError, match=message):
        engine.build(spec)


def test_shape_errors_name_the_layer():
    spec = {"input_shape": [1, 4, 4], "layers": [{"type": "dense", "units": 3}], "loss": "mse"}
    with pytest.raises(ValueError, match=r"layers\[0\] \(dense\): .*add a flatten layer"):
        engine.build(spec)
    spec = {"input_shape": [4], "layers": [{"type": "dense", "units": 1}], "loss": "softmax_crossentropy"}
    with pytest.raises(ValueError, match="softmax_crossentropy needs at least 2 outputs"):
        engine.build(spec)


def test_validate_fills_defaults_and_copies():
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4}], "loss": "mse"}
    out = engine.validate(spec)
    assert out["layers"][0]["activation"] == "linear" and out["init"] == "auto"
    assert "activation" not in spec["layers"][0]


def test_layer_fields_live_in_the_layer_classes():
    for name, cls in engine.LAYERS.items():
        assert name in cls.types
        out = engine.validate({**GOOD, "layers": [{"type": name, **_required(cls)}]})["layers"][0]
        assert set(out) == {"type"} | set(cls.fields)


def _required(cls):
    return {name: {"int": 1, "float": 0.5}[f.kind] for name, f in cls.fields.items() if f.required}


def test_trainable_is_a_field_of_every_layer_with_parameters():
    spec = {"input_shape": [1, 6, 6], "loss": "mse", "layers": [
        {"type": "conv2d", "filters": 2, "trainable": False}, {"type": "maxpool2d"}, {"type": "flatten"},
        {"type": "dropout", "rate": 0.1}, {"type": "dense", "units": 2}]}
    net = engine.build(spec)
    for layer in net.layers:
        assert ("trainable" in type(layer).fields) == bool(layer.param_shapes), layer.cfg["type"]
    assert [layer.trainable for layer in net.layers] == [False, True, True, True, True]
    with pytest.raises(ValueError, match=r"layers\[0\]: 'trainable' must be true or false"):
        engine.build({**GOOD, "layers": [{"type": "dense", "units": 1, "trainable": "no"}]})
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['trainable'\] for a flatten layer"):
        engine.build({**GOOD, "layers": [{"type": "flatten", "trainable": False}, {"type": "dense", "units": 1}]})
