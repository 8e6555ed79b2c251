"""Offline analysis of one recording: artifacts, time, frequency and nonlinear metrics, trend.

Shares every metric function with the live engine (``vagal_coach.hrv``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vagal_coach import hrv
from vagal_coach.hrv.spectral import frequency_domain
from vagal_coach.hrv.time_domain import time_domain, windowed_time_domain
from vagal_coach.io.model import Recording

JSON_KEYS = ("file", "n_beats", "duration_s", "mean_rr_ms", "mean_hr_bpm", "sdnn_ms", "rmssd_ms", "ln_rmssd",
             "pnn50_pct", "pnn20_pct", "sdsd_ms", "cvnn_pct", "vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2",
             "lf_hf", "lf_nu", "hf_nu", "lf_peak_hz", "hf_peak_hz", "sd1_ms", "sd2_ms", "dfa_alpha1",
             "dfa_alpha2", "sampen", "coherence", "coherence_peak_hz", "artifacts_pct", "artifacts")

#: Sample entropy costs grow with the square of the series: it is computed on the first this many beats
#: (about 40 minutes), as short-term entropy is meant to be
SAMPEN_MAX_BEATS = 3000


@dataclass
class AnalysisSettings:
    artifacts: str = "auto"  # auto (Lipponen & Tarvainen 2019 correction) or none
    window_s: float | None = None  # trend window
    fs_hz: float = 4.0
    detrend: str = "smoothness_priors"
    detrend_lambda: float = 500.0
    psd_method: str = "welch"
    welch_window_s: float = 256.0
    welch_overlap: float = 0.5

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Analysis:
    recording: Recording
    metrics: dict[str, Any]
    rr_ms: np.ndarray  # the series analysed (corrected unless artifacts == none)
    t_s: np.ndarray
    corrected: np.ndarray  # flags on rr_ms
    spectrum: hrv.SpectralResult
    artifact_result: hrv.ArtifactResult | None
    trend: dict[str, np.ndarray] | None = None
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)


def _clean(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return [_clean(x) for x in v.tolist()]
    return v


def analyze(rec: Recording, settings: AnalysisSettings | None = None) -> Analysis:
    s = settings or AnalysisSettings()
    rr, t = rec.rr_ms, rec.beat_t_s
    ares = None
    if s.artifacts == "auto":
        ares = hrv.correct_artifacts(rr, t)
        rr_a, t_a, corrected = ares.rr_ms, ares.t_s, ares.corrected
        art_counts = ares.counts
        art_pct = ares.share_pct
    elif s.artifacts == "none":
        rr_a, t_a, corrected = rr, t, np.zeros(rr.size, bool)
        art_counts, art_pct = {k: 0 for k in hrv.artifacts.KINDS}, 0.0
    else:
        raise ValueError(f"unknown artifact mode {s.artifacts!r} (auto or none)")
    td = time_domain(rr_a)
    spec = frequency_domain(t_a, rr_a, fs_hz=s.fs_hz, detrend=s.detrend, lambda_=s.detrend_lambda,
                            method=s.psd_method, window_s=s.welch_window_s, overlap=s.welch_overlap)
    coh, coh_f = hrv.coherence_ratio(spec.f_hz, spec.psd_ms2_hz)
    pc = hrv.poincare(rr_a)
    se_rr = rr_a if rr_a.size <= SAMPEN_MAX_BEATS else rr_a[:SAMPEN_MAX_BEATS]
    metrics: dict[str, Any] = {
        "file": str(rec.path) if rec.path else rec.name,
        "format": rec.format,
        "n_beats": int(rec.n_beats),
        "duration_s": rec.duration_s,
        **{k: v for k, v in td.items() if k != "n_beats"},
        **spec.as_dict(),
        "sd1_ms": pc["sd1_ms"],
        "sd2_ms": pc["sd2_ms"],
        "dfa_alpha1": hrv.dfa(rr_a, (4, 16)),
        "dfa_alpha2": hrv.dfa(rr_a, (16, 64)),
        "sampen": hrv.sample_entropy(se_rr),
        "coherence": coh,
        "coherence_peak_hz": coh_f,
        "artifacts_pct": art_pct,
        "artifacts": art_counts,
        "markers": [{"t_s": m.t_s, "label": m.label} for m in rec.markers],
        "device": rec.device,
        "start_utc": rec.start_utc,
    }
    settings_d = s.as_dict()
    settings_d.update(spec.settings)
    settings_d["artifact_method"] = "lipponen2019" if s.artifacts == "auto" else "none"
    settings_d["artifact_range_ms"] = [300.0, 2000.0]
    settings_d["sdnn_ddof"] = 1
    settings_d["dfa_alpha1_beats"] = [4, 16]
    settings_d["dfa_alpha2_beats"] = [16, 64]
    settings_d["sampen"] = {"m": 2, "r": "0.2 SD", "max_beats": SAMPEN_MAX_BEATS}
    settings_d["coherence"] = {"search_hz": [0.04, 0.26], "half_width_hz": 0.015, "total_hz": [0.0033, 0.4]}
    metrics["settings"] = settings_d
    trend = None
    if s.window_s:
        trend = windowed_time_domain(t_a, rr_a, s.window_s)
        metrics["trend"] = {k: v for k, v in trend.items()}
    return Analysis(rec, metrics, rr_a, t_a, corrected, spec, ares, trend, s)


def to_json_dict(a: Analysis) -> dict[str, Any]:
    return _clean(a.metrics)


SUMMARY_ROWS = (
    ("Beats", "n_beats", "{:.0f}"), ("Duration", "duration_s", "dur"), ("Mean RR", "mean_rr_ms", "{:.1f} ms"),
    ("Mean HR", "mean_hr_bpm", "{:.1f} bpm"), ("SDNN", "sdnn_ms", "{:.1f} ms"), ("RMSSD", "rmssd_ms", "{:.1f} ms"),
    ("lnRMSSD", "ln_rmssd", "{:.2f}"), ("pNN50", "pnn50_pct", "{:.1f} %"), ("VLF", "vlf_ms2", "{:.0f} ms²"),
    ("LF", "lf_ms2", "{:.0f} ms²"), ("HF", "hf_ms2", "{:.0f} ms²"), ("LF/HF", "lf_hf", "{:.2f}"),
    ("LF peak", "lf_peak_hz", "{:.3f} Hz"), ("HF peak", "hf_peak_hz", "{:.3f} Hz"), ("SD1", "sd1_ms", "{:.1f} ms"),
    ("SD2", "sd2_ms", "{:.1f} ms"), ("DFA α1", "dfa_alpha1", "{:.2f}"), ("Coherence", "coherence", "{:.2f}"),
    ("Artifacts", "artifacts_pct", "{:.2f} %"),
)


def fmt_duration(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def summary_text(a: Analysis) -> str:
    m = a.metrics
    lines = [f"{m['file']}  ({a.recording.format})"]
    for label, key, f in SUMMARY_ROWS:
        v = m.get(key)
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            txt = "n/a"
        elif f == "dur":
            txt = fmt_duration(v)
        else:
            txt = f.format(v)
        lines.append(f"  {label:<10} {txt}")
    counts = ", ".join(f"{k} {v}" for k, v in m["artifacts"].items() if v)
    if counts:
        lines.append(f"  {'':<10} ({counts})")
    if a.trend is not None:
        lines.append(f"  Trend over {a.settings.window_s:g} s windows (start, HR bpm, RMSSD ms):")
        tr = a.trend
        for st, h, r in zip(tr["start_s"], tr["mean_hr_bpm"], tr["rmssd_ms"]):
            lines.append(f"    {fmt_duration(st):>8}  {h:6.1f}  {r:6.1f}")
    return "\n".join(lines)
