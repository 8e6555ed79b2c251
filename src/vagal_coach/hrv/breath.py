"""Breath-cycle metrics: peak-to-trough HR per breath, and the phase between HR and breathing."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def peak_to_trough(t_s: ArrayLike, hr_bpm: ArrayLike, breath_index: ArrayLike, min_beats: int = 3
                   ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Max HR minus min HR within each breath cycle (Lehrer), in one vectorised pass.

    ``breath_index`` is the integer cycle each beat falls in (the pacer's ``floor(cycles_at(t))``).
    Returns ``(breaths, p2t_bpm)`` for each breath with at least ``min_beats`` beats; the first and
    last breath are dropped when incomplete is not known, so pass only completed breaths.
    """
    hr = np.asarray(hr_bpm, dtype=float)
    b = np.asarray(breath_index, dtype=np.int64)
    if hr.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    order = np.argsort(b, kind="stable")
    b, hr = b[order], hr[order]
    starts = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
    counts = np.diff(np.concatenate((starts, [b.size])))
    mx = np.maximum.reduceat(hr, starts)
    mn = np.minimum.reduceat(hr, starts)
    ok = counts >= min_beats
    return b[starts][ok], (mx - mn)[ok]


def phase_at(t_s: ArrayLike, x: ArrayLike, ref: ArrayLike, freq_hz: float) -> float:
    """Phase (degrees) of ``x`` relative to ``ref`` at ``freq_hz``, both sampled at times ``t_s``.

    Least-squares projection of both onto cos/sin at the frequency; positive = ``x`` leads ``ref``.
    Wrapped to (-180, 180].
    """
    t = np.asarray(t_s, dtype=float)
    w = 2 * np.pi * freq_hz * t
    basis = np.column_stack((np.cos(w), np.sin(w), np.ones_like(w)))

    def angle(y: ArrayLike) -> float:
        coef, *_ = np.linalg.lstsq(basis, np.asarray(y, dtype=float), rcond=None)
        # y ~ a cos + b sin = A cos(w - phi): phi = atan2(b, a); a signal that leads has smaller phi
        return float(np.arctan2(coef[1], coef[0]))

    d = np.degrees(angle(ref) - angle(x))
    return float((d + 180.0) % 360.0 - 180.0)


def breathing_rate_bpm(f_hz: ArrayLike, psd: ArrayLike, band_hz: tuple[float, float] = (0.12, 0.45),
                       min_prominence: float = 2.0) -> float:
    """One's own breathing rate (breaths/min) from the HR spectrum: the respiratory sinus arrhythmia peak.

    The largest PSD peak within ``band_hz`` (7-27 breaths/min by default), when it stands at least
    ``min_prominence`` times above the band's median power; NaN otherwise (no clear rhythm, or no
    spectrum yet). Without a respiration sensor this is the usual estimate (RSA follows breathing).
    """
    f = np.asarray(f_hz, dtype=float)
    p = np.asarray(psd, dtype=float)
    sel = (f >= band_hz[0]) & (f <= band_hz[1])
    if sel.sum() < 3 or not np.all(np.isfinite(p[sel])):
        return float("nan")
    fb, pb = f[sel], p[sel]
    k = int(np.argmax(pb))
    med = float(np.median(pb))
    if med <= 0 or pb[k] < min_prominence * med:
        return float("nan")
    return float(fb[k] * 60.0)
