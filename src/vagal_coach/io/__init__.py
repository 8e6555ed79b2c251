"""Recording readers and writers behind one entry point.

:func:`read_recording` sniffs the format and dispatches to one small reader per format; every
reader returns a :class:`~vagal_coach.model.Recording`. :func:`write_recording` picks the writer
from the suffix. Errors are :class:`~vagal_coach.errors.RecordingFormatError` with the file (and
line) named.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from vagal_coach.errors import RecordingFormatError
from vagal_coach.io import ecg, edf, native, text
from vagal_coach.model import Gap, Marker, PacerEvent, Recording

__all__ = ["FORMATS", "Gap", "Marker", "PacerEvent", "Recording", "read_recording", "write_recording",
           "sniff_format"]

#: name -> (description, reader)
FORMATS: dict[str, str] = {
    "native": "vagal-coach session (JSON Lines, .vcs.jsonl)",
    "rr-text": "one RR value a line, ms or s (Kubios, Elite HRV)",
    "time-rr": "two columns: beat time, RR",
    "polar-sensor-logger": "Polar Sensor Logger RR export (Phone timestamp;RR-interval [ms])",
    "hrv-logger": "HRV Logger CSV (date,rr,since start)",
    "csv": "CSV with time_s,rr_ms[,pacer_bpm]",
    "edf": "EDF+ with beat annotations (as vagal-coach exports)",
    "polar-ecg": "Polar Sensor Logger ECG export (sensor timestamp [ns];ecg [uV]); beats found in the ECG",
    "ecg-csv": "CSV with time_s,ecg_uv (any rate >= 50 Hz); beats found in the ECG",
}


def sniff_format(path: Path, head_bytes: bytes) -> str:
    if edf.sniff(head_bytes):
        return "edf"
    if b"\x00" in head_bytes:
        raise RecordingFormatError("binary data, not a recording (expected text RR data, a vagal-coach "
                                   "session or EDF+)", path=path)
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head_bytes) - 4:  # not merely a character cut at the end of the sniff window
            raise RecordingFormatError("not UTF-8 text and not EDF+: not a recording", path=path) from None
        head = head_bytes[: e.start].decode("utf-8")
    stripped = head.lstrip("\ufeff")
    if native.sniff(stripped):
        return "native"
    first = stripped.lstrip().split("\n", 1)[0].strip().lower()
    ecg_kind = ecg.sniff(first)
    if ecg_kind:
        return ecg_kind
    if first.startswith(text.POLAR_HEADER):
        return "polar-sensor-logger"
    if first.replace(" ", "").startswith(text.HRVLOGGER_HEADER.replace(" ", "")):
        return "hrv-logger"
    if "time_s" in first and "rr_ms" in first:
        return "csv"
    ncol = text.sniff_columns(stripped)
    if ncol == 1:
        return "rr-text"
    if ncol >= 2:
        return "time-rr"  # three or more columns get a clear error from the reader
    if not stripped.strip():
        raise RecordingFormatError("empty file: no R-R intervals", path=path)
    raise RecordingFormatError("unknown format: expected RR values one a line, time,RR columns, a CSV "
                               "with time_s,rr_ms, Polar Sensor Logger, HRV Logger, EDF+ or a vagal-coach "
                               "session", path=path)


_TEXT_READERS: dict[str, Callable[[Path, str], Recording]] = {
    "native": native.read,
    "rr-text": text.read_plain,
    "time-rr": text.read_plain,
    "polar-sensor-logger": text.read_polar,
    "hrv-logger": text.read_hrvlogger,
    "csv": text.read_generic_csv,
    "polar-ecg": ecg.read_polar_ecg,
    "ecg-csv": ecg.read_ecg_csv,
}


def read_recording(path: str | os.PathLike[str], fmt: str | None = None) -> Recording:
    """Read any supported recording; the format is sniffed from the content unless ``fmt`` is given."""
    p = Path(path)
    if not p.exists():
        raise RecordingFormatError("no such file", path=p)
    if p.is_dir():
        raise RecordingFormatError("is a folder, not a recording file", path=p)
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise RecordingFormatError(f"cannot read ({e.strerror})", path=p) from None
    if not head:
        raise RecordingFormatError("empty file: no R-R intervals", path=p)
    kind = fmt or sniff_format(p, head)
    if kind == "edf":
        rec = edf.read(p)
    else:
        try:
            content = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise RecordingFormatError("not UTF-8 text: not a recording", path=p) from None
        try:
            reader = _TEXT_READERS[kind]
        except KeyError:
            raise RecordingFormatError(f"unknown format {kind!r}", path=p) from None
        rec = reader(p, content)
    if rec.n_beats == 0:
        raise RecordingFormatError("no R-peaks found in the ECG (is the strap's contact good?)"
                                   if rec.rr_source == "ecg" else "no R-R intervals in the file", path=p)
    return rec


_WRITERS: dict[str, Callable[[Recording, Path], None]] = {
    ".jsonl": native.write,
    ".txt": text.write_rr_text,
    ".rr": text.write_rr_text,
    ".csv": text.write_csv,
    ".edf": edf.write,
}


def write_recording(rec: Recording, path: str | os.PathLike[str]) -> str:
    """Write ``rec`` in the format given by the suffix of ``path``; never overwrites. Returns the format."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _WRITERS:
        raise RecordingFormatError(f"unknown output suffix {suffix or '(none)'}: use .vcs.jsonl (native), "
                                   ".txt (RR ms a line), .csv or .edf", path=p)
    if p.exists():
        raise RecordingFormatError("file exists already; choose another name", path=p)
    try:
        _WRITERS[suffix](rec, p)
    except FileExistsError:
        raise RecordingFormatError("file exists already; choose another name", path=p) from None
    except OSError as e:
        raise RecordingFormatError(f"cannot write ({e.strerror})", path=p) from None
    return {".jsonl": "native", ".txt": "rr-text", ".rr": "rr-text", ".csv": "csv", ".edf": "edf"}[suffix]
