"""Polar Measurement Data (PMD): the Polar H10's raw ECG and accelerometer streams, as bytes.

Pure parsing and command building (no Bluetooth here; ``sensors.ble`` does the GATT side). The wire
format is the one Polar publishes in its BLE SDK (polarofficial/polar-ble-sdk, ``BlePMDClient``,
``PmdSetting``, ``PmdDataFrame``, ``EcgData``, ``AccData``):

- Service ``FB005C80-…``; control point ``FB005C81-…`` (read: features; write with response, answers
  by indication), data ``FB005C82-…`` (notify).
- Control point commands: ``01 <type>`` get settings, ``02 <type> <settings>`` start, ``03 <type>`` stop.
  A response is ``F0 <op> <type> <status> <more> <parameters>``; status 0 is success.
- Settings are TLV: ``<setting type> <count> <values...>``; sample rate, resolution and range are 16-bit,
  range in milli-units 32-bit, channels 8-bit, factor a 32-bit IEEE-754 float (little-endian).
- A data frame is ``<type> <timestamp: uint64 ns, little-endian> <frame type> <samples>``; the timestamp
  is that of the *last* sample in the frame; bit 7 of the frame type marks a delta-compressed frame.
- ECG (type 0), frame type 0: 3-byte signed µV samples.
- ACC (type 2), frame type 1: int16 x, y, z in mG; delta-compressed (0x81): one reference sample, then
  blocks of ``<bit width> <count>`` with ``count`` x 3 signed deltas of ``bit width`` bits, LSB first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

PMD_SERVICE = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

ECG, PPG, ACC = 0, 1, 2
TYPE_NAMES = {ECG: "ECG", PPG: "PPG", ACC: "ACC"}
GET_SETTINGS, START, STOP = 0x01, 0x02, 0x03
RESPONSE = 0xF0
FEATURES = 0x0F

SAMPLE_RATE, RESOLUTION, RANGE, RANGE_MILLIUNIT, CHANNELS, FACTOR = range(6)
_FIELD_SIZE = {SAMPLE_RATE: 2, RESOLUTION: 2, RANGE: 2, RANGE_MILLIUNIT: 4, CHANNELS: 1, FACTOR: 4}
STATUS = ("success", "invalid op code", "invalid measurement type", "not supported", "invalid length",
          "invalid parameter", "already in state", "invalid resolution", "invalid sample rate",
          "invalid range", "invalid MTU", "invalid number of channels", "invalid state",
          "device in charger", "disk full")

ACC_BREATHING_HZ = 25  # enough for breathing (< 1 Hz) with room for filtering; the H10's lowest ACC rate
DELTA_FLAG = 0x80


class PmdError(ValueError):
    """A PMD message that cannot be parsed, or a command the strap refused."""


def parse_features(data: bytes) -> set[int]:
    """Measurement types a strap offers, from a read of the control point (``0F <bitfield>``)."""
    if len(data) < 2 or data[0] != FEATURES:
        raise PmdError(f"not a PMD feature read: {data.hex()}")
    bits = int.from_bytes(data[1:], "little")
    return {t for t in range(8 * (len(data) - 1)) if bits >> t & 1}


def parse_settings(params: bytes) -> dict[int, list[int | float]]:
    """TLV settings (a get-settings response's parameters, or a start response's) -> {type: values}."""
    out: dict[int, list[int | float]] = {}
    i = 0
    while i + 2 <= len(params):
        kind, count = params[i], params[i + 1]
        i += 2
        size = _FIELD_SIZE.get(kind)
        if size is None or i + size * count > len(params):
            raise PmdError(f"bad PMD setting {kind} x{count} in {params.hex()}")
        vals: list[int | float] = []
        for _ in range(count):
            raw = params[i:i + size]
            vals.append(struct.unpack("<f", raw)[0] if kind == FACTOR else int.from_bytes(raw, "little"))
            i += size
        out[kind] = vals
    return out


def encode_settings(selected: dict[int, int]) -> bytes:
    """One value per setting (the factor is the strap's to say, never sent)."""
    out = bytearray()
    for kind, value in sorted(selected.items()):
        if kind == FACTOR:
            continue
        out += bytes((kind, 1)) + int(value).to_bytes(_FIELD_SIZE[kind], "little")
    return bytes(out)


def start_command(mtype: int, selected: dict[int, int]) -> bytes:
    return bytes((START, mtype)) + encode_settings(selected)


def settings_command(mtype: int) -> bytes:
    return bytes((GET_SETTINGS, mtype))


def stop_command(mtype: int) -> bytes:
    return bytes((STOP, mtype))


@dataclass(frozen=True)
class Response:
    op: int
    mtype: int
    status: int
    more: bool
    params: bytes

    @property
    def ok(self) -> bool:
        return self.status == 0

    @property
    def status_text(self) -> str:
        return STATUS[self.status] if self.status < len(STATUS) else f"status {self.status}"


def parse_response(data: bytes) -> Response:
    if len(data) < 4 or data[0] != RESPONSE:
        raise PmdError(f"not a PMD control point response: {data.hex()}")
    ok = data[3] == 0
    return Response(data[1], data[2], data[3], ok and len(data) > 4 and data[4] != 0,
                    bytes(data[5:]) if ok else b"")


#: what an H10 offers (its published settings), used when an older control point will not list them
H10_SETTINGS: dict[int, dict[int, list[int | float]]] = {
    ECG: {SAMPLE_RATE: [130], RESOLUTION: [14]},
    ACC: {SAMPLE_RATE: [25, 50, 100, 200], RESOLUTION: [16], RANGE: [2, 4, 8]},
}
#: get-settings refusals of an older control point (firmware that starts streams but will not list settings)
OLDER_VARIANT_STATUS = (1, 3)  # invalid op code, not supported


def choose_settings(mtype: int, offered: dict[int, list[int | float]]) -> dict[int, int]:
    """What we start a stream with: ECG at its (only) rate, 130 Hz on an H10; ACC at the lowest rate of
    at least ``ACC_BREATHING_HZ``, its finest resolution and smallest range (breathing tilts the chest
    by a few degrees: the 2 G range resolves it best)."""
    sel: dict[int, int] = {}
    for kind, vals in offered.items():
        if kind == FACTOR or not vals:
            continue
        ints = sorted(int(v) for v in vals)
        if kind == SAMPLE_RATE and mtype == ACC:
            ok = [v for v in ints if v >= ACC_BREATHING_HZ]
            sel[kind] = ok[0] if ok else ints[-1]
        elif kind == SAMPLE_RATE:
            sel[kind] = 130 if 130 in ints else ints[-1]
        elif kind in (RANGE, RANGE_MILLIUNIT):
            sel[kind] = ints[0]
        else:  # resolution, channels: the most
            sel[kind] = ints[-1]
    return sel


@dataclass(frozen=True)
class Frame:
    mtype: int
    timestamp_ns: int  # sensor clock, of the last sample
    frame_type: int  # without the delta flag
    compressed: bool
    payload: bytes


def parse_frame(data: bytes) -> Frame:
    if len(data) < 10:
        raise PmdError(f"PMD data frame too short ({len(data)} bytes)")
    ft = data[9]
    return Frame(data[0], int.from_bytes(data[1:9], "little"), ft & 0x7F, bool(ft & DELTA_FLAG), bytes(data[10:]))


def _signed(u: NDArray[np.int64], bits: int) -> NDArray[np.int64]:
    return np.where(u >= 1 << (bits - 1), u - (1 << bits), u)


def ecg_samples_uv(frame: Frame) -> NDArray[np.int64]:
    """An ECG frame's samples (µV)."""
    if frame.mtype != ECG or frame.compressed or frame.frame_type != 0:
        raise PmdError(f"unsupported ECG frame type {frame.frame_type:#x} (compressed={frame.compressed})")
    b = np.frombuffer(frame.payload[: len(frame.payload) // 3 * 3], dtype=np.uint8).reshape(-1, 3).astype(np.int64)
    return _signed(b[:, 0] | b[:, 1] << 8 | b[:, 2] << 16, 24)


def _unpack_bits(data: bytes, width: int, count: int) -> NDArray[np.int64]:
    """``count`` signed ``width``-bit fields, LSB first, from ``data``."""
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[: width * count]
    fields = bits.reshape(count, width).astype(np.int64)
    u = (fields << np.arange(width, dtype=np.int64)).sum(axis=1)
    return _signed(u, width)


def delta_decode(payload: bytes, channels: int, resolution_bits: int) -> NDArray[np.int64]:
    """A delta-compressed frame's samples, [n, channels]."""
    ref_size = (resolution_bits + 7) // 8
    need = channels * ref_size
    if len(payload) < need:
        raise PmdError("delta frame shorter than its reference sample")
    ref = _signed(np.array([int.from_bytes(payload[i * ref_size:(i + 1) * ref_size], "little")
                            for i in range(channels)], dtype=np.int64), resolution_bits)
    rows = [ref[None, :]]
    i = need
    while i + 2 <= len(payload):
        width, count = payload[i], payload[i + 1]
        i += 2
        nbytes = (width * count * channels + 7) // 8
        if width == 0 or width > 32 or i + nbytes > len(payload):
            raise PmdError(f"bad delta block (width {width}, count {count})")
        deltas = _unpack_bits(payload[i:i + nbytes], width, count * channels).reshape(count, channels)
        rows.append(rows[-1][-1] + np.cumsum(deltas, axis=0))
        i += nbytes
    return np.concatenate(rows, axis=0)


def acc_samples_mg(frame: Frame, factor: float = 1.0) -> NDArray[np.float64]:
    """An ACC frame's samples [n, 3] in mG (raw int16, or delta-compressed)."""
    if frame.mtype != ACC:
        raise PmdError(f"not an ACC frame (type {frame.mtype})")
    if frame.compressed and frame.frame_type == 1:
        s = delta_decode(frame.payload, 3, 16).astype(float)
    elif frame.compressed and frame.frame_type == 0:  # in G x factor: to mG
        return delta_decode(frame.payload, 3, 16).astype(float) * factor * 1000.0
    elif not frame.compressed and frame.frame_type in (0, 1, 2):
        width = frame.frame_type + 1
        n = len(frame.payload) // (3 * width)
        raw = np.frombuffer(frame.payload[: n * 3 * width], dtype=np.uint8).reshape(n * 3, width).astype(np.int64)
        u = (raw << (8 * np.arange(width, dtype=np.int64))).sum(axis=1)
        s = _signed(u, 8 * width).reshape(n, 3).astype(float)
    else:
        raise PmdError(f"unsupported ACC frame type {frame.frame_type:#x} (compressed={frame.compressed})")
    return s * factor if factor != 1.0 else s


@dataclass
class SensorClock:
    """Maps a sensor's nanosecond timestamps onto the session clock (s).

    The offset is the smallest (arrival - sensor time) seen over the last ``window`` frames: the frame
    with the least transport delay. It follows a drift between the two clocks and ignores late frames."""

    window: int = 64
    _offsets: list[float] = field(default_factory=list)

    def observe(self, timestamp_ns: int, arrival_s: float) -> None:
        self._offsets.append(arrival_s - timestamp_ns * 1e-9)
        del self._offsets[: -self.window]

    @property
    def offset_s(self) -> float:
        """Session time minus sensor time (s), as ``to_session_s`` applies it now."""
        if not self._offsets:
            raise RuntimeError("no frame observed yet")
        return min(self._offsets)

    def to_session_s(self, timestamp_ns: int | NDArray[np.float64]) -> float | NDArray[np.float64]:
        return np.asarray(timestamp_ns, dtype=float) * 1e-9 + self.offset_s


def sample_times_ns(frame_ts_ns: int, previous_ts_ns: int | None, n: int, rate_hz: float) -> NDArray[np.float64]:
    """Timestamps of a frame's ``n`` samples: the frame's stamp is its last sample's; the spacing is the
    time since the previous frame over ``n`` (the sensor's true rate), or 1/rate for the first frame."""
    if n == 0:
        return np.zeros(0)
    if previous_ts_ns is not None and frame_ts_ns > previous_ts_ns:
        dt = (frame_ts_ns - previous_ts_ns) / n
    else:
        dt = 1e9 / rate_hz
    return frame_ts_ns - dt * np.arange(n - 1, -1, -1, dtype=float)


@dataclass(frozen=True)
class Samples:
    """A data frame's samples placed on the session clock."""

    mtype: int
    t_s: NDArray[np.float64]  # session time of each sample
    values: NDArray[np.float64]  # ECG: [n] µV; ACC: [n, 3] mG
    gap_before: bool  # samples are missing before this frame (a lost frame, a link drop)


@dataclass
class PmdDecoder:
    """Data frames in, samples on the session clock out: the same for a live stream and for a recording's
    frames read back (which keep their arrival times), so both give the same samples.

    ``rates_hz`` are the sample rates the streams were started with (``ECG`` 130, ``ACC`` 25 unless told);
    ``factors`` an ACC frame's scale when the start response gave one."""

    rates_hz: dict[int, float] = field(default_factory=lambda: {ECG: 130.0, ACC: float(ACC_BREATHING_HZ)})
    factors: dict[int, float] = field(default_factory=dict)
    clock: SensorClock = field(default_factory=SensorClock)
    _last_ts: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    def decode(self, t_arrival_s: float, raw: bytes) -> Samples | None:
        """The frame's samples, or None for a frame that cannot be read (counted in ``errors``)."""
        try:
            frame = parse_frame(raw)
            if frame.mtype == ECG:
                vals = ecg_samples_uv(frame).astype(float)
            elif frame.mtype == ACC:
                vals = acc_samples_mg(frame, self.factors.get(ACC, 1.0))
            else:
                return None
        except PmdError:
            self.errors += 1
            return None
        n = vals.shape[0]
        rate = self.rates_hz.get(frame.mtype, 130.0)
        prev = self._last_ts.get(frame.mtype)
        # a frame whose stamp is further from the last than its samples span (+50 %) follows missing samples
        gap = prev is not None and (frame.timestamp_ns - prev) > 1.5e9 * n / rate
        if prev is not None and frame.timestamp_ns <= prev:
            self.errors += 1
            return None  # a repeated or out-of-order frame
        self.clock.observe(frame.timestamp_ns, t_arrival_s)
        ts_ns = sample_times_ns(frame.timestamp_ns, None if gap else prev, n, rate)
        self._last_ts[frame.mtype] = frame.timestamp_ns
        return Samples(frame.mtype, np.asarray(self.clock.to_session_s(ts_ns)), vals, bool(gap))

    def configure(self, pmd_info: dict) -> None:
        """Take the rates (and factor) a strap's streams were started with (``DeviceInfo`` ``pmd``)."""
        for name, mtype in (("ecg", ECG), ("acc", ACC)):
            sel = (pmd_info.get(name) or {}).get("settings") or {}
            if "sample_rate" in sel:
                self.rates_hz[mtype] = float(sel["sample_rate"])
            if "factor" in sel:
                self.factors[mtype] = float(sel["factor"])


SETTING_NAMES = {SAMPLE_RATE: "sample_rate", RESOLUTION: "resolution", RANGE: "range",
                 RANGE_MILLIUNIT: "range_milliunit", CHANNELS: "channels", FACTOR: "factor"}
