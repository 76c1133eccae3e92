"""Small builders shared by the tests."""


def dense_spec(widths, activation="tanh", loss="mse", inputs=2, outputs=1, out_activation="linear"):
    layers = [{"type": "dense", "units": w, "activation": activation} for w in widths]
    layers.append({"type": "dense", "units": outputs, "activation": out_activation})
    return {"input_shape": [inputs], "layers": layers, "loss": loss}


def labels_for(loss, rng, n, outputs):
    if loss == "softmax_crossentropy":
        return rng.integers(0, outputs, n)
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, outputs)).astype(float)
    return rng.normal(size=(n, outputs))
