"""A run's weights over time, for rewinding: bounded in memory whatever the run's length.

Every epoch is kept for the first ``KEEP_ALL``; past that, whenever the copies
outgrow the byte budget, every second one after the first ``KEEP_ALL`` is
dropped (the newest stays), so older stretches get sparser, never the start.
"""
from dataclasses import dataclass

import numpy as np

KEEP_ALL = 100
BUDGET_BYTES = 8 * 2**20          # per session


@dataclass(frozen=True)
class Moment:
    epoch: int
    step: int
    flat: np.ndarray                # every parameter, in the network's flat order


class ParamHistory:
    def __init__(self, budget_bytes=BUDGET_BYTES, keep_all=KEEP_ALL):
        self.budget = budget_bytes
        self.keep_all = keep_all
        self.moments = []

    def record(self, snap):
        """Keep ``snap``'s weights if it is the first snapshot of a new epoch."""
        if self.moments and snap.epoch <= self.moments[-1].epoch:
            return
        flat = np.concatenate([v.ravel() for v in snap.params.values()]) if snap.params else np.zeros(0)
        self.moments.append(Moment(snap.epoch, snap.step, flat))
        self._thin()

    def _thin(self):
        while self.nbytes > self.budget and len(self.moments) > self.keep_all + 2:
            head, tail = self.moments[:self.keep_all], self.moments[self.keep_all:-1]
            self.moments = head + tail[::2] + self.moments[-1:]

    @property
    def nbytes(self):
        return sum(m.flat.nbytes for m in self.moments)

    @property
    def epochs(self):
        return [m.epoch for m in self.moments]

    def at(self, epoch):
        """The kept moment nearest to ``epoch``, or None before anything was kept."""
        if not self.moments:
            return None
        return min(self.moments, key=lambda m: (abs(m.epoch - epoch), -m.epoch))

    def drop_after(self, epoch):
        self.moments = [m for m in self.moments if m.epoch <= epoch]
