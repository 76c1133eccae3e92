"""Declarative settings shared by every page: fields with a type, bounds and a URL name.

A page's settings are a frozen dataclass deriving from ``Settings`` whose class
attribute ``FIELDS`` maps each field name to a ``Field``. The fields drive the
URL codec (``ui/url.py``), validation and the reset rule: a change to a field
marked ``resets`` needs a new network and data; the others (learning rate,
batch size, ...) apply to the running network.
"""
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Field:
    kind: str                 # int, float, bool, choice, ladder, multi, ints, floats, choices
    bounds: object = None     # (lo, hi) for numbers; the allowed values for choice, ladder, multi, choices
    url: str = ""
    resets: bool = False
    max_items: int = 0        # for the list kinds (ints, floats, choices): how many at most


@dataclass(frozen=True)
class Settings:
    """Base of a page's settings. Subclasses set ``FIELDS`` and may override ``normalise``."""
    FIELDS = {}

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

    def with_(self, **changes):
        return replace(self, **changes).normalise()

    def run_key(self):
        """The values of the fields whose change needs a new network and data."""
        return tuple(getattr(self, name) for name, f in self.FIELDS.items() if f.resets)

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}
