"""One session summary: the figures the summary dialog, the tiles at Stop, the status line, the history
(the library reads them back from the recording), the CLI and the progress PDF all show.

It is a pure function of the session's snapshots (what the window drew), its baseline, its pauses and its end.
Practice time is the session's time less its pauses, and time at the coherence target counts practice time
only: a pause never counts, however long.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from vagal_coach.clock import mmss
from vagal_coach.hrv.time_domain import time_domain

NAN = float("nan")


@dataclass
class Summary:
    duration_s: float  # practice time: the session's time less its pauses
    baseline_rmssd_ms: float
    practice_rmssd_ms: float
    baseline_ln_rmssd: float
    practice_ln_rmssd: float
    mean_resonance_ms2: float
    mean_coherence: float
    mean_peak_to_trough_bpm: float
    time_at_target_s: float
    target_coherence: float
    n_markers: int
    path: str | None
    artifacts_pct: float = NAN
    extra: dict = field(default_factory=dict)
    # a strap with raw streams (Polar H10): where the beats came from, and the breath its accelerometer saw
    rr_source: str = "strap"
    n_breaths: int = 0
    breathing_rate_bpm: float = NAN  # median over the session's breaths
    breath_share_following: float = NAN  # of the paced breaths
    breath_median_lag_deg: float = NAN  # + = after the pacer's inhale cue
    elapsed_s: float = NAN  # from Start to Stop, pauses included
    paused_s: float = 0.0
    mean_hr_bpm: float = NAN
    baseline_s: float = 0.0  # the unpaced start the practice figures leave out

    def as_dict(self) -> dict:
        """JSON-ready (NaN as None), as written at the end of a recording."""
        return {k: (None if isinstance(v, float) and v != v else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> Summary:
        names = {f.name: f for f in fields(cls)}
        kw: dict[str, Any] = {}
        for k, v in d.items():
            if k not in names:
                continue
            kw[k] = NAN if v is None and names[k].type in ("float", "float | None") else v
        for k in ("duration_s", "baseline_rmssd_ms", "practice_rmssd_ms", "baseline_ln_rmssd", "practice_ln_rmssd",
                  "mean_resonance_ms2", "mean_coherence", "mean_peak_to_trough_bpm", "time_at_target_s",
                  "target_coherence"):
            kw.setdefault(k, NAN)
        kw.setdefault("n_markers", 0)
        kw.setdefault("path", None)
        return cls(**kw)

    def tiles(self) -> dict[str, float]:
        """The figures the tiles show at Stop, by tile."""
        return {"hr": self.mean_hr_bpm, "rmssd": self.practice_rmssd_ms, "coherence": self.mean_coherence,
                "resonance": self.mean_resonance_ms2, "p2t": self.mean_peak_to_trough_bpm}


def user_markers(markers: Sequence[Any]) -> int:
    """The markers someone set (pauses, resumes and a guided session's phases are the session's own)."""
    return sum(m.label not in ("pause", "resume") and not m.label.startswith("phase:") for m in markers)


def pause_intervals(markers: Sequence[Any], end_s: float) -> list[tuple[float, float]]:
    """(start, end) of each pause from the session's "pause" and "resume" markers (a pause still on at the
    end lasts to the end)."""
    out: list[tuple[float, float]] = []
    start: float | None = None
    for m in sorted(markers, key=lambda m: m.t_s):
        if m.label == "pause" and start is None:
            start = float(m.t_s)
        elif m.label == "resume" and start is not None:
            out.append((start, max(start, float(m.t_s))))
            start = None
    if start is not None:
        out.append((start, max(start, float(end_s))))
    return out


def _overlap(a: np.ndarray, b: np.ndarray, pauses: list[tuple[float, float]]) -> np.ndarray:
    """Per interval (a[i], b[i]): how much of it falls in a pause."""
    o = np.zeros(a.shape)
    for p0, p1 in pauses:
        o += np.clip(np.minimum(b, p1) - np.maximum(a, p0), 0.0, None)
    return o


def summarize(t_s: np.ndarray, rr_ms: np.ndarray, accepted: np.ndarray, hr_bpm: np.ndarray,
              rmssd_ms: np.ndarray, coherence: np.ndarray, resonance_ms2: np.ndarray,
              peak_to_trough_bpm: np.ndarray, *, baseline_s: float, end_s: float, target_coherence: float,
              pauses: Sequence[tuple[float, float]] = (), n_markers: int = 0, path: str | None = None,
              **extra: Any) -> Summary:
    """The session's summary from its snapshots (arrays, one value per beat, time ``t_s``).

    Snapshots made during a pause do not count; the baseline's RMSSD is its last one (the trailing 60 s at
    its end), the practice's figures are means over the practice's snapshots; time at the target sums the
    practice time between snapshots whose coherence is at or above it, less any pause in between.

    Mean HR is that of the practice's accepted beats by the analysis's own function and default convention
    (:func:`~vagal_coach.hrv.time_domain.time_domain`: 60000 / mean RR, as Kubios), so the summary and
    ``analyze`` give one figure for the same beats; ``hr_bpm`` (each beat's rate, as the tile showed it live)
    is not averaged."""
    t = np.asarray(t_s, float)
    pauses = [(float(a), float(b)) for a, b in pauses]
    live = np.ones(t.shape, bool)
    for p0, p1 in pauses:
        live &= ~((t >= p0) & (t < p1))

    def mean(v: np.ndarray, sel: np.ndarray) -> float:
        x = np.asarray(v, float)[sel]
        x = x[np.isfinite(x)]
        return float(x.mean()) if x.size else NAN

    base = live & (t < baseline_s)
    prac = live & (t >= baseline_s)
    b_idx = np.flatnonzero(base)
    base_r = float(np.asarray(rmssd_ms, float)[b_idx[-1]]) if b_idx.size else NAN
    prac_r = mean(rmssd_ms, prac)
    at = 0.0
    pi = np.flatnonzero(prac)
    if pi.size > 1:
        a, b = t[pi[:-1]], t[pi[1:]]
        dt = (b - a) - _overlap(a, b, pauses)
        coh = np.nan_to_num(np.asarray(coherence, float)[pi[1:]], nan=-1.0)
        at = float(np.sum(dt[coh >= target_coherence]))
    paused = float(sum(min(p1, end_s) - p0 for p0, p1 in pauses if p0 < end_s))
    acc = np.asarray(accepted, bool)[live]
    rr = np.asarray(rr_ms, float)
    beats = prac & np.asarray(accepted, bool) & np.isfinite(rr) & (rr > 0)
    return Summary(
        duration_s=max(0.0, float(end_s) - paused), elapsed_s=float(end_s), paused_s=paused,
        baseline_rmssd_ms=base_r, practice_rmssd_ms=prac_r,
        baseline_ln_rmssd=math.log(base_r) if base_r > 0 else NAN,
        practice_ln_rmssd=math.log(prac_r) if prac_r > 0 else NAN,
        mean_hr_bpm=time_domain(rr[beats])["mean_hr_bpm"],
        mean_resonance_ms2=mean(resonance_ms2, prac), mean_coherence=mean(coherence, prac),
        mean_peak_to_trough_bpm=mean(peak_to_trough_bpm, prac), time_at_target_s=at,
        target_coherence=float(target_coherence), n_markers=int(n_markers), path=path,
        artifacts_pct=100.0 * float(np.mean(~acc)) if acc.size else NAN, baseline_s=float(baseline_s), **extra)


def summarize_snapshots(snaps: Sequence[Any], **kw: Any) -> Summary:
    """:func:`summarize` over :class:`~vagal_coach.session.engine.Snapshot` objects (or their ``as_dict()``)."""
    cols = ("t_s", "rr_ms", "accepted", "hr_bpm", "rmssd_ms", "coherence", "resonance_ms2", "peak_to_trough_bpm")

    def get(s: Any, c: str) -> Any:
        v = s.get(c) if isinstance(s, dict) else getattr(s, c)
        return NAN if v is None else v

    arr = [np.array([get(s, c) for s in snaps], dtype=bool if c == "accepted" else float) for c in cols]
    return summarize(*arr, baseline_s=kw.pop("baseline_s", 0.0), **kw)


def breath_figures(raw: Any, schedule: Any) -> dict:
    """The chest's breathing over the session (a :class:`~vagal_coach.session.raw.RawPipeline`): breaths,
    median rate, and how they followed the pacer."""
    on = np.asarray(raw.onsets_t_s)
    if not raw.orientation or on.size < 2:
        return {"n_breaths": int(on.size) if raw.orientation else 0}
    adh = raw.adherence(schedule)
    return {"n_breaths": int(on.size), "breathing_rate_bpm": float(60.0 / np.median(np.diff(on))),
            "breath_share_following": adh.share_following, "breath_median_lag_deg": adh.median_lag_deg}


def replay_summary(session: Any, snaps: Sequence[Any], rec: Any, end_s: float | None = None) -> Summary:
    """The summary of a recording replayed through a session (the replay window, ``replay --headless``): the
    baseline and the coherence target the session had (from its recorded summary; else the unpaced start and
    1.0), its pauses and markers from the recording."""
    shown = rec.summary if isinstance(rec.summary, dict) else {}
    if shown.get("baseline_s") is not None:
        baseline = float(shown["baseline_s"])
    else:
        paced = [e.t_s for e in rec.pacer if e.rate_bpm > 0]
        baseline = float(paced[0]) if paced and rec.pacer[0].rate_bpm <= 0 else 0.0
    target = float(shown.get("target_coherence") or 1.0)
    end = float(rec.duration_s if end_s is None else end_s)
    if shown.get("elapsed_s") is not None and end_s is None:
        end = float(shown["elapsed_s"])
    marks = [m for m in rec.markers if m.t_s <= end]
    schedule = session.engine.schedule
    return summarize_snapshots(
        snaps, baseline_s=baseline, end_s=end, target_coherence=target, pauses=pause_intervals(marks, end),
        n_markers=user_markers(marks), path=str(rec.path) if rec.path else None,
        rr_source="ecg" if session.ecg_beats_used else "strap", **breath_figures(session.raw, schedule))


def _f(v: float | None, fmt: str) -> str:
    return "—" if v is None or not math.isfinite(v) else fmt.format(v)


def breath_line(n_breaths: int, rate_bpm: float, share_following: float, median_lag_deg: float) -> str:
    """The chest accelerometer's breathing, in words (a session's summary, a replay)."""
    line = f"Breathing (chest): {n_breaths} breaths, {_f(rate_bpm, '{:.1f}')} /min"
    if math.isfinite(share_following):
        line += (f"; with the pacer: {100 * share_following:.0f} % of breaths, median lag "
                 f"{_f(median_lag_deg, '{:+.0f}')}° (+ = after its cue)")
    return line


def summary_lines(s: Summary) -> list[str]:
    """The summary in words: the dialog's lines (the status line joins them with " · ")."""
    paused = f" (paused {mmss(s.paused_s)})" if s.paused_s >= 1.0 else ""
    lines = [f"Practice time {mmss(s.duration_s)}{paused}",
             f"RMSSD: baseline {_f(s.baseline_rmssd_ms, '{:.0f}')} ms, practice {_f(s.practice_rmssd_ms, '{:.0f}')} ms",
             f"Resonance power (mean): {_f(s.mean_resonance_ms2, '{:.0f}')} ms²",
             f"Peak-to-trough (mean): {_f(s.mean_peak_to_trough_bpm, '{:.1f}')} bpm",
             f"Time at or above your own coherence target ({s.target_coherence:g}): {s.time_at_target_s:.0f} s"]
    if s.rr_source == "ecg":
        lines.append("Beats from the strap's ECG (its own RR kept beside them)")
    if s.n_breaths:
        lines.append(breath_line(s.n_breaths, s.breathing_rate_bpm, s.breath_share_following,
                                 s.breath_median_lag_deg))
    lines.append(f"Markers: {s.n_markers}")
    if s.path:
        lines.append(f"Saved: {s.path}")
    return lines
