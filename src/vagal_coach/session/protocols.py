"""Resonance-frequency (RF) protocols as pacer schedules; every rate change falls on a breath boundary.

- stepped: 6.5, 6.0, 5.5, 5.0, 4.5 breaths/min (configurable), ``minutes`` each, an optional unpaced rest
  between rates (Lehrer; Shaffer & Meehan 2020).
- fine-tune: the recommended rate and ± 0.25 breaths/min, the same way as stepped.
- sliding: one sweep from 6.75 to 4.25 breaths/min over 78 breaths, each breath a little slower than the
  one before (Fisher & Lehrer 2022).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vagal_coach.model import PacerEvent

STEPPED_RATES = (6.5, 6.0, 5.5, 5.0, 4.5)


def stepped(rates: Sequence[float] = STEPPED_RATES, minutes: float = 2.5, rest_s: float = 0.0,
            inhale_fraction: float = 0.4, t0_s: float = 0.0) -> list[PacerEvent]:
    """Whole breaths at each rate (as many as fit in ``minutes``), so each change is at a breath start."""
    evs = []
    t = t0_s
    for r in rates:
        n_breaths = max(1, int(round(minutes * r)))
        evs.append(PacerEvent(t, float(r), inhale_fraction, label=f"rf {r:g}"))
        t += n_breaths * 60.0 / r
        if rest_s > 0:
            evs.append(PacerEvent(t, 0.0, label="rest"))
            t += rest_s
    evs.append(PacerEvent(t, 0.0, label="end"))
    return evs


def sliding(start_bpm: float = 6.75, end_bpm: float = 4.25, breaths: int = 78, inhale_fraction: float = 0.4,
            t0_s: float = 0.0) -> list[PacerEvent]:
    """One breath per event, the rate falling linearly from ``start_bpm`` to ``end_bpm``."""
    rates = np.linspace(start_bpm, end_bpm, breaths)
    starts = t0_s + np.concatenate(([0.0], np.cumsum(60.0 / rates[:-1])))
    evs = [PacerEvent(float(t), float(r), inhale_fraction, label="rf sliding") for t, r in zip(starts, rates)]
    evs.append(PacerEvent(float(starts[-1] + 60.0 / rates[-1]), 0.0, label="end"))
    return evs


def fine_tune(center_bpm: float, step_bpm: float = 0.25, minutes: float = 2.5, rest_s: float = 0.0,
              inhale_fraction: float = 0.4, t0_s: float = 0.0) -> list[PacerEvent]:
    """The recommended rate and its neighbours ``± step_bpm`` (faster first), as a short stepped protocol."""
    rates = [round(center_bpm + step_bpm, 2), round(center_bpm, 2), round(center_bpm - step_bpm, 2)]
    if not (3.0 <= rates[-1] and rates[0] <= 10.0):
        raise ValueError(f"fine-tuning around {center_bpm:g} breaths/min leaves 3-10")
    return stepped(rates, minutes, rest_s, inhale_fraction, t0_s)


def duration_s(events: Sequence[PacerEvent]) -> float:
    return float(events[-1].t_s - events[0].t_s)
