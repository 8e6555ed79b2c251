"""A session: one beat source feeding the live engine and the recorder, with subscribers.

The CLI (record, replay --headless) and the window run the same :class:`Session`; subscribers (the
window, the status line, a JSONL writer) are just callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vagal_coach.clock import Clock
from vagal_coach.model import Gap, GuidedInfo, Marker, OwnRate, PacerEvent, Prompt
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.events import BeatSource, DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.raw import RawPipeline, RawUpdate
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.tracking import (  # noqa: F401  (the constants: their old home)
    AGREEMENT_EVERY_S,
    STRAP_BEATS_KEPT,
    AgreementTracker,
    BeatSourceSwitch,
    BreathTracker,
    GapTracker,
)

#: session seconds a source may be behind its clock before the session, at its end, waits for it
LAGGING_S = 1.0


@dataclass
class SessionStatus:
    link: str = "idle"
    link_detail: str = ""
    device: dict = field(default_factory=dict)
    battery_pct: int | None = None
    n_notifications: int = 0
    n_beats: int = 0
    gaps: list[Gap] = field(default_factory=list)  # closed gaps
    open_gap_start_s: float | None = None  # the link is down since this beat time (an open gap)
    searching_since_s: float | None = None  # session time the link was lost (None while connected)
    silent_since_s: float | None = None  # the link went silent: session time of the last data (None once data flows)
    open_gap_reason: str = "link lost"
    last: Snapshot | None = None
    # raw streams (a strap with Polar's PMD): where beats come from, and what the breath does
    rr_source: str = "strap"
    ecg_good: bool = False
    agreement: tuple[float, float] = (float("nan"), float("nan"))  # share of ECG beats matched, median |dRR| ms
    breathing_rate_bpm: float = float("nan")  # from the accelerometer (the heart's rhythm while it reads flat)
    breathing_source: str = "acc"  # "acc" or "rsa" (``tracking.BreathFigures.source``)
    share_following: float = float("nan")  # breaths that follow the pacer
    last_lag_deg: float = float("nan")
    n_breaths: int = 0

    @property
    def n_gaps(self) -> int:
        return len(self.gaps) + (self.open_gap_start_s is not None)

    def link_text(self, now_s: float) -> str:
        """What the window and ``record``'s status line say of the link: "searching for the strap (0:42)"."""
        from vagal_coach.clock import mmss

        if self.silent_since_s is not None and self.link not in ("closed", "failed"):
            return f"no data from the strap ({mmss(max(0.0, now_s - self.silent_since_s))})"
        if self.searching_since_s is not None and self.link not in ("closed", "failed"):
            return f"searching for the strap ({mmss(max(0.0, now_s - self.searching_since_s))})"
        return self.link


class Session:
    """One beat source through the recorder, the engine and the trackers to the subscribers.

    Each event goes to the recorder first, so what was received is on disk before any computation on it
    can fail; then to the engine (notifications) or the raw pipeline (PMD frames); then the composed
    trackers (:mod:`vagal_coach.session.tracking`) say what follows from it: a gap, a switch of the beat
    source, the agreement of the ECG's and the strap's beats, new breaths; those are recorded and the
    subscribers told."""

    def __init__(self, source: BeatSource, engine: LiveEngine | None = None, recorder: Recorder | None = None,
                 clock: Clock | None = None) -> None:
        self.source = source
        self.engine = engine or LiveEngine()
        self.recorder = recorder
        self.clock = clock or getattr(source, "clock", None) or Clock()
        self.status = SessionStatus()
        self.on_snapshot: list[Callable[[Snapshot], None]] = []
        self.on_event: list[Callable[[SourceEvent | Gap | Marker | PacerEvent], None]] = []
        self._stop = asyncio.Event()
        self._closer: asyncio.Task | None = None
        self.markers: list[Marker] = []
        self.pacer_events: list[PacerEvent] = []
        self.raw = RawPipeline()
        self.on_raw: list[Callable[[RawUpdate], None]] = []
        self.gaps = GapTracker()
        self.beat_source = BeatSourceSwitch()
        self.agreement = AgreementTracker()
        self.breaths = BreathTracker()

    @property
    def ecg_beats_used(self) -> int:
        """Beats the ECG gave the engine (while its signal was good)."""
        return self.beat_source.ecg_beats_used

    # ---- user intent
    def set_pacer(self, schedule: PacerSchedule | None, events: list[PacerEvent] | None = None) -> None:
        self.engine.set_schedule(schedule)
        for ev in events or []:
            self.pacer_events.append(ev)
            if self.recorder:
                self.recorder.pacer(ev)
            self._emit(ev)

    def add_marker(self, label: str = "marker", note: str = "", t_s: float | None = None) -> Marker:
        m = Marker(self.clock.now() if t_s is None else t_s, label, note)
        self.markers.append(m)
        if self.recorder:
            self.recorder.marker(m)
        self._emit(m)
        return m

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def note(self, ev: GuidedInfo | Prompt | OwnRate) -> None:
        """Record a guided session's event (its script is timed now, the others carry their time)."""
        if self.recorder:
            self.recorder.note(ev, self.clock.now())

    def add_note(self, kind: str, t_s: float | None = None, **fields: Any) -> None:
        """Record a session event of another kind (a guided prompt, one's measured rate...)."""
        if self.recorder:
            self.recorder.event(kind, self.clock.now() if t_s is None else t_s, **fields)

    def stop(self) -> None:
        """End the session: the source is closed, so a wait for the next event ends too."""
        self._stop.set()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._closer = loop.create_task(self.source.close())

    # ---- plumbing
    def _emit(self, ev: SourceEvent | Gap | Marker | PacerEvent) -> None:
        for cb in self.on_event:
            cb(ev)

    def _publish(self, snaps: list[Snapshot]) -> None:
        for s in snaps:
            self.status.last = s
            for cb in self.on_snapshot:
                cb(s)

    def handle(self, ev: SourceEvent) -> list[Snapshot]:
        """Process one source event (also usable synchronously, e.g. by tests and replays)."""
        if isinstance(ev, (Notification, PmdFrame)):
            self.gaps.data(ev.t_s)
            self.status.silent_since_s = None
        if isinstance(ev, Notification):
            return self._notification(ev)
        if isinstance(ev, PmdFrame):
            return self._frame(ev)
        if isinstance(ev, LinkEvent):
            self._link(ev)
        elif isinstance(ev, DeviceInfo):
            self._device(ev)
        self._emit(ev)
        return []

    def _notification(self, ev: Notification) -> list[Snapshot]:
        st = self.status
        try:
            m, batch = self.engine.receive(ev.t_s, ev.raw)  # parsed, its beats placed in time
        except Exception:
            if self.recorder:  # what was received is on disk before the error goes on
                self.recorder.notification(ev.t_s, ev.raw, None, ())
            raise
        if self.recorder:
            self.recorder.notification(ev.t_s, ev.raw, m, batch.t_s)
        st.n_notifications += 1
        st.n_beats += int(batch.t_s.size)
        if self.raw.has_ecg:
            self.agreement.strap_beats(batch.t_s, batch.reanchored)
        gap = self.gaps.beats(batch)
        st.open_gap_start_s = self.gaps.open_start_s
        if gap is not None:
            self._add_gap(gap)
        snaps = self.engine.analyse(batch) if m is not None else []
        self._publish(snaps)
        return snaps

    def _link(self, ev: LinkEvent) -> None:
        st = self.status
        st.link, st.link_detail = ev.state, ev.detail
        if self.recorder:
            self.recorder.link(ev.t_s, ev.state, ev.detail)
        if ev.state in ("lost", "reconnecting", "silent"):
            # "silent": the link is up but nothing arrives; the source recycles it (a gap as for a loss)
            self.engine.clock.reset()
            start = self.gaps.link_lost(ev.t_s, self.engine.clock.last_beat_s, st.n_beats > 0,
                                        silent=ev.state == "silent")
            if start is not None and self.recorder:
                self.recorder.gap_start(start, self.gaps.open_reason)
        elif ev.state == "connected":
            self.gaps.connected()
        st.open_gap_start_s, st.searching_since_s = self.gaps.open_start_s, self.gaps.searching_since_s
        st.silent_since_s, st.open_gap_reason = self.gaps.silent_since_s, self.gaps.open_reason

    def _device(self, ev: DeviceInfo) -> None:
        st = self.status
        if self.recorder:
            self.recorder.device(ev.t_s, ev.info)
        st.device.update(ev.info)
        if ev.info.get("pmd"):
            self.raw.configure(ev.info["pmd"])
            # a (re)connection: the strap's R-R until the restarted ECG is clean
            switched = self.beat_source.reconnected()
            st.ecg_good = False
            if switched is not None:
                st.rr_source = switched
                self.engine.beats_from_strap = True
                if self.recorder:
                    self.recorder.event("rr_source", ev.t_s, source=switched)
        if ev.info.get("battery_pct") is not None:
            st.battery_pct = int(ev.info["battery_pct"])

    def _frame(self, ev: PmdFrame) -> list[Snapshot]:
        """A raw ECG or acceleration frame: recorded as received, then beats and breaths from it."""
        st = self.status
        if self.recorder:
            self.recorder.pmd(ev.t_s, ev.raw)
        up = self.raw.push(ev.t_s, ev.raw)
        snaps: list[Snapshot] = []
        if up.beat_t_s.size:
            self._switch_source(ev.t_s, self.raw.ecg_good())
            if self.beat_source.source == "ecg":
                snaps = self.engine.push_beats(up.beat_t_s, up.rr_ms)
                self.beat_source.ecg_beats_used += int(up.beat_t_s.size)
            if self.agreement.due(ev.t_s):
                st.agreement = share, med = self.agreement.measure(ev.t_s, self.raw)
                if self.recorder and not math.isnan(share):
                    self.recorder.event("rr_agreement", ev.t_s, share=round(share, 4),
                                        median_ms=None if math.isnan(med) else round(med, 2), source=st.rr_source)
        new = self.breaths.frame(up, self.raw, lambda: self.engine.accepted.window(120.0)[:2], self.engine.schedule,
                                 self.engine.spectrum, ev.t_s)
        f = self.breaths.figures
        st.breathing_rate_bpm, st.share_following, st.last_lag_deg, st.n_breaths, st.breathing_source = (
            f.rate_bpm, f.share_following, f.last_lag_deg, f.n_breaths, f.source)
        if self.recorder:
            for o in new:
                self.recorder.event("breath", o, rate_bpm=None if math.isnan(f.rate_bpm) else round(f.rate_bpm, 3))
        self._publish(snaps)
        for cb in self.on_raw:
            cb(up)
        return snaps

    def _switch_source(self, t_s: float, ecg_good: bool) -> None:
        switched = self.beat_source.update(ecg_good)
        self.status.ecg_good = self.beat_source.ecg_good
        if switched is None:
            return
        self.status.rr_source = switched
        self.engine.beats_from_strap = switched == "strap"
        if self.recorder:
            self.recorder.event("rr_source", t_s, source=switched)

    def _add_gap(self, g: Gap) -> None:
        self.status.gaps.append(g)
        if self.recorder:
            self.recorder.gap(g)
        self._emit(g)

    async def run(self, duration_s: float | None = None) -> SessionStatus:
        """Consume the source until it ends, ``stop()`` is called, or ``duration_s`` passes."""
        agen = self.source.events()
        timers: list[asyncio.TimerHandle] = []
        # the last event handled: its time on the session clock, how far the clock was ahead of it, and when
        # (wall). A source behind its clock (a simulated strap on a machine too busy for an accelerated
        # session) still hands over events due before the end: the session takes them before it ends
        last = {"t_s": -math.inf, "lag_s": 0.0, "wall": -math.inf}
        if duration_s is not None and not self.clock.virtual:  # end on time even if the source falls silent
            loop = asyncio.get_running_loop()

            def deadline() -> None:
                # a loop's timer may fire early (Qt's coarse timers by up to 5 %): re-arm until it is time
                left_s = duration_s - self.clock.now()
                if left_s > 1e-3:
                    timers.append(loop.call_later(left_s / self.clock.speed, deadline))
                elif (last["t_s"] < duration_s and last["lag_s"] > LAGGING_S
                      and time.monotonic() - last["wall"] < 0.5):
                    timers.append(loop.call_later(0.05, deadline))  # behind, not silent: catching up
                else:
                    self.stop()

            deadline()
        try:
            async for ev in agen:
                t_ev = float(getattr(ev, "t_s", self.clock.now()))
                last.update(t_s=t_ev, lag_s=self.clock.now() - t_ev, wall=time.monotonic())
                self.handle(ev)
                if self._stop.is_set() or (duration_s is not None and t_ev >= duration_s):
                    break
        finally:
            for timer in timers:
                timer.cancel()
            with contextlib.suppress(Exception):
                await agen.aclose()
            with contextlib.suppress(Exception):
                await self.source.close()
            if self.recorder:
                self.recorder.close(self.clock.now())
        return self.status
