"""Pure NumPy/SciPy HRV core: arrays in, numbers or arrays out.

No Qt, no bleak, no files. The live engine and the offline analysis call the same functions.
Units are in the names: ``rr_ms`` (R-R intervals, ms), ``t_s`` (beat times, s), ``power_ms2``.
"""

from vagal_coach.hrv.artifacts import (
    ArtifactResult,
    correct_artifacts,
    detect_artifacts_lipponen,
    live_gate,
    range_gate,
)
from vagal_coach.hrv.nonlinear import approximate_entropy, dfa, poincare, sample_entropy
from vagal_coach.hrv.ringbuffer import BeatRingBuffer
from vagal_coach.hrv.spectral import (
    BANDS_HZ,
    SpectralResult,
    ar_burg,
    band_power,
    coherence_ratio,
    frequency_domain,
    frequency_domains,
    power_at,
    psd_ar,
    psd_lomb,
    psd_welch,
    resample_rr,
    smoothness_priors_detrend,
)
from vagal_coach.hrv.time_domain import (
    geometric,
    heart_rate_stats,
    rolling_rmssd,
    rolling_time_domain,
    segment_stats,
    stress_index,
    time_domain,
)

__all__ = [
    "ArtifactResult",
    "approximate_entropy",
    "ar_burg",
    "frequency_domains",
    "geometric",
    "heart_rate_stats",
    "psd_ar",
    "segment_stats",
    "stress_index",
    "BANDS_HZ",
    "BeatRingBuffer",
    "SpectralResult",
    "band_power",
    "coherence_ratio",
    "correct_artifacts",
    "detect_artifacts_lipponen",
    "dfa",
    "frequency_domain",
    "live_gate",
    "poincare",
    "power_at",
    "psd_lomb",
    "psd_welch",
    "range_gate",
    "resample_rr",
    "rolling_rmssd",
    "rolling_time_domain",
    "sample_entropy",
    "smoothness_priors_detrend",
    "time_domain",
]
