"""Lab Streaming Layer outlets: a session's RR, HR, ECG, breathing and pacer phase as LSL streams, so
LabRecorder and other rigs record them beside EEG, eye tracking or stimulus markers.

Streams (``name`` / ``type`` / rate / unit), created when the strap is known (its first device facts), each
with ``source_id`` ``vagal-coach-<session id>-<type>`` and, in its description, the strap's name and
address, the session id and each channel's label and unit:

- ``vagal-coach RR`` / ``RR`` / irregular / ms, one sample per beat analysed, at the beat's time;
- ``vagal-coach HR`` / ``HR`` / irregular / bpm, beside each RR;
- ``vagal-coach ECG`` / ``ECG`` / the strap's ECG rate (130 Hz) / µV, straps with raw ECG only;
- ``vagal-coach Breathing`` / ``Respiration`` / the ACC rate over a whole number, >= 10 Hz (12.5 Hz from
  the H10's 25 Hz) / mG along the breathing axis, straps with ACC;
- ``vagal-coach Pacer`` / ``Pacer`` / 10 Hz / cycles (0 = the pacer's inhale cue, 0.5 halfway).

Samples carry LSL timestamps (``pylsl.local_clock``) of when they happened: session time plus the offset
between the two clocks taken when the outlet starts. pylsl (whose wheels carry liblsl) is the ``lsl`` extra.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import numpy as np

from vagal_coach.errors import UserError
from vagal_coach.hrv.breath import BREATH_FS_HZ
from vagal_coach.model import Gap, Marker, PacerEvent
from vagal_coach.sensors.events import DeviceInfo, SourceEvent
from vagal_coach.session.engine import Snapshot
from vagal_coach.session.raw import RawUpdate
from vagal_coach.session.runner import Session

PACER_HZ = 10.0

#: (key, name, type, channel label, unit)
STREAMS = (("rr", "vagal-coach RR", "RR", "RR", "ms"), ("hr", "vagal-coach HR", "HR", "HR", "bpm"),
           ("ecg", "vagal-coach ECG", "ECG", "ECG", "microvolts"),
           ("breath", "vagal-coach Breathing", "Respiration", "chest tilt", "mG"),
           ("pacer", "vagal-coach Pacer", "Pacer", "pacer phase", "cycles"))


def _pylsl() -> Any:
    try:
        import pylsl
    except ImportError:
        raise UserError("--lsl needs pylsl: pip install 'vagal-coach[lsl]'", path="lsl") from None
    return pylsl


#: the serial a strap adds to its name ("Polar H10 8B2C3D4E", "HRM-Pro:123456"): 4+ letters and digits, a digit
_DEVICE_ID = re.compile(r"[\s:#-]+(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{4,}$")


def device_metadata(device: dict, identify: bool = False) -> dict[str, str]:
    """What the streams say about the strap: its model ("Polar H10", the name without the serial a strap
    adds) unless ``identify`` (``--lsl-device-id``) asks for its full name and hardware address too."""
    name = str(device.get("name", ""))
    out = {"name": name if identify else _DEVICE_ID.sub("", name)}
    if identify:
        out["address"] = str(device.get("address", ""))
    out["simulated"] = "true" if device.get("simulated") else "false"
    return out


class LslOutlets:
    """Publishes a :class:`Session` on LSL: ``LslOutlets(session).attach()``."""

    def __init__(self, session: Session, session_id: str | None = None, identify_device: bool = False) -> None:
        self.pylsl = _pylsl()
        self.session = session
        # LSL streams are visible to the whole local network: a random id, never a file's or a client's name
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.identify_device = identify_device
        self.outlets: dict[str, Any] = {}
        self.offset_s = self.pylsl.local_clock() - session.clock.now()
        self._pacer_next_s: float | None = None

    def attach(self) -> LslOutlets:
        self.session.on_event.append(self._event)
        self.session.on_snapshot.append(self._snapshot)
        self.session.on_raw.append(self._raw)
        return self

    def _open(self, device: dict) -> None:
        pl = self.pylsl
        rate_ecg = float(((device.get("pmd") or {}).get("ecg") or {}).get("settings", {}).get("sample_rate", 130))
        rate_acc = float(((device.get("pmd") or {}).get("acc") or {}).get("settings", {}).get("sample_rate", 25))
        rates = {"rr": pl.IRREGULAR_RATE, "hr": pl.IRREGULAR_RATE, "ecg": rate_ecg,
                 "breath": rate_acc / max(1, int(rate_acc // BREATH_FS_HZ)), "pacer": PACER_HZ}
        for key, name, kind, label, unit in STREAMS:
            info = pl.StreamInfo(name, kind, 1, rates[key], "float32", f"vagal-coach-{self.session_id}-{kind}")
            desc = info.desc()
            desc.append_child_value("session_id", self.session_id)
            dev = desc.append_child("device")
            for k, v in device_metadata(device, self.identify_device).items():
                dev.append_child_value(k, v)
            ch = desc.append_child("channels").append_child("channel")
            ch.append_child_value("label", label)
            ch.append_child_value("unit", unit)
            ch.append_child_value("type", kind)
            desc.append_child("acquisition").append_child_value("software", "vagal-coach")
            self.outlets[key] = pl.StreamOutlet(info, chunk_size=0, max_buffered=360)

    def lsl_time(self, t_s: float | np.ndarray) -> float | np.ndarray:
        return np.asarray(t_s, dtype=float) + self.offset_s

    # ---- session callbacks
    def _event(self, ev: SourceEvent | Gap | Marker | PacerEvent) -> None:
        if isinstance(ev, DeviceInfo) and not self.outlets:
            self._open({**self.session.status.device, **ev.info})
        self._pacer_upto(self.session.clock.now())

    def _snapshot(self, s: Snapshot) -> None:
        if not self.outlets or not s.accepted:
            return
        ts = float(self.lsl_time(s.t_s))
        self.outlets["rr"].push_sample([s.rr_ms], ts)
        self.outlets["hr"].push_sample([60000.0 / s.rr_ms], ts)
        self._pacer_upto(s.t_s)

    def _raw(self, up: RawUpdate) -> None:
        if not self.outlets:
            return
        if up.ecg_uv.size:
            self._chunk("ecg", up.ecg_t_s, up.ecg_uv)
        if up.breath_mg.size:
            self._chunk("breath", up.breath_t_s, up.breath_mg)
        self._pacer_upto(float(up.ecg_t_s[-1]) if up.ecg_t_s.size else self.session.clock.now())

    def _chunk(self, key: str, t_s: np.ndarray, values: np.ndarray) -> None:
        self.outlets[key].push_chunk(np.asarray(values, dtype=np.float32).reshape(-1, 1).tolist(),
                                     np.asarray(self.lsl_time(t_s)).tolist())

    def _pacer_upto(self, t_s: float) -> None:
        """The pacer's phase on a 10 Hz grid up to ``t_s`` (nothing while no pacer is set)."""
        sched = self.session.engine.schedule
        if not self.outlets or sched is None:
            return
        if self._pacer_next_s is None:
            self._pacer_next_s = float(np.ceil(max(0.0, t_s - 1.0) * PACER_HZ) / PACER_HZ)
        n = int(np.floor((t_s - self._pacer_next_s) * PACER_HZ)) + 1
        if n <= 0:
            return
        grid = self._pacer_next_s + np.arange(n) / PACER_HZ
        self._chunk("pacer", grid, np.mod(sched.cycles_at(grid), 1.0))
        self._pacer_next_s = float(grid[-1] + 1.0 / PACER_HZ)

    def close(self) -> None:
        self.outlets.clear()
