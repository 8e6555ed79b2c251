"""ECG recordings: Polar Sensor Logger's ECG export and a ``time_s,ecg_uv`` CSV, read into a recording whose
beats are the R-peaks found in the ECG (``hrv.ecg``, the detector the live engine uses).

Samples are timed by the file; where the time jumps by more than 2.5 sample periods (a lost frame) the ECG
is cut there, each piece is searched on its own, and the interval across the cut is unknown (never used;
the cut is written as a gap).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vagal_coach.errors import RecordingFormatError
from vagal_coach.hrv.ecg import LEARN_S, detect_r_peaks, ecg_quality
from vagal_coach.model import EcgQuality, EcgTrace, Gap, Recording

POLAR_ECG_HEADER = "phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uv]"
CSV_ECG_COLUMNS = ("time_s", "ecg_uv")
MIN_FS_HZ = 50.0


def sniff(first_line: str) -> str | None:
    line = first_line.strip().lower().replace(" ", "")
    if line.startswith(POLAR_ECG_HEADER.replace(" ", "")[:40]) and "ecg[uv]" in line:
        return "polar-ecg"
    if "time_s" in line and "ecg_uv" in line:
        return "ecg-csv"
    return None


def _table(path: Path, body: str, cols: tuple[int, ...], first_line: int, delimiter: str) -> NDArray[np.float64]:
    """The numeric columns of the data rows, or a one-line error naming the first bad row."""
    if not body.strip():
        raise RecordingFormatError("ECG file with a header but no samples", path=path)
    try:
        with np.errstate(all="ignore"):
            vals = np.loadtxt(io.StringIO(body), delimiter=delimiter, usecols=cols, ndmin=2, dtype=float,
                              comments="#")
    except ValueError:
        for i, row in enumerate(body.splitlines(), start=first_line):
            parts = row.split(delimiter)
            if not row.strip():
                continue
            if len(parts) <= max(cols):
                raise RecordingFormatError(f"expected {max(cols) + 1} columns", path=path, line=i) from None
            for c in cols:
                try:
                    float(parts[c])
                except ValueError:
                    raise RecordingFormatError(f"{parts[c].strip()!r} is not a number", path=path,
                                               line=i) from None
        raise RecordingFormatError("unreadable ECG rows", path=path) from None
    if vals.size == 0:
        raise RecordingFormatError("ECG file with a header but no samples", path=path)
    bad = ~np.isfinite(vals).all(axis=1)
    if bad.any():
        raise RecordingFormatError(f"{vals[bad][0]} is not a finite number", path=path,
                                   line=first_line + int(np.flatnonzero(bad)[0]))
    return vals


def recording_from_ecg(t_s: NDArray[np.float64], uv: NDArray[np.float64], *, path: Path | None = None,
                       fmt: str = "", start_utc: str | None = None, fs_hz: float | None = None) -> Recording:
    """A recording whose beats are the R-peaks of the ECG (``t_s`` s, ``uv`` microvolts); ``fs_hz`` the
    nominal rate (by default, from the median sample spacing)."""
    t = np.asarray(t_s, dtype=float)
    x = np.asarray(uv, dtype=float)
    name = path if path is not None else "<memory>"
    if t.size < 2:
        raise RecordingFormatError("ECG with fewer than two samples", path=name)
    dt = np.diff(t)
    pos = dt[dt > 0]
    if pos.size == 0:
        raise RecordingFormatError("ECG sample times never increase", path=name)
    fs_hz = float(fs_hz or 1.0 / np.median(pos))
    if fs_hz < MIN_FS_HZ:
        raise RecordingFormatError(f"ECG sampled at {fs_hz:.3g} Hz: too low for R-peaks (need >= 50 Hz)",
                                   path=name)
    cuts = np.flatnonzero((dt > 2.5 / fs_hz) | (dt <= 0)) + 1
    bounds = np.concatenate(([0], cuts, [t.size]))
    beats: list[NDArray[np.float64]] = []
    rrs: list[NDArray[np.float64]] = []
    gaps: list[Gap] = []
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):  # per piece of ECG
        if k > 0:
            gaps.append(Gap(float(t[a - 1]), float(t[a]), "ECG samples missing"))
        if (b - a) / fs_hz < LEARN_S + 1.0:
            continue
        # the detector counts samples at the nominal rate; beats are timed through the samples' own times
        idx = detect_r_peaks(x[a:b], fs_hz) * fs_hz
        bt = np.interp(idx, np.arange(b - a), t[a:b])
        if bt.size == 0:
            continue
        beats.append(bt[1:])  # the interval before a piece's first beat is unknown: that beat only starts one
        rrs.append(np.diff(bt) * 1000.0)
    beat_t = np.concatenate(beats) if beats else np.zeros(0)
    rr = np.concatenate(rrs) if rrs else np.zeros(0)
    q = ecg_quality(beat_t)
    return Recording(rr_ms=rr, beat_t_s=beat_t, path=path, format=fmt, start_utc=start_utc, gaps=gaps,
                     rr_source="ecg", ecg=EcgTrace(t, x, fs_hz),
                     ecg_quality=EcgQuality(float(fs_hz), int(t.size), float(q.share_regular), bool(q.good)))


def read_polar_ecg(path: Path, text: str) -> Recording:
    """Polar Sensor Logger ECG export (``Phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uV]``):
    samples timed by the sensor's nanosecond clock."""
    head, _, body = text.lstrip("\ufeff").partition("\n")
    cols = [c.strip().lower() for c in head.split(";")]
    try:
        c_ns, c_uv = cols.index("sensor timestamp [ns]"), cols.index("ecg [uv]")
    except ValueError:
        raise RecordingFormatError("Polar ECG export without 'sensor timestamp [ns]' and 'ecg [uV]' columns",
                                   path=path, line=1) from None
    vals = _table(path, body, (c_ns, c_uv), 2, ";")
    # the nanosecond clock (about 6e17) is beyond float64's integers: read it again as int64
    try:
        ns = np.loadtxt(io.StringIO(body), delimiter=";", usecols=c_ns, ndmin=1, dtype=np.int64, comments="#")
        t_s = (ns - ns[0]).astype(float) / 1e9
    except (ValueError, OverflowError):  # written as floats: their precision is what there is
        t_s = (vals[:, 0] - vals[0, 0]) / 1e9
    first_row = next((r for r in body.splitlines() if r.strip()), "")
    start = first_row.split(";")[0].strip() or None
    rec = recording_from_ecg(t_s, vals[:, 1], path=path, fmt="polar-ecg", start_utc=start)
    rec.device["app"] = "Polar Sensor Logger"
    return rec


def read_ecg_csv(path: Path, text: str) -> Recording:
    """CSV with a header holding ``time_s`` and ``ecg_uv`` (any order)."""
    head, _, body = text.lstrip("\ufeff").partition("\n")
    cols = [c.strip().lower() for c in head.split(",")]
    if not all(c in cols for c in CSV_ECG_COLUMNS):
        raise RecordingFormatError("ECG CSV header needs time_s,ecg_uv", path=path, line=1)
    vals = _table(path, body, (cols.index("time_s"), cols.index("ecg_uv")), 2, ",")
    return recording_from_ecg(vals[:, 0], vals[:, 1], path=path, fmt="ecg-csv")


def write_ecg_csv(rec: Recording, path: Path) -> None:
    """``time_s,ecg_uv``, one sample a row."""
    if rec.ecg is None:
        raise RecordingFormatError("no ECG in this recording", path=path)
    from vagal_coach.io.atomic import atomic_path

    with atomic_path(path, inputs=[rec.path] if rec.path else []) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("time_s,ecg_uv\n")
        np.savetxt(f, np.column_stack((rec.ecg.t_s, rec.ecg.uv)), fmt=("%.6f", "%.1f"), delimiter=",")
