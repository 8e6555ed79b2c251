"""The trainer's model: one practice session's flow, independent of any window.

Source -> Session (engine + recorder); an optional unpaced baseline, then the paced part; pause;
markers; pacer changes (recorded, at breath boundaries so the shape never jumps); and the summary at
the end. The window only observes it and forwards the user's intent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vagal_coach.model import PacerEvent
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session


@dataclass
class PacerSettings:
    rate_bpm: float = 6.0
    inhale_fraction: float = 0.4
    hold_in_s: float = 0.0
    hold_out_s: float = 0.0
    ramp_from_bpm: float = 0.0  # > 0: start here and slow down to rate_bpm over ramp_min
    ramp_min: float = 0.0
    enabled: bool = True

    def events(self, t0_s: float, label: str = "") -> list[PacerEvent]:
        if not self.enabled:
            return [PacerEvent(t0_s, 0.0, label=label or "no pacer")]
        if self.ramp_from_bpm > 0 and self.ramp_min > 0 and abs(self.ramp_from_bpm - self.rate_bpm) > 1e-9:
            return [PacerEvent(t0_s, self.ramp_from_bpm, self.inhale_fraction, self.hold_in_s, self.hold_out_s,
                               label or "ramp", ramp_to_bpm=self.rate_bpm, ramp_s=60.0 * self.ramp_min)]
        return [PacerEvent(t0_s, self.rate_bpm, self.inhale_fraction, self.hold_in_s, self.hold_out_s, label)]


@dataclass
class Summary:
    duration_s: float
    baseline_rmssd_ms: float
    practice_rmssd_ms: float
    baseline_ln_rmssd: float
    practice_ln_rmssd: float
    mean_resonance_ms2: float
    mean_coherence: float
    mean_peak_to_trough_bpm: float
    time_at_target_s: float
    target_coherence: float
    n_markers: int
    path: str | None
    artifacts_pct: float = float("nan")
    extra: dict = field(default_factory=dict)
    # a strap with raw streams (Polar H10): where the beats came from, and the breath its accelerometer saw
    rr_source: str = "strap"
    n_breaths: int = 0
    breathing_rate_bpm: float = float("nan")  # median over the session's breaths
    breath_share_following: float = float("nan")  # of the paced breaths
    breath_median_lag_deg: float = float("nan")  # + = after the pacer's inhale cue


class Trainer:
    """Start / pause / stop; baseline then practice; markers; pacer changes; summary."""

    def __init__(self, source, clock, *, recorder: Recorder | None = None, pacer: PacerSettings | None = None,
                 baseline_s: float = 0.0, target_coherence: float = 1.0,
                 events: list[PacerEvent] | None = None) -> None:
        """``events``, when given, is the pacer's whole schedule (a protocol or a guided session's start)
        instead of ``baseline_s`` unpaced followed by ``pacer``."""
        self.clock = clock
        self.pacer = pacer or PacerSettings()
        self.baseline_s = baseline_s
        self.target_coherence = target_coherence
        self.engine = LiveEngine()
        self.session = Session(source, self.engine, recorder, clock)
        self.recorder = recorder
        self.snapshots: list[Snapshot] = []
        self.paused = False
        self._pause_started: float | None = None
        self.on_change: list[Callable[[], None]] = []
        self.session.on_snapshot.append(self._on_snapshot)
        if events is None:
            events = PacerSettings(enabled=False).events(0.0, "baseline") if baseline_s > 0 else []
            events += self.pacer.events(baseline_s, "practice")
        self.schedule = PacerSchedule(events)
        self.session.set_pacer(self.schedule, events)

    @property
    def phase(self) -> str:
        return "baseline" if self.clock.now() < self.baseline_s else "practice"

    def _on_snapshot(self, s: Snapshot) -> None:
        if not self.paused:
            self.snapshots.append(s)

    def _changed(self) -> None:
        for cb in self.on_change:
            cb()

    def set_pacer(self, settings: PacerSettings) -> None:
        """Apply new pacer settings from the next breath start (phase-continuous), and record them."""
        self.pacer = settings
        now = self.clock.now()
        t = max(now, self.baseline_s)
        if self.schedule.rate_scalar(now) > 0:
            t = max(t, self.schedule.next_breath_start(now))
        self.apply_events(settings.events(t))

    def apply_events(self, events: list[PacerEvent]) -> None:
        """Replace the schedule from the first of ``events`` on (which should fall on a breath start or
        in an unpaced stretch), and record them."""
        if not events:
            return
        t = min(e.t_s for e in events)
        keep = [e for e in self.schedule.events if e.t_s < t]
        self.schedule = PacerSchedule(keep + list(events))
        self.session.set_pacer(self.schedule, list(events))
        self._changed()

    def marker(self, label: str = "marker", note: str = "") -> None:
        self.session.add_marker(label, note)
        self._changed()

    def pause(self) -> None:
        if self.paused:
            return
        self.paused = True
        self._pause_started = self.clock.now()
        self.session.add_marker("pause")
        self._changed()

    def resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self.session.add_marker("resume")
        self._changed()

    async def run(self, duration_s: float | None = None) -> Summary:
        await self.session.run(duration_s)
        return self.summary()

    def stop(self) -> None:
        self.session.stop()

    def summary(self) -> Summary:
        snaps = self.snapshots

        def mean_of(attr: str, sel: list[Snapshot]) -> float:
            v = np.array([getattr(s, attr) for s in sel], dtype=float)
            v = v[np.isfinite(v)]
            return float(v.mean()) if v.size else float("nan")

        base = [s for s in snaps if s.t_s < self.baseline_s]
        prac = [s for s in snaps if s.t_s >= self.baseline_s]
        # RMSSD of each part from its last snapshot: the trailing 60 s at the end of that part
        base_r = base[-1].rmssd_ms if base else float("nan")
        prac_r = mean_of("rmssd_ms", prac)
        t = np.array([s.t_s for s in prac])
        coh = np.array([s.coherence for s in prac], dtype=float)
        at = 0.0
        if t.size > 1:
            dt = np.diff(t)
            at = float(np.sum(dt[np.nan_to_num(coh[1:], nan=-1) >= self.target_coherence]))
        gated = np.array([not s.accepted for s in snaps])
        return Summary(
            duration_s=self.clock.now(), baseline_rmssd_ms=base_r, practice_rmssd_ms=prac_r,
            baseline_ln_rmssd=math.log(base_r) if base_r and base_r > 0 else float("nan"),
            practice_ln_rmssd=math.log(prac_r) if prac_r and prac_r > 0 else float("nan"),
            mean_resonance_ms2=mean_of("resonance_ms2", prac), mean_coherence=mean_of("coherence", prac),
            mean_peak_to_trough_bpm=mean_of("peak_to_trough_bpm", prac), time_at_target_s=at,
            target_coherence=self.target_coherence, n_markers=len(self.session.markers),
            path=str(self.recorder.path) if self.recorder else None,
            artifacts_pct=100.0 * float(gated.mean()) if gated.size else float("nan"),
            rr_source="ecg" if self.session.ecg_beats_used else "strap", **self._breath_summary())

    def _breath_summary(self) -> dict:
        raw = self.session.raw
        on = np.asarray(raw.onsets_t_s)
        if not raw.orientation or on.size < 2:
            return {"n_breaths": int(on.size) if raw.orientation else 0}
        adh = raw.adherence(self.schedule)
        return {"n_breaths": int(on.size), "breathing_rate_bpm": float(60.0 / np.median(np.diff(on))),
                "breath_share_following": adh.share_following, "breath_median_lag_deg": adh.median_lag_deg}
