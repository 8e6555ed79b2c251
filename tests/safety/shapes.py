"""Damaged and odd recordings as real folders hold them (issue 17): each a (name, bytes) maker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HEADER = {"type": "header", "format": "vagal-coach-session", "format_version": 1,
          "start_utc": "2026-01-01T00:00:00+00:00", "device": {}, "profile": "p", "kind": "practice",
          "source": "ble"}


def note(t: float, rr: str = "1000", tt: str | None = None) -> str:
    tt = tt or f"{t:g}"
    return ('{"type":"n","t":' + tt + ',"raw":"10","hr":60,"rr":[' + rr + '],"c":"contact","ee":null,"bt":['
            + f"{t:g}]}}\n")


def native(header: dict | None = None, extra: str = "", n: int = 200) -> bytes:
    h = dict(HEADER, **(header or {}))
    return (json.dumps(h) + "\n" + "".join(note(i) for i in range(1, n)) + extra).encode()


def with_pmd_rate(sim: bytes, rate: object) -> bytes:
    return sim.replace(b'"sample_rate":130', b'"sample_rate":' + json.dumps(rate).encode(), 1)


def rr_text(values) -> bytes:
    return ("\n".join(f"{v:g}" for v in values) + "\n").encode()


def edf_damaged(ok: bytes, how: str) -> bytes:
    b = bytearray(ok)
    hdr, ns = int(b[184:192]), int(b[252:256])
    if how == "samples":
        off = 256 + ns * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80)
        b[off:off + 8] = b"99999999"
    elif how == "nan-duration":
        b[244:252] = b"nan     "
    elif how == "annotation-byte":
        j = b.find(b"\x14\x14", hdr)
        b[j + 3], b[j + 4] = 0xFF, 0x80
    return bytes(b)


def polar_ecg(jump_ns: int = 0, seconds: float = 40.0) -> bytes:
    from vagal_coach import synth

    beats = np.arange(0.5, seconds + 1, 0.9)
    t, x = synth.ecg_uv(beats, 130.0, seconds)
    ns = np.round(t * 1e9).astype(np.int64) + 600_000_000_000_000_000
    ns[len(ns) // 2:] += jump_ns
    rows = "".join(f"2024-01-01T00:00:00.000;{a};0;{b:.0f}\n" for a, b in zip(ns, x))
    return ("Phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uV]\n" + rows).encode()


def write(folder: Path, name: str, data: bytes) -> Path:
    p = folder / name
    p.write_bytes(data)
    return p
