"""The recorder: every notification and event appended to the native recording as it arrives.

Each line is flushed at once, so a crash (even ``kill -9``) loses at most the notification being
written. The file is created exclusively with mode 0600 under the user's data folder unless a path is
given, and an existing file is never overwritten.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from vagal_coach.errors import UserError
from vagal_coach.io.atomic import private_dir
from vagal_coach.io.native import NativeWriter
from vagal_coach.model import Gap, GuidedInfo, Marker, OwnRate, PacerEvent, Prompt
from vagal_coach.paths import data_dir, new_recording_path
from vagal_coach.sensors.hrm import Measurement

__all__ = ["Recorder", "RecordingFault"]


class RecordingFault(UserError):
    """The recording could not be written on (a full disk, a folder gone read-only): what was received up to
    ``saved_t_s`` is in the file, whole."""

    def __init__(self, message: str, *, path: Path | None, saved_t_s: float) -> None:
        super().__init__(message, path=path)
        self.saved_t_s = saved_t_s


class Recorder:
    """The session's recording. The file is made when the strap's first data arrive (a notification or a raw
    frame): a session that never connects leaves no empty recording behind; what came before (device facts,
    the pacer, links) is written with the header then. Whether the folder can take the file is checked at
    once. A write that fails (a full disk) stops the recording with a :class:`RecordingFault` saying up to
    when it is saved; the file keeps every whole line written before."""

    def __init__(self, path: Path | None = None, *, profile: str = "default", kind: str = "practice",
                 device: dict | None = None, source: str = "ble") -> None:
        self.path = Path(path) if path is not None else new_recording_path(profile, kind)
        try:
            private_dir(self.path.parent, root=data_dir() if path is None else None)
        except OSError as e:
            raise UserError(f"cannot make the recordings folder ({e.strerror})", path=self.path.parent) from None
        if self.path.exists() or self.path.is_symlink():
            raise UserError("file exists already; choose another name (recordings are never overwritten)",
                            path=self.path)
        if not os.access(self.path.parent, os.W_OK):
            raise UserError("cannot write in this folder (read-only?)", path=self.path.parent)
        self._header = {"device": device or {}, "profile": profile, "kind": kind, "source": source}
        self._start_utc = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        self.writer: NativeWriter | None = None
        self._pending: list[tuple[str, tuple, dict]] = []
        self.failed: RecordingFault | None = None
        self.saved_t_s = 0.0
        self.n_notifications = 0
        self.n_beats = 0
        self._closed = False

    @property
    def created(self) -> bool:
        """Whether the file exists (the strap's data came)."""
        return self.writer is not None

    def _call(self, method: str, t_s: float | None, *args, data: bool = False, **kw) -> None:
        if self._closed or self.failed is not None:
            return
        if self.writer is None and not data:
            self._pending.append((method, args, kw))
            return
        try:
            if self.writer is None:
                self.writer = NativeWriter(self.path, self._header, start_utc=self._start_utc)
                for m, a, k in self._pending:
                    getattr(self.writer, m)(*a, **k)
                self._pending.clear()
            getattr(self.writer, method)(*args, **kw)
        except OSError as e:
            self._fail(e)
        if t_s is not None and self.failed is None:
            self.saved_t_s = max(self.saved_t_s, float(t_s))

    def _fail(self, e: OSError) -> None:
        from vagal_coach.clock import mmss

        created = self.writer is not None and self.path.exists()
        if self.writer is not None:
            self.writer.abandon()
        self.failed = RecordingFault(
            f"cannot write the recording ({e.strerror or e}); " + (f"saved up to {mmss(self.saved_t_s)}: {self.path}"
                                                                   if created else "nothing was saved"),
            path=self.path if not created else None, saved_t_s=self.saved_t_s)
        raise self.failed

    def notification(self, t_s: float, raw: bytes, m: Measurement | None, beat_t_s) -> None:
        if m is None:
            self._call("event", t_s, "bad_notification", t_s, data=True, raw=raw.hex())
            return
        self._call("notification", t_s, t_s, raw, m.hr_bpm, m.rr_ms, m.contact.value, m.energy_j, beat_t_s,
                   data=True)
        self.n_notifications += 1
        self.n_beats += len(m.rr_ms)

    def pmd(self, t_s: float, raw: bytes) -> None:
        """A raw ECG or acceleration frame as received (``{"type": "pmd", "t", "raw"}``)."""
        self._call("event", t_s, "pmd", t_s, data=True, raw=raw.hex())

    def link(self, t_s: float, state: str, detail: str = "") -> None:
        self._call("event", t_s, "link", t_s, state=state, detail=detail)

    def device(self, t_s: float, info: dict) -> None:
        self._call("event", t_s, "device", t_s, **{k: v for k, v in info.items() if k not in ("type", "t")})
        if info.get("battery_pct") is not None:
            self._call("event", t_s, "battery", t_s, pct=info["battery_pct"])

    def pacer(self, ev: PacerEvent) -> None:
        self._call("pacer", None, ev)

    def event(self, kind: str, t_s: float, **fields) -> None:
        self._call("event", t_s, kind, t_s, **fields)

    def note(self, ev: GuidedInfo | Prompt | OwnRate, t_s: float) -> None:
        """A guided session's event: its script (at ``t_s``), a prompt shown, one's own rate measured."""
        if isinstance(ev, GuidedInfo):
            self._call("guided", t_s, t_s, ev)
        elif isinstance(ev, Prompt):
            self._call("prompt", ev.t_s, ev)
        else:
            self._call("own_rate", ev.t_s, ev)

    def marker(self, m: Marker) -> None:
        self._call("marker", None, m)

    def gap_start(self, t0_s: float, reason: str) -> None:
        self._call("gap_start", None, t0_s, reason)

    def gap(self, g: Gap) -> None:
        self._call("gap", None, g)

    def close(self, t_s: float | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        if self.writer is None or self.failed is not None:
            self._pending.clear()
            return
        try:
            self.writer.close(t_s)
        except OSError:  # the end line could not be written: every line before it is whole
            self.writer.abandon()
