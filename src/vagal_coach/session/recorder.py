"""The recorder: every notification and event appended to the native recording as it arrives.

Each line is flushed at once, so a crash (even ``kill -9``) loses at most the notification being
written. The file is created exclusively with mode 0600 under the user's data folder unless a path is
given, and an existing file is never overwritten.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from vagal_coach.io.native import NativeWriter
from vagal_coach.model import Gap, Marker, PacerEvent
from vagal_coach.paths import client_folder, client_name, data_dir, new_recording_path, recordings_dir, slug
from vagal_coach.sensors.hrm import Measurement

# the app's paths live in vagal_coach.paths; these names stay for code that imports them from here
_slug = slug
__all__ = ["Recorder", "client_folder", "client_name", "data_dir", "new_recording_path", "recordings_dir"]


class Recorder:
    def __init__(self, path: Path | None = None, *, profile: str = "default", kind: str = "practice",
                 device: dict | None = None, source: str = "ble") -> None:
        self.path = Path(path) if path is not None else new_recording_path(profile, kind)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.writer = NativeWriter(self.path, {"device": device or {}, "profile": profile, "kind": kind,
                                               "source": source},
                                   start_utc=datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
        self.n_notifications = 0
        self.n_beats = 0

    def notification(self, t_s: float, raw: bytes, m: Measurement | None, beat_t_s) -> None:
        if m is None:
            self.writer.event("bad_notification", t_s, raw=raw.hex())
            return
        self.writer.notification(t_s, raw, m.hr_bpm, m.rr_ms, m.contact.value, m.energy_j, beat_t_s)
        self.n_notifications += 1
        self.n_beats += len(m.rr_ms)

    def pmd(self, t_s: float, raw: bytes) -> None:
        """A raw ECG or acceleration frame as received (``{"type": "pmd", "t", "raw"}``)."""
        self.writer.event("pmd", t_s, raw=raw.hex())

    def link(self, t_s: float, state: str, detail: str = "") -> None:
        self.writer.event("link", t_s, state=state, detail=detail)

    def device(self, t_s: float, info: dict) -> None:
        self.writer.event("device", t_s, **{k: v for k, v in info.items() if k not in ("type", "t")})
        if info.get("battery_pct") is not None:
            self.writer.event("battery", t_s, pct=info["battery_pct"])

    def pacer(self, ev: PacerEvent) -> None:
        self.writer.pacer(ev)

    def event(self, kind: str, t_s: float, **fields) -> None:
        self.writer.event(kind, t_s, **fields)

    def marker(self, m: Marker) -> None:
        self.writer.marker(m)

    def gap_start(self, t0_s: float, reason: str) -> None:
        self.writer.gap_start(t0_s, reason)

    def gap(self, g: Gap) -> None:
        self.writer.gap(g)

    def close(self, t_s: float | None = None) -> None:
        self.writer.close(t_s)
