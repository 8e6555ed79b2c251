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
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg
from scipy.linalg import lapack

# scipy.signal takes about a second to import (it pulls scipy.stats): imported only where needed

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
#: Band powers below this (ms^2; an R-R SD of 0.001 ms) are the rounding noise of a flat series: they count
#: as 0, and a ratio, normalised unit or coherence over them is NaN (null), never a number made of noise
MIN_POWER_MS2 = 1e-6


def _sanitize(t_s: ArrayLike, rr_ms: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    if t.shape != rr.shape:
        raise ValueError(f"t_s and rr_ms differ in shape: {t.shape} vs {rr.shape}")
    ok = np.isfinite(t) & np.isfinite(rr)
    if not ok.all():
        t, rr = t[ok], rr[ok]
    if t.size > 1 and not (t[1:] > t[:-1]).all():
        mono = np.maximum.accumulate(t)
        keep = np.concatenate(([True], mono[1:] > mono[:-1]))
        t, rr = t[keep], rr[keep]
    return t, rr


@lru_cache(maxsize=256)
def _sp_factor(n: int, lambda_: float) -> NDArray[np.float64]:
    """Banded Cholesky factor of I + lambda^2 D2'D2 (pentadiagonal), cached for live window sizes."""
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
    c = linalg.cholesky_banded(ab, check_finite=False)
    c.setflags(write=False)
    return c


def smoothness_priors_detrend(x: ArrayLike, lambda_: float = 500.0) -> NDArray[np.float64]:
    """Remove the slow trend of ``x`` by the smoothness-priors method (Tarvainen et al. 2002).

    The trend is ``(I + lambda_^2 D2' D2)^-1 x`` with D2 the second-difference matrix; the system is
    pentadiagonal and solved by a banded Cholesky factorisation in O(n) (no dense matrix). Factors
    for series up to 4096 samples are cached, so the live engine pays only the solve.
    Returns ``x - trend``.
    """
    z = np.asarray(x, dtype=float)
    n = z.size
    if n < 3:
        return z - z.mean() if n else z.copy()
    c = _sp_factor(n, float(lambda_)) if n <= 4096 else _sp_factor.__wrapped__(n, float(lambda_))
    trend, info = lapack.dpbtrs(c, z)  # LAPACK directly: the wrapper's overhead dominates live sizes
    if info != 0:
        raise linalg.LinAlgError(f"smoothness priors solve failed (info {info})")
    return z - trend


def natural_cubic_spline(x: NDArray[np.float64], y: NDArray[np.float64], xi: NDArray[np.float64]
                         ) -> NDArray[np.float64]:
    """Evaluate the natural cubic spline through (x, y) at ``xi`` (x strictly increasing).

    The second derivatives come from one symmetric tridiagonal solve (O(n)); evaluation is
    vectorised. Values outside [x0, xn] are extrapolated linearly from the end segments.
    """
    n = x.size
    if n < 3:
        return np.interp(xi, x, y)
    h = x[1:] - x[:-1]
    slope = (y[1:] - y[:-1]) / h
    rhs = 6.0 * (slope[1:] - slope[:-1])
    m = np.zeros(n)
    # symmetric positive-definite tridiagonal system (LAPACK ?ptsv, O(n))
    _, _, m[1:-1], info = lapack.dptsv(2.0 * (h[:-1] + h[1:]), h[1:-1], rhs)
    if info != 0:
        raise linalg.LinAlgError(f"spline solve failed (info {info})")
    # per-interval polynomial y_i + b dx + c dx^2 + d dx^3, evaluated by Horner on gathered coefficients
    c2 = 0.5 * m
    bcoef = slope - h * (2.0 * m[:-1] + m[1:]) / 6.0
    dcoef = (m[1:] - m[:-1]) / (6.0 * h)
    i = x.searchsorted(xi, side="right") - 1  # >= 0 for xi >= x[0]; the last point uses the last piece
    np.minimum(i, n - 2, out=i)
    np.maximum(i, 0, out=i)
    dx = xi - x[i]
    return y[i] + dx * (bcoef[i] + dx * (c2[i] + dx * dcoef[i]))


def resample_rr(t_s: ArrayLike, rr_ms: ArrayLike, fs_hz: float = 4.0, method: str = "cubic"
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Resample the R-R series (values at beat times) onto an even grid at ``fs_hz``.

    ``method`` is ``"cubic"`` (natural cubic spline) or ``"linear"``. The grid runs from the first
    to the last beat time. Returns ``(grid_t_s, rr_ms_even)``.
    """
    t, rr = _sanitize(t_s, rr_ms)
    if t.size < 2:
        return t.copy(), rr.copy()
    grid = np.arange(t[0], t[-1] + 1e-9, 1.0 / fs_hz)
    if method == "cubic" and t.size >= 4:
        y = natural_cubic_spline(t, rr, grid)
    elif method in ("cubic", "linear"):
        y = np.interp(grid, t, rr)
    else:
        raise ValueError(f"unknown resampling method {method!r} (use 'cubic' or 'linear')")
    return grid, y


@lru_cache(maxsize=64)
def _hann(n: int) -> tuple[NDArray[np.float64], float]:
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)  # periodic Hann, as scipy.signal.welch uses
    w.setflags(write=False)
    return w, float(np.dot(w, w))


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
    if window != "hann":
        from scipy import signal

        f, p = signal.welch(z, fs=fs_hz, window=window, nperseg=nperseg, noverlap=int(nperseg * overlap),
                            nfft=nfft, detrend="constant", scaling="density")
        return f, p
    # Welch as scipy.signal.welch computes it (constant detrend per segment, periodic Hann, density
    # scaling, mean of the periodograms), but batched: all segments in one rfft call.
    w, wss = _hann(nperseg)
    if nperseg == n:  # one segment (the live window): skip the segment bookkeeping
        spec = np.fft.rfft((z - z.mean()) * w, nfft)
        p = spec.real * spec.real + spec.imag * spec.imag
    else:
        step = nperseg - int(nperseg * overlap)
        segs = np.lib.stride_tricks.sliding_window_view(z, nperseg)[::step]
        segs = (segs - segs.mean(axis=1, keepdims=True)) * w
        spec = np.fft.rfft(segs, nfft, axis=1)
        p = np.mean(spec.real ** 2 + spec.imag ** 2, axis=0)
    p *= 2.0 / (fs_hz * wss)
    p[0] *= 0.5
    if nfft % 2 == 0:
        p[-1] *= 0.5
    freqs = np.fft.rfftfreq(nfft, 1.0 / fs_hz).astype(np.float64, copy=False)
    return freqs, p


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
    from scipy import signal

    y = rr - rr.mean()
    p = signal.lombscargle(t, y, 2 * np.pi * f)
    fs_eff = t.size / span_s
    return f, p * 2.0 / fs_eff


def ar_burg(x: ArrayLike, order: int = 16) -> tuple[NDArray[np.float64], float]:
    """Autoregressive model of ``x`` (mean removed) by Burg's method: ``(a, e)`` with ``a[0] = 1`` and
    ``x[n] + a[1] x[n-1] + ... + a[p] x[n-p]`` white noise of variance ``e``.

    Each order is one vectorised step: the reflection coefficient minimises the summed forward and
    backward prediction error power (Burg 1967; Kay 1988); ``e`` starts at the mean square and shrinks by
    ``1 - k^2`` per order, so the model's spectrum integrates to the series' variance."""
    z = np.asarray(x, dtype=float)
    z = z - z.mean()
    p = int(min(order, max(z.size - 1, 0)))
    a = np.ones(1)
    # sums of products, not np.dot: BLAS threads spin on a busy machine (0.4 s for 16 dots of 345k values)
    e = float(np.sum(z * z) / z.size) if z.size else float("nan")
    f, b = z[1:], z[:-1]
    for _ in range(p):
        den = float(np.sum(f * f) + np.sum(b * b))
        if den <= 0:
            break
        k = -2.0 * float(np.sum(f * b)) / den
        a = np.concatenate((a, [0.0]))
        a = a + k * a[::-1]
        e *= 1.0 - k * k
        f, b = (f + k * b)[1:], (b + k * f)[:-1]
    return a, e


def psd_ar(x: ArrayLike, fs_hz: float = 4.0, order: int = 16, nfft: int = 2048
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-sided AR spectrum (Burg, ``order`` 16 as Kubios) of an evenly sampled series, density scaling:
    ``P(f) = 2 e / (fs |A(exp(-j 2 pi f / fs))|^2)`` (not doubled at 0 and Nyquist), in units of x^2/Hz,
    on the grid of an ``nfft``-point FFT. Returns ``(f_hz, psd)``."""
    z = np.asarray(x, dtype=float)
    if z.size < max(4, 2 * order):
        return np.zeros(0), np.zeros(0)
    a, e = ar_burg(z, order)
    n = max(int(nfft), 2 * a.size)
    spec = np.fft.rfft(a, n)
    p = 2.0 * e / (fs_hz * (spec.real ** 2 + spec.imag ** 2))
    p[0] *= 0.5
    if n % 2 == 0:
        p[-1] *= 0.5
    return np.fft.rfftfreq(n, 1.0 / fs_hz).astype(np.float64, copy=False), p


def cumulative_power(f_hz: ArrayLike, psd: ArrayLike) -> NDArray[np.float64]:
    """Running trapezoid integral of the PSD from f[0]: band powers are differences of it."""
    f = np.asarray(f_hz, dtype=float)
    p = np.asarray(psd, dtype=float)
    c = np.empty(f.size)
    if f.size:
        c[0] = 0.0
        np.cumsum(0.5 * (p[1:] + p[:-1]) * (f[1:] - f[:-1]), out=c[1:])
    return c


def band_power(f_hz: ArrayLike, psd: ArrayLike, lo_hz: float, hi_hz: float,
               cum: NDArray[np.float64] | None = None) -> float:
    """Integral of the PSD over [lo_hz, hi_hz] (trapezoid rule; a fractional bin at each edge is
    counted in proportion to its width). ``cum`` may pass :func:`cumulative_power` to reuse it."""
    f = np.asarray(f_hz, dtype=float)
    if f.size < 2 or hi_hz <= lo_hz or hi_hz <= f[0] or lo_hz >= f[-1]:
        return float("nan")
    c = cumulative_power(f, psd) if cum is None else cum
    lo_v, hi_v = np.interp((lo_hz, hi_hz), f, c)
    return float(hi_v - lo_v)


def power_at(f_hz: ArrayLike, psd: ArrayLike, freq_hz: float,
             half_width_hz: float = RESONANCE_HALF_WIDTH_HZ, cum: NDArray[np.float64] | None = None) -> float:
    """Power (ms^2) within ``freq_hz +/- half_width_hz``: the resonance power at the pacer's frequency."""
    return band_power(f_hz, psd, freq_hz - half_width_hz, freq_hz + half_width_hz, cum)


def peak_frequency(f_hz: ArrayLike, psd: ArrayLike, lo_hz: float, hi_hz: float) -> float:
    """Frequency of the largest PSD value within [lo_hz, hi_hz) (NaN if the band holds no bin)."""
    f = np.asarray(f_hz, dtype=float)
    i0, i1 = np.searchsorted(f, (lo_hz, hi_hz), side="left")
    if i1 <= i0:
        return float("nan")
    return float(f[i0 + int(np.argmax(np.asarray(psd)[i0:i1]))])


def coherence_ratio(f_hz: ArrayLike, psd: ArrayLike, search_hz: tuple[float, float] = COHERENCE_SEARCH_HZ,
                    half_width_hz: float = RESONANCE_HALF_WIDTH_HZ,
                    total_hz: tuple[float, float] = COHERENCE_TOTAL_HZ,
                    cum: NDArray[np.float64] | None = None) -> tuple[float, float]:
    """HeartMath-style coherence ratio: peak power / (total power - peak power).

    The peak is the highest PSD value within ``search_hz``; its power is the integral within
    ``+/- half_width_hz``; total power is the integral over ``total_hz``. Returns
    ``(ratio, peak_hz)``. (HeartMath's own score is proprietary; this is the published ratio.)
    """
    peak_hz = peak_frequency(f_hz, psd, *search_hz)
    if not np.isfinite(peak_hz):
        return float("nan"), float("nan")
    c = cumulative_power(f_hz, psd) if cum is None else cum
    peak = power_at(f_hz, psd, peak_hz, half_width_hz, c)
    total = band_power(f_hz, psd, *total_hz, cum=c)
    if not total >= MIN_POWER_MS2:  # a flat series: no peak to speak of
        return float("nan"), float("nan")
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
    #: relative powers (% of VLF + LF + HF) and natural logs of the absolute powers (ln ms^2), as Kubios
    vlf_pct: float = float("nan")
    lf_pct: float = float("nan")
    hf_pct: float = float("nan")
    vlf_log: float = float("nan")
    lf_log: float = float("nan")
    hf_log: float = float("nan")

    KEYS = ("vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2", "lf_hf", "lf_nu", "hf_nu", "vlf_peak_hz", "lf_peak_hz",
            "hf_peak_hz", "vlf_pct", "lf_pct", "hf_pct", "vlf_log", "lf_log", "hf_log")

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.KEYS}


def _detrended(t_s: ArrayLike, rr_ms: ArrayLike, detrend: str, lambda_: float
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t, rr = _sanitize(t_s, rr_ms)
    if t.size < 4:
        return t, rr
    if detrend == "smoothness_priors":
        rr = smoothness_priors_detrend(rr, lambda_)
    elif detrend == "linear":
        from scipy import signal

        rr = signal.detrend(rr, type="linear")
    elif detrend != "none":
        raise ValueError(f"unknown detrend {detrend!r} (use smoothness_priors, linear or none)")
    return t, rr


def _psds(t_s: ArrayLike, rr_ms: ArrayLike, methods: tuple[str, ...], *, fs_hz: float, detrend: str,
          lambda_: float, window_s: float, overlap: float, nfft_min: int, interpolation: str, ar_order: int
          ) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """PSDs by several methods from one detrending and one resampling."""
    for m in methods:
        if m not in ("welch", "ar", "lomb"):
            raise ValueError(f"unknown PSD method {m!r} (use welch, ar or lomb)")
    t, rr = _detrended(t_s, rr_ms, detrend, lambda_)
    empty = (np.zeros(0), np.zeros(0))
    if t.size < 4:
        return dict.fromkeys(methods, empty)
    y = resample_rr(t, rr, fs_hz, interpolation)[1] if {"welch", "ar"} & set(methods) else np.zeros(0)
    out = {}
    for m in methods:
        if m == "welch":
            out[m] = psd_welch(y, fs_hz, window_s, overlap, nfft_min)
        elif m == "ar":
            out[m] = psd_ar(y, fs_hz, ar_order, nfft_min)
        else:
            out[m] = psd_lomb(t, rr)
    return out


def spectrum(t_s: ArrayLike, rr_ms: ArrayLike, *, fs_hz: float = 4.0, detrend: str = "smoothness_priors",
             lambda_: float = 500.0, method: str = "welch", window_s: float = 256.0, overlap: float = 0.5,
             nfft_min: int = 2048, interpolation: str = "cubic", ar_order: int = 16
             ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """PSD (ms^2/Hz) of an R-R series with the module defaults. ``detrend``: smoothness_priors,
    linear or none (the mean is always removed). ``method``: welch, ar (Burg, ``ar_order``, on the
    resampled series) or lomb."""
    return _psds(t_s, rr_ms, (method,), fs_hz=fs_hz, detrend=detrend, lambda_=lambda_, window_s=window_s,
                 overlap=overlap, nfft_min=nfft_min, interpolation=interpolation, ar_order=ar_order)[method]


def _bands(f: NDArray[np.float64], p: NDArray[np.float64], b: dict[str, tuple[float, float]], settings: dict
           ) -> SpectralResult:
    c = cumulative_power(f, p)
    # powers of rounding noise (a flat series) are 0
    vlf, lf, hf = (0.0 if v < MIN_POWER_MS2 else v
                   for v in (band_power(f, p, *b[k], cum=c) for k in ("vlf", "lf", "hf")))
    total = np.nansum([vlf, lf, hf]) if f.size else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        lf_hf = lf / hf if hf > 0 else float("nan")
        lfhf_sum = lf + hf
        lf_nu = 100.0 * lf / lfhf_sum if lfhf_sum > 0 else float("nan")
        hf_nu = 100.0 * hf / lfhf_sum if lfhf_sum > 0 else float("nan")
        rel = {k: 100.0 * v / total if total > 0 else float("nan") for k, v in (("vlf", vlf), ("lf", lf), ("hf", hf))}
        ln = {k: float(np.log(v)) if v > 0 else float("nan") for k, v in (("vlf", vlf), ("lf", lf), ("hf", hf))}
    return SpectralResult(
        f_hz=f, psd_ms2_hz=p, vlf_ms2=vlf, lf_ms2=lf, hf_ms2=hf, total_ms2=float(total),
        lf_hf=float(lf_hf), lf_nu=float(lf_nu), hf_nu=float(hf_nu),
        vlf_peak_hz=peak_frequency(f, p, *b["vlf"]), lf_peak_hz=peak_frequency(f, p, *b["lf"]),
        hf_peak_hz=peak_frequency(f, p, *b["hf"]), settings=settings,
        vlf_pct=rel["vlf"], lf_pct=rel["lf"], hf_pct=rel["hf"], vlf_log=ln["vlf"], lf_log=ln["lf"], hf_log=ln["hf"],
    )


def frequency_domains(t_s: ArrayLike, rr_ms: ArrayLike, methods: tuple[str, ...] = ("welch", "ar"), *,
                      fs_hz: float = 4.0, detrend: str = "smoothness_priors", lambda_: float = 500.0,
                      window_s: float = 256.0, overlap: float = 0.5, nfft_min: int = 2048,
                      interpolation: str = "cubic", bands: dict[str, tuple[float, float]] | None = None,
                      ar_order: int = 16) -> dict[str, SpectralResult]:
    """:func:`frequency_domain` by each of ``methods`` (welch, ar, lomb), detrending and resampling once."""
    b = dict(BANDS_HZ if bands is None else bands)
    psds = _psds(t_s, rr_ms, tuple(methods), fs_hz=fs_hz, detrend=detrend, lambda_=lambda_, window_s=window_s,
                 overlap=overlap, nfft_min=nfft_min, interpolation=interpolation, ar_order=ar_order)
    out = {}
    for m, (f, p) in psds.items():
        settings = {"psd_method": m, "resample_hz": fs_hz, "interpolation": interpolation,
                    "detrend": detrend, "detrend_lambda": lambda_ if detrend == "smoothness_priors" else None,
                    "welch_window_s": window_s, "welch_overlap": overlap, "welch_window": "hann",
                    "nfft_min": nfft_min, "bands_hz": {k: list(v) for k, v in b.items()}}
        if m == "ar":
            settings["ar_order"] = ar_order
        out[m] = _bands(f, p, b, settings)
    return out


def frequency_domain(t_s: ArrayLike, rr_ms: ArrayLike, *, fs_hz: float = 4.0,
                     detrend: str = "smoothness_priors", lambda_: float = 500.0, method: str = "welch",
                     window_s: float = 256.0, overlap: float = 0.5, nfft_min: int = 2048,
                     interpolation: str = "cubic",
                     bands: dict[str, tuple[float, float]] | None = None, ar_order: int = 16) -> SpectralResult:
    """Band powers (ms^2), LF/HF, normalised units, relative and log powers and band peak frequencies of an
    R-R series.

    ``t_s`` are beat times (s) and ``rr_ms`` the interval ending at each beat. See the module doc for
    the defaults. Normalised units: LF / (LF + HF) * 100 (VLF excluded).
    """
    return frequency_domains(t_s, rr_ms, (method,), fs_hz=fs_hz, detrend=detrend, lambda_=lambda_,
                             window_s=window_s, overlap=overlap, nfft_min=nfft_min, interpolation=interpolation,
                             bands=bands, ar_order=ar_order)[method]
