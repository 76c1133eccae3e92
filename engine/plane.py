"""Probes over the 2-D input plane (the MLP page's pictures), kept out of the general Snapshot.

    maps = PlaneMaps(snap, Plane(("x1", "x2"), resolution=49))
    maps.neuron_maps[k]       # layer k's output over the plane: (units, R, R)

Each map costs a forward pass over R * R points, so it is computed on first access, once.
"""
from functools import cached_property, lru_cache

from .data import Plane

__all__ = ["Plane", "PlaneMaps", "plane_inputs"]


@lru_cache(maxsize=16)
def plane_inputs(plane):
    """The network inputs over ``plane``'s grid, (R * R, features): the same for every frame
    of a run, so made once (read-only: one cached array serves every session)."""
    inputs = plane.inputs()
    inputs.flags.writeable = False
    return inputs


class PlaneMaps:
    def __init__(self, snap, plane):
        self.snap, self.plane = snap, plane

    @cached_property
    def input_maps(self):
        """Each input feature over the plane: (features, R, R), row = y index."""
        r = self.plane.resolution
        return plane_inputs(self.plane).T.reshape(-1, r, r)

    @cached_property
    def neuron_maps(self):
        """Every layer's output over the plane: a list of (units, R, R) arrays."""
        r = self.plane.resolution
        outs = self.snap.layer_outputs(plane_inputs(self.plane))
        return [out.reshape(r * r, -1).T.reshape(-1, r, r) for out in outs]

    @property
    def output_map(self):
        """The network's raw output over the plane: (outputs, R, R)."""
        return self.neuron_maps[-1]
