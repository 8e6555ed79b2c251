"""EDF+ export and import (edfio).

The file holds two signals sampled at 4 Hz, ``RR`` (ms, the cubic-resampled tachogram) and ``HR``
(bpm), for viewers; one annotation ``beat`` per beat (its exact time, so the R-R series round-trips
to 1 ms), one annotation per marker (its label), and one per pacer change (``pacer 6.0 bpm``).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from vagal_coach.errors import RecordingFormatError
from vagal_coach.model import Marker, PacerEvent, Recording

FS_HZ = 4.0
BEAT = "beat"


def sniff(head_bytes: bytes) -> bool:
    return head_bytes[:8] == b"0       " and len(head_bytes) >= 256


#: the longest recording an EDF+ export holds (its 4 Hz signals are made in memory): 3 days
MAX_SPAN_S = 3 * 86400.0


def _physical_range(x: np.ndarray) -> tuple[float, float]:
    """The EDF physical range of a signal: from its own values (whole units, never empty), so no value is
    out of range whatever the beats (a 3.2 s pause, 180 ms extra beats)."""
    lo, hi = float(np.floor(np.min(x))), float(np.ceil(np.max(x)))
    lo = min(lo, 0.0)
    return lo, max(hi, lo + 1.0)


def write(rec: Recording, path: Path) -> None:
    import edfio  # deferred: only exports need it

    from vagal_coach.hrv.spectral import resample_rr

    if rec.n_beats < 2:
        raise RecordingFormatError("too few beats to write EDF+", path=path)
    t0 = float(rec.beat_t_s[0] - rec.rr_ms[0] / 1000.0)
    span_s = float(rec.beat_t_s[-1]) - t0
    if not np.isfinite(span_s) or span_s > MAX_SPAN_S:
        raise RecordingFormatError(f"the beats span {span_s / 86400.0:.3g} days: too long for an EDF+ export "
                                   f"(at most {MAX_SPAN_S / 86400.0:g}; does the recording's clock jump?)",
                                   path=rec.path)
    grid, rr_even = resample_rr(rec.beat_t_s - t0, rec.rr_ms, FS_HZ, "cubic")
    # start the signal at the recording start: hold the first value before the first beat
    n_pre = int(np.floor(grid[0] * FS_HZ))
    sig = np.concatenate((np.full(n_pre, rr_even[0]), rr_even))
    n_rec = int(np.ceil(sig.size / FS_HZ))
    sig = np.concatenate((sig, np.full(int(n_rec * FS_HZ) - sig.size, sig[-1])))
    hr = 60000.0 / sig
    rr_range, hr_range = _physical_range(sig), _physical_range(hr)
    ann = [edfio.EdfAnnotation(float(t), None, BEAT) for t in rec.beat_t_s - t0]
    ann += [edfio.EdfAnnotation(max(0.0, m.t_s - t0), None, m.label or "marker") for m in rec.markers]
    ann += [edfio.EdfAnnotation(max(0.0, p.t_s - t0), None, f"pacer {p.rate_bpm:.2f} bpm") for p in rec.pacer]
    kwargs: dict[str, Any] = {}
    if rec.start_utc:
        try:
            start = dt.datetime.fromisoformat(rec.start_utc.replace("Z", "+00:00"))
            kwargs["starttime"] = start.time().replace(tzinfo=None, microsecond=0)
            kwargs["recording"] = edfio.Recording(startdate=start.date())
        except ValueError:
            pass
    edf = edfio.Edf(
        [edfio.EdfSignal(sig, FS_HZ, label="RR", physical_dimension="ms",
                         physical_range=rr_range),
         edfio.EdfSignal(hr, FS_HZ, label="HR", physical_dimension="bpm", physical_range=hr_range)],
        annotations=ann, data_record_duration=1.0, **kwargs)
    edf.write(path)  # through io.atomic: a new temporary file


def read(path: Path) -> Recording:
    import edfio

    try:
        with warnings.catch_warnings():  # a truncated file: edfio's warnings would be more lines
            warnings.simplefilter("ignore")
            edf = edfio.read_edf(path)
            duration = float(edf.data_record_duration)
            if not math.isfinite(duration) or duration < 0:
                raise ValueError(f"data record duration {duration}")
            annotations = list(edf.annotations)
    except Exception as e:  # noqa: BLE001 - edfio raises many kinds on a damaged header or annotation
        raise RecordingFormatError(f"not a readable EDF+ file ({type(e).__name__}: {e})", path=path) from None
    beats, markers, pacer = [], [], []
    for a in annotations:
        if a.text == BEAT:
            beats.append(a.onset)
        elif a.text.startswith("pacer ") and a.text.endswith(" bpm"):
            try:
                pacer.append(PacerEvent(a.onset, float(a.text.split()[1])))
            except ValueError:
                markers.append(Marker(a.onset, a.text))
        elif a.text:
            markers.append(Marker(a.onset, a.text))
    if len(beats) >= 2:
        bt = np.sort(np.array(beats, float))
        rr = np.diff(np.concatenate(([0.0], bt))) * 1000.0
        rec = Recording(rr_ms=rr, beat_t_s=bt, path=path, format="edf")
    else:
        raise RecordingFormatError("EDF+ file without beat annotations (only R-R exports from vagal-coach "
                                   "or files with 'beat' annotations can be read)", path=path)
    try:
        rec.start_utc = edf.startdatetime.isoformat()
    except Exception:  # anonymised start dates
        rec.start_utc = None
    rec.markers = markers
    rec.pacer = pacer
    return rec
