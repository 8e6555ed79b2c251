import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vagal_coach.errors import RecordingFormatError
from vagal_coach.io import Marker, PacerEvent, Recording, read_recording, write_recording
from vagal_coach.io.native import NativeWriter

RR = [812.0, 790.5, 845.0, 901.25, 870.0, 799.0]


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_plain_ms_and_seconds(tmp_path):
    a = read_recording(_write(tmp_path, "a.txt", "\n".join(map(str, RR)) + "\n"))
    b = read_recording(_write(tmp_path, "b.txt", "\n".join(str(x / 1000) for x in RR)))
    assert a.format == "rr-text" and np.allclose(a.rr_ms, RR) and np.allclose(b.rr_ms, RR)
    assert np.allclose(a.beat_t_s, np.cumsum(RR) / 1000)


def test_two_column_time_rr(tmp_path):
    t = np.cumsum(RR) / 1000 + 5.0
    p = _write(tmp_path, "c.txt", "time,rr\n" + "\n".join(f"{x:.4f},{r}" for x, r in zip(t, RR)))
    rec = read_recording(p)
    assert rec.format == "time-rr" and np.allclose(rec.rr_ms, RR)
    assert np.allclose(np.diff(rec.beat_t_s), np.diff(t), atol=1e-4)


def test_polar_sensor_logger(tmp_path):
    rows = [f"2026-04-24T14:10:{16 + i:02d}.752;{int(r)}" for i, r in enumerate(RR)]
    rec = read_recording(_write(tmp_path, "p.txt", "Phone timestamp;RR-interval [ms]\n" + "\n".join(rows)))
    assert rec.format == "polar-sensor-logger" and np.allclose(rec.rr_ms, np.array(RR).astype(int))
    assert rec.start_utc.startswith("2026-04-24T14:10:16")


def test_hrv_logger(tmp_path):
    rows = [f"2026-04-24 14:10:{i:02d},{int(r)},{int(s)}" for i, (r, s) in enumerate(zip(RR, np.cumsum(RR)))]
    rec = read_recording(_write(tmp_path, "h.csv", "date,rr,since start\n" + "\n".join(rows)))
    assert rec.format == "hrv-logger" and rec.n_beats == len(RR)


def test_generic_csv_with_pacer(tmp_path):
    t = np.cumsum(RR) / 1000
    pac = [6, 6, 6, 5.5, 5.5, 5.5]
    body = "\n".join(f"{a},{b},{c}" for a, b, c in zip(t, RR, pac))
    rec = read_recording(_write(tmp_path, "g.csv", "time_s,rr_ms,pacer_bpm\n" + body))
    assert rec.format == "csv" and np.allclose(rec.beat_t_s, t)
    assert [p.rate_bpm for p in rec.pacer] == [6.0, 5.5] and rec.pacer[0].t_s == 0.0


def test_native_roundtrip_and_half_written_last_line(tmp_path):
    p = tmp_path / "s.vcs.jsonl"
    w = NativeWriter(p, {"device": {"name": "Polar H10 ABC", "address": "AA:BB"}})
    w.pacer(PacerEvent(0.0, 6.0))
    w.notification(1.0, bytes.fromhex("163c1104"), 60, [1016.6], "contact", None, [1.0])
    w.notification(2.0, bytes.fromhex("16480104"), 72, [1000.0], "contact", None, [2.0])
    w.marker(Marker(1.5, "calm"))
    w.close()
    assert (p.stat().st_mode & 0o777) == 0o600
    with open(p, "a") as f:
        f.write('{"type":"n","t":3.0,"raw":"16')  # a crash mid-line
    rec = read_recording(p)
    assert rec.format == "native" and rec.rr_ms.tolist() == [1016.6, 1000.0]
    assert rec.device["name"] == "Polar H10 ABC" and rec.markers[0].label == "calm"
    assert rec.pacer[0].rate_bpm == 6.0 and rec.skipped_lines
    with pytest.raises(RecordingFormatError, match="exists"):
        NativeWriter(p)


@pytest.mark.parametrize("suffix", [".vcs.jsonl", ".txt", ".csv", ".edf"])
def test_writers_roundtrip(tmp_path, rr_5min, suffix):
    rec = Recording.from_rr(rr_5min, markers=[Marker(30.0, "start")], pacer=[PacerEvent(0.0, 6.0)])
    out = tmp_path / f"out{suffix}"
    write_recording(rec, out)
    back = read_recording(out)
    assert back.n_beats == rec.n_beats
    assert np.allclose(back.rr_ms, rec.rr_ms, atol=1.0 if suffix == ".edf" else 1e-6)
    if suffix in (".vcs.jsonl", ".edf"):
        assert [m.label for m in back.markers] == ["start"]
    if suffix != ".txt":
        assert back.pacer and back.pacer[0].rate_bpm == pytest.approx(6.0)
    with pytest.raises(RecordingFormatError, match="exists"):
        write_recording(rec, out)


@pytest.mark.parametrize("content,match", [
    (b"", "empty"),
    (b"\x00\x01\x02\xff\xfe" * 50, "binary|not UTF-8"),
    (b"812\n790\nabc\n800\n", r":3: value 'abc' is not a number"),
    (b"time_s,rr_ms\n1.0,800\n2.0,\n", "is not a number"),
    (b"time_s,rr_ms,pacer_bpm\n1.0,800\n", ":2: expected 3 columns, found 2"),
    (b"1,2,3\n4,5,6\n", "numeric columns"),
    (b"hello world\nthis is prose\n", "unknown format"),
])
def test_bad_input_names_file_and_line(tmp_path, content, match):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(RecordingFormatError, match=match) as e:
        read_recording(p)
    assert str(p) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(RecordingFormatError, match="no such file"):
        read_recording(tmp_path / "nope.txt")


def test_native_reads_24h(tmp_path, rr_1h):
    """A day of one notification a beat reads whole (its speed is measured in benchmarks/bench_analyze.py)."""
    rr = np.tile(rr_1h, 24)
    p = tmp_path / "day.vcs.jsonl"
    w = NativeWriter(p)
    t = np.cumsum(rr) / 1000
    # one notification a beat, as a strap sends them
    for i in range(0, rr.size, 1):
        w._f.write(json.dumps({"type": "n", "t": round(t[i], 4), "raw": "16", "hr": 70, "rr": [rr[i]],
                               "c": "contact", "ee": None, "bt": [round(t[i], 4)]},
                              separators=(",", ":")) + "\n")
    w.close()
    rec = read_recording(p)
    assert rec.n_beats == rr.size
    np.testing.assert_allclose(rec.rr_ms, rr)
    np.testing.assert_allclose(rec.beat_t_s, np.round(t, 4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_any_bytes_give_recording_or_clear_error(tmp_path, data):
    p = tmp_path / "fuzz.txt"
    p.write_bytes(data)
    try:
        rec = read_recording(p)
    except RecordingFormatError as e:
        assert str(p) in str(e) and "\n" not in str(e)
    else:
        # R-R values that are no interval (0, negative, NaN, inf) stay in as beats the analysis rejects
        # (issue 18); the time axis is always finite
        assert rec.n_beats > 0 and rec.rr_ms.shape == rec.beat_t_s.shape and np.all(np.isfinite(rec.beat_t_s))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(300, 2000), min_size=1, max_size=200))
def test_rr_text_roundtrip_property(tmp_path, rr):
    out = tmp_path / "r.txt"
    out.unlink(missing_ok=True)
    write_recording(Recording.from_rr(rr), out)
    assert np.allclose(read_recording(out).rr_ms, rr, atol=5e-4)
