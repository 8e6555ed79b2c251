"""EDF+ export and import (edfio).

The file holds two signals sampled at 4 Hz, ``RR`` (ms, the cubic-resampled tachogram) and ``HR``
(bpm), for viewers; one annotation ``beat`` per beat (its exact time, so the R-R series round-trips
to 1 ms), one annotation per marker (its label), and one per pacer change (``pacer 6.0 bpm``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from vagal_coach.errors import RecordingFormatError
from vagal_coach.model import Marker, PacerEvent, Recording

FS_HZ = 4.0
BEAT = "beat"


def sniff(head_bytes: bytes) -> bool:
    return head_bytes[:8] == b"0       " and len(head_bytes) >= 256


def write(rec: Recording, path: Path) -> None:
    import edfio  # deferred: only exports need it

    from vagal_coach.hrv.spectral import resample_rr

    if rec.n_beats < 2:
        raise RecordingFormatError("too few beats to write EDF+", path=path)
    t0 = float(rec.beat_t_s[0] - rec.rr_ms[0] / 1000.0)
    grid, rr_even = resample_rr(rec.beat_t_s - t0, rec.rr_ms, FS_HZ, "cubic")
    # start the signal at the recording start: hold the first value before the first beat
    n_pre = int(np.floor(grid[0] * FS_HZ))
    sig = np.concatenate((np.full(n_pre, rr_even[0]), rr_even))
    n_rec = int(np.ceil(sig.size / FS_HZ))
    sig = np.concatenate((sig, np.full(int(n_rec * FS_HZ) - sig.size, sig[-1])))
    hr = 60000.0 / sig
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
                         physical_range=(0.0, 3000.0)),
         edfio.EdfSignal(hr, FS_HZ, label="HR", physical_dimension="bpm", physical_range=(0.0, 250.0))],
        annotations=ann, data_record_duration=1.0, **kwargs)
    if path.exists():
        raise RecordingFormatError("file exists already; choose another name", path=path)
    edf.write(path)


def read(path: Path) -> Recording:
    import edfio

    try:
        edf = edfio.read_edf(path)
    except Exception as e:  # edfio raises many kinds on a damaged header
        raise RecordingFormatError(f"not a readable EDF+ file ({e})", path=path) from None
    beats, markers, pacer = [], [], []
    for a in edf.annotations:
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
