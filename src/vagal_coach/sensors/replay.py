"""Replay a recording as a beat source: the same stream a live strap gives, at 1x..16x or max speed.

A native session replays its notifications as received (arrival times and raw bytes, through the
same parser and beat clock as live). Other formats replay one notification per beat, encoded, at the
beat's time. Link events and gaps of native sessions are replayed too, and a strap's raw ECG and ACC frames
(an H10's), so the replay chooses its beats and finds its breaths as the live session did.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.model import Recording
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.sensors.hrm import Contact, encode_hrm


class ReplaySource:
    simulated = False

    def __init__(self, rec: Recording, clock: Clock | None = None, start_s: float = 0.0) -> None:
        self.rec = rec
        self.clock = clock or Clock()
        self.start_s = start_s
        self.name = f"Replay of {rec.name}"
        self._closed = False

    async def close(self) -> None:
        self._closed = True

    def _stream(self) -> tuple[np.ndarray, list[bytes]]:
        notes = self.rec.notifications
        if notes is not None and len(notes) == notes.t_s.size > 0:
            return np.asarray(notes.t_s, float), list(notes.raw)
        rr = self.rec.rr_ms
        with np.errstate(divide="ignore", over="ignore"):  # what a strap's uint16 can say (0.1 ms intervals too)
            hr = np.clip(np.nan_to_num(np.round(60000.0 / rr), posinf=65535), 0, 65535).astype(int)
        return self.rec.beat_t_s.copy(), [encode_hrm(int(h), [float(r)], Contact.CONTACT) for h, r in zip(hr, rr)]

    def timeline(self) -> list[SourceEvent]:
        """Every event the replay sends, in order: the device, then the notifications and (an H10's) raw
        frames in arrival order with the link events among them, then the end. The headless replay and the
        replay window both send exactly these."""
        t, raws = self._stream()
        links = sorted(self.rec.links)
        li = 0
        dev = dict(self.rec.device)
        dev.setdefault("name", self.rec.name)
        dev["replay"] = True
        out: list[SourceEvent] = [DeviceInfo(0.0, dev)]
        # a strap's raw frames (a native recording of an H10) go in among the notifications, in arrival order
        frames = self.rec.pmd_frames
        pt = np.asarray(frames.t_s if frames is not None else [], float)
        praw: list[bytes] = list(frames.raw) if frames is not None else []
        all_t = np.concatenate((t, pt))
        order = np.argsort(all_t, kind="stable")
        n = t.size
        for k in order.tolist():
            ti = float(all_t[k])
            while li < len(links) and links[li][0] <= ti:
                out.append(LinkEvent(links[li][0], links[li][1], "recorded"))
                li += 1
            out.append(Notification(ti, raws[k]) if k < n else PmdFrame(ti, praw[k - n]))
        out.append(LinkEvent(float(all_t.max()) if all_t.size else 0.0, "closed", "end of recording"))
        return out

    async def events(self) -> AsyncGenerator[SourceEvent, None]:
        clk = self.clock
        offset = self.start_s
        for ev in self.timeline():
            if self._closed:
                return
            if isinstance(ev, (Notification, PmdFrame)):
                if ev.t_s < self.start_s:
                    continue
                await clk.sleep_until(ev.t_s - offset)
            yield ev
