"""Probes over the 2-D input plane (the MLP page's pictures), kept out of the general Snapshot.

    maps = PlaneMaps(snap, Plane(("x1", "x2"), resolution=49))
    maps.neuron_maps[k]       # layer k's output over the plane: (units, R, R)

Each map costs a forward pass over R * R points, so it is computed on first access, once.
"""
from functools import cached_property

from .data import Plane

__all__ = ["Plane", "PlaneMaps"]


class PlaneMaps:
    def __init__(self, snap, plane):
        self.snap, self.plane = snap, plane

    @cached_property
    def input_maps(self):
        """Each input feature over the plane: (features, R, R), row = y index."""
        r = self.plane.resolution
        return self.plane.inputs().T.reshape(-1, r, r)

    @cached_property
    def neuron_maps(self):
        """Every layer's output over the plane: a list of (units, R, R) arrays."""
        r = self.plane.resolution
        outs = self.snap.layer_outputs(self.plane.inputs())
        return [out.reshape(r * r, -1).T.reshape(-1, r, r) for out in outs]

    @property
    def output_map(self):
        """The network's raw output over the plane: (outputs, R, R)."""
        return self.neuron_maps[-1]
