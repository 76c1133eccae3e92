"""A setting with bounds: one class for the spec's layer fields and the data sources' settings.

    Field("int", 3, (1, 7)).check("layers[0]: 'kernel_size'", 9)
    ValueError: layers[0]: 'kernel_size' must be in [1, 7], got 9

``check`` returns the value normalised (an int for "int", a float for "float") or raises
a ``ValueError`` that starts with the caller's label and says what is allowed.
"""
import math
from dataclasses import dataclass

import numpy as np

KINDS = ("int", "float", "bool", "choice")


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()          # the default of a field that has none: the caller must give it


@dataclass(frozen=True)
class Field:
    """kind "int", "float", "bool" or "choice"; its default (REQUIRED: none); its bounds:
    (lo, hi) for numbers, inclusive, except hi for a float with ``open_high`` ([lo, hi)),
    the allowed values for a choice, None for a bool."""
    kind: str
    default: object = REQUIRED
    bounds: tuple = None
    open_high: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Field kind must be one of {list(KINDS)}, got {self.kind!r}")
        if (self.bounds is None) != (self.kind == "bool"):
            raise ValueError(f"a {self.kind} Field needs {'no ' if self.kind == 'bool' else ''}bounds")

    @property
    def required(self):
        return self.default is REQUIRED

    @property
    def interval(self):
        lo, hi = self.bounds
        return f"[{lo}, {hi}{')' if self.open_high else ']'}"

    def check(self, label, value):
        """``value`` normalised if this field allows it; otherwise a ValueError "<label> must ..."."""
        if self.kind == "choice":
            if value not in self.bounds:
                raise ValueError(f"{label} must be one of {list(self.bounds)}, got {value!r}")
            return value
        if self.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{label} must be true or false, got {value!r}")
            return bool(value)
        number = _as_int(value) if self.kind == "int" else _as_float(value)
        if number is None:
            what = "an integer" if self.kind == "int" else "a number"
            raise ValueError(f"{label} must be {what} in {self.interval}, got {value!r}")
        lo, hi = self.bounds
        if not (lo <= number <= hi) or (self.open_high and number == hi):
            raise ValueError(f"{label} must be in {self.interval}, got {value}")
        return number


def _as_int(value):
    """An int for an integer or an integral float (JSON's 4.0), else None; never a bool."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _as_float(value):
    """A finite float for a number, else None; never a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None
