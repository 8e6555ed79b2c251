"""The strap's side of Polar's PMD wire format, for tests (the fake H10 and round trips): frames built
the way an H10 sends them, so our parser meets bytes it did not write itself."""

from __future__ import annotations

import numpy as np

from vagal_coach.wire import pmd


def ecg_frame(timestamp_ns: int, uv: np.ndarray) -> bytes:
    v = np.asarray(uv, dtype=np.int64) & 0xFFFFFF
    body = np.stack((v & 0xFF, v >> 8 & 0xFF, v >> 16 & 0xFF), axis=1).astype(np.uint8).tobytes()
    return bytes((pmd.ECG,)) + int(timestamp_ns).to_bytes(8, "little") + b"\x00" + body


def acc_delta_frame(timestamp_ns: int, mg: np.ndarray) -> bytes:
    """[n, 3] int mG as a delta-compressed type-1 frame: a 16-bit reference, then one block of deltas
    at the narrowest bit width that holds them (what the H10 sends)."""
    s = np.asarray(mg, dtype=np.int64)
    ref = b"".join(int(v & 0xFFFF).to_bytes(2, "little") for v in s[0])
    body = b""
    if s.shape[0] > 1:
        d = np.diff(s, axis=0)
        width = max(2, int(np.max(np.abs(d))).bit_length() + 1)
        u = (d.ravel() & ((1 << width) - 1)).astype(np.int64)
        bits = ((u[:, None] >> np.arange(width)) & 1).astype(np.uint8).ravel()
        body = bytes((width, d.shape[0])) + np.packbits(bits, bitorder="little").tobytes()
    return (bytes((pmd.ACC,)) + int(timestamp_ns).to_bytes(8, "little") + bytes((0x81,)) + ref + body)


def settings_params(offered: dict[int, list[int]]) -> bytes:
    out = bytearray()
    for kind, vals in offered.items():
        out += bytes((kind, len(vals)))
        for v in vals:
            out += int(v).to_bytes(pmd._FIELD_SIZE[kind], "little")
    return bytes(out)


H10_ECG = {pmd.SAMPLE_RATE: [130], pmd.RESOLUTION: [14]}
H10_ACC = {pmd.SAMPLE_RATE: [25, 50, 100, 200], pmd.RESOLUTION: [16], pmd.RANGE: [2, 4, 8]}
