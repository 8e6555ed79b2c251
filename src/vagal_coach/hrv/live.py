"""The live panel: what the trainer shows after each beat, from the last minutes of beats.

Pure and cheap (well under a millisecond per beat); the live engine calls it on ring-buffer views and
offline replay calls it on the same windows, so live and offline cannot disagree.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from vagal_coach.hrv.spectral import (
    BANDS_HZ,
    COHERENCE_SEARCH_HZ,
    COHERENCE_TOTAL_HZ,
    RESONANCE_HALF_WIDTH_HZ,
    cumulative_power,
    natural_cubic_spline,
    psd_welch,
    smoothness_priors_detrend,
)

RMSSD_WINDOW_S = 60.0
SPECTRAL_WINDOW_S = 120.0
#: least span of beats (s) before spectral values are shown
MIN_SPECTRAL_S = 60.0
MIN_RMSSD_S = 20.0


@lru_cache(maxsize=16)
def _band_index(n_freq: int, fs_hz: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """Index ranges [lo, hi) of the LF band and of the coherence search band on an rfft grid."""
    f = np.linspace(0.0, fs_hz / 2.0, n_freq)
    lf = tuple(int(i) for i in np.searchsorted(f, BANDS_HZ["lf"], side="left"))
    coh = tuple(int(i) for i in np.searchsorted(f, COHERENCE_SEARCH_HZ, side="left"))
    return lf, coh  # type: ignore[return-value]


def live_panel(t_s: NDArray[np.float64], rr_ms: NDArray[np.float64], pacer_hz: float | None = None, *,
               rmssd_window_s: float = RMSSD_WINDOW_S, spectral_window_s: float = SPECTRAL_WINDOW_S,
               fs_hz: float = 4.0, detrend_lambda: float = 500.0, nfft: int = 1024
               ) -> dict[str, float]:
    """Metrics ending at the last beat of (accepted) beats ``t_s``, ``rr_ms``.

    RMSSD and lnRMSSD over the last ``rmssd_window_s``; HR of the last beat; over the last
    ``spectral_window_s``: LF power (ms^2), power at the pacer's frequency +/- 0.015 Hz (resonance
    power, ms^2), the coherence ratio and its peak. Spectral values are NaN until
    ``MIN_SPECTRAL_S`` of beats exist, and provisional while ``spectral_span_s`` (the span of beats
    they are computed on) is short of ``spectral_window_s``. The spectrum uses the offline defaults (smoothness priors,
    4 Hz cubic resampling) with one Hann segment over the window, zero-padded to ``nfft``.
    """
    nan = float("nan")
    out = {"hr_bpm": nan, "rmssd_ms": nan, "ln_rmssd": nan, "lf_ms2": nan, "resonance_ms2": nan,
           "coherence": nan, "coherence_peak_hz": nan, "lf_peak_hz": nan, "spectral_span_s": 0.0}
    n = t_s.size
    if n == 0:
        return out
    end = t_s[-1]
    out["hr_bpm"] = 60000.0 / rr_ms[-1]
    i0 = int(np.searchsorted(t_s, end - rmssd_window_s, side="right"))
    if n - i0 >= 3 and end - t_s[i0] >= MIN_RMSSD_S:
        d = np.diff(rr_ms[i0:])
        r = float(np.sqrt(np.dot(d, d) / d.size))
        out["rmssd_ms"] = r
        out["ln_rmssd"] = float(np.log(r)) if r > 0 else nan
    j0 = int(np.searchsorted(t_s, end - spectral_window_s, side="right"))
    out["spectral_span_s"] = float(end - t_s[j0])
    if n - j0 >= 8 and end - t_s[j0] >= MIN_SPECTRAL_S:
        f, p = _window_psd(t_s[j0:], rr_ms[j0:], fs_hz, detrend_lambda, spectral_window_s, nfft)
        c = cumulative_power(f, p)
        lf_i, coh_i = _band_index(f.size, fs_hz)
        k_lf = lf_i[0] + int(np.argmax(p[lf_i[0]:lf_i[1]]))
        k_pk = coh_i[0] + int(np.argmax(p[coh_i[0]:coh_i[1]]))
        hw = RESONANCE_HALF_WIDTH_HZ
        fp = f[k_pk]
        pz = pacer_hz or 0.0
        e = np.interp((BANDS_HZ["lf"][0], BANDS_HZ["lf"][1], pz - hw, pz + hw, fp - hw, fp + hw,
                       COHERENCE_TOTAL_HZ[0], COHERENCE_TOTAL_HZ[1]), f, c)  # every band edge at once
        out["lf_ms2"] = float(e[1] - e[0])
        out["lf_peak_hz"] = float(f[k_lf])
        if pacer_hz:
            out["resonance_ms2"] = float(e[3] - e[2])
        peak = float(e[5] - e[4])
        rest = float(e[7] - e[6]) - peak
        out["coherence"] = peak / rest if rest > 0 else nan
        out["coherence_peak_hz"] = float(fp)
    return out


def live_spectrum(t_s: NDArray[np.float64], rr_ms: NDArray[np.float64], *,
                  spectral_window_s: float = SPECTRAL_WINDOW_S, fs_hz: float = 4.0, detrend_lambda: float = 500.0,
                  nfft: int = 1024, min_s: float = MIN_SPECTRAL_S) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The PSD (ms^2/Hz) the live panel integrates, for drawing: same window and method (empty until
    ``min_s`` of beats exist)."""
    if t_s.size == 0:
        return np.zeros(0), np.zeros(0)
    j0 = int(np.searchsorted(t_s, t_s[-1] - spectral_window_s, side="right"))
    if t_s.size - j0 < 8 or t_s[-1] - t_s[j0] < min_s:
        return np.zeros(0), np.zeros(0)
    return _window_psd(t_s[j0:], rr_ms[j0:], fs_hz, detrend_lambda, spectral_window_s, nfft)


def _window_psd(tt: NDArray[np.float64], rr: NDArray[np.float64], fs_hz: float, detrend_lambda: float,
                window_s: float, nfft: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The offline spectrum's steps (detrend, spline, Welch) without its input checks: beats from the
    ring buffer are already finite and ordered."""
    x = smoothness_priors_detrend(rr, detrend_lambda)
    grid = np.arange(tt[0], tt[-1] + 1e-9, 1.0 / fs_hz)
    return psd_welch(natural_cubic_spline(tt, x, grid), fs_hz, window_s=window_s, nfft_min=nfft)
