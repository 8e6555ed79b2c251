"""Offline analysis of one recording: artifacts, time, frequency and nonlinear metrics, trend.

Shares every metric function with the live engine (``vagal_coach.hrv``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vagal_coach import hrv
from vagal_coach.errors import UserError, printable
from vagal_coach.hrv.nonlinear import approximate_entropy
from vagal_coach.hrv.spectral import frequency_domains
from vagal_coach.hrv.time_domain import (
    HIST_BIN_MS,
    geometric,
    heart_rate_stats,
    segment_stats,
    stress_index,
    time_domain,
)
from vagal_coach.model import PacerSchedule, Recording

JSON_KEYS = ("file", "n_beats", "n_accepted", "duration_s", "mean_rr_ms", "mean_hr_bpm", "sdnn_ms", "rmssd_ms",
             "ln_rmssd",
             "pnn50_pct", "pnn20_pct", "sdsd_ms", "cvnn_pct", "vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2",
             "lf_hf", "lf_nu", "hf_nu", "lf_peak_hz", "hf_peak_hz", "sd1_ms", "sd2_ms", "dfa_alpha1",
             "dfa_alpha2", "sampen",
             # issue 18: every figure of Kubios HRV Standard's report
             "std_hr_bpm", "min_hr_bpm", "max_hr_bpm", "nn50", "nn20", "rr_tri_index", "tinn_ms", "vlf_pct",
             "lf_pct", "hf_pct", "vlf_log", "lf_log", "hf_log", "ar_vlf_ms2", "ar_lf_ms2", "ar_hf_ms2",
             "ar_total_ms2", "ar_lf_hf", "ar_lf_nu", "ar_hf_nu", "ar_vlf_pct", "ar_lf_pct", "ar_hf_pct", "ar_vlf_log",
             "ar_lf_log", "ar_hf_log", "ar_lf_peak_hz", "ar_hf_peak_hz", "sd2_sd1", "apen", "stress_index",
             "sdann_ms", "sdnn_index_ms",
             "coherence", "coherence_peak_hz", "rr_source", "ecg_share_regular",
             "breathing_rate_bpm", "n_breaths", "breath_share_following", "breath_median_lag_deg",
             "artifacts_pct", "artifacts")

#: Sample entropy costs grow with the square of the series: it is computed on the first this many beats
#: (about 40 minutes), as short-term entropy is meant to be
SAMPEN_MAX_BEATS = 3000


DETRENDS = ("smoothness_priors", "linear", "none")
PSD_METHODS = ("welch", "lomb")
#: conventions a lab may pick by name; the first of each is Kubios's (the default)
MEAN_HR = ("mean_rr", "beats")
DFA_METHODS = ("kubios", "peng")


@dataclass
class AnalysisSettings:
    """The methods of one analysis; every value is echoed in the output's ``settings``.

    The defaults follow Kubios HRV: 300-2000 ms range, Lipponen & Tarvainen 2019 correction, cubic
    interpolation to 4 Hz, smoothness-priors detrending (lambda 500), Welch with 256 s Hann segments
    and 50 % overlap, Task Force bands (``docs/methods.md`` compares them with Kubios and neurokit2).
    """

    artifacts: str = "auto"  # auto (Lipponen & Tarvainen 2019 correction) or none
    window_s: float | None = None  # trend window
    fs_hz: float = 4.0
    detrend: str = "smoothness_priors"
    detrend_lambda: float = 500.0
    psd_method: str = "welch"
    welch_window_s: float = 256.0
    welch_overlap: float = 0.5
    range_ms: tuple[float, float] = (300.0, 2000.0)
    bands_hz: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(hrv.spectral.BANDS_HZ))
    # conventions (docs/methods.md): Kubios's by default
    mean_hr: str = "mean_rr"  # 60000 / mean RR (Kubios), or beats: the mean of 60000 / RR
    poincare_ddof: int = 1  # SD1/SD2 as Kubios (1), or pyHRV (0)
    dfa: str = "kubios"  # boxes from the start at every size (Kubios), or peng: both ends, log-spaced sizes
    hr_avg_beats: int = 5  # min/max HR: the extremes of this many beats' moving average (Kubios: 5)
    ar_order: int = 16  # the AR spectrum's model order (Burg; Kubios: 16)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` with one sentence naming the setting when a value cannot be used."""
        if self.artifacts not in ("auto", "none"):
            raise ValueError(f"artifacts must be auto or none, not {self.artifacts!r}")
        if self.detrend not in DETRENDS:
            raise ValueError(f"detrend must be smoothness-priors, linear or none, not {self.detrend!r}")
        if self.psd_method not in PSD_METHODS:
            raise ValueError(f"psd must be welch or lomb, not {self.psd_method!r}")
        if self.mean_hr not in MEAN_HR:
            raise ValueError(f"mean-hr must be mean-rr or beats, not {self.mean_hr!r}")
        if self.dfa not in DFA_METHODS:
            raise ValueError(f"dfa must be kubios or peng, not {self.dfa!r}")
        whole: tuple[tuple[str, object, int, int], ...] = (
            ("poincare-ddof", self.poincare_ddof, 0, 1), ("hr-avg-beats", self.hr_avg_beats, 1, 100),
            ("ar-order", self.ar_order, 1, 64))
        for name, v, lo_i, hi_i in whole:
            if not (isinstance(v, int) and not isinstance(v, bool) and lo_i <= v <= hi_i):
                raise ValueError(f"{name} must be a whole number from {lo_i} to {hi_i}, not {v!r}")
        for name, v, lo, hi in (("lambda", self.detrend_lambda, 1e-3, 1e7),
                                ("resample-hz", self.fs_hz, 1.0, 100.0),
                                ("welch-window", self.welch_window_s, 10.0, 3600.0),
                                ("welch-overlap", self.welch_overlap, 0.0, 0.95)):
            if not (isinstance(v, (int, float)) and lo <= v <= hi):
                raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}, not {v!r}")
        if self.window_s is not None and not (isinstance(self.window_s, (int, float)) and 10 <= self.window_s
                                              <= 86400):
            raise ValueError(f"window must be 10-86400 s, not {self.window_s!r}")
        lo, hi = self.range_ms
        if not (50.0 <= lo < hi <= 10000.0):
            raise ValueError(f"range-ms must be LO-HI with 50 <= LO < HI <= 10000, not {lo:g}-{hi:g}")
        missing = {"vlf", "lf", "hf"} - set(self.bands_hz)
        if missing:
            raise ValueError(f"bands need vlf, lf and hf (missing {', '.join(sorted(missing))})")
        nyq = self.fs_hz / 2.0
        for k, (b_lo, b_hi) in self.bands_hz.items():
            if not (0.0 <= b_lo < b_hi <= nyq):
                raise ValueError(f"band {k}={b_lo:g}-{b_hi:g} must satisfy 0 <= LO < HI <= {nyq:g} Hz "
                                 "(half the resampling rate)")

    @classmethod
    def from_mapping(cls, values: dict[str, Any], base: AnalysisSettings | None = None) -> AnalysisSettings:
        """Settings from a mapping of the CLI's names (``detrend``, ``lambda``, ``psd``, ``welch_window``,
        ``welch_overlap``, ``resample_hz``, ``bands``, ``range_ms``, ``artifacts``, ``window``) over ``base``.

        Values may be given as the CLI writes them (``"300-2000"``, ``"vlf=0.0033-0.04,lf=..."``,
        ``"smoothness-priors"``) or as numbers and lists. Raises ``ValueError`` naming the first bad one."""
        kw = dict((base or cls()).__dict__)
        for key, raw in values.items():
            name = key.replace("-", "_")
            if raw is None:
                continue
            if name not in SETTING_NAMES:
                raise ValueError(f"unknown setting {key!r} (known: {', '.join(sorted(SETTING_NAMES))})")
            field_name, parse = SETTING_NAMES[name]
            try:
                kw[field_name] = parse(raw)
            except (TypeError, ValueError) as e:
                raise ValueError(f"{key.replace('_', '-')}: {e}") from None
        out = cls.__new__(cls)
        out.__dict__.update(kw)
        out.validate()
        return out

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["range_ms"] = list(self.range_ms)
        d["bands_hz"] = {k: list(v) for k, v in self.bands_hz.items()}
        return d


def _number(v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    x = float(v)
    if not np.isfinite(x):
        raise ValueError(f"{v!r} is not a finite number")
    return x


def parse_range(v: Any) -> tuple[float, float]:
    """``"LO-HI"`` or ``[LO, HI]`` -> (LO, HI)."""
    if isinstance(v, str):
        parts = v.replace(" ", "").split("-")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"{v!r} is not LO-HI (e.g. 300-2000)")
        v = parts
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise ValueError(f"{v!r} is not LO-HI (e.g. 300-2000)")
    lo, hi = _number(v[0]), _number(v[1])
    if not lo < hi:
        raise ValueError(f"{lo:g}-{hi:g}: LO must be below HI")
    return lo, hi


def parse_bands(v: Any) -> dict[str, tuple[float, float]]:
    """``"vlf=0.0033-0.04,lf=0.04-0.15,hf=0.15-0.4"`` or a mapping of band to LO-HI; the bands not given
    keep their Task Force edges."""
    if isinstance(v, str):
        items: dict[str, Any] = {}
        for part in filter(None, v.replace(" ", "").split(",")):
            name, eq, rng = part.partition("=")
            if not eq:
                raise ValueError(f"{part!r} is not NAME=LO-HI (e.g. lf=0.04-0.15)")
            items[name] = rng
        v = items
    if not isinstance(v, dict) or not v:
        raise ValueError(f"{v!r} is not NAME=LO-HI,... (e.g. vlf=0.0033-0.04,lf=0.04-0.15,hf=0.15-0.4)")
    out = dict(hrv.spectral.BANDS_HZ)
    for name, rng in v.items():
        if name not in out:
            raise ValueError(f"unknown band {name!r} (vlf, lf or hf)")
        out[name] = parse_range(rng)
    return out


def _choice(*names: str) -> Any:
    def parse(v: Any) -> str:
        x = str(v).replace("-", "_")
        if x not in names:
            raise ValueError(f"{v!r} is not one of {', '.join(n.replace('_', '-') for n in names)}")
        return x
    return parse


def _whole(v: Any) -> int:
    x = _number(v)
    if x != int(x):
        raise ValueError(f"{v!r} is not a whole number")
    return int(x)


def _window(v: Any) -> float | None:
    return None if v in ("", "none", 0) else _number(v)


#: the settings' names (CLI and settings file) -> (AnalysisSettings field, parser)
SETTING_NAMES: dict[str, tuple[str, Any]] = {
    "artifacts": ("artifacts", _choice("auto", "none")),
    "window": ("window_s", _window),
    "detrend": ("detrend", _choice(*DETRENDS)),
    "lambda": ("detrend_lambda", _number),
    "psd": ("psd_method", _choice(*PSD_METHODS)),
    "welch_window": ("welch_window_s", _number),
    "welch_overlap": ("welch_overlap", _number),
    "resample_hz": ("fs_hz", _number),
    "bands": ("bands_hz", parse_bands),
    "range_ms": ("range_ms", parse_range),
    "mean_hr": ("mean_hr", _choice(*MEAN_HR)),
    "poincare_ddof": ("poincare_ddof", _whole),
    "dfa": ("dfa", _choice(*DFA_METHODS)),
    "hr_avg_beats": ("hr_avg_beats", _whole),
    "ar_order": ("ar_order", _whole),
}


def load_settings_file(path: str | Path, base: AnalysisSettings | None = None) -> AnalysisSettings:
    """A lab's settings from a TOML file (the CLI's names, e.g. ``detrend = "linear"``, ``lambda = 300``,
    ``range_ms = [250, 2200]``, ``[bands] lf = [0.04, 0.15]``); a bad file or value is one line naming it."""
    p = Path(path)
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
    try:
        with open(p, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise UserError("no such settings file", path=p) from None
    except OSError as e:
        raise UserError(f"cannot read the settings file ({e.strerror})", path=p) from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"not a valid TOML settings file ({e})", path=p) from None
    data = data.get("analysis", data)  # an [analysis] table, or the keys at the top
    if not isinstance(data, dict):
        raise UserError(f"'analysis' must be a table ([analysis] with the method options), not {data!r}", path=p)
    try:
        return AnalysisSettings.from_mapping(data, base)
    except (ValueError, TypeError, AttributeError) as e:
        raise UserError(str(e), path=p) from None


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
    ar_spectrum: hrv.SpectralResult | None = None  # Kubios's AR (Burg) spectrum of the same series


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


def min_span_s(lo_hz: float) -> float:
    """The shortest series a band's power is reported for: five cycles of its lower edge, at least 60 s
    and at most 300 s (HF 60 s, LF 125 s, VLF 300 s: the Task Force's minimum lengths)."""
    return float(np.clip(5.0 / lo_hz if lo_hz > 0 else np.inf, 60.0, 300.0))


def _frequency_metrics(d: dict[str, float], span_s: float, bands: dict[str, tuple[float, float]],
                       mean_rr_ms: float = 0.0) -> dict[str, float]:
    """Band metrics with those the series is too short for set to NaN (and what is derived from them).

    A series counts as long enough for a band when it falls short of the band's minimum span by at most
    one mean interval at each end: a 5-minute sample cut at 00:00-05:00 holds the beats within it, so its
    R-R sum is a little under 300 s (299.3 s, 299.6 s), and Kubios reports VLF and total power for it."""
    out = dict(d)
    nan = float("nan")
    slack_s = 2.0 * mean_rr_ms / 1000.0 if np.isfinite(mean_rr_ms) else 0.0
    short = {k for k, (lo, _) in bands.items() if span_s + slack_s < min_span_s(lo)}
    for k in short:
        out[f"{k}_ms2"] = out[f"{k}_peak_hz"] = out[f"{k}_log"] = nan
    if short & {"lf", "hf"}:
        out["lf_hf"] = out["lf_nu"] = out["hf_nu"] = nan
    if short:
        out["total_ms2"] = nan
        for k in bands:
            out[f"{k}_pct"] = nan
    return out


def accepted_beats(rec: Recording, range_ms: tuple[float, float] = (300.0, 2000.0)
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The beats an analysis may use: ``(rr_ms, t_s, in_range)`` of the beats with a finite interval and a
    finite beat time later than every one before it; ``in_range`` flags those within ``range_ms``."""
    rr, t = rec.rr_ms, rec.beat_t_s
    valid = np.isfinite(rr) & np.isfinite(t)
    if t.size > 1:  # a beat time that does not move forward cannot be placed on the time axis
        prev_max = np.maximum.accumulate(np.where(valid, t, -np.inf))
        valid[1:] &= t[1:] > prev_max[:-1]
    rr, t = rr[valid], t[valid]
    return rr, t, hrv.range_gate(rr, *range_ms)


def breathing(rec: Recording, beat_t_s: np.ndarray, rr_ms: np.ndarray, waveform: bool = False) -> dict[str, Any]:
    """Breathing from the strap's accelerometer (when the recording has it): the median rate, and how the
    breaths followed the pacer (share following, median lag; NaN without a pacer, without ACC, or with an
    accelerometer flat on all three axes over the whole recording).
    ``waveform``: also the breathing waveform (``waveform_t_s``, ``waveform_mg``, rising on the inhale) and
    the inhale onsets (``onsets_t_s``), e.g. to draw them in a replay."""
    from vagal_coach.hrv.breath import acc_breathing, adherence, stuck_axes

    nan = float("nan")
    out: dict[str, Any] = {"breathing_rate_bpm": nan, "n_breaths": 0, "breath_share_following": nan,
                           "breath_median_lag_deg": nan}
    if waveform:
        out.update(waveform_t_s=np.zeros(0), waveform_mg=np.zeros(0), onsets_t_s=np.zeros(0))
    if rec.acc is None or rec.acc.t_s.size < 10 * rec.acc.fs_hz:
        return out
    if stuck_axes(rec.acc.mg).all():  # flat on every axis: its "breaths" would be its glitches (live says so too)
        return out
    wt, w, onsets = acc_breathing(rec.acc.mg, rec.acc.fs_hz, beat_t_s=beat_t_s, rr_ms=rr_ms,
                                  sample_t_s=rec.acc.t_s)
    if waveform:
        out.update(waveform_t_s=wt, waveform_mg=w, onsets_t_s=onsets)
    out["n_breaths"] = int(onsets.size)
    if onsets.size >= 2:
        out["breathing_rate_bpm"] = float(60.0 / np.median(np.diff(onsets)))
    if rec.pacer and onsets.size >= 2:
        sched = PacerSchedule(rec.pacer, check=False)
        paced = onsets[sched.rate_at(onsets) > 0]
        if paced.size >= 2:
            adh = adherence(paced, sched.cycles_at(paced), 60.0 / sched.rate_at(paced))
            out["breath_share_following"] = adh.share_following
            out["breath_median_lag_deg"] = adh.median_lag_deg
    return out


def analyze(rec: Recording, settings: AnalysisSettings | None = None) -> Analysis:
    """Every metric of one recording, on its accepted beats only (``accepted_beats``).

    A metric that needs more accepted beats than there are is NaN (``null`` in JSON). Raises
    :class:`UserError` naming the file when no beat lies within the range.
    """
    s = settings or AnalysisSettings()
    lo_ms, hi_ms = s.range_ms
    rr, t, in_range = accepted_beats(rec, s.range_ms)
    if not np.any(in_range):
        raise UserError(f"no beats within {lo_ms:g}-{hi_ms:g} ms: nothing to analyse (is it an R-R "
                        "recording, in ms or s?)", path=rec.path if rec.path is not None else rec.name)
    ares = None
    if s.artifacts == "auto":
        ares = hrv.correct_artifacts(rr, t, lo_ms=lo_ms, hi_ms=hi_ms)
        rr_a, t_a, corrected = ares.rr_ms, ares.t_s, ares.corrected
        art_counts = dict(ares.counts)
    else:
        rr_a, t_a = rr[in_range], t[in_range]
        corrected = np.zeros(rr_a.size, bool)
        art_counts = {k: 0 for k in hrv.artifacts.KINDS}
        art_counts["out_of_range"] = int(np.count_nonzero(~in_range))
    # beats that could not be placed in time at all count as out of range too
    art_counts["out_of_range"] += int(rec.n_beats - rr.size)
    art_pct = 100.0 * sum(art_counts.values()) / rec.n_beats if rec.n_beats else 0.0
    td = time_domain(rr_a, mean_hr=s.mean_hr)
    # the chosen PSD and Kubios's AR spectrum from one detrending and one resampling
    methods = (s.psd_method, "ar") if s.psd_method != "ar" else ("ar",)
    specs = frequency_domains(t_a, rr_a, methods, fs_hz=s.fs_hz, detrend=s.detrend, lambda_=s.detrend_lambda,
                              window_s=s.welch_window_s, overlap=s.welch_overlap, bands=s.bands_hz,
                              ar_order=s.ar_order)
    spec, ar = specs[s.psd_method], specs["ar"]
    coh, coh_f = hrv.coherence_ratio(spec.f_hz, spec.psd_ms2_hz)
    span_s = float(t_a[-1] - t_a[0] + rr_a[0] / 1000.0) if rr_a.size else 0.0
    freq = _frequency_metrics(spec.as_dict(), span_s, s.bands_hz, td["mean_rr_ms"])
    if freq["lf_ms2"] != freq["lf_ms2"]:  # NaN: too short for LF, so for a coherence peak within it
        coh = coh_f = float("nan")
    pc = hrv.poincare(rr_a, ddof=s.poincare_ddof)
    ar_freq = _frequency_metrics(ar.as_dict(), span_s, s.bands_hz, td["mean_rr_ms"])
    se_rr = rr_a if rr_a.size <= SAMPEN_MAX_BEATS else rr_a[:SAMPEN_MAX_BEATS]
    metrics: dict[str, Any] = {
        "file": str(rec.path) if rec.path else rec.name,
        "format": rec.format,
        "n_beats": int(rec.n_beats),
        "n_accepted": int(np.count_nonzero(in_range)),
        "duration_s": rec.duration_s,
        **{k: v for k, v in td.items() if k != "n_beats"},
        **freq,
        **heart_rate_stats(rr_a, s.hr_avg_beats),
        **geometric(rr_a),
        **{f"ar_{k}": v for k, v in ar_freq.items() if k != "vlf_peak_hz"},
        "sd1_ms": pc["sd1_ms"],
        "sd2_ms": pc["sd2_ms"],
        "sd2_sd1": pc["sd2_sd1"],
        "dfa_alpha1": hrv.dfa(rr_a, (4, 16), s.dfa),
        "dfa_alpha2": hrv.dfa(rr_a, (16, 64), s.dfa),
        "sampen": hrv.sample_entropy(se_rr),
        "apen": approximate_entropy(se_rr),
        "stress_index": stress_index(rr_a),
        **segment_stats(t_a, rr_a, duration_s=rec.duration_s),
        "coherence": coh,
        "coherence_peak_hz": coh_f,
        "artifacts_pct": art_pct,
        "artifacts": art_counts,
        "markers": [{"t_s": m.t_s, "label": m.label} for m in rec.markers],
        "device": rec.device,
        "start_utc": rec.start_utc,
        "rr_source": rec.rr_source,
        "ecg_share_regular": rec.ecg_quality.share_regular if rec.ecg_quality is not None else float("nan"),
        **breathing(rec, t_a, rr_a),
    }
    settings_d = s.as_dict()
    settings_d.update(spec.settings)
    settings_d["detrend_lambda"] = s.detrend_lambda  # echoed as given; it applies to smoothness priors only
    settings_d["bands_hz"] = {k: list(v) for k, v in s.bands_hz.items()}
    settings_d["artifact_method"] = "lipponen2019" if s.artifacts == "auto" else "none"
    settings_d["artifact_range_ms"] = [lo_ms, hi_ms]
    settings_d["sdnn_ddof"] = 1
    settings_d["dfa_alpha1_beats"] = [4, 16]
    settings_d["dfa_alpha2_beats"] = [16, 64]
    settings_d["sampen"] = {"m": 2, "r": "0.2 SD", "max_beats": SAMPEN_MAX_BEATS}
    settings_d["apen"] = {"m": 2, "r": "0.2 SD", "max_beats": SAMPEN_MAX_BEATS}
    settings_d["histogram_bin_ms"] = {"rr_tri_index": HIST_BIN_MS, "tinn_ms": HIST_BIN_MS, "stress_index": 50.0}
    settings_d["ar"] = {"method": "burg", "order": s.ar_order, "resample_hz": s.fs_hz, "detrend": s.detrend}
    settings_d["segments_s"] = {"sdann_ms": 300.0, "sdnn_index_ms": 300.0, "min_duration_s": 3600.0}
    settings_d["min_span_s"] = {k: min_span_s(lo) for k, (lo, _) in s.bands_hz.items()}
    settings_d["coherence"] = {"search_hz": [0.04, 0.26], "half_width_hz": 0.015, "total_hz": [0.0033, 0.4]}
    metrics["settings"] = settings_d
    trend = None
    if s.window_s:
        from vagal_coach.analysis.windows import windows

        trend = windows(t_a, rr_a, s.window_s)
        metrics["trend"] = {k: v for k, v in trend.items()}
    return Analysis(rec, metrics, rr_a, t_a, corrected, spec, ares, trend, s, ar_spectrum=ar)


def to_json_dict(a: Analysis) -> dict[str, Any]:
    return _clean(a.metrics)


#: The text summary's rows (``analyze``'s printer): a label and a template of JSON keys with their format
#: (``{key:spec}``; ``dur`` for a duration); a missing value prints as n/a. Rows marked optional are left out
#: when none of their values exists (SDANN and SDNN index need an hour).
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("Beats", "{n_beats:.0f}"), ("Duration", "{duration_s:dur}"), ("Mean RR", "{mean_rr_ms:.1f} ms"),
    ("Mean HR", "{mean_hr_bpm:.1f} bpm (SD {std_hr_bpm:.1f}, min {min_hr_bpm:.1f}, max {max_hr_bpm:.1f})"),
    ("SDNN", "{sdnn_ms:.1f} ms"), ("RMSSD", "{rmssd_ms:.1f} ms (ln {ln_rmssd:.2f})"),
    ("NN50", "{nn50:.0f} (pNN50 {pnn50_pct:.1f} %); NN20 {nn20:.0f} (pNN20 {pnn20_pct:.1f} %)"),
    ("Geometric", "RR tri index {rr_tri_index:.2f}, TINN {tinn_ms:.0f} ms"),
    ("VLF/LF/HF", "{vlf_ms2:.0f} / {lf_ms2:.0f} / {hf_ms2:.0f} ms² ({vlf_pct:.1f} / {lf_pct:.1f} / {hf_pct:.1f} %)"),
    ("AR (Burg)", "{ar_vlf_ms2:.0f} / {ar_lf_ms2:.0f} / {ar_hf_ms2:.0f} ms² "
                  "({ar_vlf_pct:.1f} / {ar_lf_pct:.1f} / {ar_hf_pct:.1f} %)"),
    ("LF/HF", "{lf_hf:.2f} (AR {ar_lf_hf:.2f}); LF {lf_nu:.1f} n.u. (AR {ar_lf_nu:.1f})"),
    ("Peaks", "LF {lf_peak_hz:.3f} Hz, HF {hf_peak_hz:.3f} Hz (AR {ar_lf_peak_hz:.3f}, {ar_hf_peak_hz:.3f})"),
    ("SD1/SD2", "{sd1_ms:.1f} / {sd2_ms:.1f} ms (SD2/SD1 {sd2_sd1:.2f})"),
    ("Entropy", "ApEn {apen:.2f}, SampEn {sampen:.2f}"), ("DFA", "α1 {dfa_alpha1:.2f}, α2 {dfa_alpha2:.2f}"),
    ("Stress idx", "{stress_index:.2f}"), ("SDANN", "{sdann_ms:.1f} ms, SDNN index {sdnn_index_ms:.1f} ms"),
    ("Coherence", "{coherence:.2f}"), ("Artifacts", "{artifacts_pct:.2f} %"),
)
#: rows printed only when one of their values exists
OPTIONAL_ROWS = frozenset({"SDANN"})


def row_keys(template: str) -> list[str]:
    """The JSON keys a summary row's template names, in order."""
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _value_text(v: Any, spec: str) -> str:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
            or not np.isfinite(v):
        return "n/a"
    return fmt_duration(float(v)) if spec == "dur" else format(float(v), spec)


def format_row(template: str, m: dict[str, Any]) -> str | None:
    """A summary row's text from the metrics ``m`` (None when every value is missing)."""
    import string

    out, any_value = [], False
    for literal, name, spec, _ in string.Formatter().parse(template):
        out.append(literal)
        if name:
            txt = _value_text(m.get(name), spec or "")
            any_value |= txt != "n/a"
            out.append(txt)
    return "".join(out) if any_value else None


def fmt_duration(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def summary_text(a: Analysis | dict[str, Any]) -> str:
    """The text summary of one analysis (an :class:`Analysis` or its :func:`to_json_dict`): the one printer
    of ``analyze``, whether it ran on one file or many."""
    m = to_json_dict(a) if isinstance(a, Analysis) else a
    lines = [f"{printable(m['file'])}  ({printable(m.get('format', ''))})"]  # a file's name: escaped
    for label, template in SUMMARY_ROWS:
        txt = format_row(template, m)
        if txt is None and label in OPTIONAL_ROWS:
            continue
        lines.append(f"  {label:<10} {txt or 'n/a'}")
    counts = ", ".join(f"{k} {v}" for k, v in (m.get("artifacts") or {}).items() if v)
    if counts:
        lines.append(f"  {'':<10} ({counts})")
    tr = m.get("trend")
    if tr:
        window_s = (m.get("settings") or {}).get("window_s")
        lines.append(f"  Trend over {window_s:g} s windows (start, HR bpm, RMSSD ms):")

        def num(v: Any) -> str:
            return "   n/a" if v is None else f"{v:6.1f}"

        for i, st in enumerate(tr["start_s"]):
            part = "  (partial)" if tr.get("partial") and tr["partial"][i] else ""
            lines.append(f"    {fmt_duration(st):>8}  {num(tr['mean_hr_bpm'][i])}  {num(tr['rmssd_ms'][i])}{part}")
    return "\n".join(lines)
