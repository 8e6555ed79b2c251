"""Artifact detection and correction for R-R series.

- :func:`range_gate`: physiological range (default 300-2000 ms).
- :func:`live_gate`: a causal beat-by-beat rule usable live: range gate plus deviation of each beat
  from the median of the ``k`` beats before it (default 25 % of the median of 9).
- :func:`detect_artifacts_lipponen` / :func:`correct_artifacts`: Lipponen & Tarvainen (2019)
  classification (ectopic, long/short, missed, extra) and correction, vectorised, for offline use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

KINDS = ("ectopic", "long_short", "missed", "extra", "out_of_range")
#: an ectopic pair: the premature interval at least this fraction short of the local median, the
#: compensatory one as much long
ECTOPIC_TOL = 0.12
#: a long/short interval is a lone one: both neighbours at most this fraction as far off the local median
LONE_FRACTION = 0.5


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
    hist_all = np.asarray(history_ms, dtype=float)
    if new.size == 1 and hist_all.size <= 4 * k:  # the live engine's case: one new beat, short history
        r = float(new[0])
        h = [x for x in hist_all.tolist() if lo_ms <= x <= hi_ms][-k:]
        if not (lo_ms <= r <= hi_ms):
            return np.array([False])
        if len(h) < min_history:
            return np.array([True])
        h.sort()
        m = len(h) // 2
        med = h[m] if len(h) % 2 else 0.5 * (h[m - 1] + h[m])
        return np.array([abs(r - med) <= max_dev * med])
    hist = hist_all[range_gate(hist_all, lo_ms, hi_ms)][-k:]
    rr = np.concatenate((hist, new))
    ok_range = range_gate(rr, lo_ms, hi_ms)
    vals = rr[ok_range]
    # median of the previous k in-range beats for every beat: positions in the in-range subsequence
    pos: NDArray[np.intp] = np.cumsum(ok_range) - ok_range  # number of in-range beats strictly before each beat
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


def _shift(a: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """``a`` moved ``k`` places later (earlier for negative ``k``), False shifted in."""
    out = np.zeros_like(a)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _local_median(rr: NDArray[np.float64], oor: NDArray[np.bool_], width: int) -> NDArray[np.float64]:
    """The ``width``-beat running median of ``rr`` with out-of-range values bridged by interpolation."""
    from scipy import ndimage  # deferred: keeps the window's start-up short

    x = rr
    if np.any(oor):
        idx = np.arange(rr.size)
        x = rr.copy()
        x[oor] = np.interp(idx[oor], idx[~oor], rr[~oor])
    med = ndimage.median_filter(x, size=width, mode="nearest")
    # at the ends a centred window would be padded with copies of the end value, so an end interval would
    # be its own median and never stand out: the first and last half-windows take the median of the first
    # and last ``width`` intervals instead
    h = width // 2
    if x.size > width and h:
        med[:h] = np.median(x[:width])
        med[-h:] = np.median(x[-width:])
    elif x.size:
        med[:] = np.median(x)
    return med


def detect_artifacts_lipponen(rr_ms: ArrayLike, *, alpha: float = 5.2, window_beats: int = 91,
                              medfilt_beats: int = 11, c1: float = 0.13, c2: float = 0.17,
                              lo_ms: float = 300.0, hi_ms: float = 2000.0, tol: float = 0.18
                              ) -> NDArray[np.int8]:
    """Classify every beat as ok (0) or an artifact kind (1 + index into ``KINDS``).

    Lipponen & Tarvainen (2019): dRR normalised by ``alpha`` times the quartile deviation over a
    centred ``window_beats`` window; the difference from an ``medfilt_beats`` median (negative side
    doubled), normalised likewise; the decision subspaces S12 (ectopic, constants ``c1``, ``c2``) and
    S22 (long/short). The thresholds are set on the series with out-of-range values bridged, so a
    corrupt value cannot widen them.

    Each kind is then named by the model that explains it, on the raw intervals (a split or merged
    interval may well lie outside the range). Within ``tol`` (a fraction of the local median), or the
    paper's threshold when that is wider:

    - extra: an interval split in two at any fraction: a short interval whose sum with the next, or
      with the one before, is one median;
    - missed: a long interval of two medians;
    - ectopic: a premature short interval and its compensatory long one, summing to two medians
      (labelled on the long one), besides the paper's S12 rule.

    What no model explains stays long/short; what lies outside ``lo_ms``..``hi_ms`` and is explained by
    none is ``out_of_range``. Non-causal; fully vectorised.
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
    med = _local_median(rr, oor, medfilt_beats)
    x = rr.copy()  # the series the thresholds are set on: out-of-range values bridged
    x[oor] = med[oor]
    d = np.empty(n)
    d[1:] = np.diff(x)
    d[0] = x[0] - med[0]  # the interval before the first is unknown: taken as the local median
    th1 = alpha * _rolling_quartile_deviation(np.abs(d), window_beats)
    m = x - med
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
    flagged = ectopic | eq3 | eq4 | eq5 | oor  # the paper's artifacts, and the corrupt values
    # the models, on the raw intervals (sums of absurd values may overflow to inf: no match)
    band = np.maximum(tol * med, th2)
    with np.errstate(over="ignore", invalid="ignore"):
        r_prev = np.concatenate(([np.nan], rr[:-1]))
        r_next = np.concatenate((rr[1:], [np.nan]))
        short = (rr > 0) & (rr < med - band)
        near_flag = flagged | np.concatenate((flagged[1:], [False])) | np.concatenate(([False], flagged[:-1]))
        # the reference an interval is judged against: the local median, or the mean of the intervals just
        # outside the suspect one (or pair), whichever fits better (a split near a slower stretch)
        # (the references from the bridged series: an absurd neighbour is no reference)
        r_next2 = np.concatenate((rr[2:], [np.nan, np.nan]))
        x_prev = np.concatenate(([np.nan], x[:-1]))
        x_next = np.concatenate((x[1:], [np.nan]))
        x_prev2 = np.concatenate(([np.nan, np.nan], x[:-2]))
        x_next2 = np.concatenate((x[2:], [np.nan, np.nan]))
        around_1 = 0.5 * (x_prev + x_next)  # around interval i
        around_fwd = 0.5 * (x_prev + x_next2)  # around the pair (i, i+1)
        around_back = 0.5 * (x_prev2 + x_next)  # around the pair (i-1, i)

        def fits(value: NDArray[np.float64], ref: NDArray[np.float64], k: float = 1.0) -> NDArray[np.bool_]:
            return (np.abs(value - k * med) < k * band) | (np.abs(value - k * ref) < k * band)

        extra_next = short & near_flag & fits(rr + r_next, around_fwd)
        extra_prev = short & near_flag & fits(r_prev + rr, around_back) & ~np.concatenate(([False],
                                                                                          extra_next[:-1]))
        extra = (extra_next | extra_prev) & ~(np.concatenate(([False], extra_next[:-1])))
        # premature + compensatory: label the long one; the short one is its partner
        e_band = np.maximum(ECTOPIC_TOL * med, 0.5 * th2)
        # premature: short of the local median, or of the interval before it; compensatory: long of the median
        # or of the interval after it
        premature = ((rr > 0) & ((rr < med - e_band) | (rr < r_prev - e_band)) & near_flag
                     & ((r_next > med + e_band) | (r_next > r_next2 + e_band)) & (r_next > rr + 2 * e_band)
                     & fits(rr + r_next, around_fwd, 2.0))
        # where both a split and a premature beat could explain the same intervals, the better fit wins
        res_split = np.abs(rr + r_next - med) / med  # the pair (i, i+1) as one split interval
        res_prem = np.abs(rr + r_next - 2 * med) / (2 * med)  # the pair as premature + compensatory
        res_split_here = np.where(extra_next, res_split, np.concatenate(([np.inf], res_split[:-1])))
        shifted = np.concatenate(([False], extra_next[:-1]))  # i is the second half of a split at i - 1
        res_split_before = np.concatenate(([np.inf], res_split[:-1]))
        premature &= ~(extra & (res_split_here < res_prem)) & ~(shifted & (res_split_before < res_prem))
        compensatory = np.concatenate(([False], premature[:-1]))
        extra &= ~premature & ~compensatory  # a short interval followed by a long one: premature, not split
        # missed: two medians within tol (the paper's wider threshold would split a merely long interval)
        m_band = tol * med
        missed = (flagged & ~compensatory & (rr > med + band)
                  & ((np.abs(rr / 2.0 - med) < m_band) | (np.abs(rr / 2.0 - around_1) < m_band)))
    after_comp = _shift(compensatory, 1)
    # the intervals of a split (the pair) or merged interval and those just beside them are part of it
    beside = missed | _shift(missed, 1) | _shift(missed, -1)
    for k in (-2, -1, 0, 1, 2):
        beside |= _shift(extra, k)
    ectopic = (ectopic & ~beside & ~after_comp & ~premature & ~oor) | compensatory
    # long/short: a lone interval off the local median; a run of two or more off the median the same way
    # is a change of rhythm (RSA, a sigh, a posture change), not an artifact
    amn = np.abs(mn)
    lone = (np.concatenate(([0.0], amn[:-1])) < LONE_FRACTION * amn) & (np.concatenate((amn[1:], [0.0]))
                                                                        < LONE_FRACTION * amn)
    near_model = np.zeros(n, dtype=bool)
    for k in (-1, 0, 1):  # the intervals beside an extra, missed or ectopic beat belong to it
        near_model |= _shift(extra | missed | ectopic | premature, k)
    longshort = flagged & ~oor & ~near_model & (eq3 | eq5 | (eq4 & lone)) & lone
    labels[longshort] = 1 + KINDS.index("long_short")
    # out of range unless a model explains it (the other half of a split interval is merged with it)
    explained = extra | _shift(extra & extra_next, 1) | _shift(extra & ~extra_next, -1) | missed | ectopic | premature
    labels[oor & ~explained] = 1 + KINDS.index("out_of_range")
    labels[missed] = 1 + KINDS.index("missed")
    labels[extra] = 1 + KINDS.index("extra")
    labels[ectopic] = 1 + KINDS.index("ectopic")
    return labels


def _extra_merges_back(rr: NDArray[np.float64], extra: NDArray[np.intp], med: NDArray[np.float64]
                       ) -> NDArray[np.bool_]:
    """For each extra beat: True where it completes the interval before it rather than the next one."""
    n = rr.size
    with np.errstate(over="ignore", invalid="ignore"):
        fwd = np.where(extra < n - 1, np.abs(rr[extra] + rr[np.minimum(extra + 1, n - 1)] - med[extra]), np.inf)
        back = np.where(extra > 0, np.abs(rr[np.maximum(extra - 1, 0)] + rr[extra] - med[extra]), np.inf)
    return back < fwd


def correct_artifacts(rr_ms: ArrayLike, t_s: ArrayLike | None = None, labels: ArrayLike | None = None,
                      **detect_kwargs: Any) -> ArtifactResult:
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
    # extra: merge with the interval it splits off from (the next one, or the one before)
    extra = np.flatnonzero(lab == 1 + KINDS.index("extra"))
    if extra.size:
        oor = ~range_gate(rr, detect_kwargs.get("lo_ms", 300.0), detect_kwargs.get("hi_ms", 2000.0))
        back = _extra_merges_back(rr, extra, _local_median(rr, oor, int(detect_kwargs.get("medfilt_beats", 11)))
                                  if np.count_nonzero(~oor) >= 2 else np.full(n, np.nan))
        into = np.where(back, extra - 1, extra + 1)
        ok = (into >= 0) & (into < n)
        extra, into = extra[ok], into[ok]
        np.add.at(x, into, x[extra])
        keep[extra] = False
        changed[into] = True
    # missed: split in two
    missed = lab == 1 + KINDS.index("missed")
    reps = np.where(missed & keep, 2, 1)
    vals = np.where(missed, x / 2.0, x)
    out_rr = np.repeat(vals[keep], reps[keep])
    out_changed = np.repeat(changed[keep] | missed[keep], reps[keep])
    # a merge or an interpolation can still land outside the range (two short intervals beside an absurd
    # one): such a value is interpolated from the in-range corrected intervals, or left out when none is
    lo, hi = detect_kwargs.get("lo_ms", 300.0), detect_kwargs.get("hi_ms", 2000.0)
    off = ~range_gate(out_rr, lo, hi)
    if np.any(off):
        t_out = t0 + np.cumsum(out_rr) / 1000.0
        if np.all(off):
            out_rr, out_changed = out_rr[:0], out_changed[:0]
        else:
            out_rr = out_rr.copy()
            out_rr[off] = np.interp(t_out[off], t_out[~off], out_rr[~off])
            out_changed = out_changed | off
    out_t = t0 + np.cumsum(out_rr) / 1000.0
    return ArtifactResult(lab, counts, out_rr, out_t, out_changed, settings=dict(detect_kwargs))
