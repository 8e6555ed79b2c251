"""Resonance-frequency evidence per breathing rate, and the Shaffer & Meehan (2020) scoring.

For each rate (a stretch of the recording paced at it): mean peak-to-trough HR per breath, LF power,
LF peak amplitude, power at the pacer frequency (+/-0.015 Hz), the phase between HR and the breathing
(lung-volume) curve at the pacer frequency, the smoothness of the HR curve, the number of LF peaks,
and the artifact share. Pure functions: arrays in, a table out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

from vagal_coach.hrv.breath import peak_to_trough, phase_at
from vagal_coach.hrv.spectral import (
    BANDS_HZ,
    band_power,
    cumulative_power,
    natural_cubic_spline,
    power_at,
    psd_welch,
    smoothness_priors_detrend,
)

CRITERIA = ("phase", "peak_to_trough", "lf_power", "lf_peak", "smoothness", "lf_peaks")
MAX_ARTIFACT_PCT = 10.0
MIN_BREATHS = 4


@dataclass
class RateEvidence:
    rate_bpm: float
    start_s: float
    end_s: float
    n_breaths: int
    peak_to_trough_bpm: float
    lf_ms2: float
    lf_peak_ms2_hz: float
    resonance_power_ms2: float
    phase_deg: float
    smoothness: float  # share of the HR curve's LF-band power at the pacer frequency (1 = a pure sine)
    n_lf_peaks: int
    artifacts_pct: float
    wins: int = 0

    def as_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in asdict(self).items()}


def evidence(t_s: NDArray[np.float64], rr_ms: NDArray[np.float64], accepted: NDArray[np.bool_],
             start_s: float, end_s: float, rate_bpm: float, cycles_fn, volume_fn, fs_hz: float = 4.0
             ) -> RateEvidence:
    """The evidence for one stretch [start_s, end_s) paced at ``rate_bpm``."""
    nan = float("nan")
    sel = (t_s >= start_s) & (t_s < end_s)
    tt, rr, ok = t_s[sel], rr_ms[sel], accepted[sel]
    art = 100.0 * float(np.count_nonzero(~ok)) / max(1, tt.size)
    tt, rr = tt[ok], rr[ok]
    if tt.size < 8:
        return RateEvidence(rate_bpm, start_s, end_s, 0, nan, nan, nan, nan, nan, nan, 0, art)
    hr = 60000.0 / rr
    b = np.floor(cycles_fn(tt)).astype(np.int64)
    c0, c1 = np.floor(cycles_fn(np.array([start_s, end_s - 1e-6])))
    inside = (b > c0 - 1) & (b < c1)  # complete breaths only
    breaths, p2t = peak_to_trough(tt[inside], hr[inside], b[inside])
    x = smoothness_priors_detrend(rr, 500.0)
    grid = np.arange(tt[0], tt[-1] + 1e-9, 1.0 / fs_hz)
    y = natural_cubic_spline(tt, x, grid)
    f, p = psd_welch(y, fs_hz, window_s=grid.size / fs_hz, nfft_min=4096)
    c = cumulative_power(f, p)
    lo, hi = BANDS_HZ["lf"]
    lf = band_power(f, p, lo, hi, c)
    f_pacer = rate_bpm / 60.0
    res = power_at(f, p, f_pacer, cum=c)
    in_lf = (f >= lo) & (f < hi)
    lf_p = p[in_lf]
    peak_amp = float(lf_p.max()) if lf_p.size else nan
    # LF peaks: local maxima above 10 % of the largest
    if lf_p.size >= 3:
        is_pk = (lf_p[1:-1] > lf_p[:-2]) & (lf_p[1:-1] >= lf_p[2:]) & (lf_p[1:-1] > 0.1 * lf_p.max())
        n_peaks = int(np.count_nonzero(is_pk))
    else:
        n_peaks = 0
    # 60000 / RR is the mean HR over the interval: place it at the interval's middle, not at its end,
    # or the phase carries a delay of half a beat (about 17 deg at 6 breaths/min)
    t_mid = tt - rr / 2000.0
    g2 = grid[(grid >= t_mid[0]) & (grid <= t_mid[-1])]
    hr_grid = natural_cubic_spline(t_mid, hr, g2)
    vol = volume_fn(g2)
    grid = g2
    ph = phase_at(grid, hr_grid, vol, f_pacer)
    return RateEvidence(rate_bpm, start_s, end_s, int(breaths.size),
                        float(np.mean(p2t)) if p2t.size else nan, lf, peak_amp, res, ph,
                        res / lf if lf > 0 else nan, n_peaks, art)


@dataclass
class Recommendation:
    recommended_bpm: float | None
    confidence: float  # 0..1
    protocol: str
    reason: str
    rates: list[RateEvidence]

    def as_dict(self) -> dict:
        return {"recommended_bpm": self.recommended_bpm, "confidence": round(self.confidence, 3),
                "protocol": self.protocol, "reason": self.reason, "rates": [r.as_dict() for r in self.rates]}


def score(rates: list[RateEvidence], protocol: str) -> Recommendation:
    """Shaffer & Meehan (2020): each rate scores a win per criterion it is best on (phase nearest 0 deg,
    largest peak-to-trough, LF power and LF peak, smoothest curve, fewest LF peaks); the rate with most
    wins is recommended (ties go to peak-to-trough). Confidence: the winner's share of criteria, reduced
    when the runner-up is close. No choice when the data cannot support one."""
    usable = [r for r in rates if r.n_breaths >= MIN_BREATHS and r.artifacts_pct <= MAX_ARTIFACT_PCT
              and np.isfinite(r.peak_to_trough_bpm)]
    if len(usable) < 2:
        why = ("too few usable rates: each needs at least "
               f"{MIN_BREATHS} clean breaths and at most {MAX_ARTIFACT_PCT:g} % artifacts")
        return Recommendation(None, 0.0, protocol, why, rates)
    for r in rates:
        r.wins = 0
    keys = {"phase": lambda r: -abs(r.phase_deg), "peak_to_trough": lambda r: r.peak_to_trough_bpm,
            "lf_power": lambda r: r.lf_ms2, "lf_peak": lambda r: r.lf_peak_ms2_hz,
            "smoothness": lambda r: r.smoothness, "lf_peaks": lambda r: -r.n_lf_peaks}
    for k in CRITERIA:
        vals = [keys[k](r) for r in usable]
        best = max(v for v in vals if np.isfinite(v))
        for r, v in zip(usable, vals):
            if np.isfinite(v) and v == best:
                r.wins += 1
    ranked = sorted(usable, key=lambda r: (r.wins, r.peak_to_trough_bpm), reverse=True)
    top, second = ranked[0], ranked[1]
    conf = top.wins / len(CRITERIA)
    if second.wins == top.wins:
        conf *= 0.5
    margin = (top.peak_to_trough_bpm - second.peak_to_trough_bpm) / max(top.peak_to_trough_bpm, 1e-9)
    conf = float(np.clip(conf * (0.6 + 2.0 * max(margin, 0.0)), 0.0, 1.0))
    if top.wins <= 1 and second.wins == top.wins:
        return Recommendation(None, conf, protocol, "no clear winner: the rates score alike", rates)
    reason = f"{top.rate_bpm:g} breaths/min wins {top.wins} of {len(CRITERIA)} criteria"
    return Recommendation(float(top.rate_bpm), conf, protocol, reason, rates)


def sliding_recommendation(rates: list[RateEvidence]) -> Recommendation:
    """Sliding protocol (Fisher & Lehrer 2022): peak-to-trough HR per stretch of the sweep, with the power at
    the pacer's frequency as support (each scaled to its maximum and averaged: the beat-sampled
    peak-to-trough is flattened at the slow end of the sweep, where breaths hold more beats), smoothed
    over neighbouring stretches; the rate of the largest is recommended."""
    usable = [r for r in rates if r.artifacts_pct <= MAX_ARTIFACT_PCT and np.isfinite(r.peak_to_trough_bpm)]
    if len(usable) < 5:
        return Recommendation(None, 0.0, "sliding", "too few clean stretches of the sweep", rates)
    rate = np.array([r.rate_bpm for r in usable])
    p2t = np.array([r.peak_to_trough_bpm for r in usable])
    resp = np.array([r.resonance_power_ms2 for r in usable])
    p2t = 0.5 * (p2t / np.nanmax(p2t) + np.nan_to_num(resp / np.nanmax(resp)))
    kernel = np.array([1.0, 2.0, 1.0])
    # normalised convolution: the ends are averaged over the neighbours they have, not padded copies
    sm = np.convolve(p2t, kernel, mode="same") / np.convolve(np.ones_like(p2t), kernel, mode="same")
    i = int(np.argmax(sm))
    # refine with a parabola through the smoothed maximum and its neighbours
    best = float(rate[i])
    if 0 < i < sm.size - 1:
        y0, y1, y2 = sm[i - 1], sm[i], sm[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            off = 0.5 * (y0 - y2) / den
            step = 0.5 * (rate[i + 1] - rate[i - 1])
            best = float(rate[i] + off * step)
    for r in rates:
        r.wins = 0
    usable[i].wins = 1
    spread = float((sm.max() - np.median(sm)) / max(sm.max(), 1e-9))
    conf = float(np.clip(2.0 * spread, 0.0, 1.0))
    reason = f"largest peak-to-trough HR and resonance power around {best:.2f} breaths/min"
    if spread < 0.05:
        return Recommendation(None, conf, "sliding", "no clear peak in peak-to-trough HR along the sweep", rates)
    return Recommendation(round(best, 2), conf, "sliding", reason, rates)
