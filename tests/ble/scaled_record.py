"""``vagal-coach record``'s session (BleStrap -> Session -> Recorder) on an accelerated clock, for the fake
strap's ``--time-scale``: the strap's timeline runs N times the wall clock, and so does this session's clock,
so beat times and RR agree while a 120 s absence takes 12 s. Bluetooth's own timing (scans, backoff,
timeouts) stays in wall seconds. Ends on SIGINT like ``record``; prints the session's status as JSON.

Run as a process: ``python scaled_record.py --device ADDR --adapter hci0 --out REC --time-scale 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from vagal_coach.clock import Clock
from vagal_coach.model import PacerEvent
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.ble import BleStrap
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", required=True)
    ap.add_argument("--adapter", default="hci0")
    ap.add_argument("--out", required=True)
    ap.add_argument("--time-scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=None)
    ap.add_argument("--rate", type=float, default=None)
    ns = ap.parse_args()
    clock = Clock(ns.time_scale)
    events = [PacerEvent(0.0, ns.rate)] if ns.rate else []
    schedule = PacerSchedule(events) if events else None
    recorder = Recorder(ns.out, device={"address": ns.device, "adapter": ns.adapter}, source="ble")
    session = Session(BleStrap(ns.device, clock, adapter=ns.adapter), LiveEngine(schedule), recorder, clock)
    session.set_pacer(schedule, events)

    async def run() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, session.stop)
        await session.run(ns.duration)

    try:
        asyncio.run(run())
    finally:
        recorder.close()
    st = session.status
    print(json.dumps({"n_beats": st.n_beats, "n_notifications": st.n_notifications, "n_gaps": st.n_gaps,
                      "rr_source": st.rr_source}), flush=True)


if __name__ == "__main__":
    main()
