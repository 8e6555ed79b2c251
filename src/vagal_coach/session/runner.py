"""A session: one beat source feeding the live engine and the recorder, with subscribers.

The CLI (record, replay --headless) and the window run the same :class:`Session`; subscribers (the
window, the status line, a JSONL writer) are just callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.io.model import Gap, Marker, PacerEvent
from vagal_coach.sensors.events import BeatSource, DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.pacer import PacerSchedule
from vagal_coach.session.raw import RawPipeline, RawUpdate
from vagal_coach.session.recorder import Recorder

AGREEMENT_EVERY_S = 30.0  # the ECG's and the strap's beats compared, shown and recorded this often
STRAP_BEATS_KEPT = 400


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
    breathing_rate_bpm: float = float("nan")  # from the accelerometer
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
        self.markers: list[Marker] = []
        self.pacer_events: list[PacerEvent] = []
        self.raw = RawPipeline()
        self.on_raw: list[Callable[[RawUpdate], None]] = []
        self.ecg_beats_used = 0  # beats the ECG gave the engine (while its signal was good)
        self._strap_beats: list[float] = []
        self._next_agreement_s = AGREEMENT_EVERY_S
        self._last_data_t_s: float | None = None  # arrival of the last notification or raw frame

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

    def add_note(self, kind: str, t_s: float | None = None, **fields) -> None:
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

    def handle(self, ev: SourceEvent) -> list[Snapshot]:
        """Process one source event (also usable synchronously, e.g. by tests and replays)."""
        st = self.status
        if isinstance(ev, (Notification, PmdFrame)):
            self._last_data_t_s = ev.t_s
            st.silent_since_s = None
        if isinstance(ev, Notification):
            m, batch, snaps = self.engine.push_raw(ev.t_s, ev.raw)
            if self.recorder:
                self.recorder.notification(ev.t_s, ev.raw, m, batch.t_s)
            st.n_notifications += 1
            st.n_beats += int(batch.t_s.size)
            if batch.t_s.size and self.raw.has_ecg:
                self._strap_beats = (self._strap_beats + batch.t_s.tolist())[-STRAP_BEATS_KEPT:]
            if st.open_gap_start_s is not None and batch.t_s.size:
                # beats resume after a link loss: close the gap opened when it dropped
                start = st.open_gap_start_s if batch.gap is None else batch.gap[0]
                end = batch.gap[1] if batch.gap is not None else float(batch.t_s[0] - batch.rr_ms[0] / 1000.0)
                self._add_gap(Gap(start, max(start, end), st.open_gap_reason))
                st.open_gap_start_s = None
            elif batch.gap is not None:
                self._add_gap(Gap(batch.gap[0], batch.gap[1], "no beats received"))
            for s in snaps:
                st.last = s
                for cb in self.on_snapshot:
                    cb(s)
            return snaps
        if isinstance(ev, PmdFrame):
            return self._raw_frame(ev)
        if isinstance(ev, LinkEvent):
            st.link, st.link_detail = ev.state, ev.detail
            if self.recorder:
                self.recorder.link(ev.t_s, ev.state, ev.detail)
            if ev.state in ("lost", "reconnecting", "silent"):
                # "silent": the link is up but nothing arrives; the source recycles it (a gap as for a loss)
                self.engine.clock.reset()
                if ev.state == "silent":
                    st.silent_since_s = ev.t_s if self._last_data_t_s is None else self._last_data_t_s
                else:
                    st.silent_since_s = None  # a real loss: the search's count says more
                    if st.searching_since_s is None:
                        st.searching_since_s = ev.t_s
                if st.open_gap_start_s is None and st.n_beats:
                    # written at once, so a session that ends during the outage still shows the gap
                    last = self.engine.clock.last_beat_s
                    st.open_gap_start_s = float(ev.t_s if last is None else last)
                    st.open_gap_reason = "no data from the strap" if ev.state == "silent" else "link lost"
                    if self.recorder:
                        self.recorder.gap_start(st.open_gap_start_s, st.open_gap_reason)
            elif ev.state == "connected":
                st.searching_since_s = None
        elif isinstance(ev, DeviceInfo):
            st.device.update(ev.info)
            if ev.info.get("pmd"):
                self.raw.configure(ev.info["pmd"])
                if st.rr_source == "ecg":  # a (re)connection: the strap's RR until the restarted ECG is clean
                    st.rr_source, st.ecg_good = "strap", False
                    self.engine.beats_from_strap = True
                    if self.recorder:
                        self.recorder.event("rr_source", ev.t_s, source="strap")
            if ev.info.get("battery_pct") is not None:
                st.battery_pct = int(ev.info["battery_pct"])
            if self.recorder:
                self.recorder.device(ev.t_s, ev.info)
        self._emit(ev)
        return []

    def _raw_frame(self, ev: PmdFrame) -> list[Snapshot]:
        """A raw ECG or acceleration frame: recorded as received, then beats and breaths from it."""
        st = self.status
        if self.recorder:
            self.recorder.pmd(ev.t_s, ev.raw)
        up = self.raw.push(ev.t_s, ev.raw)
        snaps: list[Snapshot] = []
        if up.beat_t_s.size:
            good = self.raw.ecg_good()
            if good != st.ecg_good:
                st.ecg_good = good
                source = "ecg" if good else "strap"
                if source != st.rr_source:
                    st.rr_source = source
                    self.engine.beats_from_strap = source == "strap"
                    if self.recorder:
                        self.recorder.event("rr_source", ev.t_s, source=source)
            if st.rr_source == "ecg":
                snaps = self.engine.push_beats(up.beat_t_s, up.rr_ms)
                self.ecg_beats_used += int(up.beat_t_s.size)
            if ev.t_s >= self._next_agreement_s and self._strap_beats:
                self._next_agreement_s = ev.t_s + AGREEMENT_EVERY_S
                st.agreement = self.raw.agreement(np.asarray(self._strap_beats))
                if self.recorder and st.agreement[0] == st.agreement[0]:
                    self.recorder.event("rr_agreement", ev.t_s, share=round(st.agreement[0], 4),
                                        median_ms=None if st.agreement[1] != st.agreement[1]
                                        else round(st.agreement[1], 2), source=st.rr_source)
        if up.breath_t_s.size and not self.raw.orientation:
            t, rr, _ = self.engine.accepted.window(120.0)
            up.flipped = self.raw.maybe_orient(t, rr)
        up.oriented = bool(self.raw.orientation)
        if up.onsets_t_s.size or (self.raw.orientation and st.n_breaths != len(self.raw.onsets_t_s)):
            self._breaths(ev.t_s)
        for s in snaps:
            st.last = s
            for cb in self.on_snapshot:
                cb(s)
        for cb in self.on_raw:
            cb(up)
        return snaps

    def _breaths(self, t_s: float) -> None:
        st = self.status
        if not self.raw.orientation:
            return
        st.breathing_rate_bpm = self.raw.breathing_rate_bpm()
        adh = self.raw.adherence(self.engine.schedule)
        new = self.raw.onsets_t_s[st.n_breaths:]
        st.n_breaths = len(self.raw.onsets_t_s)
        if adh.follows.size:
            st.share_following = adh.share_following
            st.last_lag_deg = float(adh.lag_deg[-1])
        if self.recorder:
            for o in new:
                self.recorder.event("breath", o, rate_bpm=None if st.breathing_rate_bpm != st.breathing_rate_bpm
                                    else round(st.breathing_rate_bpm, 3))

    def _add_gap(self, g: Gap) -> None:
        self.status.gaps.append(g)
        if self.recorder:
            self.recorder.gap(g)
        self._emit(g)

    async def run(self, duration_s: float | None = None) -> SessionStatus:
        """Consume the source until it ends, ``stop()`` is called, or ``duration_s`` passes."""
        agen = self.source.events()
        self._closer = None
        timers: list[asyncio.TimerHandle] = []
        if duration_s is not None and not self.clock.virtual:  # end on time even if the source falls silent
            loop = asyncio.get_running_loop()

            def deadline() -> None:
                # a loop's timer may fire early (Qt's coarse timers by up to 5 %): re-arm until it is time
                left_s = duration_s - self.clock.now()
                if left_s > 1e-3:
                    timers.append(loop.call_later(left_s / self.clock.speed, deadline))
                else:
                    self.stop()

            deadline()
        try:
            async for ev in agen:
                self.handle(ev)
                if self._stop.is_set() or (duration_s is not None and self.clock.now() >= duration_s):
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
