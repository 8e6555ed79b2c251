"""Recording readers and writers behind one entry point.

:func:`read_recording` sniffs the format and dispatches to one small reader per format; every
reader returns a :class:`~vagal_coach.model.Recording`. :func:`write_recording` picks the writer
from the suffix. Errors are :class:`~vagal_coach.errors.RecordingFormatError` with the file (and
line) named.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from vagal_coach.errors import RecordingFormatError, UserError
from vagal_coach.io import ecg, edf, native, notes, text
from vagal_coach.io.atomic import atomic_path
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


#: the longest line a text recording may hold (a native ``beats`` line of 512 beats is about 10 kB)
MAX_LINE_BYTES = 1 << 20


def _read_text(p: Path) -> str:
    """The file as text, refused quickly (streamed in 1 MiB pieces, before anything is parsed) when a line is
    longer than MAX_LINE_BYTES: a huge single line costs its size in memory, not gigabytes and minutes."""
    run, line = 0, 1
    chunks: list[bytes] = []
    with open(p, "rb") as f:
        while chunk := f.read(MAX_LINE_BYTES):
            nl = chunk.find(b"\n")
            if (run + (nl if nl >= 0 else len(chunk))) > MAX_LINE_BYTES:
                raise RecordingFormatError(f"a line longer than {MAX_LINE_BYTES >> 20} MiB: not a recording "
                                           "(RR data has one value or one event a line)", path=p, line=line)
            line += chunk.count(b"\n")
            run = len(chunk) - chunk.rfind(b"\n") - 1 if nl >= 0 else run + len(chunk)
            chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecordingFormatError("not UTF-8 text: not a recording", path=p) from None


#: pacer rates a recording may hold, breaths/min: (lowest, highest, highest a ramp starts from) as the pacer
#: plays them (model.pacer); 0 is no pacer
PACER_BPM = (3.0, 10.0, 20.0)


def _check_pacer(rec: Recording) -> None:
    """Pacer events the pacer can play (what analyze, replay and export then all accept), or one line."""
    for ev in rec.pacer:
        vals = (ev.t_s, ev.rate_bpm, ev.inhale_fraction, ev.hold_in_s, ev.hold_out_s, ev.ramp_to_bpm, ev.ramp_s)
        problem = None
        if not all(math.isfinite(v) for v in vals):
            problem = "holds a value that is not a finite number"
        elif ev.rate_bpm and not PACER_BPM[0] <= ev.rate_bpm <= (
                PACER_BPM[2] if ev.ramp_s > 0 and ev.ramp_to_bpm > 0 else PACER_BPM[1]):
            problem = (f"rate {ev.rate_bpm:g} breaths/min is not {PACER_BPM[0]:g}-{PACER_BPM[1]:g} (or 0 for none; "
                       f"up to {PACER_BPM[2]:g} where a ramp starts)")
        elif ev.ramp_to_bpm and not PACER_BPM[0] <= ev.ramp_to_bpm <= PACER_BPM[1]:
            problem = f"ramp target {ev.ramp_to_bpm:g} breaths/min is not {PACER_BPM[0]:g}-{PACER_BPM[1]:g}"
        elif not 0.0 < ev.inhale_fraction < 1.0 or min(ev.hold_in_s, ev.hold_out_s, ev.ramp_s) < 0:
            problem = "has an inhale fraction outside 0-1 or a negative hold or ramp"
        if problem:
            raise RecordingFormatError(f"the pacer event at {ev.t_s:.3f} s {problem}", path=rec.path)


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
    try:
        if kind == "edf":
            rec = edf.read(p)
        else:
            reader = _TEXT_READERS.get(kind)
            if reader is None:
                raise RecordingFormatError(f"unknown format {kind!r}", path=p)
            rec = reader(p, _read_text(p))
    except RecordingFormatError:
        raise
    except RecursionError:
        raise RecordingFormatError("damaged: nested too deeply to be a recording", path=p) from None
    except MemoryError:
        raise RecordingFormatError("too large to read into memory", path=p) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, ZeroDivisionError,
            UnicodeError) as e:  # a shape no reader foresaw: still one line naming the file
        raise RecordingFormatError(f"damaged or unexpected content ({type(e).__name__}: {e})", path=p) from None
    _check_pacer(rec)
    extra = notes.read_notes(p)  # a clinician's markers, kept beside the recording
    if extra:
        rec.markers = sorted([*rec.markers, *extra], key=lambda m: m.t_s)
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


def write_recording(rec: Recording, path: str | os.PathLike[str], *, force: bool = False,
                    inputs: Iterable[str | os.PathLike[str]] = ()) -> str:
    """Write ``rec`` in the format given by the suffix of ``path`` (whole or not at all: a temporary file
    renamed); an existing file only with ``force``, never one of ``inputs`` (nor ``rec``'s own file).
    Returns the format."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _WRITERS:
        raise RecordingFormatError(f"unknown output suffix {suffix or '(none)'}: use .vcs.jsonl (native), "
                                   ".txt (RR ms a line), .csv or .edf", path=p)
    ins = [*inputs] + ([rec.path] if rec.path is not None else [])
    try:
        with atomic_path(p, force=force, inputs=ins) as tmp:
            _WRITERS[suffix](rec, tmp)
    except RecordingFormatError:
        raise
    except UserError as e:  # the target's own problems, as the readers' errors
        raise RecordingFormatError(e.message, path=e.path, line=e.line) from None
    return {".jsonl": "native", ".txt": "rr-text", ".rr": "rr-text", ".csv": "csv", ".edf": "edf"}[suffix]
