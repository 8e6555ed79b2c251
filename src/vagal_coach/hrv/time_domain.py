"""Time-domain HRV metrics, whole-series and rolling (one vectorised pass)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

NAN = float("nan")


def time_domain(rr_ms: ArrayLike, *, ddof: int = 1) -> dict[str, float]:
    """Time-domain metrics of an R-R series.

    Parameters
    ----------
    rr_ms : R-R (NN) intervals in ms.
    ddof : delta degrees of freedom for SDNN, SDSD and CVNN (1 = sample SD, as Kubios and pyHRV).

    Returns a dict with ``mean_rr_ms, mean_hr_bpm, sdnn_ms, rmssd_ms, ln_rmssd, sdsd_ms, pnn50_pct,
    pnn20_pct, cvnn_pct, n_beats``. pNNx is the share of successive differences over x ms, of all
    successive differences. Values that need more beats than given are NaN.
    """
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    out = dict.fromkeys(
        ("mean_rr_ms", "mean_hr_bpm", "sdnn_ms", "rmssd_ms", "ln_rmssd", "sdsd_ms", "pnn50_pct",
         "pnn20_pct", "cvnn_pct"),
        NAN,
    )
    out["n_beats"] = float(n)
    if n == 0:
        return out
    mean_rr = float(rr.mean())
    out["mean_rr_ms"] = mean_rr
    out["mean_hr_bpm"] = float(np.mean(60000.0 / rr))
    if n > ddof:
        sdnn = float(rr.std(ddof=ddof))
        out["sdnn_ms"] = sdnn
        out["cvnn_pct"] = 100.0 * sdnn / mean_rr
    if n >= 2:
        d = np.diff(rr)
        rmssd = float(np.sqrt(np.mean(d * d)))
        out["rmssd_ms"] = rmssd
        out["ln_rmssd"] = float(np.log(rmssd)) if rmssd > 0 else NAN
        ad = np.abs(d)
        out["pnn50_pct"] = 100.0 * float(np.count_nonzero(ad > 50.0)) / d.size
        out["pnn20_pct"] = 100.0 * float(np.count_nonzero(ad > 20.0)) / d.size
        if d.size > ddof:
            out["sdsd_ms"] = float(d.std(ddof=ddof))
    return out


def _window_starts(t_s: NDArray[np.float64], window_s: float) -> NDArray[np.intp]:
    """Index of the first beat inside the trailing window (t_i - window_s, t_i] of every beat."""
    return np.searchsorted(t_s, t_s - window_s, side="right")


def rolling_rmssd(t_s: ArrayLike, rr_ms: ArrayLike, window_s: float = 60.0,
                  min_beats: int = 3) -> NDArray[np.float64]:
    """RMSSD over the trailing ``window_s`` seconds ending at every beat, in one pass.

    A successive difference counts when both of its beats lie in the window (t_i - window_s, t_i].
    Windows with fewer than ``min_beats`` beats give NaN. O(n) time and memory.
    """
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    out = np.full(n, np.nan)
    if n < 2:
        return out
    d2 = np.diff(rr) ** 2
    c = np.concatenate(([0.0], np.cumsum(d2)))  # c[k] = sum of d2[:k]; d2[k-1] joins beats k-1, k
    start = _window_starts(t, window_s)
    idx = np.arange(n)
    n_diff = idx - start  # differences joining beats start..i
    ok = (idx - start + 1 >= min_beats) & (n_diff > 0)
    s = c[idx] - c[np.minimum(start, idx)]
    out[ok] = np.sqrt(np.maximum(s[ok], 0.0) / n_diff[ok])
    return out


def rolling_time_domain(t_s: ArrayLike, rr_ms: ArrayLike, window_s: float = 60.0,
                        min_beats: int = 3) -> dict[str, NDArray[np.float64]]:
    """Trailing-window mean RR, mean HR, SDNN (ddof 1) and RMSSD at every beat, in one O(n) pass."""
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    start = _window_starts(t, window_s) if n else np.zeros(0, dtype=np.intp)
    idx = np.arange(n)
    k = (idx - start + 1).astype(float)
    # Shift by the overall mean to keep the cumulative sums well conditioned.
    ref = float(rr.mean()) if n else 0.0
    x = rr - ref
    c1 = np.concatenate(([0.0], np.cumsum(x)))
    c2 = np.concatenate(([0.0], np.cumsum(x * x)))
    hr = 60000.0 / rr if n else rr
    ch = np.concatenate(([0.0], np.cumsum(hr)))
    s1 = c1[idx + 1] - c1[start]
    s2 = c2[idx + 1] - c2[start]
    ok = k >= min_beats
    mean = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    mhr = np.full(n, np.nan)
    mean[ok] = ref + s1[ok] / k[ok]
    var = (s2 - s1 * s1 / np.maximum(k, 1)) / np.maximum(k - 1, 1)
    sd[ok] = np.sqrt(np.maximum(var[ok], 0.0))
    mhr[ok] = (ch[idx + 1] - ch[start])[ok] / k[ok]
    return {
        "mean_rr_ms": mean,
        "mean_hr_bpm": mhr,
        "sdnn_ms": sd,
        "rmssd_ms": rolling_rmssd(t, rr, window_s, min_beats),
    }


def windowed_time_domain(t_s: ArrayLike, rr_ms: ArrayLike, window_s: float) -> dict[str, NDArray]:
    """Time-domain metrics over consecutive (non-overlapping) windows of ``window_s`` seconds.

    Returns arrays ``start_s, end_s, n_beats, mean_hr_bpm, sdnn_ms, rmssd_ms, ln_rmssd``; a window
    with fewer than 3 beats gives NaN. Beats are assigned by their time; successive differences
    count only within one window. Vectorised with ``np.add.reduceat``.
    """
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    if t.size == 0:
        empty = np.zeros(0)
        return {k: empty for k in ("start_s", "end_s", "n_beats", "mean_hr_bpm", "sdnn_ms", "rmssd_ms",
                                   "ln_rmssd")}
    t0 = float(t[0] - rr[0] / 1000.0)
    n_win = max(1, int(np.ceil((t[-1] - t0) / window_s)))
    w = np.minimum(((t - t0) // window_s).astype(np.intp), n_win - 1)
    counts = np.bincount(w, minlength=n_win).astype(float)
    s1 = np.bincount(w, weights=rr, minlength=n_win)
    s2 = np.bincount(w, weights=rr * rr, minlength=n_win)
    shr = np.bincount(w, weights=60000.0 / rr, minlength=n_win)
    same = w[1:] == w[:-1]
    d2 = np.diff(rr) ** 2
    sd2 = np.bincount(w[1:][same], weights=d2[same], minlength=n_win)
    nd = np.bincount(w[1:][same], minlength=n_win).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / counts
        var = (s2 - counts * mean * mean) / (counts - 1)
        sdnn = np.sqrt(np.maximum(var, 0.0))
        rmssd = np.sqrt(sd2 / nd)
        mhr = shr / counts
    bad = counts < 3
    for a in (sdnn, rmssd, mhr):
        a[bad] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ln = np.where(rmssd > 0, np.log(rmssd), np.nan)
    starts = t0 + window_s * np.arange(n_win)
    return {
        "start_s": starts,
        "end_s": starts + window_s,
        "n_beats": counts,
        "mean_hr_bpm": mhr,
        "sdnn_ms": sdnn,
        "rmssd_ms": rmssd,
        "ln_rmssd": ln,
    }
