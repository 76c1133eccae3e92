"""A tiny end-to-end engine run for the home page."""
import engine
from engine.data import make_2d, split


def train_demo(steps=1500, seed=0):
    pts, labels = make_2d("circle", 500, 0.1, seed=seed)
    xtr, ytr, xte, yte = split(pts, labels, 0.5, seed=seed)
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                           {"type": "dense", "units": 1, "activation": "tanh"}],
            "loss": "mse"}
    trainer = engine.Trainer(engine.build(spec, seed=seed), train=(xtr, ytr), test=(xte, yte),
                             optimizer="adam", lr=0.03, batch_size=10, seed=seed)
    snap = trainer.step(steps)
    return {"test_acc": snap.test_acc, "loss": snap.history["step_loss"]}
