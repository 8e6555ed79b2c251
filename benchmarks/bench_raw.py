"""Cost of a Polar H10's raw streams live: our R-peaks on the 130 Hz ECG and the breathing from the 25 Hz
chest accelerometer, per second of signal, as the session runs them (frame by frame, with the agreement,
orientation and adherence the session adds). Target: <= 2 % of one core together.

Run: ``.venv/bin/python benchmarks/bench_raw.py [--minutes 60]`` (``make bench`` runs it). The frames are
those the simulated strap sends in H10 mode (its bytes are the H10's), collected first; then the same
session runs twice, with and without the raw frames, and the difference is the raw streams' cost. For
scale, neurokit2's offline ``ecg_peaks`` on the same ECG is timed in the same run (a batch detector: it
sees the whole signal at once, so it does less work per sample than a causal one fed 0.56 s frames).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.events import PmdFrame
from vagal_coach.sensors.simulated import RAW_INFO, SimulatedStrap
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.runner import Session
from vagal_coach.wire.pmd import ECG, PmdDecoder


class _Events:
    """A source that hands over events collected before (no synthesis in the timed part)."""

    simulated = True

    def __init__(self, events: list) -> None:
        self._events = events

    async def events(self):  # type: ignore[no-untyped-def]
        for ev in self._events:
            yield ev

    async def close(self) -> None:
        pass


def collect(minutes: float) -> list:
    clock = Clock(math.inf)
    sched = PacerSchedule.constant(6.0)
    src = SimulatedStrap(clock, schedule=lambda: sched, seed=4, duration_s=60.0 * minutes, raw=True)

    async def run() -> list:
        return [ev async for ev in src.events()]

    return asyncio.run(run())


def session_cpu_s(events: list) -> tuple[float, Session]:
    sched = PacerSchedule.constant(6.0)
    sess = Session(_Events(events), LiveEngine(sched), None, Clock(math.inf))
    sess.set_pacer(sched, list(sched.events))
    t0 = time.process_time()
    asyncio.run(sess.run())
    return time.process_time() - t0, sess


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()
    events = collect(ns.minutes)
    hr_only = [ev for ev in events if not isinstance(ev, PmdFrame)]
    n_frames = len(events) - len(hr_only)
    signal_s = 60.0 * ns.minutes
    with_raw = min(session_cpu_s(events)[0] for _ in range(ns.repeat))
    without = min(session_cpu_s(hr_only)[0] for _ in range(ns.repeat))
    _, sess = session_cpu_s(events)
    st = sess.status
    raw_pct = 100.0 * (with_raw - without) / signal_s
    print(f"raw streams: {signal_s / 60:.0f} min of H10 ECG (130 Hz) and ACC (25 Hz), {n_frames} frames")
    print(f"session CPU: {with_raw:.2f} s with the raw frames, {without:.2f} s heart rate only (best of {ns.repeat})")
    print(f"raw streams' cost: {1000 * (with_raw - without) / signal_s:.2f} ms per s of signal = "
          f"{raw_pct:.3f} % of one core (target <= 2 %)")
    print(f"  beats from ECG: {sess.ecg_beats_used}; agreement with the strap's RR: {100 * st.agreement[0]:.1f} % "
          f"of beats, median {st.agreement[1]:.2f} ms; breaths {st.n_breaths}, rate {st.breathing_rate_bpm:.2f} /min, "
          f"{100 * st.share_following:.0f} % following the pacer")

    # neurokit2's batch R-peaks on the same ECG, for scale
    dec = PmdDecoder()
    dec.configure(RAW_INFO)
    parts = [dec.decode(ev.t_s, ev.raw) for ev in events if isinstance(ev, PmdFrame)]
    ecg = np.concatenate([p.values for p in parts if p is not None and p.mtype == ECG])
    import neurokit2 as nk

    t0 = time.process_time()
    _, info = nk.ecg_peaks(ecg, sampling_rate=130, method="neurokit")
    nk_s = time.process_time() - t0
    ours_ecg = with_raw - without
    print(f"neurokit2 ecg_peaks (batch, ECG only) on the same {signal_s / 60:.0f} min: {nk_s:.2f} s CPU "
          f"({len(info['ECG_R_Peaks'])} peaks); ours live, ECG and ACC and all: {ours_ecg:.2f} s "
          f"= {ours_ecg / max(nk_s, 1e-9):.2f}x neurokit2's time")


if __name__ == "__main__":
    main()
