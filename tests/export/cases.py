"""Networks of every exported kind with their data recipes, trained a little by the engine: what
the exported scripts must reproduce (tests/export)."""
import io
from dataclasses import dataclass

import numpy as np

import engine
from engine.data import IMAGE_DATASETS, SEQUENCE_TASKS, featurize, make_2d, split
from export.recipe import Recipe, trainer_recipe


@dataclass
class Case:
    recipe: Recipe
    trainer: object
    x_test: np.ndarray              # the engine's test inputs

    @property
    def net(self):
        return self.trainer.net

    def weights(self):
        buf = io.BytesIO()
        np.savez(buf, **self.net.params, **{f"state:{k}": v for k, v in self.net.state.items()})   # as the page saves
        return buf.getvalue()

    def outputs(self):
        return self.net.forward(self.x_test)


def _mlp():
    data = {"source": "toy2d", "name": "circle", "n": 500, "noise": 0.1, "seed": 2, "train_fraction": 0.5,
            "features": ["x1", "x2", "x1_sq", "sin_x2"], "targets": "float"}
    pts, labels = make_2d("circle", 500, 0.1, seed=2)
    xy, lab, txy, tlab = split(pts, labels, 0.5, seed=2)
    feats = data["features"]
    spec = {"input_shape": [4], "loss": "mse", "layers": [
        {"type": "dense", "units": 6, "activation": "relu"}, {"type": "dropout", "rate": 0.2},
        {"type": "dense", "units": 4, "activation": "leaky_relu"},
        {"type": "dense", "units": 3, "activation": "sigmoid"}, {"type": "dense", "units": 1, "activation": "tanh"}]}
    return data, spec, (featurize(xy, feats), lab), (featurize(txy, feats), tlab), dict(optimizer="sgd", lr=0.03,
                                                                                       batch_size=10, l2=0.001)


def _cnn():
    settings = {"n": 300, "n_test": 100, "size": 12, "noise": 0.15}
    data = {"source": "image", "name": "bars", "settings": settings, "seed": 1}
    x, y, xt, yt = IMAGE_DATASETS["bars"].load(seed=1, **settings)
    spec = {"input_shape": [1, 12, 12], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 3, "stride": 2, "padding": "same", "activation": "relu"},
        {"type": "conv2d", "filters": 5, "kernel_size": 4, "stride": 1, "padding": "same", "activation": "tanh"},
        {"type": "maxpool2d", "pool_size": 2},
        {"type": "conv2d", "filters": 3, "kernel_size": 2, "stride": 1, "padding": "valid", "activation": "leaky_relu"},
        {"type": "avgpool2d", "pool_size": 2}, {"type": "flatten"},
        {"type": "dense", "units": 8, "activation": "relu"}, {"type": "dropout", "rate": 0.25},
        {"type": "dense", "units": 4}]}
    return data, spec, (x, y), (xt, yt), dict(optimizer="adam", lr=0.01, batch_size=32, l1=0.0001)


def _sequences(task, settings, layers, seed=0, loss="mse", **options):
    data = {"source": "sequence", "name": task, "settings": settings, "seed": seed}
    x, y, xt, yt = SEQUENCE_TASKS[task].load(seed=seed, **settings)
    facts = SEQUENCE_TASKS[task].facts(**settings)
    spec = {"input_shape": list(facts.input_shape), "loss": loss,
            "layers": layers + [{"type": "dense", "units": facts.outputs}]}
    return data, spec, (x.astype(np.float32), y), (xt.astype(np.float32), yt), options


def _autoencoder():
    settings = {"n": 200, "n_test": 60, "size": 8, "noise": 0.1}
    data = {"source": "image", "name": "bars", "settings": settings, "seed": 6, "targets": "pixels"}
    x, _, xt, _ = IMAGE_DATASETS["bars"].load(seed=6, **settings)
    flat = [np.clip(a.reshape(len(a), -1), 0, 1) for a in (x, xt)]
    spec = {"input_shape": [1, 8, 8], "loss": "binary_crossentropy", "layers": [
        {"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"},
        {"type": "dense", "units": 2}, {"type": "dense", "units": 16, "activation": "relu"},
        {"type": "dense", "units": 64}]}
    return data, spec, (x, flat[0]), (xt, flat[1]), dict(optimizer="adam", lr=0.01, batch_size=16,
                                                         classification=False)


def _mlp_bn():
    data, spec, train, test, options = _mlp()
    spec = {"input_shape": [4], "loss": "mse", "layers": [
        {"type": "dense", "units": 6}, {"type": "batchnorm", "activation": "relu", "momentum": 0.9},
        {"type": "dense", "units": 4}, {"type": "batchnorm", "activation": "leaky_relu", "epsilon": 0.01},
        {"type": "dense", "units": 1, "activation": "tanh"}]}
    return data, spec, train, test, dict(options, batch_size=16)


def _cnn_bn():
    data, _, train, test, options = _cnn()
    spec = {"input_shape": [1, 12, 12], "loss": "softmax_crossentropy", "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"},
        {"type": "batchnorm", "activation": "relu", "momentum": 0.9}, {"type": "maxpool2d", "pool_size": 2},
        {"type": "conv2d", "filters": 6, "kernel_size": 3, "padding": "same"},
        {"type": "batchnorm", "activation": "relu", "momentum": 0.8}, {"type": "maxpool2d", "pool_size": 2},
        {"type": "flatten"}, {"type": "dense", "units": 8},
        {"type": "batchnorm", "activation": "tanh", "trainable": False}, {"type": "dense", "units": 4}]}
    return data, spec, train, test, options


def _vae():
    data, _, train, test, options = _autoencoder()
    spec = {"input_shape": [1, 8, 8], "loss": "binary_crossentropy", "layers": [
        {"type": "flatten"}, {"type": "noise", "stddev": 0.1}, {"type": "dense", "units": 16, "activation": "relu"},
        {"type": "dense", "units": 4}, {"type": "sampling", "beta": 1.0},
        {"type": "dense", "units": 16, "activation": "relu"}, {"type": "dense", "units": 64}]}
    return data, spec, train, test, options


CASES = {
    "mlp_bn": _mlp_bn,
    "cnn_bn": _cnn_bn,
    "vae": _vae,
    "autoencoder": _autoencoder,
    "mlp": _mlp,
    "cnn": _cnn,
    "rnn": lambda: _sequences("waves", {"n": 200, "n_test": 50, "length": 20, "kind": "sines", "noise": 0.05},
                              [{"type": "rnn", "units": 8}], seed=3, optimizer="adam", lr=0.01, batch_size=16,
                              clip_norm=1.0),
    "lstm": lambda: _sequences("text", {"n": 200, "n_test": 50, "length": 12, "text": "zen", "every_step": True},
                               [{"type": "lstm", "units": 10, "return_sequences": True}], seed=4,
                               loss="softmax_crossentropy", optimizer="rmsprop", lr=0.003, batch_size=32, clip_norm=1.0),
    "gru": lambda: _sequences("delayed_recall", {"n": 200, "n_test": 50, "delay": 6},
                              [{"type": "gru", "units": 6, "return_sequences": True}, {"type": "gru", "units": 5}],
                              seed=5, loss="softmax_crossentropy", optimizer="momentum", lr=0.01, batch_size=16),
}


def make_case(name, steps=60, epochs=2):
    data, spec, train, test, options = CASES[name]()
    net = engine.build(spec, seed=0)
    tr = engine.Trainer(net, train=train, test=test, seed=0, **options)
    tr.step(steps)
    recipe = trainer_recipe(tr, name, f"The {name} case", data, epochs=epochs, seed=0, link="http://localhost/x")
    return Case(recipe, tr, net.inputs(test[0]).reshape((-1,) + tuple(spec["input_shape"])))
