"""Bluetooth Heart Rate Measurement (0x2A37) parser and encoder: pure functions, no bleak.

Byte 0 flags: bit0 HR format (0 uint8, 1 uint16); bits1-2 sensor contact (0/1 not supported,
2 supported but no contact, 3 contact); bit3 Energy Expended present (uint16 J); bit4 RR present;
bits5-7 reserved. Then HR, energy, and zero or more RR values (uint16, 1/1024 s), little-endian,
oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

HEART_RATE_SERVICE = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATIONS = {0: "other", 1: "chest", 2: "wrist", 3: "finger", 4: "hand", 5: "ear lobe", 6: "foot"}
RR_UNIT_MS = 1000.0 / 1024.0


class Contact(str, Enum):
    UNSUPPORTED = "unsupported"  # the strap does not report contact: never show it as "lost"
    NO_CONTACT = "no_contact"
    CONTACT = "contact"


class HrmParseError(ValueError):
    """A payload too short to hold the fields its flags announce."""


@dataclass(frozen=True)
class Measurement:
    hr_bpm: int
    rr_ms: tuple[float, ...] = ()
    rr_raw: tuple[int, ...] = ()
    contact: Contact = Contact.UNSUPPORTED
    energy_j: int | None = None
    flags: int = 0
    issues: tuple[str, ...] = field(default_factory=tuple)  # e.g. "odd trailing byte", "reserved bits"


def parse_hrm(data: bytes | bytearray | memoryview) -> Measurement:
    """Decode one Heart Rate Measurement notification.

    Raises :class:`HrmParseError` when the payload is shorter than its flags require (empty, no HR,
    no energy field). Recoverable oddities (reserved flag bits set, an odd trailing byte after the RR
    values, RR flag set with no RR bytes) are reported in ``issues`` and the rest is decoded.
    """
    b = bytes(data)
    if not b:
        raise HrmParseError("empty Heart Rate Measurement payload")
    flags = b[0]
    issues: list[str] = []
    if flags & 0xE0:
        issues.append("reserved bits set")
    i = 1
    if flags & 0x01:
        if len(b) < 3:
            raise HrmParseError(f"payload of {len(b)} bytes lacks its uint16 heart rate")
        hr = b[1] | (b[2] << 8)
        i = 3
    else:
        if len(b) < 2:
            raise HrmParseError(f"payload of {len(b)} bytes lacks its heart rate")
        hr = b[1]
        i = 2
    cbits = (flags >> 1) & 0x03
    contact = Contact.CONTACT if cbits == 3 else Contact.NO_CONTACT if cbits == 2 else Contact.UNSUPPORTED
    energy = None
    if flags & 0x08:
        if len(b) < i + 2:
            raise HrmParseError("payload lacks the energy expended field its flags announce")
        energy = b[i] | (b[i + 1] << 8)
        i += 2
    raw: tuple[int, ...] = ()
    if flags & 0x10:
        rest = b[i:]
        if len(rest) % 2:
            issues.append("odd trailing byte")
            rest = rest[:-1]
        if not rest:
            issues.append("RR flag set without RR values")
        raw = tuple(int.from_bytes(rest[k:k + 2], "little") for k in range(0, len(rest), 2))
    elif len(b) > i:
        issues.append("trailing bytes")
    return Measurement(hr_bpm=hr, rr_ms=tuple(r * RR_UNIT_MS for r in raw), rr_raw=raw, contact=contact,
                       energy_j=energy, flags=flags, issues=tuple(issues))


def encode_hrm(hr_bpm: int, rr_ms: tuple[float, ...] | list[float] = (), contact: Contact = Contact.CONTACT,
               energy_j: int | None = None, uint16: bool | None = None) -> bytes:
    """Encode a notification as a strap would (the simulator and tests use it)."""
    wide = hr_bpm > 255 if uint16 is None else uint16
    flags = 0x01 if wide else 0
    flags |= {Contact.UNSUPPORTED: 0, Contact.NO_CONTACT: 2 << 1, Contact.CONTACT: 3 << 1}[contact]
    out = bytearray()
    out += int(hr_bpm).to_bytes(2 if wide else 1, "little")
    if energy_j is not None:
        flags |= 0x08
        out += int(energy_j).to_bytes(2, "little")
    if rr_ms:
        flags |= 0x10
        for r in rr_ms:
            out += int(min(65535, max(0, round(r / RR_UNIT_MS)))).to_bytes(2, "little")
    return bytes([flags]) + bytes(out)
