"""The breathing pacer as a pure function of time and its schedule (the model: below io, session, analysis).

The breathing phase (in cycles; an integer is the start of an inhale) is the integral of the rate
from the schedule's start, in closed form per segment (constant or linearly ramping rate), so it has
no accumulated timer error over hours and a rate change never makes it jump. Within a cycle of period
60 / rate the holds take their seconds and the rest splits by ``inhale_fraction`` into inhale and
exhale; a hold that would not fit shrinks to fit.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vagal_coach.model.events import PacerEvent

MIN_BPM, MAX_BPM = 3.0, 10.0
#: a ramp may start from one's own, faster rhythm
MAX_RAMP_START_BPM = 20.0
STAGES = ("inhale", "hold_in", "exhale", "hold_out", "none")


@dataclass(frozen=True)
class PacerState:
    t_s: float
    cycles: float
    rate_bpm: float
    stage: str  # inhale, hold_in, exhale, hold_out, or none (no pacer)
    stage_progress: float  # 0..1 within the stage
    volume: float  # 0 (empty) .. 1 (full): the shape to draw
    breath_index: int

    @property
    def cue(self) -> str:
        return {"inhale": "breathe in", "exhale": "breathe out", "hold_in": "hold", "hold_out": "rest",
                "none": "breathe at your own pace"}[self.stage]


class PacerSchedule:
    """Segments of constant or ramping rate; each starts where the previous left off in phase."""

    def __init__(self, events: Sequence[PacerEvent], *, check: bool = True) -> None:
        """``check``: refuse rates a pacer may not give (a recording read back is taken as it is)."""
        evs = sorted(events, key=lambda e: e.t_s)
        if not evs:
            evs = [PacerEvent(0.0, 0.0)]
        for e in evs if check else ():
            hi = MAX_RAMP_START_BPM if e.ramp_s > 0 and e.ramp_to_bpm > 0 else MAX_BPM
            if e.rate_bpm and not (MIN_BPM - 1e-9 <= e.rate_bpm <= hi + 1e-9):
                raise ValueError(f"pacer rate {e.rate_bpm} breaths/min outside {MIN_BPM:g}-{hi:g}")
            if e.ramp_to_bpm and not (MIN_BPM - 1e-9 <= e.ramp_to_bpm <= MAX_BPM + 1e-9):
                raise ValueError(f"ramp target {e.ramp_to_bpm} breaths/min outside {MIN_BPM:g}-{MAX_BPM:g}")
        self.events = evs
        self._t0 = np.array([e.t_s for e in evs])
        self._r0 = np.array([e.rate_bpm for e in evs])
        self._r1 = np.array([e.ramp_to_bpm if e.ramp_s > 0 and e.ramp_to_bpm > 0 else e.rate_bpm for e in evs])
        self._ramp = np.array([e.ramp_s if e.ramp_s > 0 and e.ramp_to_bpm > 0 else 0.0 for e in evs])
        self._fi = np.array([e.inhale_fraction for e in evs])
        self._hi = np.array([e.hold_in_s for e in evs])
        self._ho = np.array([e.hold_out_s for e in evs])
        # cycles at each segment start: integral of the previous segments
        c = np.zeros(len(evs))
        for k in range(1, len(evs)):
            c[k] = c[k - 1] + self._seg_cycles(k - 1, self._t0[k] - self._t0[k - 1])
        self._c0 = c
        self._t0_list, self._r0_list = self._t0.tolist(), self._r0.tolist()
        self._r1_list, self._ramp_list, self._c0_list = self._r1.tolist(), self._ramp.tolist(), c.tolist()
        self._fi_list, self._hi_list, self._ho_list = self._fi.tolist(), self._hi.tolist(), self._ho.tolist()

    @classmethod
    def constant(cls, rate_bpm: float, inhale_fraction: float = 0.4, hold_in_s: float = 0.0,
                 hold_out_s: float = 0.0) -> PacerSchedule:
        return cls([PacerEvent(0.0, rate_bpm, inhale_fraction, hold_in_s, hold_out_s)])

    def _seg_cycles(self, k: int | NDArray[np.intp], dt: ArrayLike) -> NDArray[np.float64]:
        dt = np.maximum(np.asarray(dt, dtype=float), 0.0)
        r0, r1, ramp = self._r0[k], self._r1[k], self._ramp[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            tr = np.minimum(dt, ramp)
            slope = np.where(ramp > 0, (r1 - r0) / np.where(ramp > 0, ramp, 1.0), 0.0)
            ramp_part = r0 * tr + 0.5 * slope * tr * tr
            flat = np.where(ramp > 0, r1, r0) * (dt - tr)
        return (ramp_part + flat) / 60.0

    def _segment(self, t: NDArray[np.float64]) -> NDArray[np.intp]:
        return np.clip(np.searchsorted(self._t0, t, side="right") - 1, 0, len(self.events) - 1)

    def rate_scalar(self, t_s: float) -> float:
        """Rate at one time, without array overhead (the engine calls it every beat)."""
        k = max(0, bisect.bisect_right(self._t0_list, t_s) - 1)
        ramp = self._ramp_list[k]
        r0 = self._r0_list[k]
        if ramp <= 0:
            return r0
        frac = min(max(t_s - self._t0_list[k], 0.0) / ramp, 1.0)
        return r0 + (self._r1_list[k] - r0) * frac

    def cycles_scalar(self, t_s: float) -> float:
        k = max(0, bisect.bisect_right(self._t0_list, t_s) - 1)
        dt = max(t_s - self._t0_list[k], 0.0)
        r0, r1, ramp = self._r0_list[k], self._r1_list[k], self._ramp_list[k]
        if ramp <= 0:
            return self._c0_list[k] + r0 * dt / 60.0
        tr = min(dt, ramp)
        return self._c0_list[k] + (r0 * tr + 0.5 * (r1 - r0) / ramp * tr * tr + r1 * (dt - tr)) / 60.0

    def rate_at(self, t_s: ArrayLike) -> NDArray[np.float64]:
        t = np.asarray(t_s, dtype=float)
        k = self._segment(t)
        dt = np.maximum(t - self._t0[k], 0.0)
        ramp = self._ramp[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(ramp > 0, np.minimum(dt / np.where(ramp > 0, ramp, 1.0), 1.0), 1.0)
        return np.where(ramp > 0, self._r0[k] + (self._r1[k] - self._r0[k]) * frac, self._r0[k])

    def cycles_at(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """Breathing phase in cycles (vectorised). Zero before the first segment."""
        t = np.asarray(t_s, dtype=float)
        k = self._segment(t)
        return self._c0[k] + self._seg_cycles(k, t - self._t0[k])

    def _fractions(self, k: NDArray[np.intp], rate: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Cycle fractions at which inhale, hold-in and exhale end."""
        with np.errstate(divide="ignore", invalid="ignore"):
            period = np.where(rate > 0, 60.0 / np.where(rate > 0, rate, 1.0), np.inf)
            holds = np.minimum(self._hi[k] + self._ho[k], 0.5 * period)
            scale = np.where(self._hi[k] + self._ho[k] > 0, holds / (self._hi[k] + self._ho[k]), 0.0)
            hi = self._hi[k] * scale / period
            ho = self._ho[k] * scale / period
        breathe = 1.0 - hi - ho
        a = self._fi[k] * breathe
        return a, a + hi, 1.0 - ho

    def volume_at(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """Lung-volume shape 0..1 (half-cosine rise over the inhale, fall over the exhale)."""
        t = np.asarray(t_s, dtype=float)
        k = self._segment(t)
        rate = self.rate_at(t)
        ph = np.mod(self.cycles_at(t), 1.0)
        a, b, c = self._fractions(k, rate)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = 0.5 - 0.5 * np.cos(np.pi * ph / a)
            down = 0.5 + 0.5 * np.cos(np.pi * (ph - b) / (c - b))
        v = np.where(ph < a, up, np.where(ph < b, 1.0, np.where(ph < c, down, 0.0)))
        return np.where(rate > 0, v, 0.5)

    def state_at(self, t_s: float) -> PacerState:
        """The pacer's state at one time, in plain floats (the window asks 60 times a second)."""
        k = max(0, bisect.bisect_right(self._t0_list, t_s) - 1)
        rate = self.rate_scalar(t_s)
        cyc = self.cycles_scalar(t_s)
        if rate <= 0:
            return PacerState(t_s, cyc, 0.0, "none", 0.0, 0.5, int(math.floor(cyc)))
        period = 60.0 / rate
        hold_in, hold_out = self._hi_list[k], self._ho_list[k]
        holds = hold_in + hold_out
        scale = min(holds, 0.5 * period) / holds if holds > 0 else 0.0
        hi, ho = hold_in * scale / period, hold_out * scale / period
        a = self._fi_list[k] * (1.0 - hi - ho)
        b, c = a + hi, 1.0 - ho
        ph = cyc % 1.0
        if ph < a:
            stage, prog, vol = "inhale", ph / a, 0.5 - 0.5 * math.cos(math.pi * ph / a)
        elif ph < b:
            stage, prog, vol = "hold_in", (ph - a) / max(b - a, 1e-12), 1.0
        elif ph < c:
            prog = (ph - b) / max(c - b, 1e-12)
            stage, vol = "exhale", 0.5 + 0.5 * math.cos(math.pi * prog)
        else:
            stage, prog, vol = "hold_out", (ph - c) / max(1.0 - c, 1e-12), 0.0
        return PacerState(t_s, cyc, rate, stage, float(prog), float(vol), int(math.floor(cyc)))

    def next_breath_start(self, t_s: float) -> float:
        """Time of the next inhale start after ``t_s`` (for changes at breath boundaries)."""
        c = float(self.cycles_at(np.array([t_s]))[0])
        target = np.floor(c) + 1.0
        lo, hi = t_s, t_s + 60.0 / MIN_BPM + 1.0
        for _ in range(60):  # bisection on the monotonic phase; not a hot path
            mid = 0.5 * (lo + hi)
            if self.cycles_at(np.array([mid]))[0] < target:
                lo = mid
            else:
                hi = mid
        return hi

    def with_change(self, event: PacerEvent, at_breath_boundary: bool = False) -> PacerSchedule:
        """A new schedule with ``event`` from its time on (or from the next inhale start)."""
        t = self.next_breath_start(event.t_s) if at_breath_boundary else event.t_s
        from dataclasses import replace

        keep = [e for e in self.events if e.t_s < t]
        return PacerSchedule(keep + [replace(event, t_s=t)])


def pacer_rate_at(events: Sequence[PacerEvent], t_s: ArrayLike) -> NDArray[np.float64]:
    """The pacer's rate (breaths/min, 0 = none) at each time under ``events``, ramps included: the one
    rate every face uses (the live pacer, the CSV export, the library, the analysis). 0 before the first
    event."""
    t = np.asarray(t_s, dtype=float)
    if not events:
        return np.zeros_like(t)
    sched = PacerSchedule(events, check=False)
    return np.where(t >= sched.events[0].t_s, sched.rate_at(t), 0.0)


def ramp_schedule(start_bpm: float, target_bpm: float, ramp_min: float, *, t0_s: float = 0.0,
                  inhale_fraction: float = 0.4, hold_in_s: float = 0.0, hold_out_s: float = 0.0
                  ) -> list[PacerEvent]:
    """Slow down gradually from one's own rate to the target over ``ramp_min`` minutes."""
    return [PacerEvent(t0_s, start_bpm, inhale_fraction, hold_in_s, hold_out_s, label="ramp",
                       ramp_to_bpm=target_bpm, ramp_s=ramp_min * 60.0)]
