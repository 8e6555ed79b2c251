"""The trainer's model: one practice session's flow, independent of any window.

Source -> Session (engine + recorder); an optional unpaced baseline, then the paced part; pause;
markers; pacer changes (recorded, at breath boundaries so the shape never jumps); and the summary at
the end. The window only observes it and forwards the user's intent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vagal_coach.model import PacerEvent
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session
from vagal_coach.session.summary import (
    Summary,
    breath_figures,
    pause_intervals,
    summarize_snapshots,
    user_markers,
)

__all__ = ["PacerSettings", "Summary", "Trainer"]


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
        """Run to the end; the summary is written at the end of the recording, so the history, the CLI and
        the reports show the figures the window showed."""
        try:
            await self.session.run(duration_s)
        finally:
            final = self.summary()
            if self.recorder is not None:
                import contextlib

                from vagal_coach.io.native import append_event

                with contextlib.suppress(OSError, ValueError):
                    append_event(self.recorder.path, {"type": "summary", "t": round(final.elapsed_s, 4),
                                                      **{k: v for k, v in final.as_dict().items()
                                                         if k not in ("path", "extra")}})
        return final

    def stop(self) -> None:
        self.session.stop()

    def summary(self) -> Summary:
        end = self.clock.now()
        markers = self.session.markers
        return summarize_snapshots(
            self.snapshots, baseline_s=self.baseline_s, end_s=end, target_coherence=self.target_coherence,
            pauses=pause_intervals(markers, end), n_markers=user_markers(markers),
            path=str(self.recorder.path) if self.recorder else None,
            rr_source="ecg" if self.session.ecg_beats_used else "strap", **self._breath_summary())

    def _breath_summary(self) -> dict:
        return breath_figures(self.session.raw, self.schedule)
