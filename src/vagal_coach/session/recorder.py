"""The recorder: every notification and event appended to the native recording as it arrives.

Each line is flushed at once, so a crash (even ``kill -9``) loses at most the notification being
written. The file is created exclusively with mode 0600 under the user's data folder unless a path is
given, and an existing file is never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from vagal_coach.io.model import Gap, Marker, PacerEvent
from vagal_coach.io.native import SUFFIX, NativeWriter
from vagal_coach.sensors.hrm import Measurement


def data_dir() -> Path:
    """Where recordings and the library live: $VAGAL_COACH_HOME, else the platform's user data folder."""
    env = os.environ.get("VAGAL_COACH_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("vagal-coach", appauthor=False)


def recordings_dir(profile: str = "default") -> Path:
    return data_dir() / "recordings" / client_folder(profile)


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", s).strip("-.") or "default"


def client_name(name: str) -> str:
    """A client's name as typed (any script, spaces, accents), in one Unicode form (NFC), outer spaces off."""
    return unicodedata.normalize("NFC", str(name)).strip() or "default"


def client_folder(name: str) -> str:
    """The client's stable id, for folder and file names: the name itself when it is plain ASCII (``Anna``),
    else a readable part and a hash of the name as typed (``Anna-M-ller-1f3a9c2e``), so two names never share
    a folder or profile ("Anna Müller", "Anna Möller") and no name is too long for the file system."""
    n = client_name(name)
    slug = _slug(n)[:48].strip("-.") or "client"
    if slug == n:
        return n
    return f"{slug}-{hashlib.sha256(n.encode('utf-8')).hexdigest()[:8]}"


def new_recording_path(profile: str = "default", kind: str = "practice") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = recordings_dir(profile) / f"{stamp}-{_slug(kind)}"
    p = base.with_name(base.name + SUFFIX)
    k = 1
    while p.exists():
        p = base.with_name(f"{base.name}-{k}{SUFFIX}")
        k += 1
    return p


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
