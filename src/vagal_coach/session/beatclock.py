"""Beat times from notifications that carry R-R intervals but no timestamps.

A notification arriving at ``t_arrival`` with RR values ``r1..rk`` (oldest first) ends with the beat
that ended ``rk``: it happened a little before the arrival (the strap's latency, under about a
second). The first notification anchors the clock there: the last beat at ``t_arrival``, earlier ones
back-dated by the later RR values. From then on the clock runs continuously on the RR sum alone
(beat-to-beat spacing is exact, arrival jitter does not enter), and is re-anchored only when its
prediction of the last beat drifts from the arrival by more than ``max_lag_s`` behind or ``max_lead_s``
ahead, or after a silence of more than ``gap_s`` (a dropout): then a gap is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class BeatBatch:
    t_s: NDArray[np.float64]
    rr_ms: NDArray[np.float64]
    reanchored: bool = False
    gap: tuple[float, float] | None = None  # (last beat before, first beat after - its RR)


class BeatClock:
    def __init__(self, max_lag_s: float = 2.5, max_lead_s: float = 1.0, gap_s: float = 4.0) -> None:
        self.max_lag_s = max_lag_s
        self.max_lead_s = max_lead_s
        self.gap_s = gap_s
        self.last_beat_s: float | None = None
        self.last_arrival_s: float | None = None
        self.reanchors = 0
        self._force = False

    def reset(self) -> None:
        """After a link loss: the next packet re-anchors (and the gap since the last beat is reported)."""
        self._force = True

    def push(self, t_arrival_s: float, rr_ms: tuple[float, ...] | list[float] | NDArray[np.float64]) -> BeatBatch:
        prev_arrival = self.last_arrival_s
        self.last_arrival_s = t_arrival_s
        if len(rr_ms) == 0:
            return BeatBatch(np.zeros(0), np.zeros(0))
        rr = np.asarray(rr_ms, dtype=float)
        if rr.size == 1:
            offs = rr / 1000.0
        else:
            offs = np.cumsum(rr) / 1000.0
        silent = (prev_arrival is not None and t_arrival_s - prev_arrival > self.gap_s) or self._force
        self._force = False
        if self.last_beat_s is not None and not silent:
            predicted = self.last_beat_s + offs
            lag = t_arrival_s - predicted[-1]
            if -self.max_lead_s <= lag <= self.max_lag_s:
                self.last_beat_s = float(predicted[-1])
                return BeatBatch(predicted, rr)
        # (re-)anchor: last beat at the arrival, earlier beats back-dated
        t = t_arrival_s - (offs[-1] - offs)
        gap = None
        if self.last_beat_s is not None:
            start_new = float(t[0] - rr[0] / 1000.0)
            if start_new > self.last_beat_s + 1e-6:
                gap = (self.last_beat_s, start_new)
            elif t[0] <= self.last_beat_s:  # the clock ran ahead: keep beats strictly after the last
                t = np.maximum(t, self.last_beat_s + 1e-3 * np.arange(1, t.size + 1))
        self.reanchors += self.last_beat_s is not None
        self.last_beat_s = float(t[-1])
        return BeatBatch(t, rr, reanchored=True, gap=gap)
