"""A session: one beat source feeding the live engine and the recorder, with subscribers.

The CLI (record, replay --headless) and the window run the same :class:`Session`; subscribers (the
window, the status line, a JSONL writer) are just callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from vagal_coach.clock import Clock
from vagal_coach.io.model import Gap, Marker, PacerEvent
from vagal_coach.sensors.events import BeatSource, DeviceInfo, LinkEvent, Notification, SourceEvent
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.pacer import PacerSchedule
from vagal_coach.session.recorder import Recorder


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
    last: Snapshot | None = None

    @property
    def n_gaps(self) -> int:
        return len(self.gaps) + (self.open_gap_start_s is not None)

    def link_text(self, now_s: float) -> str:
        """What the window and ``record``'s status line say of the link: "searching for the strap (0:42)"."""
        if self.searching_since_s is not None and self.link not in ("closed", "failed"):
            from vagal_coach.clock import mmss

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
        if isinstance(ev, Notification):
            m, batch, snaps = self.engine.push_raw(ev.t_s, ev.raw)
            if self.recorder:
                self.recorder.notification(ev.t_s, ev.raw, m, batch.t_s)
            st.n_notifications += 1
            st.n_beats += int(batch.t_s.size)
            if st.open_gap_start_s is not None and batch.t_s.size:
                # beats resume after a link loss: close the gap opened when it dropped
                start = st.open_gap_start_s if batch.gap is None else batch.gap[0]
                end = batch.gap[1] if batch.gap is not None else float(batch.t_s[0] - batch.rr_ms[0] / 1000.0)
                self._add_gap(Gap(start, max(start, end), "link lost"))
                st.open_gap_start_s = None
            elif batch.gap is not None:
                self._add_gap(Gap(batch.gap[0], batch.gap[1], "no beats received"))
            for s in snaps:
                st.last = s
                for cb in self.on_snapshot:
                    cb(s)
            return snaps
        if isinstance(ev, LinkEvent):
            st.link, st.link_detail = ev.state, ev.detail
            if self.recorder:
                self.recorder.link(ev.t_s, ev.state, ev.detail)
            if ev.state in ("lost", "reconnecting"):
                self.engine.clock.reset()
                if st.searching_since_s is None:
                    st.searching_since_s = ev.t_s
                if st.open_gap_start_s is None and st.n_beats:
                    # written at once, so a session that ends during the outage still shows the gap
                    last = self.engine.clock.last_beat_s
                    st.open_gap_start_s = float(ev.t_s if last is None else last)
                    if self.recorder:
                        self.recorder.gap_start(st.open_gap_start_s, "link lost")
            elif ev.state == "connected":
                st.searching_since_s = None
        elif isinstance(ev, DeviceInfo):
            st.device.update(ev.info)
            if ev.info.get("battery_pct") is not None:
                st.battery_pct = int(ev.info["battery_pct"])
            if self.recorder:
                self.recorder.device(ev.t_s, ev.info)
        self._emit(ev)
        return []

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
