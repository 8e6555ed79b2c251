"""Frequency-domain HRV: resampling, detrending, PSD, band powers, resonance power, coherence.

Defaults (Kubios-like conventions, documented in docs/methods.md):

- the R-R series is detrended in the beat domain by the smoothness-priors method
  (Tarvainen 2002) with ``lambda_ = 500`` (cut-off about 0.035 Hz at 1 beat/s), then
- resampled to an even grid at ``fs_hz = 4`` by a cubic spline through the beat times, and
- its PSD estimated by Welch (Hann window, segments of ``window_s = 256`` s or the whole series if
  shorter, 50 % overlap, zero-padded to at least 2048 points), density scaling, in ms^2/Hz.
- Band powers are the integral of the PSD over the band, in ms^2 (absolute), with fractional bins
  at the band edges. Bands (Task Force 1996): VLF 0.0033-0.04, LF 0.04-0.15, HF 0.15-0.40 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import interpolate, linalg, signal

BANDS_HZ: dict[str, tuple[float, float]] = {
    "vlf": (0.0033, 0.04),
    "lf": (0.04, 0.15),
    "hf": (0.15, 0.40),
}
#: Half-width of the window around a frequency for "power at" (resonance power, coherence peak).
RESONANCE_HALF_WIDTH_HZ = 0.015
#: Where the coherence peak is searched, and the total band it is compared against.
COHERENCE_SEARCH_HZ = (0.04, 0.26)
COHERENCE_TOTAL_HZ = (0.0033, 0.40)


def _sanitize(t_s: ArrayLike, rr_ms: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    if t.shape != rr.shape:
        raise ValueError(f"t_s and rr_ms differ in shape: {t.shape} vs {rr.shape}")
    ok = np.isfinite(t) & np.isfinite(rr)
    t, rr = t[ok], rr[ok]
    if t.size > 1 and np.any(np.diff(t) <= 0):
        keep = np.concatenate(([True], np.diff(np.maximum.accumulate(t)) > 0))
        t, rr = t[keep], rr[keep]
    return t, rr


def smoothness_priors_detrend(x: ArrayLike, lambda_: float = 500.0) -> NDArray[np.float64]:
    """Remove the slow trend of ``x`` by the smoothness-priors method (Tarvainen et al. 2002).

    The trend is ``(I + lambda_^2 D2' D2)^-1 x`` with D2 the second-difference matrix; the system is
    pentadiagonal and solved as a banded symmetric system in O(n) (no dense matrix).
    Returns ``x - trend``.
    """
    z = np.asarray(x, dtype=float)
    n = z.size
    if n < 3:
        return z - z.mean() if n else z.copy()
    lam2 = float(lambda_) ** 2
    main = np.full(n, 6.0)
    main[[0, -1]] = 1.0
    main[[1, -2]] = 5.0
    if n == 3:
        main[:] = [1.0, 4.0, 1.0]
    off1 = np.full(n - 1, -4.0)
    off1[[0, -1]] = -2.0
    ab = np.zeros((3, n))
    ab[2] = 1.0 + lam2 * main
    ab[1, 1:] = lam2 * off1
    ab[0, 2:] = lam2 * 1.0
    trend = linalg.solveh_banded(ab, z, check_finite=False)
    return z - trend


def resample_rr(t_s: ArrayLike, rr_ms: ArrayLike, fs_hz: float = 4.0, method: str = "cubic"
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Resample the R-R series (values at beat times) onto an even grid at ``fs_hz``.

    ``method`` is ``"cubic"`` (cubic spline, not-a-knot) or ``"linear"``. The grid runs from the first
    to the last beat time. Returns ``(grid_t_s, rr_ms_even)``.
    """
    t, rr = _sanitize(t_s, rr_ms)
    if t.size < 2:
        return t.copy(), rr.copy()
    grid = np.arange(t[0], t[-1] + 1e-9, 1.0 / fs_hz)
    if method == "cubic" and t.size >= 4:
        y = interpolate.CubicSpline(t, rr, extrapolate=False)(grid)
    elif method in ("cubic", "linear"):
        y = np.interp(grid, t, rr)
    else:
        raise ValueError(f"unknown resampling method {method!r} (use 'cubic' or 'linear')")
    return grid, y


def psd_welch(x: ArrayLike, fs_hz: float = 4.0, window_s: float = 256.0, overlap: float = 0.5,
              nfft_min: int = 2048, window: str = "hann") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Welch PSD of an evenly sampled series, density scaling (units of x squared per Hz).

    Segments of ``window_s`` seconds (the whole series if shorter), ``overlap`` fraction, each
    mean-removed, zero-padded to at least ``nfft_min`` points. Returns ``(f_hz, psd)``.
    """
    z = np.asarray(x, dtype=float)
    n = z.size
    if n < 4:
        return np.zeros(0), np.zeros(0)
    nperseg = int(min(n, max(4, round(window_s * fs_hz))))
    nfft = max(nperseg, int(nfft_min))
    f, p = signal.welch(z, fs=fs_hz, window=window, nperseg=nperseg, noverlap=int(nperseg * overlap),
                        nfft=nfft, detrend="constant", scaling="density")
    return f, p


def psd_lomb(t_s: ArrayLike, rr_ms: ArrayLike, f_hz: ArrayLike | None = None
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lomb-Scargle PSD of an unevenly sampled R-R series, rescaled to ms^2/Hz.

    ``scipy.signal.lombscargle`` takes angular frequencies and is unnormalised; its integral over
    frequency is variance * fs / 2, so it is multiplied by ``2 / fs_eff`` with ``fs_eff = n / T``
    to integrate to the variance. Default grid: 0.001-0.5 Hz in 1/(4 T) steps (at most 4096 points).
    """
    t, rr = _sanitize(t_s, rr_ms)
    if t.size < 4:
        return np.zeros(0), np.zeros(0)
    span_s = float(t[-1] - t[0])
    if f_hz is None:
        n_f = int(min(4096, max(64, 0.5 * 4 * span_s)))
        f = np.linspace(0.001, 0.5, n_f)
    else:
        f = np.asarray(f_hz, dtype=float)
    y = rr - rr.mean()
    p = signal.lombscargle(t, y, 2 * np.pi * f)
    fs_eff = t.size / span_s
    return f, p * 2.0 / fs_eff


def band_power(f_hz: ArrayLike, psd: ArrayLike, lo_hz: float, hi_hz: float) -> float:
    """Integral of the PSD over [lo_hz, hi_hz] (trapezoid rule, linear interpolation at the edges)."""
    f = np.asarray(f_hz, dtype=float)
    p = np.asarray(psd, dtype=float)
    if f.size < 2 or hi_hz <= lo_hz or hi_hz <= f[0] or lo_hz >= f[-1]:
        return float("nan")
    lo = max(lo_hz, f[0])
    hi = min(hi_hz, f[-1])
    i0 = np.searchsorted(f, lo, side="right")
    i1 = np.searchsorted(f, hi, side="left")
    ff = np.concatenate(([lo], f[i0:i1], [hi]))
    pp = np.concatenate(([np.interp(lo, f, p)], p[i0:i1], [np.interp(hi, f, p)]))
    return float(np.sum(0.5 * (pp[1:] + pp[:-1]) * np.diff(ff)))


def power_at(f_hz: ArrayLike, psd: ArrayLike, freq_hz: float,
             half_width_hz: float = RESONANCE_HALF_WIDTH_HZ) -> float:
    """Power (ms^2) within ``freq_hz +/- half_width_hz``: the resonance power at the pacer's frequency."""
    return band_power(f_hz, psd, freq_hz - half_width_hz, freq_hz + half_width_hz)


def peak_frequency(f_hz: ArrayLike, psd: ArrayLike, lo_hz: float, hi_hz: float) -> float:
    """Frequency of the largest PSD value within [lo_hz, hi_hz) (NaN if the band holds no bin)."""
    f = np.asarray(f_hz, dtype=float)
    p = np.asarray(psd, dtype=float)
    m = (f >= lo_hz) & (f < hi_hz)
    if not np.any(m):
        return float("nan")
    return float(f[m][np.argmax(p[m])])


def coherence_ratio(f_hz: ArrayLike, psd: ArrayLike, search_hz: tuple[float, float] = COHERENCE_SEARCH_HZ,
                    half_width_hz: float = RESONANCE_HALF_WIDTH_HZ,
                    total_hz: tuple[float, float] = COHERENCE_TOTAL_HZ) -> tuple[float, float]:
    """HeartMath-style coherence ratio: peak power / (total power - peak power).

    The peak is the highest PSD value within ``search_hz``; its power is the integral within
    ``+/- half_width_hz``; total power is the integral over ``total_hz``. Returns
    ``(ratio, peak_hz)``. (HeartMath's own score is proprietary; this is the published ratio.)
    """
    peak_hz = peak_frequency(f_hz, psd, *search_hz)
    if not np.isfinite(peak_hz):
        return float("nan"), float("nan")
    peak = power_at(f_hz, psd, peak_hz, half_width_hz)
    total = band_power(f_hz, psd, *total_hz)
    rest = total - peak
    if not np.isfinite(rest) or rest <= 0:
        return float("nan"), peak_hz
    return float(peak / rest), peak_hz


@dataclass(frozen=True)
class SpectralResult:
    """Frequency-domain results; powers in ms^2, frequencies in Hz."""

    f_hz: NDArray[np.float64]
    psd_ms2_hz: NDArray[np.float64]
    vlf_ms2: float
    lf_ms2: float
    hf_ms2: float
    total_ms2: float
    lf_hf: float
    lf_nu: float
    hf_nu: float
    vlf_peak_hz: float
    lf_peak_hz: float
    hf_peak_hz: float
    settings: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2", "lf_hf", "lf_nu",
                                              "hf_nu", "vlf_peak_hz", "lf_peak_hz", "hf_peak_hz")}


def spectrum(t_s: ArrayLike, rr_ms: ArrayLike, *, fs_hz: float = 4.0, detrend: str = "smoothness_priors",
             lambda_: float = 500.0, method: str = "welch", window_s: float = 256.0, overlap: float = 0.5,
             nfft_min: int = 2048, interpolation: str = "cubic"
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """PSD (ms^2/Hz) of an R-R series with the module defaults. ``detrend``: smoothness_priors,
    linear or none (the mean is always removed). ``method``: welch or lomb."""
    t, rr = _sanitize(t_s, rr_ms)
    if t.size < 4:
        return np.zeros(0), np.zeros(0)
    if detrend == "smoothness_priors":
        rr = smoothness_priors_detrend(rr, lambda_)
    elif detrend == "linear":
        rr = signal.detrend(rr, type="linear")
    elif detrend != "none":
        raise ValueError(f"unknown detrend {detrend!r} (use smoothness_priors, linear or none)")
    if method == "welch":
        _, y = resample_rr(t, rr, fs_hz, interpolation)
        return psd_welch(y, fs_hz, window_s, overlap, nfft_min)
    if method == "lomb":
        return psd_lomb(t, rr)
    raise ValueError(f"unknown PSD method {method!r} (use welch or lomb)")


def frequency_domain(t_s: ArrayLike, rr_ms: ArrayLike, *, fs_hz: float = 4.0,
                     detrend: str = "smoothness_priors", lambda_: float = 500.0, method: str = "welch",
                     window_s: float = 256.0, overlap: float = 0.5, nfft_min: int = 2048,
                     interpolation: str = "cubic",
                     bands: dict[str, tuple[float, float]] | None = None) -> SpectralResult:
    """Band powers (ms^2), LF/HF, normalised units and band peak frequencies of an R-R series.

    ``t_s`` are beat times (s) and ``rr_ms`` the interval ending at each beat. See the module doc for
    the defaults. Normalised units: LF / (LF + HF) * 100 (VLF excluded).
    """
    b = dict(BANDS_HZ if bands is None else bands)
    f, p = spectrum(t_s, rr_ms, fs_hz=fs_hz, detrend=detrend, lambda_=lambda_, method=method,
                    window_s=window_s, overlap=overlap, nfft_min=nfft_min, interpolation=interpolation)
    settings = {"psd_method": method, "resample_hz": fs_hz, "interpolation": interpolation,
                "detrend": detrend, "detrend_lambda": lambda_ if detrend == "smoothness_priors" else None,
                "welch_window_s": window_s, "welch_overlap": overlap, "welch_window": "hann",
                "nfft_min": nfft_min, "bands_hz": {k: list(v) for k, v in b.items()}}
    vlf = band_power(f, p, *b["vlf"])
    lf = band_power(f, p, *b["lf"])
    hf = band_power(f, p, *b["hf"])
    total = np.nansum([vlf, lf, hf]) if f.size else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        lf_hf = lf / hf if hf > 0 else float("nan")
        lfhf_sum = lf + hf
        lf_nu = 100.0 * lf / lfhf_sum if lfhf_sum > 0 else float("nan")
        hf_nu = 100.0 * hf / lfhf_sum if lfhf_sum > 0 else float("nan")
    return SpectralResult(
        f_hz=f, psd_ms2_hz=p, vlf_ms2=vlf, lf_ms2=lf, hf_ms2=hf, total_ms2=float(total),
        lf_hf=float(lf_hf), lf_nu=float(lf_nu), hf_nu=float(hf_nu),
        vlf_peak_hz=peak_frequency(f, p, *b["vlf"]), lf_peak_hz=peak_frequency(f, p, *b["lf"]),
        hf_peak_hz=peak_frequency(f, p, *b["hf"]), settings=settings,
    )
