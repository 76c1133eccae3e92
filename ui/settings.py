"""Declarative settings shared by every page: fields with a type, bounds, URL name and widget.

A page's settings are a frozen dataclass deriving from ``Settings`` whose class
attribute ``FIELDS`` maps each field name to a ``Field``. That one table drives
the URL codec (``ui/url.py``), the server's guard on every value a browser
sends (``ui.url.bounded``), the sidebar widgets (``ui/widgets.py``: bounds,
steps, choices and labels are read from the field, never retyped) and the reset
rule: a change to a field marked ``resets`` needs a new network and data; the
others (learning rate, batch size, ...) apply to the running network.

A page's settings must say how they become an engine spec and trainer options
(``spec`` and ``trainer_options``, abstract here).
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Field:
    kind: str                 # int, float, bool, choice, ladder, multi, ints, floats, choices
    bounds: object = None     # (lo, hi) for numbers; the allowed values for choice, ladder, multi, choices
    url: str = ""
    resets: bool = False
    max_items: int = 0        # for the list kinds (ints, floats, choices): how many at most
    # -- how the field is shown (ui/widgets.py) --------------------------------------------------
    label: str = ""
    help: str = None
    widget: str = None        # slider, number, select, segmented, radio, select_slider, toggle, pills,
                              # multiselect; None: the page draws it itself (or nobody does)
    section: str = None       # the part of the page its widget sits in (a page lays the parts out)
    labels: object = None     # display names of the choices: a dict, or a function of the value
    step: object = None       # a slider's step
    count: str = None         # list kinds: the name of the widget that sets their length (shared by a group)
    min_items: int = 0        # list kinds: how many at least (the count widget's lower bound)
    item_default: object = None   # list kinds: the value of a new item
    dice: bool = False        # an int field with a "new random value" button beside it (seeds)
    shown: object = None      # settings -> bool: draw the widget only then (None: always)
    limits: object = None     # settings -> (lo, hi): a slider's range when it depends on other fields
    disabled: object = None   # settings -> bool: draw it greyed out then

    def label_of(self, value):
        """The display name of one value of this field."""
        if callable(self.labels):
            return self.labels(value)
        if isinstance(self.labels, dict) and value in self.labels:
            return self.labels[value]
        if isinstance(value, float) or self.kind == "ladder":
            return f"{value:g}"
        return str(value)

    @property
    def choices(self):
        """The values a choice widget offers (a list kind's items offer the same)."""
        return tuple(self.bounds) if self.kind in ("choice", "ladder", "multi", "choices") else None


NAMES = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "sgd": "SGD", "rmsprop": "RMSProp", "mse": "Squared error"}


def display_name(name):
    """A display name for an entry of an engine name map (a new entry gets one too)."""
    return NAMES.get(name, name.replace("_", " ").capitalize())


def optimizer_field(optimizers, section="training"):
    """The optimizer every page offers (``optimizers``: the engine's name map)."""
    return Field("choice", tuple(optimizers), "opt", label="Optimizer", widget="select", section=section,
                 labels=display_name,
                 help="How a gradient becomes a step: SGD follows it; momentum keeps going; Adam and "
                      "RMSProp scale each weight's step by its recent gradients.")


def learning_rate_field(ladder, section="training"):
    return Field("ladder", ladder, "lr", label="Learning rate", widget="select_slider", section=section,
                 help="How far each step moves the weights: too small crawls, too large overshoots and diverges.")


CLIP_LADDER = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)           # 0: no clipping


def clip_field(section="training", what="the whole gradient"):
    """Gradient clipping by global norm (the engine Trainer's ``clip_norm``; 0: off), which every page
    offers under the URL name ``clip``."""
    return Field("ladder", CLIP_LADDER, "clip", label="Gradient clipping", widget="select_slider", section=section,
                 labels=lambda v: "off" if v == 0 else f"{v:g}",
                 help=f"Before each step, scale {what} down when its length (the norm over every weight "
                      "of the network at once) is above this: one huge gradient cannot throw the weights far, "
                      "and exploding gradients are tamed. Off: the gradient as it is.")


def seed_field(section, what="data and starting weights"):
    return Field("int", (0, 99999), "seed", True, label="Seed", widget="number", section=section, dice=True,
                 help=f"Same seed, same {what}.")


HIDE_HELP = "Hide these parts while presenting (the class sees only what is left)."


ZOOMS = (1.0, 1.25, 1.5, 1.75, 2.0)


def _presenting(s):
    return s.present


def classroom_fields(hideable):
    """The presenter fields every page has (its settings declare ``present``, ``hide``, ``zoom`` and
    ``contrast``): presenter mode, what it hides (``hideable``: part -> label), its size and look."""
    return {
        "present": Field("bool", None, "present", label="Presenter mode", widget="toggle", section="classroom",
                         help="Larger type and controls for a projector; hide what the class should not touch."),
        "hide": Field("multi", tuple(hideable), "hide", label="Hide in presenter mode", widget="multiselect",
                      section="classroom", labels=dict(hideable), help=HIDE_HELP),
        "zoom": Field("ladder", ZOOMS, "zoom", label="Size on the projector", widget="select_slider",
                      section="classroom", labels=lambda z: f"{z:.0%}", shown=_presenting,
                      help="Everything larger: text, numbers, buttons and the drawings"),
        "contrast": Field("bool", None, "contrast", label="High contrast", widget="toggle", section="classroom",
                          shown=_presenting, help="Black on white with stronger lines, for a washed-out projector"),
    }


def page_zoom(settings):
    """How much larger the page is drawn: the presenter's size, or 1."""
    return settings.zoom if settings.present else 1.0


@dataclass(frozen=True)
class Settings(ABC):
    """Base of a page's settings. Subclasses set ``FIELDS`` and define ``spec`` and
    ``trainer_options``; they may override ``normalise`` and ``after_change``."""
    FIELDS = {}
    LINK_EXTRAS = ()          # link parameters the page reads itself, which are no setting (its own points)

    # -- what every page provides ----------------------------------------------------------------
    @abstractmethod
    def spec(self):
        """The engine spec (engine.build's dict) of the page's main network for these settings."""

    @abstractmethod
    def trainer_options(self):
        """What a running engine.Trainer takes without a reset: optimizer, lr, batch_size, ..."""

    # -- consistency -------------------------------------------------------------------------------
    @classmethod
    def from_values(cls, values):
        """Settings from the values a link names; a page may fill the rest from them (its task's
        defaults, say). The default takes the class defaults for the rest."""
        return cls(**values)

    def defaults(self):
        """What a link may leave out: a field equal to its value here is not written. A page may
        make these depend on other fields (its task's defaults, say) if ``from_values`` fills
        them back the same way. The default is the class defaults."""
        return type(self)()

    def normalise(self):
        """These settings made consistent (a page's rules); the default changes nothing."""
        return self

    def after_change(self, before):
        """These settings after a user changed ``before`` into them (a new task brings its own
        defaults, say); called before ``normalise``. The default changes nothing."""
        return self

    def change_notes(self, before):
        """What to tell a user who changed ``before`` into these settings (before ``after_change``
        and ``normalise`` act); the default says nothing."""
        return []

    def normalise_notes(self, wanted):
        """(notes, field names): what ``normalise`` changed from ``wanted`` into these settings, in the
        page's own words (a dropped layer named), and the fields those notes explain, which the
        generic notices (ui/url.py) then leave out. The default says nothing."""
        return [], ()

    def with_(self, **changes):
        return replace(self, **changes).normalise()

    def run_key(self):
        """The values of the fields whose change needs a new network and data."""
        return tuple(getattr(self, name) for name, f in self.FIELDS.items() if f.resets)

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def hidden_parts(self):
        """The parts presenter mode hides now (nothing unless presenting)."""
        return frozenset(getattr(self, "hide", ())) if getattr(self, "present", False) else frozenset()
