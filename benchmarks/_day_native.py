"""Write the 24 h day as a native session with real notification bytes (one notification a beat)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vagal_coach.sensors.hrm import Contact, encode_hrm


def write_day_native(path: Path, rr: np.ndarray) -> None:
    t = np.cumsum(rr) / 1000
    with open(path, "w") as f:
        f.write(json.dumps({"type": "header", "format": "vagal-coach-session", "format_version": 1,
                            "device": {"name": "tiled pyHRV 1 h sample"}}) + "\n")
        f.write(json.dumps({"type": "pacer", "t": 0.0, "rate_bpm": 6.0}) + "\n")
        for ti, r in zip(t, rr):
            raw = encode_hrm(int(round(60000 / r)), [float(r)], Contact.CONTACT)
            rr_q = round(int.from_bytes(raw[2:4], "little") * 1000 / 1024, 3)
            f.write(json.dumps({"type": "n", "t": round(ti, 4), "raw": raw.hex(), "hr": int(round(60000 / r)),
                                "rr": [rr_q], "c": "contact", "ee": None, "bt": [round(ti, 4)]},
                               separators=(",", ":")) + "\n")
