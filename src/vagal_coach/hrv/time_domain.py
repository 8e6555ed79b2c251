"""Time-domain HRV metrics, whole-series and rolling (one vectorised pass)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

NAN = float("nan")


#: how mean HR is formed: Kubios's 60000 / mean RR, or the mean of the beats' 60000 / RR
MEAN_HR_CONVENTIONS = ("mean_rr", "beats")


def time_domain(rr_ms: ArrayLike, *, ddof: int = 1, mean_hr: str = "mean_rr") -> dict[str, float]:
    """Time-domain metrics of an R-R series.

    Parameters
    ----------
    rr_ms : R-R (NN) intervals in ms.
    ddof : delta degrees of freedom for SDNN, SDSD and CVNN (1 = sample SD, as Kubios and pyHRV).
    mean_hr : ``"mean_rr"``: 60000 / mean RR (Kubios, the Task Force); ``"beats"``: the mean of the
        beats' 60000 / RR (pyHRV, systole).

    Returns a dict with ``mean_rr_ms, mean_hr_bpm, sdnn_ms, rmssd_ms, ln_rmssd, sdsd_ms, pnn50_pct,
    pnn20_pct, nn50, nn20, cvnn_pct, n_beats``. NNx is the number of successive differences over x ms,
    pNNx their share of all successive differences. Values that need more beats than given are NaN.
    """
    if mean_hr not in MEAN_HR_CONVENTIONS:
        raise ValueError(f"mean_hr must be one of {MEAN_HR_CONVENTIONS}, not {mean_hr!r}")
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    out = dict.fromkeys(
        ("mean_rr_ms", "mean_hr_bpm", "sdnn_ms", "rmssd_ms", "ln_rmssd", "sdsd_ms", "pnn50_pct",
         "pnn20_pct", "nn50", "nn20", "cvnn_pct"),
        NAN,
    )
    out["n_beats"] = float(n)
    if n == 0:
        return out
    mean_rr = float(rr.mean())
    out["mean_rr_ms"] = mean_rr
    out["mean_hr_bpm"] = 60000.0 / mean_rr if mean_hr == "mean_rr" else float(np.mean(60000.0 / rr))
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
        out["nn50"] = float(np.count_nonzero(ad > 50.0))
        out["nn20"] = float(np.count_nonzero(ad > 20.0))
        out["pnn50_pct"] = 100.0 * out["nn50"] / d.size
        out["pnn20_pct"] = 100.0 * out["nn20"] / d.size
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
    """Trailing-window mean RR, mean HR, SDNN (ddof 1) and RMSSD at every beat, in one O(n) pass. Mean HR is
    60000 / mean RR, the convention of :func:`time_domain`'s default (Kubios)."""
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
    s1 = c1[idx + 1] - c1[start]
    s2 = c2[idx + 1] - c2[start]
    ok = k >= min_beats
    mean = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    mhr = np.full(n, np.nan)
    mean[ok] = ref + s1[ok] / k[ok]
    var = (s2 - s1 * s1 / np.maximum(k, 1)) / np.maximum(k - 1, 1)
    sd[ok] = np.sqrt(np.maximum(var[ok], 0.0))
    mhr[ok] = 60000.0 / mean[ok]
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
    same = w[1:] == w[:-1]
    d2 = np.diff(rr) ** 2
    sd2 = np.bincount(w[1:][same], weights=d2[same], minlength=n_win)
    nd = np.bincount(w[1:][same], minlength=n_win).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / counts
        var = (s2 - counts * mean * mean) / (counts - 1)
        sdnn = np.sqrt(np.maximum(var, 0.0))
        rmssd = np.sqrt(sd2 / nd)
        mhr = 60000.0 / mean  # the convention of time_domain's default (Kubios): 60000 / mean RR
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


def heart_rate_stats(rr_ms: ArrayLike, n_avg: int = 5) -> dict[str, float]:
    """Kubios's heart-rate figures: ``std_hr_bpm``, the SD (ddof 1) of the beats' 60000 / RR, and
    ``min_hr_bpm`` / ``max_hr_bpm``, the least and greatest ``n_avg``-beat moving average of it (Kubios
    HRV user guide: "minimum/maximum HR computed using N beat moving average", N 5 by default; 1 gives the
    single beats' extremes, as pyHRV). NaN with fewer than 2 (SD) or ``n_avg`` (min/max) beats."""
    rr = np.asarray(rr_ms, dtype=float)
    out = {"std_hr_bpm": NAN, "min_hr_bpm": NAN, "max_hr_bpm": NAN}
    if rr.size == 0:
        return out
    hr = 60000.0 / rr
    if hr.size >= 2:
        out["std_hr_bpm"] = float(hr.std(ddof=1))
    k = max(1, int(n_avg))
    if hr.size >= k:
        c = np.concatenate(([0.0], np.cumsum(hr)))
        avg = (c[k:] - c[:-k]) / k
        out["min_hr_bpm"] = float(avg.min())
        out["max_hr_bpm"] = float(avg.max())
    return out


#: the R-R histogram's bin for the triangular index and TINN: 1/128 s (Task Force 1996, Kubios)
HIST_BIN_MS = 1000.0 / 128.0


def _rr_histogram(rr: NDArray[np.float64], bin_ms: float) -> NDArray[np.float64]:
    """Counts of ``rr`` in bins of ``bin_ms`` laid on multiples of the bin width."""
    lo = np.floor(rr.min() / bin_ms)
    idx = (np.floor(rr / bin_ms) - lo).astype(np.intp)
    return np.bincount(idx).astype(float)


def geometric(rr_ms: ArrayLike, bin_ms: float = HIST_BIN_MS) -> dict[str, float]:
    """The geometric figures of the R-R histogram (bins of ``bin_ms``, 1/128 s by default):

    - ``rr_tri_index``: the number of intervals over the height of the histogram (its integral over its
      maximum; Task Force 1996);
    - ``tinn_ms``: the base M - N of the triangle, zero outside N..M and peaking with the histogram at its
      mode, that fits the histogram best in least squares (Task Force 1996; Kubios), N and M on bin edges.
      The fit splits into one side left and one right of the mode, each solved for all candidates at once.

    NaN with fewer than 3 intervals."""
    rr = np.asarray(rr_ms, dtype=float)
    out = {"rr_tri_index": NAN, "tinn_ms": NAN}
    if rr.size < 3:
        return out
    h = _rr_histogram(rr, bin_ms)
    out["rr_tri_index"] = float(rr.size / h.max())
    x = int(np.argmax(h))
    y = h[x]
    centres = np.arange(h.size) + 0.5  # bin centres in bins; edges are integers
    # left side: candidates N = 0..x (edges), triangle rising linearly from 0 at N to y at the mode's centre
    n_cand = np.arange(0, x + 1, dtype=float)
    left = centres[: x + 1]
    q = np.clip((left[None, :] - n_cand[:, None]) / np.maximum(centres[x] - n_cand[:, None], 1e-12), 0.0, 1.0) * y
    err_l = ((h[None, : x + 1] - q) ** 2).sum(axis=1)
    m_cand = np.arange(x + 1, h.size + 1, dtype=float)
    right = centres[x:]
    q = np.clip((m_cand[:, None] - right[None, :]) / np.maximum(m_cand[:, None] - centres[x], 1e-12), 0.0, 1.0) * y
    err_r = ((h[None, x:] - q) ** 2).sum(axis=1)
    n_best = n_cand[int(np.argmin(err_l))]
    m_best = m_cand[int(np.argmin(err_r))]
    out["tinn_ms"] = float((m_best - n_best) * bin_ms)
    return out


def segment_stats(t_s: ArrayLike, rr_ms: ArrayLike, segment_s: float = 300.0, min_duration_s: float = 3600.0,
                  duration_s: float | None = None) -> dict[str, float]:
    """``sdann_ms`` (SD, ddof 1, of the mean RR of consecutive ``segment_s`` segments) and ``sdnn_index_ms``
    (the mean of their SDNN), Task Force 1996, for recordings of at least ``min_duration_s`` (1 h; short of
    it by at most one mean interval at each end; ``duration_s``, the recording's own length, when given,
    since correcting artifacts may shorten the beats' sum by seconds) and otherwise NaN. Segments run from
    the first beat's start on (a beat belongs to the segment its time falls in); a last segment shorter
    than ``segment_s`` by more than two mean intervals is left out; a segment needs 2 beats. Vectorised."""
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    out = {"sdann_ms": NAN, "sdnn_index_ms": NAN}
    if rr.size < 4:
        return out
    t0 = float(t[0] - rr[0] / 1000.0)
    dur = float(t[-1] - t0)
    if (dur if duration_s is None else max(dur, duration_s)) + 2.0 * float(rr.mean()) / 1000.0 < min_duration_s:
        return out
    # whole segments, the last one too when it falls short by at most one mean interval at each end (the
    # beats of a segment sum to a little under its length)
    n_seg = int(np.floor((dur + 2.0 * float(rr.mean()) / 1000.0) / segment_s))
    seg = ((t - t0) // segment_s).astype(np.intp)
    keep = (seg >= 0) & (seg < n_seg)
    seg, x = seg[keep], rr[keep]
    cnt = np.bincount(seg, minlength=n_seg).astype(float)
    ref = float(x.mean())
    s1 = np.bincount(seg, weights=x - ref, minlength=n_seg)
    s2 = np.bincount(seg, weights=(x - ref) ** 2, minlength=n_seg)
    ok = cnt >= 2
    if np.count_nonzero(ok) < 2:
        return out
    mean = ref + s1[ok] / cnt[ok]
    sd = np.sqrt(np.maximum(s2[ok] - s1[ok] ** 2 / cnt[ok], 0.0) / (cnt[ok] - 1))
    out["sdann_ms"] = float(mean.std(ddof=1))
    out["sdnn_index_ms"] = float(sd.mean())
    return out


def stress_index(rr_ms: ArrayLike, bin_ms: float = 50.0) -> float:
    """Kubios's stress index: the square root of Baevsky's SI = AMo / (2 Mo MxDMn), with AMo the share of
    intervals (%) in the most populated ``bin_ms`` (50 ms) bin of the R-R histogram, Mo that bin's centre
    (s) and MxDMn the spread of the intervals, longest minus shortest (s). Bins lie on multiples of
    ``bin_ms``; when bins tie, the first. NaN with fewer than 3 intervals or no spread."""
    rr = np.asarray(rr_ms, dtype=float)
    if rr.size < 3:
        return NAN
    spread_s = float(rr.max() - rr.min()) / 1000.0
    if spread_s <= 0:
        return NAN
    h = _rr_histogram(rr, bin_ms)
    k = int(np.argmax(h))
    amo_pct = 100.0 * h[k] / rr.size
    mo_s = (np.floor(rr.min() / bin_ms) + k + 0.5) * bin_ms / 1000.0
    return float(np.sqrt(amo_pct / (2.0 * mo_s * spread_s)))
