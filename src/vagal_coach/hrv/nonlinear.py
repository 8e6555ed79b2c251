"""Nonlinear HRV: Poincare SD1/SD2, detrended fluctuation analysis, sample entropy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def poincare(rr_ms: ArrayLike, ddof: int = 1) -> dict[str, float]:
    """Poincare plot descriptors in ms: the SDs of the plot (RR_n, RR_n+1) along the rotated axes,
    SD1 = SD((RR_n+1 - RR_n) / sqrt 2) and SD2 = SD((RR_n+1 + RR_n) / sqrt 2).

    ``ddof=1`` matches Kubios's figures (Kubios 2.2 on systole's rr.txt: SD1 32.273, SD2 115.38 ms);
    ``ddof=0`` pyHRV's and systole's. Also ``sd1_sd2``, ``sd2_sd1`` (ratios, NaN when the divisor is 0)
    and ``ellipse_area_ms2`` (pi SD1 SD2).
    """
    rr = np.asarray(rr_ms, dtype=float)
    nan = float("nan")
    if rr.size < 2 + ddof:
        return {"sd1_ms": nan, "sd2_ms": nan, "sd1_sd2": nan, "sd2_sd1": nan, "ellipse_area_ms2": nan}
    x, y = rr[:-1], rr[1:]
    sd1 = float(np.std((y - x) / np.sqrt(2.0), ddof=ddof))
    sd2 = float(np.std((y + x) / np.sqrt(2.0), ddof=ddof))
    return {"sd1_ms": sd1, "sd2_ms": sd2, "sd1_sd2": sd1 / sd2 if sd2 > 0 else nan,
            "sd2_sd1": sd2 / sd1 if sd1 > 0 else nan, "ellipse_area_ms2": float(np.pi * sd1 * sd2)}


def dfa_fluctuation(rr_ms: ArrayLike, scales: ArrayLike, both_ends: bool = False) -> NDArray[np.float64]:
    """DFA fluctuation F(n) for each box size n (beats): non-overlapping boxes laid from the start of the
    series (as Kubios; ``both_ends`` also from its end, as Peng 1995), linear detrend per box.

    Each scale is one vectorised least-squares fit over all boxes (closed form), O(N) per scale.
    """
    rr = np.asarray(rr_ms, dtype=float)
    y = np.cumsum(rr - rr.mean())
    out = np.full(len(np.atleast_1d(scales)), np.nan)
    for j, n in enumerate(np.atleast_1d(scales).astype(int)):
        m = y.size // n
        if n < 3 or m < 1:
            continue
        boxes = y[: m * n].reshape(m, n)
        if both_ends:  # and from the end (as in Peng 1995), so no data is ignored
            boxes = np.concatenate((boxes, y[y.size - m * n:].reshape(m, n)))
        x = np.arange(n, dtype=float)
        xm = x.mean()
        xc = x - xm
        sxx = float(xc @ xc)
        ym = boxes.mean(axis=1)
        slope = (boxes @ xc) / sxx
        resid = boxes - ym[:, None] - slope[:, None] * xc[None, :]
        out[j] = np.sqrt(np.mean(resid * resid))
    return out


#: DFA conventions: Kubios's (boxes from the start, every size) or Peng's (both ends, 16 log-spaced sizes)
DFA_METHODS = ("kubios", "peng")


def dfa(rr_ms: ArrayLike, scales: tuple[int, int] = (4, 16), method: str = "kubios") -> float:
    """DFA scaling exponent over box sizes ``scales[0]..scales[1]`` beats (inclusive).

    alpha1 uses (4, 16), alpha2 (16, 64). ``method="kubios"``: non-overlapping boxes laid from the start of
    the series at every size in the range (Kubios HRV; the same as neurokit2's ``fractal_dfa`` with
    ``overlap=False`` and these scales); ``"peng"``: boxes from both ends, the sizes spaced evenly in log n
    (every size when there are at most 16, else 16 log-spaced sizes). Slope of log F(n) against log n;
    NaN when the series is shorter than 2 boxes of the largest size.
    """
    if method not in DFA_METHODS:
        raise ValueError(f"dfa method must be one of {DFA_METHODS}, not {method!r}")
    rr = np.asarray(rr_ms, dtype=float)
    lo, hi = int(scales[0]), int(scales[1])
    if rr.size < 2 * hi:
        return float("nan")
    n = np.arange(lo, hi + 1)
    if method == "peng" and n.size > 16:
        n = np.unique(np.round(np.geomspace(lo, hi, 16)).astype(int))
    f = dfa_fluctuation(rr, n, both_ends=method == "peng")
    ok = np.isfinite(f) & (f > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(n[ok]), np.log(f[ok]), 1)[0])


PAIRS_MAX = 2_000_000  # sample entropy lists at most this many template pairs (32 MB); beyond, it counts them


def sample_entropy(rr_ms: ArrayLike, m: int = 2, r: float | None = None) -> float:
    """Sample entropy (Richman & Moorman 2000), Chebyshev distance, tolerance ``r`` (default 0.2 SD).

    Template matches are found with a k-d tree: listed (``query_pairs``) when a sample of templates says
    there are at most ``PAIRS_MAX`` pairs, else counted (``count_neighbors``, linear memory); there is no
    N x N matrix.
    Self-matches are excluded. NaN when no match is found.
    """
    x = np.asarray(rr_ms, dtype=float)
    n = x.size
    if n < m + 2:
        return float("nan")
    tol = 0.2 * float(np.std(x, ddof=1)) if r is None else float(r)
    if tol <= 0:
        return float("nan")
    nt = n - m  # same number of templates for m and m + 1
    emb_m = np.lib.stride_tricks.sliding_window_view(x, m)[:nt]
    emb_m1 = np.lib.stride_tricks.sliding_window_view(x, m + 1)[:nt]

    from scipy.spatial import cKDTree  # deferred: keeps the window's start-up short

    # an unbalanced, uncompacted tree builds and counts ~30 % faster on these series (same counts)
    tree = cKDTree(emb_m, balanced_tree=False, compact_nodes=False)
    probe = emb_m[:: max(1, nt // 256)]
    est_pairs = float(np.mean(tree.query_ball_point(probe, tol, p=np.inf, return_length=True))) * nt / 2.0
    if est_pairs <= PAIRS_MAX:
        # the m + 1 matches are the m matches whose next values match too: list the m pairs once and test
        # one more coordinate (about half the time of a second tree)
        ij = tree.query_pairs(tol, p=np.inf, output_type="ndarray")
        b = float(ij.shape[0])
        a = float(np.count_nonzero(np.abs(x[ij[:, 0] + m] - x[ij[:, 1] + m]) <= tol))
    else:
        # long series: count_neighbors counts ordered pairs, self-pairs included, in linear memory
        b = (float(tree.count_neighbors(tree, tol, p=np.inf)) - nt) / 2.0
        t1 = cKDTree(emb_m1, balanced_tree=False, compact_nodes=False)
        a = (float(t1.count_neighbors(t1, tol, p=np.inf)) - nt) / 2.0
    if a <= 0 or b <= 0:
        return float("nan")
    return float(-np.log(a / b))


def approximate_entropy(rr_ms: ArrayLike, m: int = 2, r: float | None = None) -> float:
    """Approximate entropy (Pincus 1991), as Kubios reports it: embedding ``m`` (2), tolerance ``r``
    (default 0.2 SD, ddof 1), Chebyshev distance, self-matches counted:
    ApEn = Phi_m - Phi_m+1, Phi_k = mean over templates i of ln(C_i), C_i the share of the N - k + 1
    templates within ``r`` of template i. Counted with a k-d tree (no N x N matrix). NaN with fewer than
    10^m values (Pincus & Goldberger 1994 ask for 10^m to 30^m; shorter, the estimate is biased, even
    negative)."""
    x = np.asarray(rr_ms, dtype=float)
    n = x.size
    if n < max(10 ** m, m + 2):
        return float("nan")
    tol = 0.2 * float(np.std(x, ddof=1)) if r is None else float(r)
    if tol <= 0:
        return float("nan")
    from scipy.spatial import cKDTree

    emb = np.lib.stride_tricks.sliding_window_view(x, m)  # n - m + 1 templates
    nt, nt1 = emb.shape[0], n - m
    tree = cKDTree(emb, balanced_tree=False, compact_nodes=False)
    probe = emb[:: max(1, nt // 256)]
    est_pairs = float(np.mean(tree.query_ball_point(probe, tol, p=np.inf, return_length=True))) * nt / 2.0
    if est_pairs <= PAIRS_MAX:
        # the m pairs listed once; the m + 1 matches are those of the first n - m templates whose next values
        # match too (as in sample_entropy); every template matches itself
        ij = tree.query_pairs(tol, p=np.inf, output_type="ndarray")
        c_m = 1.0 + np.bincount(ij[:, 0], minlength=nt) + np.bincount(ij[:, 1], minlength=nt)
        ij = ij[(ij[:, 1] < nt1) & (ij[:, 0] < nt1)]
        ij = ij[np.abs(x[ij[:, 0] + m] - x[ij[:, 1] + m]) <= tol]
        c_m1 = 1.0 + np.bincount(ij[:, 0], minlength=nt1) + np.bincount(ij[:, 1], minlength=nt1)
    else:  # many matches: counted per template, in linear memory
        c_m = tree.query_ball_point(emb, tol, p=np.inf, return_length=True).astype(float)
        emb1 = np.lib.stride_tricks.sliding_window_view(x, m + 1)
        t1 = cKDTree(emb1, balanced_tree=False, compact_nodes=False)
        c_m1 = t1.query_ball_point(emb1, tol, p=np.inf, return_length=True).astype(float)
    return float(np.mean(np.log(c_m / nt)) - np.mean(np.log(c_m1 / nt1)))
