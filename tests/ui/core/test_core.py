"""The shared core: page-agnostic modules, settings fields and codec on a toy page, rewind history."""
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ui.history import ParamHistory
from ui.settings import Field, Settings
from ui.text import plain
from ui.url import bounded, decode, encode

UI = Path(__file__).resolve().parents[3] / "ui"


def test_shared_modules_name_no_page():
    named = {p.name: m.group(0) for p in UI.glob("*.py")
             for m in [re.search(r"(?i)\b(mlp|cnn|rnn)\w*", p.read_text())] if m}
    named.update({p.name: m.group(0) for p in (UI / "components").glob("*.js")
                  for m in [re.search(r"(?i)\b(mlp|cnn|rnn)\w*", p.read_text())] if m})
    assert not named, f"page-specific names in the shared ui/ core: {named}"


@dataclass(frozen=True)
class Toy(Settings):
    FIELDS = {"size": Field("int", (1, 9), "n", True), "rate": Field("ladder", (0.1, 1.0), "r"),
              "shape": Field("choices", ("a", "b"), "s", True, max_items=3),
              "on": Field("bool", None, "on")}
    size: int = 3
    rate: float = 0.1
    shape: tuple = ("a",)
    on: bool = False

    def normalise(self):
        return self if self.shape else Toy(self.size, self.rate, ("a",), self.on)

    def spec(self):
        return {"input_shape": [self.size], "layers": [{"type": "dense", "units": 1}], "loss": "mse"}

    def trainer_options(self):
        return {"lr": self.rate}


def test_a_toy_page_round_trips_through_the_link():
    toy = Toy(size=7, rate=1.0, shape=("b", "a"), on=True)
    assert encode(Toy()) == {}
    assert decode(encode(toy), Toy) == (toy, [])


def test_a_toy_page_reports_bad_links():
    settings, notices = decode({"n": "99", "s": "a,b,c,a,b", "on": "perhaps", "zz": "1"}, Toy)
    assert settings.size == 9 and settings.on is False
    assert len(notices) == 5, notices
    settings, notices = decode({"s": ""}, Toy)
    assert settings.shape == ("a",) and "cannot be empty" in notices[0]


@dataclass(frozen=True)
class ToyLayers(Toy):
    FIELDS = {**Toy.FIELDS, "shape": Field("choices", ("a", "b"), "s", True, max_items=3, item_default="")}


def test_an_empty_list_item_is_kept_only_where_it_is_the_items_default():
    """The MLP's per-layer activation may be "" ("as all layers"); a CNN block's may not (the engine
    refused '' when the network was built, from a link or a crafted widget value)."""
    settings, notices = decode({"s": "a,,b"}, Toy)
    assert settings.shape == ("a",) and "''" in notices[0]
    settings, notices = bounded(replace(Toy(), shape=("a", "")))
    assert settings.shape == ("a",) and notices
    assert decode({"s": "a,,b"}, ToyLayers) == (ToyLayers(shape=("a", "", "b")), [])
    assert bounded(ToyLayers(shape=("", "b"))) == (ToyLayers(shape=("", "b")), [])


def test_only_resetting_fields_enter_the_run_key():
    assert Toy().run_key() == Toy(rate=1.0, on=True).run_key() != Toy(size=4).run_key()


def test_link_text_is_shown_as_text():
    evil = "[Click here](https://example.com/phish) ![img](https://example.com/x.png) <b>x</b>"
    escaped = plain(evil)
    assert "](" not in escaped.replace("\\]\\(", "") and "<b>" not in escaped
    assert re.sub(r"\\(.)", r"\1", escaped.replace("\u2060", "")) == evil    # nothing lost, only escaped


class Snap:
    def __init__(self, epoch, value=0.0, size=100):
        self.epoch, self.step = epoch, epoch * 10
        self.params = {"0.W": np.full((size, size), value, np.float32)}


def test_history_keeps_every_early_epoch_and_fits_its_budget():
    h = ParamHistory(budget_bytes=200 * 40_000, keep_all=100)
    for epoch in range(1000):
        h.record(Snap(epoch, epoch))
        h.record(Snap(epoch, -1))                 # a second snapshot of the same epoch is not kept
    assert h.epochs[:100] == list(range(100)) and h.epochs[-1] == 999
    assert h.nbytes <= 200 * 40_000 and len(h.epochs) > 120
    gaps = np.diff(h.epochs[100:])
    assert (gaps[1:] >= gaps[:-1][:len(gaps) - 1]).mean() > 0.5 or gaps.max() <= 16   # sparser further back
    assert h.at(500).flat[0] == h.at(500).epoch                # the weights of that epoch, not another's
    h.drop_after(300)
    assert h.epochs[-1] <= 300 and h.nbytes == sum(m.flat.nbytes for m in h.moments)


def test_history_of_a_tiny_net_stays_short():
    h = ParamHistory()
    for epoch in range(5000):
        h.record(Snap(epoch, size=4))
    assert len(h.epochs) <= 1000 and h.epochs[:100] == list(range(100)) and h.epochs[-1] == 4999
