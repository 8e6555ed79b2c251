"""Resonance-frequency assessment of a recording: find the stretches at each pacer rate, gather the
evidence (``hrv.resonance``) and recommend a rate. Used by ``vagal-coach resonance`` and the window."""

from __future__ import annotations

import numpy as np

from vagal_coach.errors import UserError
from vagal_coach.hrv.artifacts import detect_artifacts_lipponen
from vagal_coach.hrv.resonance import (
    MAX_ARTIFACT_PCT,
    MIN_BREATHS,
    RateEvidence,
    Recommendation,
    evidence,
    score,
    sliding_recommendation,
)
from vagal_coach.model import Recording
from vagal_coach.model.pacer import PacerSchedule

# the first seconds at a new rate, and of the sweep, are left out (the heart takes a few breaths to follow)
SETTLE_S = 20.0
SLIDING_GROUP_BREATHS = 8


def stretches(rec: Recording) -> tuple[str, list[tuple[float, float, float]]]:
    """(protocol, [(rate_bpm, start_s, end_s)]) from the recording's pacer schedule."""
    evs = [e for e in rec.pacer]
    if not evs:
        raise UserError("no pacer schedule in the recording: resonance needs the pacer's rates (a vagal-coach "
                        "session, or a CSV with time_s,rr_ms,pacer_bpm)", path=rec.path)
    end_t = float(rec.beat_t_s[-1]) if rec.n_beats else 0.0
    bounds = [(e.rate_bpm, e.t_s, (evs[i + 1].t_s if i + 1 < len(evs) else end_t)) for i, e in enumerate(evs)]
    paced = [b for b in bounds if b[0] > 0 and b[2] > b[1]]
    if not paced:
        raise UserError("the pacer never ran in this recording", path=rec.path)
    periods = np.array([(b[2] - b[1]) * b[0] / 60.0 for b in paced])  # breaths per stretch
    if len(paced) >= 20 and np.median(periods) < 1.5:
        return "sliding", paced
    merged: list[list[float]] = []
    for r, a, b in paced:
        if merged and abs(merged[-1][0] - r) < 1e-9 and abs(merged[-1][2] - a) < 1e-6:
            merged[-1][2] = b
        else:
            merged.append([r, a, b])
    return "stepped", [(r, a, b) for r, a, b in merged]


def unsupported(rows: list[RateEvidence]) -> str:
    """Why a stepped protocol's rates cannot be compared ("" when they can): the scoring compares every
    rate, so each needs at least ``MIN_BREATHS`` clean breaths (after the first ``SETTLE_S`` seconds) and
    at most ``MAX_ARTIFACT_PCT`` % artifacts; a rate short of them is named with what it has."""
    few = [r for r in rows if r.n_breaths < MIN_BREATHS]
    dirty = [r for r in rows if r.n_breaths >= MIN_BREATHS and r.artifacts_pct > MAX_ARTIFACT_PCT]
    parts = []
    if few:
        parts.append("too few clean breaths at " + ", ".join(f"{r.rate_bpm:g}/min ({r.n_breaths})" for r in few)
                     + f": the method needs at least {MIN_BREATHS} at each rate after its first {SETTLE_S:g} s "
                     "(longer steps)")
    if dirty:
        parts.append("too many artifacts at " + ", ".join(f"{r.rate_bpm:g}/min ({r.artifacts_pct:.0f} %)"
                                                          for r in dirty)
                     + f": at most {MAX_ARTIFACT_PCT:g} %")
    return "; ".join(parts)


#: the reported confidence, calibrated: the share of recommendations within ±0.25 breaths/min of the true
#: rate, as a logistic function ``1 / (1 + exp(-(a + b * raw)))`` of the scoring's raw confidence, fitted
#: (a, b) per protocol on 200 synthetic people of varied difficulty (true RF 4.5-6.5, beat noise 4-40 ms,
#: RSA 3-14 bpm, damping 0.15-0.6): ``benchmarks/rf_recovery.py --calibration 200 --seed0 0 --raw``.
#: Right for people like those; a real client's data may be harder. Fine-tune is scored as stepped.
CALIBRATION: dict[str, tuple[float, float]] = {"stepped": (-1.220, 3.912), "sliding": (-0.555, 4.122)}


def calibrate(protocol: str, raw: float) -> float:
    """The calibrated confidence of a raw one (unchanged for a protocol without a calibration)."""
    ab = CALIBRATION.get(protocol)
    if ab is None:
        return raw
    a, b = ab
    return float(1.0 / (1.0 + np.exp(-(a + b * raw))))


def assess(rec: Recording, protocol: str = "auto", calibrated: bool = True) -> Recommendation:
    """The resonance assessment of a protocol recording; ``calibrated``: the confidence as the share of
    such recommendations that were right (:data:`CALIBRATION`), else the scoring's raw figure."""
    r = _assess(rec, protocol)
    if calibrated and r.recommended_bpm is not None:
        r.confidence = calibrate(r.protocol, r.confidence)
    return r


def _assess(rec: Recording, protocol: str = "auto") -> Recommendation:
    kind, parts = stretches(rec)
    if protocol != "auto" and protocol != kind:
        raise UserError(f"the recording's pacer schedule looks {kind}, not {protocol}", path=rec.path)
    schedule = PacerSchedule(rec.pacer)
    accepted = detect_artifacts_lipponen(rec.rr_ms) == 0
    t, rr = rec.beat_t_s, rec.rr_ms
    rows: list[RateEvidence] = []
    if kind == "stepped":
        for r, a, b in parts:
            rows.append(evidence(t, rr, accepted, a + SETTLE_S, b, r, schedule.cycles_at, schedule.volume_at))
        short = unsupported(rows)
        if short:
            return Recommendation(None, 0.0, "stepped", short, rows)
        return score(rows, "stepped")
    # as at each stepped rate, the sweep's first seconds are left out: the heart takes a few breaths to follow
    parts = [p for p in parts if p[1] >= parts[0][1] + SETTLE_S - 1e-9]
    for k in range(0, len(parts), SLIDING_GROUP_BREATHS):
        grp = parts[k:k + SLIDING_GROUP_BREATHS]
        if len(grp) < 3:
            break
        rate = float(np.mean([g[0] for g in grp]))
        rows.append(evidence(t, rr, accepted, grp[0][1], grp[-1][2], rate, schedule.cycles_at, schedule.volume_at))
    return sliding_recommendation(rows)


#: the evidence table's columns: (header, attribute, format)
EVIDENCE_COLUMNS = (
    ("rate\n/min", "rate_bpm", "{:.2f}"), ("breaths", "n_breaths", "{:d}"),
    ("peak-to-\ntrough bpm", "peak_to_trough_bpm", "{:.1f}"), ("LF\nms²", "lf_ms2", "{:.0f}"),
    ("LF peak\nms²/Hz", "lf_peak_ms2_hz", "{:.0f}"), ("at pacer\nms²", "resonance_power_ms2", "{:.0f}"),
    ("phase\n°", "phase_deg", "{:.0f}"), ("smooth-\nness", "smoothness", "{:.2f}"),
    ("LF\npeaks", "n_lf_peaks", "{:d}"), ("artifacts\n%", "artifacts_pct", "{:.1f}"), ("wins", "wins", "{:d}"),
)


def evidence_rows(result: Recommendation) -> list[list[str]]:
    return [[_cell(getattr(r, a), f) for _, a, f in EVIDENCE_COLUMNS] for r in result.rates]


def _cell(v: object, f: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    return f.format(v)


def table(rec: Recommendation) -> str:
    lines = [f"protocol {rec.protocol}: " + (f"recommended {rec.recommended_bpm:g} breaths/min "
                                             f"(confidence {100 * rec.confidence:.0f} %)"
                                             if rec.recommended_bpm is not None else "no recommendation")
             + f" — {rec.reason}",
             f"{'rate':>6} {'breaths':>7} {'p2t bpm':>8} {'LF ms²':>8} {'res ms²':>8} {'phase°':>7} {'smooth':>6} "
             f"{'LFpk':>4} {'art %':>5} {'wins':>4}"]
    for r in rec.rates:
        def f(v: float, fmt: str) -> str:
            return fmt.format(v) if v is not None and np.isfinite(v) else "—"

        lines.append(f"{r.rate_bpm:6.2f} {r.n_breaths:7d} {f(r.peak_to_trough_bpm, '{:8.1f}')} "
                     f"{f(r.lf_ms2, '{:8.0f}')} {f(r.resonance_power_ms2, '{:8.0f}')} {f(r.phase_deg, '{:7.0f}')} "
                     f"{f(r.smoothness, '{:6.2f}')} {r.n_lf_peaks:4d} {r.artifacts_pct:5.1f} {r.wins:4d}")
    return "\n".join(lines)
