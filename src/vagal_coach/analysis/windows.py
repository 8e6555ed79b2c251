"""The trend of one recording: its time-domain metrics over consecutive windows of one length.

The windows lie on a grid of the window length from the recording's clock zero (starts 0, 60, 120, ...
exactly, whatever the float noise of summed intervals), so windows of different recordings line up and a
window's start is a clean number. A window the recording does not cover whole, at its start or end, is
kept and marked ``partial``; "whole" means no beat of it can be missing: the data reach its start and its
end to within one median interval (the next beat would fall beyond the window). Each window's figures are
:func:`vagal_coach.hrv.time_domain.time_domain` of the beats in it: the same definitions as for the whole
recording, whatever they become.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vagal_coach.hrv.time_domain import time_domain

#: a beat time within this of a grid line counts as on it (summed float intervals drift by ~1e-9 s)
_EPS_S = 1e-6


def metric_keys() -> tuple[str, ...]:
    """The per-window figures: every key of :func:`time_domain` but its beat count."""
    return tuple(k for k in time_domain(np.array([800.0, 810.0, 790.0, 805.0])) if k != "n_beats")


def windows(t_s: ArrayLike, rr_ms: ArrayLike, window_s: float, origin_s: float = 0.0) -> dict[str, NDArray]:
    """Time-domain metrics over the windows ``[origin_s + k * window_s, origin_s + (k + 1) * window_s)``
    that hold beats (a beat belongs to the window its time falls in).

    Returns arrays ``start_s``, ``end_s``, ``n_beats``, ``partial`` (bool) and every key of
    :func:`metric_keys` (NaN where a window has too few beats for it)."""
    t = np.asarray(t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    keys = metric_keys()
    if t.size == 0 or not window_s > 0:
        out: dict[str, NDArray] = {k: np.zeros(0) for k in ("start_s", "end_s", "n_beats", *keys)}
        out["partial"] = np.zeros(0, bool)
        return out
    k = np.floor((t - origin_s) / window_s + _EPS_S / window_s).astype(np.int64)
    ks, first = np.unique(k, return_index=True)
    bounds = np.append(first, t.size)
    starts = origin_s + ks.astype(float) * window_s
    # clean numbers: a start on the grid is k * window_s exactly (rounded to the µs of the beat times)
    starts = np.round(starts, 6)
    ends = np.round(starts + window_s, 6)
    tol_s = float(np.median(rr)) / 1000.0
    data_start = float(t[0] - rr[0] / 1000.0)
    data_end = float(t[-1])
    partial = (data_start > starts + tol_s) | (data_end < ends - tol_s)
    out = {"start_s": starts, "end_s": ends, "n_beats": np.diff(bounds).astype(float), "partial": partial}
    vals = np.full((len(keys), ks.size), np.nan)
    for i in range(ks.size):
        td = time_domain(rr[bounds[i]:bounds[i + 1]])
        for j, key in enumerate(keys):
            vals[j, i] = td.get(key, np.nan)
    for j, key in enumerate(keys):
        out[key] = vals[j]
    return out
