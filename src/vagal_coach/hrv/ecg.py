"""R-peaks from a single-lead ECG (a chest strap's 130 Hz stream): our own beat times, live and offline.

One causal detector serves both: the live engine feeds it the strap's ECG frames as they arrive, and
offline analysis feeds it a whole recording in one call, so both find the same beats.

Detection (Pan & Tompkins 1985, in the vectorised form of Elgendi et al.'s QRS energy detectors):
band-pass 5-18 Hz (causal Butterworth), derivative, square, 120 ms moving-window integration. A local
maximum of that energy is final once ``WAIT_S`` of signal after it has arrived (no larger one within
that time on either side), and a beat when it exceeds ``THRESHOLD`` x the median energy of the last
eight beats and comes ``REFRACTORY_S`` or more after the last beat. The beat is then timed on the raw
ECG: the extreme sample (of the lead's R polarity) within ``SEARCH_S`` before the energy peak, refined
by parabolic interpolation through it and its neighbours, so timing is sub-sample (about 1 ms at
130 Hz) and untouched by the filters' phase.

A beat is reported ``WAIT_S`` plus the filter and integration lag (about 0.1 s) after it happened:
``latency_s`` <= 0.25 s of signal at 130 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

BAND_HZ = (5.0, 18.0)
MWI_S = 0.12  # moving-window integration: about one QRS
REFRACTORY_S = 0.2  # no two beats closer (300 bpm)
WAIT_S = 0.12  # signal needed after an energy peak before it is final (one QRS energy hump)
SEARCH_S = 0.15  # the R peak lies at most this long before the energy peak
THRESHOLD = 0.25  # x median energy of recent beats
HISTORY_S = 3.0  # raw and energy kept for look-back (bounded memory however long the stream)
LEARN_S = 2.0  # the first seconds set the initial threshold ...
LEARN_CONTRAST = 10.0  # ... once a QRS stands this far above the median energy peak (noise, T waves)
LEARN_MAX_S = 10.0  # ... or after this long at the latest
MAX_UV = 1e7  # samples beyond +-10 V (no electrode gives them) are clipped, so nothing overflows
JUMP = 8.0  # a beat this far above the level resets it (contact made after noise)


def parabolic_offset(y_prev: NDArray[np.float64], y0: NDArray[np.float64], y_next: NDArray[np.float64]
                     ) -> NDArray[np.float64]:
    """Sub-sample offset (in samples, within +-0.5) of the vertex of the parabola through three points."""
    den = y_prev - 2.0 * y0 + y_next
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.where(den != 0, 0.5 * (y_prev - y_next) / den, 0.0)
    return np.clip(off, -0.5, 0.5)


@dataclass
class RPeakDetector:
    """Causal R-peak detector: ``push(ecg_uv)`` chunks of any size, get the beat times found so far.

    Times are seconds from the first sample pushed (``t0_s`` adds an offset). Memory is bounded
    (``HISTORY_S`` of signal)."""

    fs_hz: float
    t0_s: float = 0.0
    polarity: int = 0  # +1 R up, -1 R down, 0: learned from the first seconds
    _n: int = 0  # samples pushed so far
    _raw: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _energy: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _zi: NDArray[np.float64] | None = None
    _last_band: float = 0.0
    _sq_tail: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _heights: list[float] = field(default_factory=list)
    _last_peak_idx: int = -(10**9)  # absolute sample index of the last energy peak taken as a beat
    _scanned_to: int = 0  # energy peaks before this absolute index are settled

    def __post_init__(self) -> None:
        from scipy import signal

        if not np.isfinite(self.fs_hz) or self.fs_hz < 50:
            raise ValueError(f"ECG sampling rate {self.fs_hz} Hz is too low for R-peaks (need >= 50 Hz)")
        hi = min(BAND_HZ[1], 0.45 * self.fs_hz)
        self._sos = signal.butter(2, (BAND_HZ[0], hi), btype="bandpass", fs=self.fs_hz, output="sos")
        self._mwi = max(1, int(round(MWI_S * self.fs_hz)))
        self._refr = max(1, int(round(REFRACTORY_S * self.fs_hz)))
        self._wait = max(1, int(round(WAIT_S * self.fs_hz)))
        self._search = max(1, int(round(SEARCH_S * self.fs_hz)))
        self._keep = int(HISTORY_S * self.fs_hz)
        self._sq_tail = np.zeros(self._mwi - 1)
        self._settle = self._mwi + self._search

    @property
    def latency_s(self) -> float:
        """Signal needed after an R peak before it is reported: the filters' and integration's lag (the
        energy peaks about one integration window after the R peak) plus the wait for it to be final."""
        return (self._mwi + self._wait + 1) / self.fs_hz

    def push(self, ecg_uv: ArrayLike) -> NDArray[np.float64]:
        """Feed samples; returns the times (s) of beats that became final with them."""
        from scipy import signal

        x = np.asarray(ecg_uv, dtype=float).ravel()
        if x.size == 0:
            return np.zeros(0)
        x = np.clip(np.where(np.isfinite(x), x, 0.0), -MAX_UV, MAX_UV)
        if self._zi is None:
            self._zi = signal.sosfilt_zi(self._sos) * x[0]
        band, self._zi = signal.sosfilt(self._sos, x, zi=self._zi)
        d = np.diff(band, prepend=self._last_band)
        self._last_band = float(band[-1])
        sq = np.concatenate((self._sq_tail, d * d))
        c = np.cumsum(sq)
        e = (c[self._mwi - 1:] - np.concatenate(([0.0], c[:-self._mwi]))) / self._mwi
        self._sq_tail = sq[sq.size - (self._mwi - 1):] if self._mwi > 1 else np.zeros(0)
        start = self._n - self._raw.size  # absolute index of _raw[0] (before appending)
        self._raw = np.concatenate((self._raw, x))
        self._energy = np.concatenate((self._energy, e))
        self._n += x.size
        beats = self._scan(start)
        if self._raw.size > self._keep:
            cut = self._raw.size - self._keep
            self._raw, self._energy = self._raw[cut:], self._energy[cut:]
        return beats

    def _scan(self, start: int) -> NDArray[np.float64]:
        from scipy import signal

        if self._n < LEARN_S * self.fs_hz and not self._heights:
            return np.zeros(0)  # still learning the level
        e = self._energy
        if not self._heights:
            pk, _ = signal.find_peaks(e, distance=self._wait)
            if pk.size == 0:
                return np.zeros(0)
            top = float(e[pk].max())
            if top < LEARN_CONTRAST * float(np.median(e[pk])) and self._n < LEARN_MAX_S * self.fs_hz:
                return np.zeros(0)  # no QRS stands out yet (noise only, or a strap still settling)
            if self.polarity == 0:
                r = self._raw - np.median(self._raw)
                self.polarity = 1 if r.max() >= -r.min() else -1
            self._heights = [float(np.median(e[pk][e[pk] >= 0.3 * top]))] * 8
        # peaks are final up to ``wait`` samples before the end: none larger can come within that time
        final_to = self._n - self._wait
        pk, _ = signal.find_peaks(e, distance=self._wait)
        pk_abs = pk + start
        sel = (pk_abs >= self._scanned_to) & (pk_abs < final_to)
        out: list[float] = []
        for i, ia in zip(pk[sel], pk_abs[sel], strict=True):  # per beat, not per sample
            h = float(e[i])
            if ia < self._settle:  # the filters' start-up transient is not a beat
                continue
            level = float(np.median(self._heights))
            if ia - self._last_peak_idx < self._refr or h < THRESHOLD * level:
                continue
            if h > JUMP * level:  # the signal came up (an electrode now in contact): learn the new level
                self._heights = [h] * 8
            t = self._time_r(i, start)
            if t is None:
                continue
            self._heights = [*self._heights[1:], h]
            self._last_peak_idx = int(ia)
            out.append(t)
        self._scanned_to = max(self._scanned_to, final_to)
        return np.asarray(out)

    def _time_r(self, i: int, start: int) -> float | None:
        lo = max(1, i - self._search)
        hi = max(lo + 1, min(i + 1, self._raw.size - 1))
        seg = self.polarity * self._raw[lo:hi]
        if seg.size == 0:
            return None
        k = lo + int(np.argmax(seg))
        if k <= 0 or k >= self._raw.size - 1:
            return None
        y = self.polarity * self._raw[k - 1:k + 2]
        off = float(parabolic_offset(y[0], y[1], y[2]))
        return self.t0_s + (start + k + off) / self.fs_hz


def detect_r_peaks(ecg_uv: ArrayLike, fs_hz: float, t0_s: float = 0.0) -> NDArray[np.float64]:
    """Beat times (s) of a whole ECG recording: the live detector run over it in one call."""
    det = RPeakDetector(fs_hz, t0_s)
    x = np.asarray(ecg_uv, dtype=float).ravel()
    # the learning phase needs LEARN_S of signal at once; then blocks keep the look-back buffer bounded
    first = int(LEARN_S * fs_hz) + 1
    beats = [det.push(x[:first])]
    block = max(1, int(HISTORY_S * fs_hz) - 2 * det._search - det._refr - det._mwi)
    beats += [det.push(x[i:i + block]) for i in range(first, x.size, block)]
    return np.concatenate(beats) if beats else np.zeros(0)


@dataclass(frozen=True)
class EcgQuality:
    """How far the ECG's beats can be trusted: the share of RR intervals within 20 % of their local median."""

    share_regular: float
    n_beats: int

    @property
    def good(self) -> bool:
        return self.n_beats >= 10 and self.share_regular >= 0.9


def ecg_quality(beat_t_s: ArrayLike) -> EcgQuality:
    from scipy.ndimage import median_filter

    t = np.asarray(beat_t_s, dtype=float)
    rr = np.diff(t)
    if rr.size < 3:
        return EcgQuality(0.0, int(t.size))
    med = median_filter(rr, size=min(9, rr.size | 1), mode="nearest")
    ok = np.abs(rr - med) <= 0.2 * med
    return EcgQuality(float(np.mean(ok)), int(t.size))


def match_beats(ref_t_s: ArrayLike, test_t_s: ArrayLike, tol_s: float = 0.05
                ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Pairs (indices into ref, into test) of beats within ``tol_s`` of each other (nearest, one-to-one)."""
    ref = np.asarray(ref_t_s, dtype=float)
    test = np.asarray(test_t_s, dtype=float)
    if ref.size == 0 or test.size == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    j = np.clip(np.searchsorted(test, ref), 1, test.size - 1) if test.size > 1 else np.zeros(ref.size, np.intp)
    cand = np.stack((j - 1, j)) if test.size > 1 else np.stack((j, j))
    dist = np.abs(test[cand] - ref)
    best = cand[np.argmin(dist, axis=0), np.arange(ref.size)]
    ok = np.abs(test[best] - ref) <= tol_s
    ri, ti = np.nonzero(ok)[0], best[ok]
    _, first = np.unique(ti, return_index=True)  # one-to-one: a test beat pairs with its first ref beat
    return ri[first], ti[first]


def rr_agreement_ms(beat_a_t_s: ArrayLike, beat_b_t_s: ArrayLike, tol_s: float = 0.05) -> tuple[float, float]:
    """Agreement of two beat series (ECG vs strap): the share of A's beats found in B, and the median
    absolute difference (ms) of the RR intervals both give."""
    a = np.asarray(beat_a_t_s, dtype=float)
    b = np.asarray(beat_b_t_s, dtype=float)
    ia, ib = match_beats(a, b, tol_s)
    if ia.size < 2:
        return 0.0, float("nan")
    consecutive = (np.diff(ia) == 1) & (np.diff(ib) == 1)
    d = np.abs(np.diff(a[ia]) - np.diff(b[ib]))[consecutive] * 1000.0
    return float(ia.size / max(1, a.size)), float(np.median(d)) if d.size else float("nan")
