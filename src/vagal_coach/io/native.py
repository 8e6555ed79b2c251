"""The native session recording: JSON Lines, append-only, one object a line.

Line 1 is the header ``{"type": "header", "format": "vagal-coach-session", "format_version": 1, ...}``.
Every later line is one of (times ``t`` in s since the session start, on the monotonic clock):

- ``{"type": "n", "t", "raw", "hr", "rr", "c", "ee", "bt"}``: one notification as received: arrival
  time, raw bytes (hex), decoded HR (bpm), RR list (ms), contact (``contact``, ``no_contact``,
  ``unsupported``), energy expended (J or null), and the reconstructed beat time of each RR.
- ``{"type": "beats", "t": [...], "rr": [...]}``: beats without notifications (imported data).
- ``{"type": "pacer", "t", "rate_bpm", "inhale_fraction", "hold_in_s", "hold_out_s", "label"}``
- ``{"type": "marker", "t", "label", "note"}``
- ``{"type": "link", "t", "state", "detail"}`` (connecting, connected, reconnecting, lost, ...)
- ``{"type": "gap", "t0", "t1", "reason"}``; ``{"type": "gap_start", "t", "t0", "reason"}`` (written when the
  link drops; the ``gap`` with the same ``t0`` closes it when beats resume); ``{"type": "battery", "t", "pct"}``;
  ``{"type": "device", ...}`` (facts learnt after the header); ``{"type": "end", "t"}``.
- ``{"type": "pmd", "t", "raw"}``: a raw ECG or acceleration frame of a strap with Polar's Measurement Data
  service, as received (hex); the streams' settings are in the ``device`` line's ``pmd``. Read back, the
  ECG's R-peaks become the beats when its beats are regular (``rr_source`` ``ecg``), the strap's R-R kept
  beside. ``{"type": "rr_source", "t", "source"}``, ``{"type": "rr_agreement", "t", "share", "median_ms"}``
  and ``{"type": "breath", "t", "rate_bpm"}`` say what the live engine did.

Writers flush after every line, so a crash loses at most the line being written; readers tolerate a
half-written last line and skip unknown line types (forward compatible).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np

from vagal_coach.errors import RecordingFormatError, printable
from vagal_coach.model import (
    AccTrace,
    EcgTrace,
    Gap,
    GuidedInfo,
    GuidedPhase,
    Marker,
    Notifications,
    OwnRate,
    PacerEvent,
    PmdFrames,
    Prompt,
    Rating,
    Recording,
)
from vagal_coach.paths import RECORDING_SUFFIX
from vagal_coach.version import __version__

FORMAT_NAME = "vagal-coach-session"
FORMAT_VERSION = 1
SUFFIX = RECORDING_SUFFIX


# The exact shape NativeWriter.notification writes; such lines are parsed in bulk by one regular
# expression (JSON parsing of 100k objects would take about a second). Any other line goes to json.
_N_LINE = re.compile(
    r'^\{"type":"n","t":(-?[0-9.eE+-]+),"raw":"([0-9a-f]*)","hr":(null|\d+),"rr":\[([^\]]*)\],'
    r'"c":"(\w*)","ee":(?:null|\d+),"bt":\[([^\]]*)\]\}$', re.M)


def _floats(groups: list[str]) -> np.ndarray:
    joined = ",".join(g for g in groups if g)
    return np.array(joined.split(","), dtype=float) if joined else np.zeros(0)


def _numeric_note(o: dict) -> bool:
    try:
        np.asarray(o.get("rr") or [], float), np.asarray(o.get("bt") or [], float), float(o.get("t", np.nan))
        _ = None if o.get("hr") is None else float(o["hr"])
    except (TypeError, ValueError):
        return False
    return True


def _numeric_beats(o: dict) -> bool:
    try:
        np.asarray(o["rr"], float), np.asarray(o["t"], float)
    except (KeyError, TypeError, ValueError):
        return False
    return True


def sniff(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("{") and FORMAT_NAME in first


def _round(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


class NativeWriter:
    """Append-only writer. Creates the file exclusively (never overwrites) with mode 0600."""

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any] | None = None,
                 *, start_utc: str | None = None, exclusive: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        try:
            fd = os.open(self.path, flags, 0o600)
        except FileExistsError:
            raise RecordingFormatError("file exists already; choose another name (recordings are never "
                                       "overwritten)", path=self.path) from None
        self._f: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        h = {"type": "header", "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
             "app_version": __version__,
             "start_utc": start_utc or datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
        h.update(header or {})
        self._write(h)

    def _write(self, obj: dict[str, Any]) -> None:
        if self._f is None:
            raise ValueError(f"{self.path}: recording is closed")
        self._f.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
        self._f.flush()

    def fsync(self) -> None:
        if self._f is not None:
            os.fsync(self._f.fileno())

    def notification(self, t_s: float, raw: bytes, hr_bpm: int | None, rr_ms: Iterable[float],
                     contact: str, energy_j: int | None = None, beat_t_s: Iterable[float] = ()) -> None:
        self._write({"type": "n", "t": _round(t_s), "raw": raw.hex(), "hr": hr_bpm,
                     "rr": [_round(r, 3) for r in rr_ms], "c": contact, "ee": energy_j,
                     "bt": [_round(b) for b in beat_t_s]})

    def beats(self, t_s: Iterable[float], rr_ms: Iterable[float]) -> None:
        self._write({"type": "beats", "t": [_round(x) for x in t_s], "rr": [_round(r, 3) for r in rr_ms]})

    def event(self, kind: str, t_s: float, **fields: Any) -> None:
        self._write({"type": kind, "t": _round(t_s), **fields})

    def pacer(self, ev: PacerEvent) -> None:
        self.event("pacer", ev.t_s, rate_bpm=ev.rate_bpm, inhale_fraction=ev.inhale_fraction,
                   hold_in_s=ev.hold_in_s, hold_out_s=ev.hold_out_s, label=ev.label,
                   ramp_to_bpm=ev.ramp_to_bpm, ramp_s=ev.ramp_s)

    def marker(self, m: Marker) -> None:
        self.event("marker", m.t_s, label=m.label, note=m.note)

    def guided(self, t_s: float, info: GuidedInfo) -> None:
        """The script a guided session follows (``{"type": "guided", "t", "script", ..., "phases"}``)."""
        self._write({"type": "guided", "t": _round(t_s), **guided_fields(info)})

    def prompt(self, p: Prompt) -> None:
        self.event("prompt", p.t_s, phase=p.phase, index=p.index, text=p.text)

    def own_rate(self, o: OwnRate) -> None:
        self.event("own_rate", o.t_s, bpm=None if o.bpm is None else round(o.bpm, 2))

    def gap_start(self, t0_s: float, reason: str) -> None:
        """A gap opened (the link dropped); the ``gap`` line with the same ``t0`` closes it."""
        self._write({"type": "gap_start", "t": _round(t0_s), "t0": _round(t0_s), "reason": reason})

    def gap(self, g: Gap) -> None:
        self._write({"type": "gap", "t0": _round(g.start_s), "t1": _round(g.end_s), "reason": g.reason})

    def abandon(self) -> None:
        """Drop the file handle without another write (after a write failed: a full disk); the lines written
        before are whole on disk, a half-written one is skipped on reading."""
        f, self._f = self._f, None
        if f is None:
            return
        import contextlib

        with contextlib.suppress(OSError, ValueError):
            os.close(f.fileno())  # closing the wrapper would try to flush its buffer again
        with contextlib.suppress(OSError, ValueError):
            f.close()

    def close(self, t_s: float | None = None) -> None:
        if self._f is None:
            return
        if t_s is not None:
            self.event("end", t_s)
        self._f.close()
        self._f = None

    def __enter__(self) -> NativeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write(rec: Recording, path: str | os.PathLike[str]) -> None:
    """Write a whole recording in the native format (for exports and imported data)."""
    header = {"device": rec.device, "profile": rec.profile, "kind": rec.kind, "source": rec.format or "import"}
    with NativeWriter(path, header, start_utc=rec.start_utc, exclusive=False) as w:  # io.atomic's new file
        for p in rec.pacer:
            w.pacer(p)
        step = 512
        for i in range(0, rec.n_beats, step):
            w.beats(rec.beat_t_s[i:i + step], rec.rr_ms[i:i + step])
        for m in rec.markers:
            w.marker(m)
        for g in rec.gaps:
            w.gap(g)


def read(path: Path, text: str) -> Recording:
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise RecordingFormatError("empty file", path=path)
    try:
        header = json.loads(lines[0])
    except (json.JSONDecodeError, RecursionError):
        raise RecordingFormatError("the header line is not valid JSON", path=path, line=1) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise RecordingFormatError("not a vagal-coach session (no header line)", path=path, line=1)
    version = header.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, (int, float)) or not math.isfinite(version):
        raise RecordingFormatError(f"the header's format_version {version!r} is not a number", path=path, line=1)
    if version > FORMAT_VERSION:
        raise RecordingFormatError(f"format version {version} is newer than this "
                                   f"app reads ({FORMAT_VERSION}); update vagal-coach", path=path, line=1)
    for key in ("device",):
        if header.get(key) is not None and not isinstance(header[key], dict):
            raise RecordingFormatError(f"the header's {key!r} is not an object", path=path, line=1)
    body = lines[1:]
    skipped: list[int] = []
    # bulk path for notification lines in the writer's shape; everything else through json
    n_idx = [i for i, ln in enumerate(body) if ln.startswith('{"type":"n",')]
    n_text = "\n".join(body[i] for i in n_idx)
    groups = _N_LINE.findall(n_text)
    if len(groups) == len(n_idx):
        other_idx = [i for i, ln in enumerate(body) if not ln.startswith('{"type":"n",')]
    else:  # some notification lines are not in the writer's shape: find them one by one
        groups, n_idx, other_idx = [], [], []
        for i, ln in enumerate(body):
            m = _N_LINE.match(ln) if ln.startswith('{"type":"n",') else None
            if m:
                groups.append(m.groups())
                n_idx.append(i)
            else:
                other_idx.append(i)
    objs = []
    obj_line: list[int] = []
    for k in other_idx:
        ln = body[k]
        if not ln.strip():
            continue
        try:
            o = json.loads(ln)
        except (json.JSONDecodeError, RecursionError):
            skipped.append(k + 2)  # a half-written last line (a crash), or a damaged line
            continue
        if isinstance(o, dict):
            objs.append(o)
            obj_line.append(k + 2)
    try:
        rr = _floats([g[3] for g in groups])
        bt = _floats([g[5] for g in groups])
        note_t = np.array([g[0] for g in groups], dtype=float) if groups else np.zeros(0)
    except ValueError:  # one line's numbers are not numbers: name it
        for g, i in zip(groups, n_idx):
            try:
                _floats([g[3]]), _floats([g[5]]), float(g[0])
            except ValueError:
                raise RecordingFormatError("a notification holds a value that is not a number", path=path,
                                           line=i + 2) from None
        raise
    slow_notes = [o for o in objs if isinstance(o, dict) and o.get("type") == "n"]
    chunks = [o for o in objs if isinstance(o, dict) and o.get("type") == "beats"]
    note_hr = np.array([np.nan if g[2] == "null" else g[2] for g in groups], dtype=float)
    contact = [g[4] for g in groups]
    raw = [g[1] for g in groups]
    if slow_notes:
        try:
            rr = np.concatenate([rr] + [np.asarray(o.get("rr") or [], float) for o in slow_notes])
            bt = np.concatenate([bt] + [np.asarray(o.get("bt") or [], float) for o in slow_notes])
            note_t = np.concatenate((note_t, [float(o.get("t", np.nan)) for o in slow_notes]))
            note_hr = np.concatenate((note_hr, [np.nan if o.get("hr") is None else float(o["hr"])
                                                for o in slow_notes]))
        except (TypeError, ValueError):
            bad = next((ln for o, ln in zip(objs, obj_line) if o.get("type") == "n" and not _numeric_note(o)), None)
            raise RecordingFormatError("a notification line holds non-numeric values", path=path,
                                       line=bad) from None
        contact += [str(o.get("c")) for o in slow_notes]
        raw += [str(o.get("raw") or "") for o in slow_notes]
        order_n = np.argsort(note_t, kind="stable")
        note_t, note_hr = note_t[order_n], note_hr[order_n]
        contact = [contact[i] for i in order_n]
        raw = [raw[i] for i in order_n]
    if bt.size != rr.size:
        raise RecordingFormatError("beat times and RR values differ in count", path=path)
    if chunks:
        try:
            rr = np.concatenate([rr] + [np.asarray(o["rr"], float) for o in chunks])
            bt = np.concatenate([bt] + [np.asarray(o["t"], float) for o in chunks])
        except (KeyError, TypeError, ValueError):
            bad = next((ln for o, ln in zip(objs, obj_line) if o.get("type") == "beats" and not _numeric_beats(o)),
                       None)
            raise RecordingFormatError("a beats line is damaged", path=path, line=bad) from None
    if bt.size != rr.size:
        raise RecordingFormatError("beat times and RR values differ in count", path=path)
    if bt.size > 1 and not (bt[1:] >= bt[:-1]).all():
        order = np.argsort(bt, kind="stable")
        rr, bt = rr[order], bt[order]
    n_notes = len(groups) + len(slow_notes)
    rec = Recording(rr_ms=rr, beat_t_s=bt, path=path, format="native",
                    start_utc=header.get("start_utc"), device=dict(header.get("device") or {}),
                    profile=str(header.get("profile") or ""), kind=str(header.get("kind") or ""),
                    n_notifications=n_notes)
    rec.app_version = None if header.get("app_version") is None else str(header["app_version"])
    rec.source = str(header.get("source") or "")
    rec.skipped_lines = skipped
    if n_notes:
        rec.notifications = Notifications(note_t, note_hr, contact, [bytes.fromhex(h) for h in raw])
    open_gaps: list[tuple[float, str]] = []
    for o in objs:
        if not isinstance(o, dict):
            continue
        kind = o.get("type")
        try:
            if kind == "pacer":
                rec.pacer.append(PacerEvent(float(o["t"]), float(o["rate_bpm"]),
                                            float(o.get("inhale_fraction", 0.4)), float(o.get("hold_in_s", 0)),
                                            float(o.get("hold_out_s", 0)), str(o.get("label", "")),
                                            float(o.get("ramp_to_bpm", 0)), float(o.get("ramp_s", 0))))
            elif kind == "marker":
                rec.markers.append(Marker(float(o["t"]), str(o.get("label", "")), str(o.get("note", ""))))
            elif kind == "gap":
                rec.gaps.append(Gap(float(o["t0"]), float(o["t1"]), str(o.get("reason", ""))))
            elif kind == "gap_start":
                open_gaps.append((float(o["t0"]), str(o.get("reason", ""))))
            elif kind == "link":
                rec.links.append((float(o["t"]), str(o.get("state", ""))))
            elif kind == "battery":
                rec.battery_pct = None if o.get("pct") is None else int(o["pct"])
            elif kind == "device":
                rec.device.update({a: b for a, b in o.items() if a not in ("type", "t")})
            elif kind == "end":
                rec.end_t_s = float(o["t"])
            elif kind in ("prompt", "rating", "own_rate", "guided"):
                _guided_event(rec, kind, o)
            elif kind == "summary":  # the session's summary, as the window showed it at Stop
                rec.summary = {a: b for a, b in o.items() if a != "type"}
        except (KeyError, TypeError, ValueError):
            continue
    # a gap opened when the link dropped and never closed: the session ended before beats resumed
    closed = np.array([g.start_s for g in rec.gaps])
    end_s = max([rec.end_t_s or 0.0, float(rec.beat_t_s[-1]) if rec.n_beats else 0.0]
                + [t for t, _ in rec.links])
    for t0, reason in open_gaps:
        if not np.any(np.abs(closed - t0) < 2e-3):
            rec.gaps.append(Gap(t0, max(t0, end_s), f"{reason}; the session ended before beats resumed"))
    rec.gaps.sort(key=lambda g: g.start_s)
    rec.pacer.sort(key=lambda p: p.t_s)
    rec.markers.sort(key=lambda m: m.t_s)
    rec.guided.prompts.sort(key=lambda q: q.t_s)
    frames = [o for o in objs if isinstance(o, dict) and o.get("type") == "pmd"]
    if frames:
        _raw_streams(rec, frames)
    return rec


def guided_fields(info: GuidedInfo) -> dict[str, Any]:
    return {"script": info.script, "language": info.language, "title": info.title, "minutes": info.minutes,
            "resonance_bpm": info.resonance_bpm, "prompt_seconds": info.prompt_seconds,
            "phases": [{"kind": p.kind, "t0": round(p.t0_s, 3), "t1": round(p.t1_s, 3)} for p in info.phases]}


def rating_line(r: Rating) -> dict[str, Any]:
    """The closing rating's line (appended to a closed recording: :func:`append_event`)."""
    obj: dict[str, Any] = {"type": "rating", "value": float(r.value), "scale": r.scale, "question": r.question}
    if r.t_s is not None:
        obj["t"] = round(float(r.t_s), 3)
    return obj


def _guided_event(rec: Recording, kind: str, o: dict[str, Any]) -> None:
    """A guided session's line (``guided``, ``prompt``, ``own_rate``, ``rating``) as a typed value."""
    g = rec.guided
    if kind == "prompt":
        g.prompts.append(Prompt(float(o.get("t", 0.0)), str(o.get("text", "")), str(o.get("phase", "")),
                                int(o.get("index", 0))))
    elif kind == "own_rate":
        g.own_rates.append(OwnRate(float(o["t"]), None if o.get("bpm") is None else float(o["bpm"])))
    elif kind == "rating":
        g.ratings.append(Rating(float(o["value"]), None if o.get("t") is None else float(o["t"]),
                                str(o.get("scale", "0-10")), str(o.get("question", ""))))
    elif kind == "guided":
        phases = tuple(GuidedPhase(str(p.get("kind", "")), float(p.get("t0", 0.0)), float(p.get("t1", 0.0)))
                       for p in o.get("phases") or [] if isinstance(p, dict))
        res = o.get("resonance_bpm")
        g.info = GuidedInfo(str(o.get("script", "")), str(o.get("language", "")), str(o.get("title", "")),
                            float(o.get("minutes") or 0.0), None if res is None else float(res),
                            float(o.get("prompt_seconds", 14.0)), phases)


#: the raw streams' sample rates a recording may claim, Hz (an H10 streams its ECG at 130, its ACC at 25-200)
PMD_RATE_HZ = (1.0, 10000.0)


def _pmd_settings(pmd: object, path: Path | None) -> dict:
    """The ``device`` line's ``pmd`` settings, checked: a rate that is not a number in PMD_RATE_HZ (0, "fast",
    1e12) is one line, not a division by zero or an allocation of the whole memory."""
    if pmd is None:
        return {}
    if not isinstance(pmd, dict):
        raise RecordingFormatError("the device's 'pmd' settings are not an object", path=path)
    for name in ("ecg", "acc"):
        stream = pmd.get(name)
        if stream is None:
            continue
        sel = stream.get("settings") if isinstance(stream, dict) else None
        if not isinstance(stream, dict) or not isinstance(sel, (dict, type(None))):
            raise RecordingFormatError(f"the device's {name} stream settings are not an object", path=path)
        for key in ("sample_rate", "factor"):
            if sel is None or key not in sel:
                continue
            v = sel[key]
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            if ok and key == "sample_rate":
                ok = PMD_RATE_HZ[0] <= v <= PMD_RATE_HZ[1]
            if ok and key == "factor":
                ok = v > 0
            if not ok:
                raise RecordingFormatError(f"the device's {name} {key} {printable(repr(v), 40)} is not "
                                           + (f"a rate of {PMD_RATE_HZ[0]:g}-{PMD_RATE_HZ[1]:g} Hz"
                                              if key == "sample_rate" else "a positive number"), path=path)
    return pmd


def _raw_streams(rec: Recording, frames: list[dict]) -> None:
    """Raw ECG and acceleration frames decoded as they were live (``PmdDecoder``, with their arrival times).
    When the ECG's beats are regular they are the recording's beats (``rr_source`` ``ecg``), and the strap's
    own R-R is kept in ``strap_rr``."""
    from vagal_coach.io.ecg import recording_from_ecg
    from vagal_coach.wire.pmd import ACC, ECG, PmdDecoder

    dec = PmdDecoder()
    dec.configure(_pmd_settings(rec.device.get("pmd"), rec.path))
    parts: dict[int, list] = {ECG: [], ACC: []}
    kept_t: list[float] = []
    kept_raw: list[bytes] = []
    decoded: list = []  # (samples, arrival s, the clock offset live used for them)
    for o in sorted(frames, key=lambda o: float(o.get("t", 0.0))):
        try:
            t_o, raw = float(o["t"]), bytes.fromhex(str(o["raw"]))
            s = dec.decode(t_o, raw)
        except (KeyError, TypeError, ValueError):
            continue
        kept_t.append(t_o)
        kept_raw.append(raw)
        if s is not None:
            decoded.append((s, t_o, dec.clock.offset_s))
    if decoded:
        # Live, the sensor clock's offset is the least delay seen so far, so frames that came late at the
        # start (a busy laptop) are placed late until a quicker one arrives: a step in the beat times. Read
        # back, each frame takes the least delay of the frames around it, before and after.
        from scipy.ndimage import minimum_filter1d

        used = np.array([c for _, _, c in decoded])
        delay = np.array([t_o - (sm.t_s[-1] - c) for sm, t_o, c in decoded])  # arrival - sensor time
        best = minimum_filter1d(delay, size=2 * dec.clock.window + 1, mode="nearest")
        for (sm, _, _), shift in zip(decoded, (best - used).tolist()):
            if sm.mtype in parts:
                parts[sm.mtype].append(sm if shift == 0.0 else type(sm)(sm.mtype, sm.t_s + shift, sm.values,
                                                                          sm.gap_before))
    rec.pmd_frames = PmdFrames(np.asarray(kept_t, float), kept_raw)  # a replay sends them again, as live
    if parts[ACC]:
        rec.acc = AccTrace(np.concatenate([s.t_s for s in parts[ACC]]),
                           np.concatenate([s.values for s in parts[ACC]]), dec.rates_hz[ACC])
    if not parts[ECG]:
        return
    t = np.concatenate([s.t_s for s in parts[ECG]])
    uv = np.concatenate([s.values for s in parts[ECG]])
    keep = np.concatenate(([True], np.diff(t) > 0))  # samples of a frame sent twice
    try:
        ecg_rec = recording_from_ecg(t[keep], uv[keep], path=rec.path, fs_hz=dec.rates_hz[ECG])
    except RecordingFormatError:
        rec.ecg = EcgTrace(t[keep], uv[keep], dec.rates_hz[ECG])
        return
    rec.ecg = ecg_rec.ecg
    rec.ecg_quality = ecg_rec.ecg_quality
    if ecg_rec.ecg_quality is not None and ecg_rec.ecg_quality.good and ecg_rec.n_beats:
        rec.strap_rr = (rec.beat_t_s, rec.rr_ms)
        rec.beat_t_s, rec.rr_ms = ecg_rec.beat_t_s, ecg_rec.rr_ms
        rec.rr_source = "ecg"


def append_event(path: str | os.PathLike[str], obj: dict[str, Any]) -> None:
    """Append one event line (e.g. a marker added in review) to an existing native recording."""
    p = Path(path)
    with open(p, "rb") as f:
        f.seek(max(0, p.stat().st_size - 1))
        ends_with_newline = f.read(1) in (b"\n", b"")
    with open(p, "a", encoding="utf-8") as f:
        if not ends_with_newline:
            f.write("\n")  # never glue onto a half-written last line
        f.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
