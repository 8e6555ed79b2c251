"""The simulated strap: the physiological model (``vagal_coach.synth``) behind real notification bytes.

It follows the breathing it is given (a pacer schedule, read live so pacer changes take effect) or its
own spontaneous breathing, and emits Heart Rate Measurement notifications about once a second that go
through the same parser as a real strap's. Faults for demos and tests: ectopic beats, missed beats,
spurious short RR values (as the Garmin HRM-Dual sends), contact loss and dropouts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.sensors.events import DeviceInfo, LinkEvent, Notification, SourceEvent
from vagal_coach.sensors.hrm import Contact, encode_hrm
from vagal_coach.synth import HeartModel, Physiology

SIMULATED_NAME = "Simulated strap (not a real sensor)"
SIMULATED_ADDRESS = "SIMULATED"


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
                 battery_pct: int = 87) -> None:
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

    def _in(self, spans: list[tuple[float, float]], t: float) -> bool:
        return any(a <= t < b for a, b in spans)

    async def events(self) -> AsyncIterator[SourceEvent]:
        clk = self.clock
        yield LinkEvent(clk.now(), "connected", "simulated")
        yield DeviceInfo(clk.now(), {"name": self.name, "address": SIMULATED_ADDRESS, "simulated": True,
                                     "battery_pct": self.battery_pct, "body_location": "chest",
                                     "model": "vagal-coach physiological model"})
        t_next = self.interval_s  # on the session clock from 0: the stream does not depend on start-up time
        lost = False
        while not self._closed and (self.duration_s is None or t_next <= self.duration_s + 1e-9):
            if clk.virtual or t_next > clk.now():
                await clk.sleep_until(t_next)
            # else: behind the clock (a busy GUI loop on an accelerated clock): catch up in one burst, as a
            # real strap's queued notifications arrive after a stall
            t_now = t_next
            sched = self.schedule() if self.schedule is not None else None
            cyc = getattr(sched, "cycles_at", None)
            rate = getattr(sched, "rate_at", None)
            _, rr = self.model.advance(t_now, cyc, rate)
            rr = self._inject(rr, self.interval_s / 60.0)
            t_next = t_now + self.interval_s * float(self.rng.uniform(0.9, 1.1))
            if self._in(self.faults.dropouts, t_now):
                if not lost:
                    lost = True
                    yield LinkEvent(t_now, "lost", "simulated dropout")
                continue  # beats during a dropout are lost, as with a real link
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
