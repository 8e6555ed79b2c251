"""Artifact detection and correction for R-R series.

- :func:`range_gate`: physiological range (default 300-2000 ms).
- :func:`live_gate`: a causal beat-by-beat rule usable live: range gate plus deviation of each beat
  from the median of the ``k`` beats before it (default 25 % of the median of 9).
- :func:`detect_artifacts_lipponen` / :func:`correct_artifacts`: Lipponen & Tarvainen (2019)
  classification (ectopic, long/short, missed, extra) and correction, vectorised, for offline use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

KINDS = ("ectopic", "long_short", "missed", "extra", "out_of_range")


def range_gate(rr_ms: ArrayLike, lo_ms: float = 300.0, hi_ms: float = 2000.0) -> NDArray[np.bool_]:
    """True where an interval lies in the physiological range [lo_ms, hi_ms]."""
    rr = np.asarray(rr_ms, dtype=float)
    return np.isfinite(rr) & (rr >= lo_ms) & (rr <= hi_ms)


def live_gate(rr_ms: ArrayLike, history_ms: ArrayLike = (), *, k: int = 9, max_dev: float = 0.25,
              lo_ms: float = 300.0, hi_ms: float = 2000.0, min_history: int = 3) -> NDArray[np.bool_]:
    """Causal artifact gate: True where a beat is accepted.

    A beat is rejected when outside [lo_ms, hi_ms], or when it differs by more than ``max_dev`` (a
    fraction) from the median of the ``k`` in-range beats before it (``history_ms`` holds beats
    before ``rr_ms``, so the live engine can gate one new beat against its buffer). Beats with fewer
    than ``min_history`` in-range predecessors are judged by range only. Vectorised.
    """
    new = np.asarray(rr_ms, dtype=float)
    if new.size == 1 and len(history_ms) <= 4 * k:  # the live engine's case: one new beat, short history
        r = float(new[0])
        h = [x for x in np.asarray(history_ms, dtype=float).tolist() if lo_ms <= x <= hi_ms][-k:]
        if not (lo_ms <= r <= hi_ms):
            return np.array([False])
        if len(h) < min_history:
            return np.array([True])
        h.sort()
        m = len(h) // 2
        med = h[m] if len(h) % 2 else 0.5 * (h[m - 1] + h[m])
        return np.array([abs(r - med) <= max_dev * med])
    hist_all = np.asarray(history_ms, dtype=float)
    hist = hist_all[range_gate(hist_all, lo_ms, hi_ms)][-k:]
    rr = np.concatenate((hist, new))
    ok_range = range_gate(rr, lo_ms, hi_ms)
    vals = rr[ok_range]
    # median of the previous k in-range beats for every beat: positions in the in-range subsequence
    pos = np.cumsum(ok_range) - ok_range  # number of in-range beats strictly before each beat
    med = np.full(rr.size, np.nan)
    new_row = np.arange(rr.size) >= hist.size  # only the new beats are judged
    if vals.size >= min_history:
        full = (pos >= k) & new_row
        if np.any(full):
            win = np.lib.stride_tricks.sliding_window_view(vals, k)  # win[j] = vals[j:j+k]
            med[full] = np.median(win[pos[full] - k], axis=1)
        # the first few beats have fewer than k predecessors: at most k - min_history rows
        part = np.flatnonzero((~full) & (pos >= min_history) & new_row)
        for i in part:
            med[i] = np.median(vals[: pos[i]])
    with np.errstate(invalid="ignore"):
        dev_ok = ~(np.abs(rr - med) > max_dev * med)
    return (ok_range & dev_ok)[hist.size:]


def _rolling_quartile_deviation(x: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """(Q3 - Q1) / 2 of ``x`` over a centred window of ``width`` samples (reflected at the ends).

    Rank filters in C (``scipy.ndimage.percentile_filter``): O(n w), no n x w matrix.
    """
    from scipy import ndimage

    n = x.size
    w = int(min(width, n if n % 2 else n - 1))
    if w < 3:
        return np.full(n, float(np.subtract(*np.percentile(x, [75, 25])) / 2.0) if n else 0.0)
    def quantile(q: float) -> NDArray[np.float64]:  # linear interpolation between order statistics
        pos = q * (w - 1)
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        a = ndimage.rank_filter(x, lo, size=w, mode="reflect")
        if hi == lo:
            return a
        b = ndimage.rank_filter(x, hi, size=w, mode="reflect")
        return a + (b - a) * (pos - lo)

    return (quantile(0.75) - quantile(0.25)) / 2.0


@dataclass(frozen=True)
class ArtifactResult:
    """Where artifacts are, by kind; ``corrected`` flags the beats of the corrected series that were
    changed or inserted."""

    labels: NDArray[np.int8]  # per input beat: 0 ok, else 1 + index into KINDS
    counts: dict[str, int]
    rr_ms: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    corrected: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    method: str = "lipponen2019"
    settings: dict = field(default_factory=dict)

    @property
    def n_artifacts(self) -> int:
        return int(np.count_nonzero(self.labels))

    @property
    def share_pct(self) -> float:
        return 100.0 * self.n_artifacts / self.labels.size if self.labels.size else 0.0

    def mask(self, kind: str) -> NDArray[np.bool_]:
        return self.labels == 1 + KINDS.index(kind)


def detect_artifacts_lipponen(rr_ms: ArrayLike, *, alpha: float = 5.2, window_beats: int = 91,
                              medfilt_beats: int = 11, c1: float = 0.13, c2: float = 0.17,
                              lo_ms: float = 300.0, hi_ms: float = 2000.0) -> NDArray[np.int8]:
    """Classify every beat as ok (0) or an artifact kind (1 + index into ``KINDS``).

    Lipponen & Tarvainen (2019): dRR normalised by ``alpha`` times the quartile deviation over a
    centred ``window_beats`` window; the difference from an ``medfilt_beats`` median (negative side
    doubled), normalised likewise; the decision subspaces S12 (ectopic, constants ``c1``, ``c2``) and
    S22 (long/short); missed beats are long intervals close to two medians, extra beats short ones
    whose sum with the next is close to one median. Out-of-range intervals (``lo_ms``..``hi_ms``)
    are labelled ``out_of_range``. Non-causal; fully vectorised.
    """
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    labels = np.zeros(n, dtype=np.int8)
    if n == 0:
        return labels
    oor = ~range_gate(rr, lo_ms, hi_ms)
    if n < 5 or np.count_nonzero(~oor) < 2:
        labels[oor] = 1 + KINDS.index("out_of_range")
        return labels
    if np.any(oor):  # out-of-range values must not set the thresholds: classify the rest with them bridged
        idx = np.arange(n)
        rr = rr.copy()
        rr[oor] = np.interp(idx[oor], idx[~oor], rr[~oor])
    from scipy import ndimage  # deferred: keeps the window's start-up short

    d = np.empty(n)
    d[1:] = np.diff(rr)
    d[0] = d[1:].mean()
    th1 = alpha * _rolling_quartile_deviation(np.abs(d), window_beats)
    med = ndimage.median_filter(rr, size=medfilt_beats, mode="nearest")
    m = rr - med
    m[m < 0] *= 2.0
    th2 = alpha * _rolling_quartile_deviation(np.abs(m), window_beats)
    with np.errstate(divide="ignore", invalid="ignore"):
        dn = np.where(th1 > 0, d / th1, 0.0)
        mn = np.where(th2 > 0, m / th2, 0.0)
    p = np.pad(dn, 2, mode="reflect")
    prev, nxt, nxt2 = p[1:-3], p[3:-1], p[4:]
    s12 = np.where(dn > 0, np.maximum(prev, nxt), np.where(dn < 0, np.minimum(prev, nxt), 0.0))
    s22 = np.where(dn >= 0, np.minimum(nxt, nxt2), np.maximum(nxt, nxt2))
    ectopic = ((dn > 1) & (s12 < -c1 * dn - c2)) | ((dn < -1) & (s12 > -c1 * dn + c2))
    eq3 = (dn > 1) & (s22 < -1)
    eq4 = np.abs(mn) > 3
    eq5 = (dn < -1) & (s22 > 1)
    ls = ~ectopic & (eq3 | eq4 | eq5)
    rr_next = np.concatenate((rr[1:], [np.nan]))
    eq6 = np.abs(rr / 2 - med) < th2
    eq7 = np.abs(rr + rr_next - med) < th2
    extra = ls & eq5 & eq7
    missed = ls & ~extra & eq3 & eq6
    longshort = ls & ~extra & ~missed
    # the interval before an ectopic (compensatory) long one is its premature partner: one artifact
    labels[longshort] = 1 + KINDS.index("long_short")
    labels[missed] = 1 + KINDS.index("missed")
    labels[extra] = 1 + KINDS.index("extra")
    labels[ectopic] = 1 + KINDS.index("ectopic")
    partner = np.zeros(n, dtype=bool)
    partner[:-1] = ectopic[1:] & (labels[:-1] == 1 + KINDS.index("long_short"))
    labels[partner] = 0  # folded into the ectopic event that follows it
    labels[oor] = 1 + KINDS.index("out_of_range")
    return labels


def correct_artifacts(rr_ms: ArrayLike, t_s: ArrayLike | None = None, labels: ArrayLike | None = None,
                      **detect_kwargs: float) -> ArtifactResult:
    """Detect (unless ``labels`` are given) and correct artifacts.

    Extra beats are merged with the next interval; missed beats are split in two equal halves;
    an ectopic beat is re-placed midway (its premature interval and the compensatory one each become
    their mean); long/short and out-of-range intervals are replaced by linear interpolation over
    the accepted neighbours in beat time. Beat times of the result are rebuilt from the first beat
    time and the corrected intervals. Vectorised.
    """
    rr = np.asarray(rr_ms, dtype=float)
    n = rr.size
    t = np.cumsum(rr) / 1000.0 if t_s is None else np.asarray(t_s, dtype=float)
    lab = detect_artifacts_lipponen(rr, **detect_kwargs) if labels is None else np.asarray(labels, np.int8)
    counts = {k: int(np.count_nonzero(lab == 1 + i)) for i, k in enumerate(KINDS)}
    if n == 0:
        return ArtifactResult(lab, counts, rr.copy(), t.copy(), np.zeros(0, bool), settings=detect_kwargs)
    x = rr.copy()
    changed = np.zeros(n, dtype=bool)
    # ectopic: balance the premature/compensatory pair (the interval before and the flagged one)
    ect = np.flatnonzero(lab == 1 + KINDS.index("ectopic"))
    ect = ect[ect > 0]
    pair_mean = 0.5 * (x[ect - 1] + x[ect])
    x[ect - 1] = pair_mean
    x[ect] = pair_mean
    changed[ect - 1] = True
    changed[ect] = True
    # long/short and out of range: interpolate over good beats
    bad = (lab == 1 + KINDS.index("long_short")) | (lab == 1 + KINDS.index("out_of_range"))
    good = ~bad & ~np.isin(lab, [1 + KINDS.index("missed"), 1 + KINDS.index("extra")])
    keep = np.ones(n, dtype=bool)
    if np.any(bad) and np.any(good):
        x[bad] = np.interp(t[bad], t[good], x[good])
        changed |= bad
    else:
        keep &= ~bad  # nothing to interpolate from: such beats are left out, never analysed as they are
    t0 = float(t[0] - x[0] / 1000.0) if np.isfinite(x[0]) else float(t[0])
    # extra: merge with the following interval
    extra = np.flatnonzero(lab == 1 + KINDS.index("extra"))
    extra = extra[extra < n - 1]
    x[extra + 1] += x[extra]
    keep[extra] = False
    changed[extra + 1] = True
    # missed: split in two
    missed = lab == 1 + KINDS.index("missed")
    reps = np.where(missed & keep, 2, 1)
    vals = np.where(missed, x / 2.0, x)
    out_rr = np.repeat(vals[keep], reps[keep])
    out_changed = np.repeat(changed[keep] | missed[keep], reps[keep])
    out_t = t0 + np.cumsum(out_rr) / 1000.0
    return ArtifactResult(lab, counts, out_rr, out_t, out_changed, settings=dict(detect_kwargs))
