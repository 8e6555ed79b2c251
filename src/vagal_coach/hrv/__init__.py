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
from vagal_coach.hrv.nonlinear import dfa, poincare, sample_entropy
from vagal_coach.hrv.ringbuffer import BeatRingBuffer
from vagal_coach.hrv.spectral import (
    BANDS_HZ,
    SpectralResult,
    band_power,
    coherence_ratio,
    frequency_domain,
    power_at,
    psd_lomb,
    psd_welch,
    resample_rr,
    smoothness_priors_detrend,
)
from vagal_coach.hrv.time_domain import rolling_rmssd, rolling_time_domain, time_domain

__all__ = [
    "ArtifactResult",
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
