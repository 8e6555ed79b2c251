"""The live engine: notifications in, one snapshot per beat out.

Beat clock -> live artifact gate -> ring buffer -> the live panel (``hrv.live``) and the last
completed breath's peak-to-trough HR. Everything it computes comes from ``vagal_coach.hrv``.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np

from vagal_coach.hrv.artifacts import live_gate
from vagal_coach.hrv.breath import peak_to_trough
from vagal_coach.hrv.live import SPECTRAL_WINDOW_S, live_panel, live_spectrum
from vagal_coach.hrv.ringbuffer import BeatRingBuffer
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.hrm import HrmParseError, Measurement, parse_hrm
from vagal_coach.session.beatclock import BeatBatch, BeatClock

QUALITY_WINDOW_S = 60.0


@dataclass(frozen=True)
class Snapshot:
    """What the window and the CLI show after a beat. NaN where not enough data exists yet."""

    t_s: float
    rr_ms: float
    accepted: bool
    hr_bpm: float
    rmssd_ms: float
    ln_rmssd: float
    lf_ms2: float
    lf_peak_hz: float
    resonance_ms2: float
    coherence: float
    coherence_peak_hz: float
    peak_to_trough_bpm: float
    quality_pct: float  # share of beats accepted by the gate over the last 60 s
    contact: str
    pacer_bpm: float
    n_beats: int
    spectral_span_s: float = 0.0  # beats behind the spectral values (provisional while under 120 s)

    @property
    def spectral_provisional(self) -> bool:
        """Spectral values exist but their 120 s window is not full yet."""
        return self.spectral_span_s < SPECTRAL_WINDOW_S - 1.0

    def as_dict(self) -> dict:
        """JSON-ready: NaN becomes None."""
        return {k: (None if v != v else v) for k, v in zip(_FIELDS, astuple(self))}


_FIELDS = [f.name for f in fields(Snapshot)]


class LiveEngine:
    def __init__(self, schedule: PacerSchedule | None = None, capacity: int = 4096,
                 beat_clock: BeatClock | None = None, deferred: bool = False) -> None:
        self.buffer = BeatRingBuffer(capacity)  # all beats, flagged when gated
        self.accepted = BeatRingBuffer(capacity)  # accepted beats only: what the metrics see
        self.clock = beat_clock or BeatClock()
        self.schedule = schedule
        self.contact = "unknown"  # until the first notification
        self.last_hr_reported: int | None = None
        self.parse_errors = 0
        self._p2t_cache: tuple[int, float] = (-1, float("nan"))
        # deferred: only admit beats and log them; snapshots are computed later (parallel replay)
        self.deferred = deferred
        self.log: list[tuple[float, float, bool, str]] = []
        #: False while beats come from the strap's ECG (``push_beats``): the strap's own R-R is then placed
        #: in time (for the agreement shown beside) but not analysed
        self.beats_from_strap = True

    def set_schedule(self, schedule: PacerSchedule | None) -> None:
        self.schedule = schedule
        self._p2t_cache = (-1, float("nan"))

    def receive(self, t_arrival_s: float, raw: bytes) -> tuple[Measurement | None, BeatBatch]:
        """A notification parsed and its beats placed in time (the beat clock): what the recorder writes.
        No analysis yet (:meth:`analyse`); ``None`` for bytes that are not a heart-rate measurement."""
        try:
            m = parse_hrm(raw)
        except HrmParseError:
            self.parse_errors += 1
            return None, BeatBatch(np.zeros(0), np.zeros(0))
        return m, self.place(t_arrival_s, m)

    def place(self, t_arrival_s: float, m: Measurement) -> BeatBatch:
        """The measurement's contact and HR taken, its R-R placed in time by the beat clock."""
        self.contact = m.contact.value
        self.last_hr_reported = m.hr_bpm
        return self.clock.push(t_arrival_s, m.rr_ms)

    def analyse(self, batch: BeatBatch) -> list[Snapshot]:
        """The strap's beats gated, buffered and turned into snapshots (none while beats come from the ECG)."""
        if not self.beats_from_strap:
            return []
        last = self.buffer.last(1)[0]
        after = -np.inf if last.size == 0 else float(last[-1]) + 1e-3  # beats the ECG gave already
        if self.deferred:
            for t, r in zip(batch.t_s.tolist(), batch.rr_ms.tolist()):
                if t > after:
                    self.log.append((t, r, self.admit(t, r), self.contact))
            return []
        return [self._beat(float(t), float(r)) for t, r in zip(batch.t_s, batch.rr_ms) if t > after]

    def push_raw(self, t_arrival_s: float, raw: bytes) -> tuple[Measurement | None, BeatBatch, list[Snapshot]]:
        m, batch = self.receive(t_arrival_s, raw)
        return m, batch, self.analyse(batch) if m is not None else []

    def push(self, t_arrival_s: float, m: Measurement) -> tuple[BeatBatch, list[Snapshot]]:
        batch = self.place(t_arrival_s, m)
        return batch, self.analyse(batch)

    def push_beats(self, t_s: np.ndarray, rr_ms: np.ndarray) -> list[Snapshot]:
        """Beats timed elsewhere (R-peaks of the strap's ECG): those after the last beat analysed, with a
        known interval, are analysed as the strap's would be."""
        last = self.buffer.last(1)[0]
        after = -np.inf if last.size == 0 else float(last[-1])
        ok = np.isfinite(rr_ms) & (t_s > after + 1e-3)
        if self.deferred:  # as fast as possible: logged here, the snapshots made on every core after
            for t, r in zip(t_s[ok].tolist(), rr_ms[ok].tolist()):
                self.log.append((t, r, self.admit(t, r), self.contact))
            return []
        return [self._beat(float(t), float(r)) for t, r in zip(t_s[ok], rr_ms[ok])]

    def _beat(self, t_s: float, rr_ms: float) -> Snapshot:
        ok = self.admit(t_s, rr_ms)
        at, arr, _ = self.accepted.window(PANEL_WINDOW_S, end_s=t_s)
        _, _, flags = self.buffer.window(QUALITY_WINDOW_S, end_s=t_s)
        snap, self._p2t_cache = compute_snapshot(t_s, rr_ms, ok, at, arr, flags, self.schedule, self.contact,
                                                 self.buffer.total, self._p2t_cache)
        return snap

    def spectrum(self, window_s: float | None = None, min_s: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """PSD of the last 120 s of accepted beats (what the live panel integrates), for drawing; or of
        the last ``window_s`` once ``min_s`` of beats exist."""
        if window_s is None:
            at, arr, _ = self.accepted.window(PANEL_WINDOW_S)
            return live_spectrum(at, arr)
        at, arr, _ = self.accepted.window(window_s)
        return live_spectrum(at, arr, spectral_window_s=window_s, min_s=window_s if min_s is None else min_s)

    def admit(self, t_s: float, rr_ms: float) -> bool:
        """The sequential part: gate the beat against the accepted ones before it and buffer it."""
        _, hist, _ = self.accepted.last(9)
        ok = bool(live_gate([rr_ms], hist)[0])
        self.buffer.append(t_s, rr_ms, 0 if ok else BeatRingBuffer.FLAG_REJECTED)
        if ok:
            self.accepted.append(t_s, rr_ms)
        return ok


#: accepted beats handed to the panel: enough for the longest window (120 s spectrum)
PANEL_WINDOW_S = 150.0


def compute_snapshot(t_s: float, rr_ms: float, ok: bool, at: np.ndarray, arr: np.ndarray, flags: np.ndarray,
                     schedule: PacerSchedule | None, contact: str, n_beats: int,
                     p2t_cache: tuple[int, float] = (-1, float("nan"))) -> tuple[Snapshot, tuple[int, float]]:
    """The snapshot after a beat, from the accepted beats up to it (``at``, ``arr``) and the gate flags
    of the last 60 s. Pure: the live engine and the parallel replay both call it."""
    pacer_hz = schedule.rate_scalar(t_s) / 60.0 if schedule is not None else 0.0
    panel = live_panel(at, arr, pacer_hz or None)
    p2t, p2t_cache = _last_breath_p2t(at, arr, t_s, schedule, pacer_hz, p2t_cache)
    quality = 100.0 * float(np.count_nonzero(flags == 0)) / flags.size if flags.size else float("nan")
    snap = Snapshot(t_s=t_s, rr_ms=rr_ms, accepted=ok, hr_bpm=60000.0 / rr_ms if ok else panel["hr_bpm"],
                    rmssd_ms=panel["rmssd_ms"], ln_rmssd=panel["ln_rmssd"], lf_ms2=panel["lf_ms2"],
                    lf_peak_hz=panel["lf_peak_hz"], resonance_ms2=panel["resonance_ms2"],
                    coherence=panel["coherence"], coherence_peak_hz=panel["coherence_peak_hz"],
                    peak_to_trough_bpm=p2t, quality_pct=quality, contact=contact,
                    pacer_bpm=pacer_hz * 60.0, n_beats=n_beats, spectral_span_s=panel["spectral_span_s"])
    return snap, p2t_cache


def _last_breath_p2t(t: np.ndarray, rr: np.ndarray, now_s: float, schedule: PacerSchedule | None,
                     pacer_hz: float, cache: tuple[int, float]) -> tuple[float, tuple[int, float]]:
    """Peak-to-trough HR of the last breath the pacer completed (NaN without a pacer)."""
    if schedule is None or t.size < 4 or pacer_hz <= 0:
        return float("nan"), cache
    cur = int(np.floor(schedule.cycles_scalar(now_s)))
    if cache[0] == cur:  # the last completed breath has not changed since the last beat
        return cache[1], cache
    i0 = int(np.searchsorted(t, now_s - 40.0, side="right"))
    tt, hr = t[i0:], 60000.0 / rr[i0:]
    b = np.floor(schedule.cycles_at(tt)).astype(np.int64)
    done = b == cur - 1
    value = float("nan")
    if np.any(done) and np.any(b < cur - 1):  # the breath must be complete on both ends
        _, p2t = peak_to_trough(tt[done], hr[done], b[done])
        value = float(p2t[0]) if p2t.size else value
    return value, (cur, value)
