"""The simulated strap: the physiological model (``vagal_coach.synth``) behind real notification bytes.

It follows the breathing it is given (a pacer schedule, read live so pacer changes take effect) or its
own spontaneous breathing, and emits Heart Rate Measurement notifications about once a second that go
through the same parser as a real strap's. Faults for demos and tests: ectopic beats, missed beats,
spurious short RR values (as the Garmin HRM-Dual sends), contact loss and dropouts.

With ``raw=True`` it is also a Polar H10's raw streams: ECG at 130 Hz whose R peaks are the model's beats,
and chest acceleration at 25 Hz from the model's lung volume, as PMD data frames (the H10's byte layout:
``wire.pmd``), so the raw pipeline, the chest-breath trace and adherence can be seen without a strap.
The ECG lags the heart-rate stream by ``ECG_LAG_S`` (its waves need the next beat), as a real H10's does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, PmdFrame, SourceEvent
from vagal_coach.sensors.hrm import Contact, encode_hrm
from vagal_coach.synth import HeartModel, Physiology, chest_acc_at, ecg_at

SIMULATED_NAME = "Simulated strap (not a real sensor)"
SIMULATED_ADDRESS = "SIMULATED"
ECG_HZ, ACC_HZ = 130.0, 25.0  # the H10's ECG rate, and the ACC rate vagal-coach asks an H10 for
ECG_FRAME_SAMPLES = 73  # what an H10 sends per ECG frame at the default MTU
ECG_LAG_S = 0.35  # an ECG sample is sent once every beat whose waves reach it is known
SENSOR_T0_NS = 599_618_436_152_960_000  # the H10's clock counts from 2000-01-01; any start will do
RAW_INFO = {"ecg": {"settings": {"sample_rate": int(ECG_HZ), "resolution": 14}, "status": "success"},
            "acc": {"settings": {"sample_rate": int(ACC_HZ), "resolution": 16, "range": 8}, "status": "success"}}


def _ecg_frame(t_last_s: float, uv: np.ndarray) -> bytes:
    """A PMD ECG frame (type 0, frame type 0: 3-byte signed µV) stamped with its last sample's time."""
    v = np.round(uv).astype(np.int64) & 0xFFFFFF
    body = np.stack((v & 0xFF, v >> 8 & 0xFF, v >> 16 & 0xFF), axis=1).astype(np.uint8).tobytes()
    return b"\x00" + int(SENSOR_T0_NS + t_last_s * 1e9).to_bytes(8, "little") + b"\x00" + body


def _acc_frame(t_last_s: float, mg: np.ndarray) -> bytes:
    """A PMD ACC frame (type 2, frame type 1: int16 x, y, z mG, uncompressed)."""
    body = np.clip(np.round(mg), -32768, 32767).astype("<i2").tobytes()
    return b"\x02" + int(SENSOR_T0_NS + t_last_s * 1e9).to_bytes(8, "little") + b"\x01" + body


@dataclass
class Faults:
    ectopic_per_min: float = 0.0
    missed_per_min: float = 0.0
    spurious_per_min: float = 0.0
    contact_loss: list[tuple[float, float]] = field(default_factory=list)  # (start s, end s)
    dropouts: list[tuple[float, float]] = field(default_factory=list)  # no notifications at all
    report_contact: bool = True  # False: flags say "contact not supported", as the Polar H10 often does


class SimulatedStrap:
    simulated = True

    def __init__(self, clock: Clock | None = None, physiology: Physiology | None = None,
                 schedule: Callable[[], object] | None = None, *, faults: Faults | None = None,
                 seed: int = 0, duration_s: float | None = None, interval_s: float = 1.0,
                 battery_pct: int = 87, raw: bool = False) -> None:
        self.clock = clock or Clock()
        self.model = HeartModel(physiology, seed=seed)
        self.schedule = schedule  # returns the current PacerSchedule (or None: own breathing)
        self.faults = faults or Faults()
        self.rng = np.random.default_rng(seed + 1)
        self.duration_s = duration_s
        self.interval_s = interval_s
        self.battery_pct = battery_pct
        self.name = SIMULATED_NAME
        self._closed = False
        self._pending: list[float] = []
        self.raw = raw
        self._beats = np.zeros(0)  # the model's beats of the last seconds (the ECG is drawn around them)
        self._ecg_next = 0  # index (at ECG_HZ) of the next ECG sample to send
        self._acc_next = 0
        self._ecg_buf = np.zeros(0)
        self._raw_rng = np.random.default_rng(seed + 2)

    async def close(self) -> None:
        self._closed = True

    def _inject(self, rr: np.ndarray, dt_min: float) -> np.ndarray:
        f = self.faults
        out = list(rr)
        if f.missed_per_min and len(out) >= 2 and self.rng.random() < f.missed_per_min * dt_min:
            i = int(self.rng.integers(0, len(out) - 1))
            out[i: i + 2] = [out[i] + out[i + 1]]
        if f.ectopic_per_min and len(out) >= 2 and self.rng.random() < f.ectopic_per_min * dt_min:
            i = int(self.rng.integers(0, len(out) - 1))
            short = 0.7 * out[i]
            out[i: i + 2] = [short, out[i] + out[i + 1] - short]
        if f.spurious_per_min and out and self.rng.random() < f.spurious_per_min * dt_min:
            out.append(float(self.rng.uniform(40, 80)))
        return np.array(out)

    def _raw_frames(self, t_now: float, beat_t: np.ndarray) -> list[PmdFrame]:
        """The ECG and ACC frames a Polar H10 would have sent by ``t_now`` (arriving then)."""
        no_contact = self._in(self.faults.contact_loss, t_now)
        self._beats = np.concatenate((self._beats[self._beats > t_now - 3.0], beat_t))
        out: list[PmdFrame] = []
        k1 = int(np.floor((t_now - ECG_LAG_S) * ECG_HZ))
        if k1 > self._ecg_next:
            t = np.arange(self._ecg_next, k1) / ECG_HZ
            # without skin contact the ECG is noise (and wander) alone
            uv = ecg_at(t, np.zeros(0) if no_contact else self._beats, self._raw_rng,
                        noise_uv=150.0 if no_contact else 8.0)
            self._ecg_buf = np.concatenate((self._ecg_buf, uv))
            self._ecg_next = k1
            n = self._ecg_buf.size // ECG_FRAME_SAMPLES * ECG_FRAME_SAMPLES
            k_first = k1 - self._ecg_buf.size
            for i in range(0, n, ECG_FRAME_SAMPLES):
                last = (k_first + i + ECG_FRAME_SAMPLES - 1) / ECG_HZ
                out.append(PmdFrame(t_now, _ecg_frame(last, self._ecg_buf[i:i + ECG_FRAME_SAMPLES])))
            self._ecg_buf = self._ecg_buf[n:]
        m = self.model
        a1 = int(np.floor(t_now * ACC_HZ)) + 1
        if a1 > self._acc_next and m.breath_t_s.size:
            t = np.arange(self._acc_next, a1) / ACC_HZ
            out.append(PmdFrame(t_now, _acc_frame(t[-1], chest_acc_at(t, m.breath_t_s, m.breath_volume,
                                                                    self._raw_rng))))
            self._acc_next = a1
        return out

    def _in(self, spans: list[tuple[float, float]], t: float) -> bool:
        return any(a <= t < b for a, b in spans)

    async def events(self) -> AsyncGenerator[SourceEvent, None]:
        clk = self.clock
        yield LinkEvent(clk.now(), "connected", "simulated")
        info: dict[str, Any] = {"name": self.name, "address": SIMULATED_ADDRESS, "simulated": True,
                "battery_pct": self.battery_pct, "body_location": "chest", "model": "vagal-coach physiological model"}
        if self.raw:
            info["model"] += " (raw ECG and ACC as a Polar H10 sends them)"
            info["pmd"] = RAW_INFO
        yield DeviceInfo(clk.now(), info)
        t_next = self.interval_s  # on the session clock from 0: the stream does not depend on start-up time
        lost = False
        while not self._closed and (self.duration_s is None or t_next <= self.duration_s + 1e-9):
            if clk.virtual or t_next > clk.now():
                await clk.sleep_until(t_next)
            else:
                # behind the clock (a busy machine, an accelerated clock): catch up in a burst, as a real
                # strap's queued notifications arrive after a stall, but let the loop run between events
                # (the window, its timers): a machine too slow to catch up must not freeze it
                await asyncio.sleep(0)
            t_now = t_next
            sched = self.schedule() if self.schedule is not None else None
            cyc = getattr(sched, "cycles_at", None)
            rate = getattr(sched, "rate_at", None)
            beat_t, rr = self.model.advance(t_now, cyc, rate)
            rr = self._inject(rr, self.interval_s / 60.0)
            t_next = t_now + self.interval_s * float(self.rng.uniform(0.9, 1.1))
            frames = self._raw_frames(t_now, beat_t) if self.raw else []
            if self._in(self.faults.dropouts, t_now):
                if not lost:
                    lost = True
                    yield LinkEvent(t_now, "lost", "simulated dropout")
                self._ecg_buf = np.zeros(0)  # frames during a dropout are lost too
                continue  # beats during a dropout are lost, as with a real link
            for fr in frames:
                yield fr
            if lost:
                lost = False
                yield LinkEvent(t_now, "connected", "simulated strap back")
            contact = Contact.CONTACT
            if self._in(self.faults.contact_loss, t_now):
                contact = Contact.NO_CONTACT
                rr = np.zeros(0)
            if not self.faults.report_contact:
                contact = Contact.UNSUPPORTED
            rr_list = [float(x) for x in rr if x < 65535 * 1000 / 1024]
            hr = int(round(60000.0 / rr_list[-1])) if rr_list else int(self.model.p.hr_bpm)
            for k in range(0, max(len(rr_list), 1), 9):  # at most 9 RR a packet at the default MTU
                yield Notification(t_now, encode_hrm(hr, rr_list[k:k + 9], contact))
        yield LinkEvent(clk.now(), "closed", "simulation ended")
