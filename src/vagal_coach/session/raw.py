"""The raw streams of a strap with Polar's Measurement Data service, live: ECG to our own beats, chest
acceleration to breaths, and how the breaths follow the pacer.

Frames are decoded and put on the session clock by ``wire.pmd.PmdDecoder``; the ECG goes through the
causal R-peak detector and the acceleration through the causal breathing tracker (``hrv.ecg``,
``hrv.breath``), the same code ``analyze`` runs on a recording's frames read back. The detectors count
samples at the stream's nominal rate; each beat or breath is then placed on the session clock through
the times of the samples around it, so a sensor a little faster or slower than nominal (the H10's is
within about 2 %) does not drift. A frame that follows missing samples restarts the detectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vagal_coach.hrv.breath import (
    STUCK_WINDOW_S,
    AccBreathing,
    Adherence,
    adherence,
    breathing_rate_from_onsets,
    orient,
    stuck_axes,
)
from vagal_coach.hrv.ecg import RPeakDetector, ecg_quality, rr_agreement_ms
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.wire.pmd import ACC, ECG, PmdDecoder

ECG_QUALITY_BEATS = 20  # the ECG's beats are used while the last this many are regular
ORIENT_AFTER_S = 45.0  # breathing is turned to rise with HR once this much of both is at hand
KEEP_S = 130.0  # beats and breaths kept for quality, agreement and orientation


class _Timeline:
    """Session times of a stream's recent samples, by running sample index (bounded)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.idx: NDArray[np.float64] = np.zeros(0)
        self.t: NDArray[np.float64] = np.zeros(0)
        self.n = 0

    def add(self, t_s: NDArray[np.float64]) -> None:
        self.idx = np.concatenate((self.idx, self.n + np.arange(t_s.size, dtype=np.float64)))[-self.keep:]
        self.t = np.concatenate((self.t, t_s))[-self.keep:]
        self.n += t_s.size

    def at(self, idx: NDArray[np.float64]) -> NDArray[np.float64]:
        """Session time of fractional sample indices (extrapolated at the stream's recent pace)."""
        if self.t.size < 2:
            return np.full(np.shape(idx), self.t[-1] if self.t.size else np.nan)
        slope = (self.t[-1] - self.t[0]) / (self.idx[-1] - self.idx[0])
        i = np.asarray(idx, dtype=float)
        return np.where(i < self.idx[0], self.t[0] + (i - self.idx[0]) * slope,
                        np.where(i > self.idx[-1], self.t[-1] + (i - self.idx[-1]) * slope,
                                 np.interp(i, self.idx, self.t)))


@dataclass
class RawUpdate:
    """What one frame brought."""

    ecg_t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    ecg_uv: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    beat_t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # new ECG beats
    rr_ms: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # their RR (NaN: unknown)
    breath_t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    breath_mg: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    onsets_t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # breaths found now
    oriented: bool = False  # the breathing waveform's sign is known (it rises on the inhale)
    flipped: bool = False  # the waveform was just turned over: samples given before (this one's too) are turned


class RawPipeline:
    def __init__(self) -> None:
        self.decoder = PmdDecoder()
        self._ecg: RPeakDetector | None = None
        self._ecg_run0 = 0  # running sample index where the current detector started
        self._ecg_line = _Timeline(int(15 * 130))
        self._acc: AccBreathing | None = None
        self._acc_run0 = 0
        self._acc_line = _Timeline(int(75 * 25))
        self.beats_t_s: list[float] = []  # ECG beats of the last KEEP_S
        self.onsets_t_s: list[float] = []  # every inhale onset of the session
        self.orientation = 0.0  # +1 / -1 once settled
        self.has_ecg = False
        self.has_acc = False
        self._reported_onsets = 0
        self._acc_recent = np.zeros((0, 3))  # the last STUCK_WINDOW_S of acceleration, to find stuck axes
        self.stuck_axes: tuple[bool, bool, bool] = (False, False, False)
        self.flat = False  # all three axes stuck: no breaths from the accelerometer (the heart's rhythm gives the rate)
        self._started: set[str] = set()  # streams the strap said it started on the latest connection
        self._flowing: set[str] = set()  # ... and those that have sent a frame since

    def configure(self, pmd_info: dict) -> None:
        """The streams a (re)connection started (``BleStrap``'s ``pmd`` facts): their settings, and which
        are now to start flowing (an H10 may take up to 30 s after the start command)."""
        self.decoder.configure(pmd_info)
        self._started = {k for k in ("ecg", "acc") if isinstance(pmd_info.get(k), dict)
                         and pmd_info[k].get("status") == "success"}
        self._flowing = set()

    def starting(self) -> tuple[str, ...]:
        """Streams started on the latest connection that have sent nothing yet ("ecg", "acc")."""
        return tuple(k for k in ("ecg", "acc") if k in self._started and k not in self._flowing)

    # ---- ECG
    def _push_ecg(self, t_s: NDArray[np.float64], uv: NDArray[np.float64], gap: bool, up: RawUpdate) -> None:
        fs = self.decoder.rates_hz[ECG]
        if self._ecg is None or gap:
            self._ecg = RPeakDetector(fs)
            self._ecg_run0 = self._ecg_line.n
            if gap:
                self.beats_t_s.append(float("nan"))  # no interval across missing samples
        self._ecg_line.add(t_s)
        self.has_ecg = True
        found = self._ecg.push(uv)
        up.ecg_t_s, up.ecg_uv = t_s, uv
        if found.size == 0:
            return
        bt = self._ecg_line.at(self._ecg_run0 + found * fs)
        prev = np.array(self.beats_t_s[-1:] or [np.nan])
        up.beat_t_s = bt
        up.rr_ms = np.diff(np.concatenate((prev, bt))) * 1000.0
        self.beats_t_s += bt.tolist()
        cut = bt[-1] - KEEP_S
        while self.beats_t_s and not (self.beats_t_s[0] >= cut):
            self.beats_t_s.pop(0)

    def ecg_good(self) -> bool:
        """The last ``ECG_QUALITY_BEATS`` ECG beats are regular and recent (within 3 s of ``latest``)."""
        b = np.asarray(self.beats_t_s[-ECG_QUALITY_BEATS:])
        if b.size < ECG_QUALITY_BEATS or not np.all(np.isfinite(b)):
            return False
        return ecg_quality(b).good and self._ecg_line.t.size > 0 and self._ecg_line.t[-1] - b[-1] < 3.0

    def agreement(self, strap_beat_t_s: NDArray[np.float64], window_s: float = 60.0) -> tuple[float, float]:
        """(share of ECG beats the strap also gave, median |RR difference| ms) over the last ``window_s`` and
        the span the strap's beats cover."""
        b = np.asarray(self.beats_t_s)
        b = b[np.isfinite(b)]
        if b.size < 3:
            return float("nan"), float("nan")
        end = b[-1]
        sel = b[b > end - window_s]
        s = np.asarray(strap_beat_t_s, dtype=float)
        s = s[(s > end - window_s - 2.0) & (s < end + 2.0)]
        if s.size < 3:
            return float("nan"), float("nan")
        # the strap's beats are timed by their notifications' arrival (up to a notification interval late),
        # the ECG's by the sensor's clock: take the offset between the two out before pairing them. It is
        # the time difference most pairs share (the true pairs agree to a few ms; pairs a beat apart spread
        # with the beat-to-beat variation), searched within +-1.5 s
        d = (s[None, :] - sel[:, None]).ravel()
        d = d[np.abs(d) < 1.5]
        if d.size == 0:
            return float("nan"), float("nan")
        counts, edges = np.histogram(d, bins=np.arange(-1.5, 1.5 + 1e-9, 0.01))
        smooth = np.convolve(counts, np.ones(3), mode="same")
        peak = 0.5 * (edges[np.argmax(smooth)] + edges[np.argmax(smooth) + 1])
        near = d[np.abs(d - peak) < 0.02]
        offset = float(np.median(near)) if near.size else 0.0
        s = s - offset
        sel = sel[(sel > s[0] - 0.05) & (sel < s[-1] + 0.05)]  # the ECG's beats in the span the strap's cover
        if sel.size < 3:
            return float("nan"), float("nan")
        return rr_agreement_ms(sel, s)

    # ---- ACC
    def _push_acc(self, t_s: NDArray[np.float64], mg: NDArray[np.float64], gap: bool, up: RawUpdate) -> None:
        fs = self.decoder.rates_hz[ACC]
        keep = int(STUCK_WINDOW_S * fs)
        self._acc_recent = np.concatenate((self._acc_recent, np.asarray(mg, dtype=float).reshape(-1, 3)))[-keep:]
        use = self._acc.use_axes if self._acc is not None else (True, True, True)
        if self._acc_recent.shape[0] >= keep:
            stuck = stuck_axes(self._acc_recent)
            self.stuck_axes = (bool(stuck[0]), bool(stuck[1]), bool(stuck[2]))
            self.flat = bool(stuck.all())
            use = (True, True, True) if stuck.all() else (not stuck[0], not stuck[1], not stuck[2])
        if self._acc is None or gap or use != self._acc.use_axes:
            # (again) from the axes that work: a stuck one (an H10's at -2000 mG) would feed its glitches in
            self._acc = AccBreathing(fs, sign=self.orientation or 1.0, use_axes=use)
            self._acc_run0 = self._acc_line.n
            self._reported_onsets = 0
        self._acc_line.add(t_s)
        self.has_acc = True
        det = self._acc
        n_before = len(det._onsets)
        wt, w = det.push(mg)
        up.breath_t_s = self._acc_line.at(self._acc_run0 + wt * fs)
        up.breath_mg = w
        if len(det._onsets) > n_before or (det._onsets and self._reported_onsets < len(det._onsets)):
            on = det.breaths()[self._reported_onsets:]
            # an onset's time moves a little as the next breath tells its length: report final ones only
            on_t = self._acc_line.at(self._acc_run0 + on * fs)
            self._reported_onsets = len(det._onsets)
            if not self.flat:  # a flat accelerometer's "breaths" are its noise and glitches: none are kept
                up.onsets_t_s = on_t
                self.onsets_t_s += on_t.tolist()

    def maybe_orient(self, beat_t_s: NDArray[np.float64], rr_ms: NDArray[np.float64]) -> bool:
        """Once ``ORIENT_AFTER_S`` of breathing and beats are at hand, turn the waveform to rise with HR.
        True when it was turned over (the breaths found so far in the last minute are found again)."""
        det = self._acc
        if self.orientation or det is None or self.flat:
            return False
        wt, w = det.waveform()
        if wt.size == 0 or wt[-1] - wt[0] < ORIENT_AFTER_S:
            return False
        fs = self.decoder.rates_hz[ACC]
        st = self._acc_line.at(self._acc_run0 + wt * fs)
        o = orient(st, w, beat_t_s, rr_ms)
        if o == 0.0:
            return False
        self.orientation = o
        if o < 0:
            first_kept = st[0]
            self.onsets_t_s = [t for t in self.onsets_t_s if t < first_kept]
            det.flip()
            on = det.breaths()
            self.onsets_t_s += self._acc_line.at(self._acc_run0 + on * fs).tolist()
            self._reported_onsets = len(det._onsets)
            return True
        return False

    def breathing_rate_bpm(self) -> float:
        """The rate of the latest breaths; NaN until the waveform is oriented and while the accelerometer is flat."""
        return breathing_rate_from_onsets(self.onsets_t_s) if self.orientation and not self.flat else float("nan")

    def adherence(self, schedule: PacerSchedule | None) -> Adherence:
        """Adherence of the session's breaths so far to the pacer ``schedule`` (``PacerSchedule``)."""
        o = np.asarray(self.onsets_t_s)
        if schedule is None or o.size < 2 or not self.orientation or self.flat:
            return adherence([], [], [])
        rate = schedule.rate_at(o)
        paced = rate > 0
        o = o[paced]
        with np.errstate(divide="ignore"):
            return adherence(o, schedule.cycles_at(o), 60.0 / schedule.rate_at(o))

    # ---- frames
    def push(self, t_arrival_s: float, raw: bytes) -> RawUpdate:
        up = RawUpdate()
        s = self.decoder.decode(t_arrival_s, raw)
        if s is None:
            return up
        self._flowing.add("ecg" if s.mtype == ECG else "acc" if s.mtype == ACC else "other")
        if s.mtype == ECG:
            self._push_ecg(s.t_s, s.values, s.gap_before, up)
        elif s.mtype == ACC:
            self._push_acc(s.t_s, s.values, s.gap_before, up)
        return up


def raw_status_texts(has_ecg: bool, has_acc: bool, rr_source: str, agreement: tuple[float, float],
                     breathing_rate_bpm: float, share_following: float, last_lag_deg: float, paced: bool,
                     starting: tuple[str, ...] = (), stuck: tuple[bool, bool, bool] = (False, False, False)
                     ) -> tuple[str, str]:
    """The two raw-stream status lines (device panel, CLI) from the session status: figures as computed, worded.
    ``starting``: streams started but not flowing yet (``RawPipeline.starting``); ``stuck``: ACC axes stuck."""
    rr = ""
    if "ecg" in starting:
        rr = "ECG starting (an H10 can take up to 30 s): beats from the strap's RR meanwhile"
    elif has_ecg:
        share, med = agreement
        agree = (f" · its own RR agrees: {100 * share:.0f} % of beats, ±{med:.1f} ms"
                 if share == share and med == med else "")
        rr = ("beats from the ECG ✓" if rr_source == "ecg"
              else "beats from the strap's RR (ECG not clean yet)") + agree
    br = ""
    if "acc" in starting:
        br = "breathing: the accelerometer is starting…"
    elif has_acc and all(stuck):
        # the rate the session gives then is the RSA peak of the heart's rhythm (``tracking.BreathTracker``),
        # as for straps without an accelerometer; no breaths, so nothing is said of the pacer
        br = (f"breathing {breathing_rate_bpm:.1f} /min from the heart's rhythm (the accelerometer reads flat)"
              if breathing_rate_bpm == breathing_rate_bpm
              else "breathing: the accelerometer reads flat; finding your breath from the heart's rhythm…")
    elif has_acc:
        rate = f"breathing {breathing_rate_bpm:.1f} /min" if breathing_rate_bpm == breathing_rate_bpm \
            else "breathing: finding your breath…"
        follow = ""
        if paced and share_following == share_following:
            follow = f" · {100 * share_following:.0f} % with the pacer"
            if last_lag_deg == last_lag_deg:
                follow += f" (last {abs(last_lag_deg):.0f}° {'behind' if last_lag_deg >= 0 else 'ahead'})"
        br = rate + follow
        if any(stuck):
            names = "xyz"
            br += (f" · ACC axis {', '.join(names[k] for k in range(3) if stuck[k])} stuck: breathing from "
                   + ", ".join(names[k] for k in range(3) if not stuck[k]))
    return rr, br

