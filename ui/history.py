"""A run's weights over time, for rewinding: bounded in memory whatever the run's length.

Every epoch is kept for the first ``KEEP_ALL``; past that, whenever the copies
outgrow the byte budget or ``MAX_MOMENTS``, every second one after the first
``KEEP_ALL`` is dropped (the newest stays), so older stretches get sparser,
never the start. ``record`` runs after every training slice: it stays O(1) but
for the rare thinning.
"""
from dataclasses import dataclass

import numpy as np

KEEP_ALL = 100
BUDGET_BYTES = 8 * 2**20          # per session
MAX_MOMENTS = 1000                # a tiny net would otherwise keep tens of thousands of epochs


@dataclass(frozen=True)
class Moment:
    epoch: int
    step: int
    flat: np.ndarray                # every parameter, in the network's flat order
    state: np.ndarray = None        # the network's state (batch normalization's moving statistics), flat


class ParamHistory:
    def __init__(self, budget_bytes=BUDGET_BYTES, keep_all=KEEP_ALL, max_moments=MAX_MOMENTS):
        self.budget, self.keep_all, self.max_moments = budget_bytes, keep_all, max_moments
        self.moments = []
        self.nbytes = 0

    def record(self, snap):
        """Keep ``snap``'s weights if it is the first snapshot of a new epoch."""
        if self.moments and snap.epoch <= self.moments[-1].epoch:
            return
        flat = np.concatenate([v.ravel() for v in snap.params.values()]) if snap.params else np.zeros(0)
        kept = getattr(snap, "state", None)         # batch normalization's moving statistics
        state = np.concatenate([v.ravel() for v in kept.values()]) if kept else None
        self.moments.append(Moment(snap.epoch, snap.step, flat, state))
        self.nbytes += _nbytes(self.moments[-1])
        self._thin()

    def _thin(self):
        while ((self.nbytes > self.budget or len(self.moments) > self.max_moments)
               and len(self.moments) > self.keep_all + 2):
            head, tail = self.moments[:self.keep_all], self.moments[self.keep_all:-1]
            self._keep(head + tail[::2] + self.moments[-1:])

    def _keep(self, moments):
        self.moments = moments
        self.nbytes = sum(map(_nbytes, moments))

    @property
    def epochs(self):
        return [m.epoch for m in self.moments]

    def at(self, epoch):
        """The kept moment nearest to ``epoch``, or None before anything was kept."""
        if not self.moments:
            return None
        return min(self.moments, key=lambda m: (abs(m.epoch - epoch), -m.epoch))

    def drop_after(self, epoch):
        self._keep([m for m in self.moments if m.epoch <= epoch])


def _nbytes(moment):
    return moment.flat.nbytes + (0 if moment.state is None else moment.state.nbytes)
