"""The in-memory recording every reader returns and every writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Marker:
    t_s: float
    label: str = ""
    note: str = ""


@dataclass(frozen=True)
class PacerEvent:
    """The pacer's schedule from ``t_s`` on (until the next event). ``rate_bpm`` 0 means no pacer."""

    t_s: float
    rate_bpm: float
    inhale_fraction: float = 0.4
    hold_in_s: float = 0.0
    hold_out_s: float = 0.0
    label: str = ""
    ramp_to_bpm: float = 0.0  # when > 0: the rate moves linearly to this over ramp_s
    ramp_s: float = 0.0


#: the longest stretch of time one R-R value may stand for on a time axis built from R-R values (60 s)
MAX_INTERVAL_MS = 60_000.0


@dataclass(frozen=True)
class Gap:
    start_s: float
    end_s: float
    reason: str = ""


@dataclass
class EcgTrace:
    """A raw ECG (one lead, uV) with a time (s from the recording start) for each sample; where samples are
    missing (a lost frame, a gap in the link) the times jump."""

    t_s: NDArray[np.float64]
    uv: NDArray[np.float64]
    fs_hz: float

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.t_s.size else 0.0


@dataclass
class AccTrace:
    """Raw chest acceleration ([n, 3] mG) with a time (s from the recording start) for each sample."""

    t_s: NDArray[np.float64]
    mg: NDArray[np.float64]
    fs_hz: float


@dataclass
class Recording:
    """R-R intervals with beat times, plus what is known of how they were recorded.

    ``beat_t_s[i]`` is the time (s from the recording start) of the beat that ends ``rr_ms[i]``.
    """

    rr_ms: NDArray[np.float64]
    beat_t_s: NDArray[np.float64]
    path: Path | None = None
    format: str = ""
    start_utc: str | None = None
    device: dict = field(default_factory=dict)
    profile: str = ""
    kind: str = ""
    markers: list[Marker] = field(default_factory=list)
    pacer: list[PacerEvent] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    links: list[tuple[float, str]] = field(default_factory=list)
    n_notifications: int = 0
    meta: dict = field(default_factory=dict)
    #: where the beats came from: ``strap`` (the strap's own R-R) or ``ecg`` (R-peaks found in ``ecg``)
    rr_source: str = "strap"
    ecg: EcgTrace | None = None
    acc: AccTrace | None = None
    #: the strap's own R-R (beat_t_s, rr_ms) kept beside beats found in the ECG, when it sent both
    strap_rr: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def __post_init__(self) -> None:
        self.rr_ms = np.asarray(self.rr_ms, dtype=float)
        self.beat_t_s = np.asarray(self.beat_t_s, dtype=float)
        if self.rr_ms.shape != self.beat_t_s.shape:
            raise ValueError("rr_ms and beat_t_s differ in length")

    @classmethod
    def from_rr(cls, rr_ms: NDArray[np.float64] | list[float], **kw: object) -> Recording:
        """A recording whose beat times are the cumulative sum of its intervals.

        An impossible value (not a number, negative, or longer than ``MAX_INTERVAL_MS``) takes at most
        that long on the time axis, so one corrupt value cannot push every later beat out of reach."""
        rr = np.asarray(rr_ms, dtype=float)
        step = np.clip(np.nan_to_num(rr, nan=0.0, posinf=MAX_INTERVAL_MS, neginf=0.0), 0.0, MAX_INTERVAL_MS)
        return cls(rr_ms=rr, beat_t_s=np.cumsum(step) / 1000.0, **kw)  # type: ignore[arg-type]

    @property
    def n_beats(self) -> int:
        return int(self.rr_ms.size)

    @property
    def duration_s(self) -> float:
        if self.rr_ms.size == 0:
            return 0.0
        first_ms = float(np.clip(np.nan_to_num(self.rr_ms[0], nan=0.0, posinf=MAX_INTERVAL_MS), 0.0, MAX_INTERVAL_MS))
        return float(self.beat_t_s[-1] - (self.beat_t_s[0] - first_ms / 1000.0))

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "<memory>"

    def pacer_rate_at(self, t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """The pacer's rate (breaths/min, 0 = none) in force at each time."""
        t = np.asarray(t_s, dtype=float)
        if not self.pacer:
            return np.zeros_like(t)
        ev_t = np.array([p.t_s for p in self.pacer])
        ev_r = np.array([p.rate_bpm for p in self.pacer])
        i = np.searchsorted(ev_t, t, side="right") - 1
        return np.where(i >= 0, ev_r[np.clip(i, 0, None)], 0.0)
