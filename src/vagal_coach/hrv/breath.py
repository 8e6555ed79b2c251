"""Breath-cycle metrics: peak-to-trough HR per breath, the phase between HR and breathing, and breathing
from a chest accelerometer with its adherence to the pacer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vagal_coach.hrv.ecg import parabolic_offset


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


# ---------------------------------------------------------------------------------------------------------
# Breathing from a chest strap's accelerometer (Polar H10 ACC): the waveform, the breaths, the rate, and
# how closely they follow the pacer.
#
# The strap tilts with the chest wall as the lungs fill (a few degrees), so gravity's share on each axis
# swings at the breathing rate. The three axes are band-passed to the breathing band (causal Butterworth,
# so live and offline give the same samples), brought to about ``BREATH_FS_HZ`` and projected on their principal
# axis (the direction the tilt swings along, from an exponentially weighted covariance, so it follows a
# client who leans or slumps). An accelerometer cannot tell inhale from exhale; the heart can (it speeds
# up on the inhale, respiratory sinus arrhythmia), so ``orient`` turns the waveform to rise with HR.
# Breaths are the waveform's troughs (the start of an inhale), found once ``TROUGH_FINAL_S`` of signal has
# followed them and the waveform has risen from them by a quarter of its recent swing.
# ---------------------------------------------------------------------------------------------------------

BREATH_BAND_HZ = (0.02, 1.0)  # passes 3-48 breaths/min and their first harmonics
BREATH_FS_HZ = 10.0  # the waveform's least rate (the ACC's rate over a whole number)
COV_TAU_S = 30.0  # the principal axis follows posture over about this long
TROUGH_FINAL_S = 1.5  # signal needed after a trough before it is a breath
MIN_BREATH_S = 1.5  # at most 40 breaths/min
SWING_WINDOW_S = 60.0
PROMINENCE = 0.25  # x the recent swing (5th-95th percentile range)
MAX_MG = 1e5  # samples beyond +-100 g are clipped (no chest moves so), so nothing overflows
STUCK_WINDOW_S = 10.0  # an axis is judged stuck on this much of its latest signal
FLAT_MG = 1.0  # an axis moving less than this peak to peak is stuck (a working one's noise alone is a few mG)
PINNED_SHARE = 0.9  # ... or one reading one value this share of the time (an H10 axis stuck at -2000 mG)


def stuck_axes(acc_mg: ArrayLike) -> NDArray[np.bool_]:
    """Which of the three axes of ``acc_mg`` ([n, 3] mG, ``STUCK_WINDOW_S`` or so of signal) are stuck: flat
    (peak to peak within ``FLAT_MG``), or pinned (one value, such as -2000, ``PINNED_SHARE`` of the time)
    whatever glitches they show besides. A working axis always shows its sensor's noise."""
    a = np.asarray(acc_mg, dtype=float).reshape(-1, 3)
    if a.shape[0] < 2:
        return np.zeros(3, dtype=bool)
    out = np.ptp(a, axis=0) <= FLAT_MG
    for k in range(3):
        _, counts = np.unique(a[:, k], return_counts=True)
        out[k] |= counts.max() >= PINNED_SHARE * a.shape[0]
    return out


@dataclass
class AccBreathing:
    """Causal breathing waveform from chest acceleration: ``push(acc_mg)`` with [n, 3] samples at ``fs_hz``
    (contiguous, from ``t0_s``), get the new waveform samples ``(t_s, value)`` at ``out_hz`` (>= ``BREATH_FS_HZ``).

    The waveform is in mG along the principal axis, sign as given by ``sign`` (see ``orient``). ``use_axes``
    leaves out axes (``stuck_axes``): breathing then comes from the others.
    ``breaths()`` lists inhale onsets found so far. Memory is bounded (``SWING_WINDOW_S`` of waveform)."""

    fs_hz: float
    t0_s: float = 0.0
    sign: float = 1.0
    use_axes: tuple[bool, bool, bool] = (True, True, True)
    _n: int = 0
    _zi: NDArray[np.float64] | None = None
    _czi: NDArray[np.float64] = field(default_factory=lambda: np.zeros((1, 6)))
    _axis: NDArray[np.float64] = field(default_factory=lambda: np.zeros(3))
    _t: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _w: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    _onsets: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        from scipy import signal

        if not np.isfinite(self.fs_hz) or self.fs_hz < 2 * BREATH_BAND_HZ[1] + 1:
            raise ValueError(f"accelerometer rate {self.fs_hz} Hz is too low for breathing (need >= 3 Hz)")
        # first-order high-pass and second-order low-pass: little phase distortion across the breath's
        # harmonics, so a trough stays where the breath starts
        self._sos = np.vstack((signal.butter(1, BREATH_BAND_HZ[0], btype="highpass", fs=self.fs_hz, output="sos"),
                               signal.butter(2, BREATH_BAND_HZ[1], btype="lowpass", fs=self.fs_hz, output="sos")))
        self._step = max(1, int(self.fs_hz // BREATH_FS_HZ))
        self.out_hz = self.fs_hz / self._step  # the waveform's own rate: >= BREATH_FS_HZ (12.5 Hz from 25 Hz)
        self._alpha = 1.0 - np.exp(-self._step / (self.fs_hz * COV_TAU_S))
        # the band-pass delays a breath by its phase delay at the breathing rate: a table to take it back
        self._delay_f_hz = np.linspace(0.03, 1.0, 98)
        _, h = signal.sosfreqz(self._sos, worN=self._delay_f_hz, fs=self.fs_hz)
        self._delay_s = -np.unwrap(np.angle(h)) / (2 * np.pi * self._delay_f_hz)

    def push(self, acc_mg: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        from scipy import signal

        a = np.asarray(acc_mg, dtype=float).reshape(-1, 3)
        if a.shape[0] == 0:
            return np.zeros(0), np.zeros(0)
        a = np.clip(np.where(np.isfinite(a), a, 0.0), -MAX_MG, MAX_MG)
        if not all(self.use_axes):
            a = a * np.asarray(self.use_axes, dtype=float)  # an axis left out carries nothing to the breath
        if self._zi is None:
            self._zi = signal.sosfilt_zi(self._sos)[:, :, None] * a[0][None, None, :]
        band, self._zi = signal.sosfilt(self._sos, a, axis=0, zi=self._zi)
        first = (-self._n) % self._step  # keep every step-th sample of the whole stream
        idx = np.arange(first, a.shape[0], self._step)
        self._n += a.shape[0]
        if idx.size == 0:
            return np.zeros(0), np.zeros(0)
        b = band[idx]
        t = self.t0_s + (self._n - a.shape[0] + idx) / self.fs_hz
        # exponentially weighted covariance, sample by sample (a first-order recursive filter on its six
        # entries), and its principal axis at each sample, the axis's sense kept from sample to sample
        outer = b[:, [0, 0, 0, 1, 1, 2]] * b[:, [0, 1, 2, 1, 2, 2]]
        cov6, self._czi = signal.lfilter([self._alpha], [1.0, self._alpha - 1.0], outer, axis=0, zi=self._czi)
        _, vecs = np.linalg.eigh(cov6[:, [[0, 1, 2], [1, 3, 4], [2, 4, 5]]])
        ax = vecs[:, :, -1]
        turn = np.sign(np.einsum("ij,ij->i", ax, np.vstack((self._axis, ax[:-1]))))
        ax = ax * np.cumprod(np.where(turn == 0, 1.0, turn))[:, None]
        self._axis = ax[-1]
        w = self.sign * np.einsum("ij,ij->i", b, ax)
        self._t = np.concatenate((self._t, t))
        self._w = np.concatenate((self._w, w))
        keep = int(SWING_WINDOW_S * self.out_hz)
        self._find_troughs()
        if self._t.size > keep:
            self._t, self._w = self._t[-keep:], self._w[-keep:]
        return t, w

    def _find_troughs(self) -> None:
        from scipy import signal

        if self._w.size < int(10 * self.out_hz):
            return
        lo, hi = np.percentile(self._w, (5, 95))
        pk, _ = signal.find_peaks(-self._w, distance=int(MIN_BREATH_S * self.out_hz),
                                  prominence=PROMINENCE * max(hi - lo, 1e-9))
        pk = pk[(pk > 0) & (pk < self._w.size - 1)]
        # the trough between waveform samples: the vertex of the parabola through it and its neighbours
        off = parabolic_offset(self._w[pk - 1], self._w[pk], self._w[pk + 1])
        t_pk = self._t[pk] + off / self.out_hz
        final_to = self._t[-1] - TROUGH_FINAL_S
        last = self._onsets[-1] if self._onsets else -np.inf
        new = t_pk[(t_pk > last + MIN_BREATH_S - 0.2) & (t_pk <= final_to)]
        for tt in new:  # per breath, not per sample
            if tt > (self._onsets[-1] if self._onsets else -np.inf) + MIN_BREATH_S - 0.2:
                self._onsets.append(float(tt))

    def flip(self) -> None:
        """Turn the waveform over (after ``orient`` found it upside down): the breaths are found again in
        the last ``SWING_WINDOW_S`` (call it in the first minute, when the sign is settled)."""
        self.sign = -self.sign
        self._w = -self._w
        self._onsets = []
        self._find_troughs()

    def waveform(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The last ``SWING_WINDOW_S`` of waveform (t_s, mG)."""
        return self._t, self._w

    def breaths(self) -> NDArray[np.float64]:
        """Inhale onsets (s) found so far: the waveform's troughs, less the band-pass's phase delay at each
        breath's rate (its length to the next trough; the last one's, its length from the previous one)."""
        tr = np.asarray(self._onsets)
        if tr.size < 2:
            return tr
        d = np.diff(tr)
        period = np.concatenate((d, d[-1:]))
        return tr - np.interp(1.0 / period, self._delay_f_hz, self._delay_s)


def orient(breath_t_s: ArrayLike, breath: ArrayLike, beat_t_s: ArrayLike, rr_ms: ArrayLike) -> float:
    """+1 when the breathing waveform rises with heart rate (as lung volume does: the heart speeds up on the
    inhale), -1 when it falls, 0 when the two do not share a rhythm (|r| < 0.1) or there is too little of
    either. The correlation is taken at the lag (0-2 s of HR after the breath) where it is largest."""
    bt = np.asarray(breath_t_s, dtype=float)
    w = np.asarray(breath, dtype=float)
    t = np.asarray(beat_t_s, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    ok = np.isfinite(t) & np.isfinite(rr) & (rr > 0)
    t, rr = t[ok], rr[ok]
    if t.size < 10 or bt.size < 50:
        return 0.0
    sel = (bt >= t[0]) & (bt <= t[-1])
    if sel.sum() < 50:
        return 0.0
    best = 0.0
    for lag_s in np.arange(0.0, 2.01, 0.5):  # five lags, each one vectorised
        hr = 60000.0 / np.interp(bt[sel] + lag_s, t, rr)
        a, b = w[sel] - w[sel].mean(), hr - hr.mean()
        den = float(np.sqrt((a * a).sum() * (b * b).sum()))
        r = float((a * b).sum() / den) if den > 0 else 0.0
        if abs(r) > abs(best):
            best = r
    return 0.0 if abs(best) < 0.1 else float(np.sign(best))


def acc_breathing(acc_mg: ArrayLike, fs_hz: float, t0_s: float = 0.0, beat_t_s: ArrayLike | None = None,
                  rr_ms: ArrayLike | None = None, sample_t_s: ArrayLike | None = None,
                  use_axes: tuple[bool, bool, bool] | None = None
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Breathing of a whole ACC recording as the live ``AccBreathing`` finds it (fed one-second blocks, as
    frames arrive): ``(t_s, waveform_mg, inhale_onset_t_s)``, the waveform turned by ``orient`` when beats
    are given. With ``sample_t_s`` (each sample's own time, as a sensor stamps them) the waveform and the
    onsets are timed through those, as the live pipeline does; else at ``t0_s + index / fs_hz``. Axes stuck
    over the whole recording (``stuck_axes``) are left out unless ``use_axes`` says which to use."""
    a = np.asarray(acc_mg, dtype=float).reshape(-1, 3)
    if use_axes is None:
        stuck = stuck_axes(a)
        use = [True, True, True] if stuck.all() else [bool(u) for u in ~stuck]
        axes: tuple[bool, bool, bool] = (use[0], use[1], use[2])
    else:
        axes = use_axes
    block = max(1, int(fs_hz))
    st = None if sample_t_s is None else np.asarray(sample_t_s, dtype=float)

    def timed(t_det: NDArray[np.float64]) -> NDArray[np.float64]:
        if st is None or st.size < 2:
            return t_det
        return np.interp((t_det - t0_s) * fs_hz, np.arange(st.size), st)

    def run(sign: float) -> tuple[AccBreathing, NDArray[np.float64], NDArray[np.float64]]:
        det = AccBreathing(fs_hz, t0_s, sign=sign, use_axes=axes)
        parts = [det.push(a[i:i + block]) for i in range(0, a.shape[0], block)]
        t = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
        w = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
        return det, timed(t), w

    det, t, w = run(1.0)
    if beat_t_s is not None and rr_ms is not None and orient(t, w, beat_t_s, rr_ms) < 0:
        det, t, w = run(-1.0)
    return t, w, timed(det.breaths())


def breathing_rate_from_onsets(onset_t_s: ArrayLike, last: int = 4) -> float:
    """Breaths/min from the median duration of the last ``last`` breaths; NaN with fewer than two onsets."""
    o = np.asarray(onset_t_s, dtype=float)
    if o.size < 2:
        return float("nan")
    d = np.diff(o)[-last:]
    return float(60.0 / np.median(d))


FOLLOW_DURATION = 0.25  # a breath follows the pacer when its length is within 25 % of the pacer's cycle ...
FOLLOW_LAG_DEG = 60.0  # ... and it starts within 60 deg (1/6 of a cycle) of the pacer's inhale cue


@dataclass(frozen=True)
class Adherence:
    """How the client's breaths follow the pacer: per breath (from one inhale onset to the next), the lag of
    its onset behind the pacer's inhale cue (degrees of the pacer's cycle, + = later), its length over the
    pacer's cycle length, and whether it follows (both within ``FOLLOW_*``)."""

    onset_t_s: NDArray[np.float64]
    lag_deg: NDArray[np.float64]
    duration_ratio: NDArray[np.float64]
    follows: NDArray[np.bool_]

    @property
    def share_following(self) -> float:
        return float(np.mean(self.follows)) if self.follows.size else float("nan")

    @property
    def median_lag_deg(self) -> float:
        return float(np.median(self.lag_deg)) if self.lag_deg.size else float("nan")


def adherence(onset_t_s: ArrayLike, pacer_cycles_at_onsets: ArrayLike, pacer_period_s: ArrayLike) -> Adherence:
    """Adherence of breaths to the pacer.

    ``onset_t_s``: inhale onsets (s); ``pacer_cycles_at_onsets``: the pacer's phase in cycles at each onset
    (an integer is the pacer's inhale cue; ``PacerSchedule.cycles_at``); ``pacer_period_s``: the pacer's cycle
    length at each onset (60 / rate). Each breath but the last (whose end is not known yet) gets a row."""
    o = np.asarray(onset_t_s, dtype=float)
    c = np.asarray(pacer_cycles_at_onsets, dtype=float)
    p = np.asarray(pacer_period_s, dtype=float)
    if o.size < 2:
        z = np.zeros(0)
        return Adherence(z, z, z, np.zeros(0, bool))
    frac = (c[:-1] + 0.5) % 1.0 - 0.5  # (-0.5, 0.5]: how far past the nearest inhale cue
    lag = 360.0 * frac
    ratio = np.diff(o) / p[:-1]
    follows = (np.abs(ratio - 1.0) <= FOLLOW_DURATION) & (np.abs(lag) <= FOLLOW_LAG_DEG)
    return Adherence(o[:-1], lag, ratio, follows)
