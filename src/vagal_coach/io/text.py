"""Text formats: plain RR, two-column time,RR, Polar Sensor Logger, HRV Logger, generic CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import numpy as np

from vagal_coach.errors import RecordingFormatError
from vagal_coach.model import MAX_INTERVAL_MS, PacerEvent, Recording

_SPLIT = re.compile(r"[,;\t ]+")
POLAR_HEADER = "phone timestamp;rr-interval [ms]"
HRVLOGGER_HEADER = "date,rr,since start"


def _num(tok: str, path: Path, line: int, what: str, finite: bool = True) -> float:
    """A number from a token; ``finite=False`` lets ``nan`` and ``inf`` through (an R-R value that is one
    rejected beat, not a rejected file)."""
    try:
        v = float(tok)
    except ValueError:
        raise RecordingFormatError(f"{what} {tok!r} is not a number", path=path, line=line) from None
    if finite and not np.isfinite(v):
        raise RecordingFormatError(f"{what} {tok!r} is not a finite number", path=path, line=line)
    return v


def _to_ms(values: np.ndarray, unit: str | None = None) -> tuple[np.ndarray, str]:
    """RR values in ms or s: as ``unit`` says, else told apart by the median of the plausible values (a
    heart beat lasts 0.3-2 s). Zero, negative, NaN and inf values stay: the analysis rejects them as beats."""
    ok = values[np.isfinite(values) & (values > 0)]
    with np.errstate(over="ignore", invalid="ignore"):  # absurd values may overflow to inf: rejected later
        if unit == "s" or (unit is None and ok.size and float(np.median(ok)) < 10.0):
            return values * 1000.0, "s"
    return values, "ms"


#: header names of an R-R column and of a beat-time column (lower case; a unit may follow: rr_ms, time [s])
RR_NAMES = ("rr", "rri", "ibi", "nn", "nni", "rr_interval", "rr_intervals", "rr-interval", "interval", "ibis")
TIME_NAMES = ("time", "t", "timestamp", "beat_time", "since_start", "since start", "elapsed")
_UNIT = re.compile(r"^(?P<name>.*?)[\s_]*(?:[\[(](?P<u1>ms|s|sec|msec)[\])]|_(?P<u2>ms|s|sec|msec))?$")


def named_columns(header: list[str]) -> tuple[int, str | None, int | None, str | None] | None:
    """(RR column, its unit, time column or None, its unit) from a header's names in any order, units
    ``ms``/``s`` from a suffix (``rr_ms``, ``time_s``) or brackets (``RR [ms]``); None when no column is
    named as R-R."""
    rr_c = t_c = None
    rr_u = t_u = None
    for i, raw in enumerate(header):
        m = _UNIT.match(raw.strip().strip('"').strip().lower())
        if m is None:
            continue
        name = m.group("name").strip()
        unit = m.group("u1") or m.group("u2")
        unit = {"sec": "s", "msec": "ms"}.get(unit, unit)
        if rr_c is None and name in RR_NAMES:
            rr_c, rr_u = i, unit
        elif t_c is None and name in TIME_NAMES:
            t_c, t_u = i, unit
    if rr_c is None:
        return None
    return rr_c, rr_u, t_c, t_u


def _header_tokens(line: str) -> list[str]:
    """A header line split at its separator: ``,``, ``;`` or tab (else runs of spaces)."""
    for sep in (",", ";", "\t"):
        if sep in line:
            return line.split(sep)
    return line.split()


def _data_lines(text: str) -> list[tuple[int, str]]:
    """(line number, stripped text) of the lines that hold data (not blank, not # comments)."""
    return [(i, s) for i, s in enumerate(map(str.strip, text.splitlines()), start=1) if s and s[0] != "#"]


def _is_number(tok: str) -> bool:
    try:
        float(tok)
        return True
    except ValueError:
        return False


def sniff_columns(text: str) -> int:
    """Number of numeric columns of a plain numeric file (0 if it is not one).

    Looks at the first 50 data lines (a header line may come first); the file counts as numeric
    when most lines are, so the reader can then name the exact line that is not.
    """
    rows = _data_lines(text)[:51]
    if not rows:
        return 0
    toks = [_SPLIT.split(s.strip(",; \t")) for _, s in rows]
    if not all(_is_number(t) for t in toks[0]) and len(toks) > 1:
        toks = toks[1:]  # a header line
    numeric = [len(t) for t in toks if all(_is_number(x) for x in t)]
    if not numeric or len(numeric) * 2 < len(toks):
        return 0
    return max(set(numeric), key=numeric.count)


def _fast_numbers(rows: list[str], ncol: int) -> np.ndarray | None:
    """All rows parsed at once (C speed), or None when any row is off: then the slow path names it."""
    toks = _SPLIT.split("\n".join(r.strip(",; \t") for r in rows).replace("\n", " ").strip())
    if len(toks) != len(rows) * ncol:
        return None
    try:
        vals = np.array(toks, dtype=float).reshape(len(rows), ncol)
    except ValueError:
        return None
    return vals


def _whitespace_table(text: str) -> tuple[np.ndarray, np.ndarray, str | None] | None:
    """The common case at C speed: whitespace-separated numbers, the same count on every line, no blank
    or comment lines, an optional header line. (values, line numbers, header) or None for the general
    path."""
    if "#" in text or "," in text or ";" in text:
        return None
    body = text.rstrip("\n\r ")
    nl = body.count("\n") + 1
    first_end = body.find("\n")
    first_line = body[: first_end if first_end >= 0 else None]
    first = first_line.split()
    if not first:
        return None
    start = 1
    if not all(_is_number(t) for t in first):
        body = body[first_end + 1:] if first_end >= 0 else ""
        nl -= 1
        start = 2
        first = body[: body.find("\n") if "\n" in body else None].split()
    ncol = len(first)
    if nl <= 0 or ncol == 0:
        return None
    toks = body.split()
    if len(toks) != nl * ncol:
        return None
    try:
        vals = np.array(toks, dtype=float).reshape(nl, ncol)
    except ValueError:
        return None
    return vals, np.arange(start, start + nl), (first_line if start == 2 else None)


def read_plain(path: Path, text: str) -> Recording:
    """One RR value a line (ms or s, auto-detected), or two columns time,RR. An optional header: when it
    names the columns (``rr``, ``rri``, ``rr_ms``, ``ibi``, ``nn``, ``time``, ``time_s``, ... in any order,
    separated by ``,`` ``;`` tabs or spaces) they are read by name, else time,RR by position."""
    fast = _whitespace_table(text)
    if fast is not None and (fast[0].shape[1] in (1, 2) or fast[2] is not None):
        vals, lines, head = fast
        return _from_table(path, vals, lines, named_columns(_header_tokens(head)) if head else None)
    rows = _data_lines(text)
    if not rows:
        raise RecordingFormatError("empty file: no R-R intervals", path=path)
    first = _SPLIT.split(rows[0][1].strip(",; \t"))
    names = None
    if not all(_is_number(t) for t in first):
        names = named_columns(_header_tokens(rows[0][1]))
        rows = rows[1:]
    if not rows:
        raise RecordingFormatError("a header but no R-R intervals", path=path)
    ncol = len(_SPLIT.split(rows[0][1].strip(",; \t")))
    lines = np.array([i for i, _ in rows])
    fast_vals = _fast_numbers([s for _, s in rows], ncol)
    if fast_vals is not None:
        return _from_table(path, fast_vals, lines, names)
    vals = np.empty((len(rows), ncol))
    for r, (i, s) in enumerate(rows):
        toks = _SPLIT.split(s.strip(",; \t"))
        if len(toks) != ncol:
            raise RecordingFormatError(f"expected {ncol} column(s), found {len(toks)}", path=path, line=i)
        for c, tok in enumerate(toks):
            vals[r, c] = _num(tok, path, i, "value", finite=False)
    return _from_table(path, vals, lines, names)


def _from_table(path: Path, vals: np.ndarray, lines: np.ndarray,
                names: tuple[int, str | None, int | None, str | None] | None = None) -> Recording:
    """A recording from a numeric table: the columns ``names`` gives (see :func:`named_columns`), else
    one column of RR or two of time, RR. R-R values that are no interval (0, negative, NaN, inf) stay in
    as beats the analysis rejects; a beat time must be finite and increase."""
    ncol = vals.shape[1]
    rr_unit = t_unit = None
    if names is not None and names[0] < ncol and (names[2] is None or names[2] < ncol):
        rr_c, rr_unit, t_c, t_unit = names
        vals = vals[:, [rr_c] if t_c is None else [t_c, rr_c]]
        ncol = vals.shape[1]
    if ncol == 1:
        rr, unit = _to_ms(vals[:, 0], rr_unit)
        rec = Recording.from_rr(rr, path=path, format="rr-text")
        rec.rr_unit_detected = unit
        return rec
    if ncol == 2:
        t_raw, rr_raw = vals[:, 0], vals[:, 1]
        bad_t = np.flatnonzero(~np.isfinite(t_raw))
        if bad_t.size:
            raise RecordingFormatError(f"time {t_raw[bad_t[0]]!r} is not a finite number", path=path,
                                       line=int(lines[bad_t[0]]))
        rr, unit = _to_ms(rr_raw, rr_unit)
        t = t_raw
        if t_unit == "ms":
            t = t / 1000.0
        elif t_unit is None and t.size > 1:
            dt = float(np.median(np.diff(t)))
            if dt > 10.0:  # time column in ms
                t = t / 1000.0
        if t.size > 1 and np.any(np.diff(t) <= 0):
            i = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
            raise RecordingFormatError("time column does not increase", path=path, line=int(lines[i]))
        first_ms = float(rr[0]) if np.isfinite(rr[0]) and 0 < rr[0] <= MAX_INTERVAL_MS else 0.0
        rec = Recording(rr_ms=rr, beat_t_s=t - t[0] + first_ms / 1000.0, path=path, format="time-rr")
        rec.rr_unit_detected = unit
        return rec
    raise RecordingFormatError(f"{ncol} numeric columns: expected one (RR) or two (time, RR); for a CSV "
                               "use a header with time_s,rr_ms", path=path, line=int(lines[0]))


def _parse_time(s: str) -> datetime | None:
    try:
        return datetime.fromisoformat(s.strip())
    except ValueError:
        return None


def read_polar(path: Path, text: str) -> Recording:
    """Polar Sensor Logger RR export: ``Phone timestamp;RR-interval [ms]`` (arrival times)."""
    rows = _data_lines(text)[1:]
    if not rows:
        raise RecordingFormatError("Polar Sensor Logger file with no rows", path=path)
    rr = np.empty(len(rows))
    first_ts = None
    for k, (i, s) in enumerate(rows):
        parts = s.split(";")
        if len(parts) < 2:
            raise RecordingFormatError("expected 'timestamp;RR'", path=path, line=i)
        if first_ts is None:
            first_ts = _parse_time(parts[0])
        rr[k] = _num(parts[1], path, i, "RR-interval", finite=False)
    rec = Recording.from_rr(rr, path=path, format="polar-sensor-logger")
    if first_ts is not None:
        rec.start_utc = first_ts.isoformat()
    rec.device["app"] = "Polar Sensor Logger"
    return rec


def read_hrvlogger(path: Path, text: str) -> Recording:
    """HRV Logger CSV: ``date,rr,since start`` (RR in ms, since start in ms)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise RecordingFormatError("empty file", path=path)
    cols = [h.strip().lower() for h in header]
    try:
        c_rr = cols.index("rr")
    except ValueError:
        raise RecordingFormatError("HRV Logger file without an 'rr' column", path=path, line=1) from None
    c_since = cols.index("since start") if "since start" in cols else None
    rr_l, t_l, lines = [], [], []
    first_date = None
    for i, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) <= c_rr:
            raise RecordingFormatError("missing the 'rr' column", path=path, line=i)
        rr_l.append(_num(row[c_rr], path, i, "rr", finite=False))
        if c_since is not None and len(row) > c_since and row[c_since].strip():
            t_l.append(_num(row[c_since], path, i, "since start"))
        if first_date is None and row[0].strip():
            first_date = row[0].strip()
        lines.append(i)
    if not rr_l:
        raise RecordingFormatError("HRV Logger file with no rows", path=path)
    rr = np.array(rr_l)
    rec = Recording.from_rr(rr, path=path, format="hrv-logger")
    rec.start_utc = first_date
    rec.device["app"] = "HRV Logger"
    return rec


def read_generic_csv(path: Path, text: str) -> Recording:
    """CSV with a header holding ``time_s`` and ``rr_ms`` (any order), optional ``pacer_bpm``.

    ``time_s`` is the time of the beat that ends each interval. ``pacer_bpm`` (one value a row) becomes
    pacer events where it changes; the pacer is taken to start an inhale at time 0.
    """
    head = text.lstrip().split("\n", 1)[0]
    delim = next((d for d in (",", ";", "\t") if d in head), " ")
    reader = csv.reader(io.StringIO(text), delimiter=delim, skipinitialspace=delim == " ")
    header = next(reader, None)
    if header is None:
        raise RecordingFormatError("empty file", path=path)
    cols = [h.strip().lower() for h in header]
    for need in ("time_s", "rr_ms"):
        if need not in cols:
            raise RecordingFormatError(f"CSV header lacks a '{need}' column (needs time_s,rr_ms)", path=path,
                                       line=1)
    ct, cr = cols.index("time_s"), cols.index("rr_ms")
    cp = cols.index("pacer_bpm") if "pacer_bpm" in cols else None
    t_l, rr_l, p_l, lines = [], [], [], []
    for i, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < len(cols):
            raise RecordingFormatError(f"expected {len(cols)} columns, found {len(row)}", path=path, line=i)
        t_l.append(_num(row[ct], path, i, "time_s"))
        rr_l.append(_num(row[cr], path, i, "rr_ms", finite=False))
        if cp is not None:
            p_l.append(_num(row[cp], path, i, "pacer_bpm") if row[cp].strip() else 0.0)
        lines.append(i)
    if not rr_l:
        raise RecordingFormatError("CSV with a header but no rows", path=path)
    rr, t = np.array(rr_l), np.array(t_l)
    ln = np.array(lines)
    if np.any(np.diff(t) <= 0):
        i = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
        raise RecordingFormatError("time_s does not increase", path=path, line=int(ln[i]))
    rec = Recording(rr_ms=rr, beat_t_s=t, path=path, format="csv")
    if p_l:
        p = np.array(p_l)
        change = np.flatnonzero(np.concatenate(([True], np.diff(p) != 0)))
        for k, j in enumerate(change):
            # the pacer starts at 0; later changes take effect at the beat before the change
            t0 = 0.0 if k == 0 else float(t[j - 1])
            rec.pacer.append(PacerEvent(t0, float(p[j])))
    return rec


def write_rr_text(rec: Recording, path: Path) -> None:
    """One RR value in ms a line, no header (what Kubios and Elite HRV read)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in rec.rr_ms))
        f.write("\n")


def write_csv(rec: Recording, path: Path) -> None:
    """``time_s,rr_ms,pacer_bpm``: readable back by :func:`read_generic_csv`."""
    rate = rec.pacer_rate_at(rec.beat_t_s)
    data = np.column_stack((rec.beat_t_s, rec.rr_ms, rate))
    with open(path, "w", encoding="utf-8") as f:
        f.write("time_s,rr_ms,pacer_bpm\n")
        np.savetxt(f, data, fmt=["%.4f", "%.3f", "%.3f"], delimiter=",")
