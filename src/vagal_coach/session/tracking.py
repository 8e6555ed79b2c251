"""The small stateful parts a :class:`~vagal_coach.session.runner.Session` composes around the engine:
gaps in the beats, the beat source (the strap's R-R or the ECG's R-peaks), the agreement of the two, and
the breaths of the chest. Each takes what happened and says what follows (a gap, a switch, figures, new
breaths); the session records and publishes it. None of them writes files or calls back."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vagal_coach.hrv.breath import breathing_rate_bpm
from vagal_coach.model import Gap, PacerSchedule, RrSource
from vagal_coach.session.beatclock import BeatBatch
from vagal_coach.session.raw import RawPipeline, RawUpdate

AGREEMENT_EVERY_S = 30.0  # the ECG's and the strap's beats compared, shown and recorded this often
STRAP_BEATS_KEPT = 400
RSA_EVERY_S = 5.0  # a flat accelerometer's stand-in, the heart's breathing rate, is measured this often
RSA_BAND_HZ = (0.12, 0.45)  # one's own breathing (7-27 /min), as ``breathing_rate_bpm`` by default
RSA_PACED_BAND_HZ = (0.05, 0.45)  # ... and down to 3 /min while a pacer leads (slow breathing's RSA peak)


@dataclass
class GapTracker:
    """Where the beats stop: a link that drops (or stays up with nothing arriving: "silent") opens a gap at
    the last beat (written at once, so a session that ends during the outage still shows it); beats that
    resume close it; a silence the beat clock saw on its own is a gap of its own."""

    open_start_s: float | None = None  # the link is down (or silent) since this beat time
    open_reason: str = "link lost"  # why the open gap opened
    searching_since_s: float | None = None  # session time the link was lost (None while connected)
    silent_since_s: float | None = None  # the link went silent: time of the last data (None once data flows)
    last_data_t_s: float | None = None  # arrival of the last notification or raw frame

    def data(self, t_s: float) -> None:
        """A notification or raw frame arrived: the link is not silent."""
        self.last_data_t_s = t_s
        self.silent_since_s = None

    def link_lost(self, t_s: float, last_beat_s: float | None, have_beats: bool, silent: bool = False
                  ) -> float | None:
        """The link dropped (or went silent: up, but nothing arrives, and the source recycles it) at
        ``t_s``: the start of the gap it opens (None when one is open already, or before any beat)."""
        if silent:
            self.silent_since_s = t_s if self.last_data_t_s is None else self.last_data_t_s
        else:
            self.silent_since_s = None  # a real loss: the search's count says more
            if self.searching_since_s is None:
                self.searching_since_s = t_s
        if self.open_start_s is not None or not have_beats:
            return None
        self.open_start_s = float(t_s if last_beat_s is None else last_beat_s)
        self.open_reason = "no data from the strap" if silent else "link lost"
        return self.open_start_s

    def connected(self) -> None:
        self.searching_since_s = None

    def beats(self, batch: BeatBatch) -> Gap | None:
        """A notification's beats placed: the gap they close or reveal, if any."""
        if self.open_start_s is not None and batch.t_s.size:
            start = self.open_start_s if batch.gap is None else batch.gap[0]
            end = batch.gap[1] if batch.gap is not None else float(batch.t_s[0] - batch.rr_ms[0] / 1000.0)
            self.open_start_s = None
            return Gap(start, max(start, end), self.open_reason)
        if batch.gap is not None:
            return Gap(batch.gap[0], batch.gap[1], "no beats received")
        return None


@dataclass
class BeatSourceSwitch:
    """Beats come from the ECG while its last beats are regular, else from the strap's own R-R."""

    source: RrSource = "strap"
    ecg_good: bool = False
    ecg_beats_used: int = 0  # beats the ECG gave the engine

    def update(self, ecg_good: bool) -> RrSource | None:
        """The ECG's regularity now: the new source when it switches, else None."""
        if ecg_good == self.ecg_good:
            return None
        self.ecg_good = ecg_good
        source: RrSource = "ecg" if ecg_good else "strap"
        if source == self.source:
            return None
        self.source = source
        return source

    def reconnected(self) -> RrSource | None:
        """A (re)connection restarted the raw streams: the strap's R-R until the restarted ECG is clean
        (the new source when it switches, else None)."""
        self.ecg_good = False
        if self.source == "strap":
            return None
        self.source = "strap"
        return "strap"


@dataclass
class AgreementTracker:
    """How the strap's R-R agrees with the ECG's beats, every ``AGREEMENT_EVERY_S``."""

    every_s: float = AGREEMENT_EVERY_S
    next_s: float = AGREEMENT_EVERY_S
    min_span_s: float = 20.0
    strap_beats_t_s: list[float] = field(default_factory=list)

    def strap_beats(self, t_s: NDArray[np.float64], reanchored: bool = False) -> None:
        """The strap's newest beats; after a re-anchored beat clock (a late first notification, a silence) its
        beats stand on another offset from the ECG's, so agreement compares the beats since then."""
        if t_s.size:
            kept = [] if reanchored else self.strap_beats_t_s
            self.strap_beats_t_s = (kept + t_s.tolist())[-STRAP_BEATS_KEPT:]

    def due(self, t_s: float) -> bool:
        """Time for the next comparison, over at least ``min_span_s`` of the strap's beats on one offset (a
        share of a few seconds' beats, just after a stall or a re-anchor, says little)."""
        b = self.strap_beats_t_s
        return t_s >= self.next_s and len(b) > 1 and b[-1] - b[0] >= self.min_span_s

    def measure(self, t_s: float, raw: RawPipeline) -> tuple[float, float]:
        """(share of the ECG's beats the strap gave too, median |dRR| ms) now; the next one is due later."""
        self.next_s = t_s + self.every_s
        return raw.agreement(np.asarray(self.strap_beats_t_s))


@dataclass
class BreathFigures:
    rate_bpm: float = math.nan  # from the accelerometer (or, while it reads flat, the heart's rhythm: ``source``)
    source: str = "acc"  # "acc": the chest's breaths; "rsa": the RSA peak of the HR spectrum (a flat accelerometer)
    share_following: float = math.nan  # breaths that follow the pacer
    last_lag_deg: float = math.nan
    n_breaths: int = 0


@dataclass
class BreathTracker:
    """The chest's breaths: the waveform turned to rise with the heart once enough of both is at hand, then
    each inhale onset, the breathing rate and how the breaths follow the pacer."""

    figures: BreathFigures = field(default_factory=BreathFigures)
    rsa_next_s: float = -math.inf

    def frame(self, up: RawUpdate, raw: RawPipeline,
              beats: Callable[[], tuple[NDArray[np.float64], NDArray[np.float64]]],
              schedule: PacerSchedule | None,
              spectrum: Callable[[], tuple[NDArray[np.float64], NDArray[np.float64]]] | None = None,
              t_s: float = math.nan) -> list[float]:
        """One frame's update (``beats()``: the accepted beats of the last two minutes, asked for while the
        waveform is not oriented yet): the inhale onsets new since the last call (none until it is).

        While the accelerometer reads flat (``raw.flat``) there are no breaths: the rate is the RSA peak of
        ``spectrum()`` (the engine's HR spectrum, what straps without an accelerometer offer), measured every
        ``RSA_EVERY_S`` of ``t_s``, and nothing is said of the pacer."""
        f = self.figures
        if raw.flat:
            if f.source != "rsa":
                f.source, f.rate_bpm, self.rsa_next_s = "rsa", math.nan, -math.inf
            f.share_following = f.last_lag_deg = math.nan
            if spectrum is not None and not t_s < self.rsa_next_s:
                self.rsa_next_s = t_s + RSA_EVERY_S
                paced = schedule is not None and schedule.rate_scalar(t_s) > 0
                fr, p = spectrum()
                f.rate_bpm = breathing_rate_bpm(fr, p, RSA_PACED_BAND_HZ if paced else RSA_BAND_HZ)
            return []
        if f.source != "acc":  # the accelerometer moves again: its breaths from the next one on
            f.source, f.rate_bpm = "acc", math.nan
        if up.breath_t_s.size and not raw.orientation:
            up.flipped = raw.maybe_orient(*beats())
        up.oriented = bool(raw.orientation)
        if not raw.orientation or not (up.onsets_t_s.size or f.n_breaths != len(raw.onsets_t_s)):
            return []
        f.rate_bpm = raw.breathing_rate_bpm()
        adh = raw.adherence(schedule)
        new = raw.onsets_t_s[f.n_breaths:]
        f.n_breaths = len(raw.onsets_t_s)
        if adh.follows.size:
            f.share_following = adh.share_following
            f.last_lag_deg = float(adh.lag_deg[-1])
        return list(new)
