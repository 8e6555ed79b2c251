"""The in-memory recording every reader returns and every writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vagal_coach.model.events import Gap, GuidedRecord, Marker, PacerEvent, RrSource
from vagal_coach.model.pacer import pacer_rate_at

#: the longest stretch of time one R-R value may stand for on a time axis built from R-R values (60 s)
MAX_INTERVAL_MS = 60_000.0


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


@dataclass(frozen=True)
class EcgQuality:
    """How regular the beats found in an ECG are; ``good`` ones become the recording's beats."""

    fs_hz: float
    n_samples: int
    share_regular: float
    good: bool


@dataclass
class AccTrace:
    """Raw chest acceleration ([n, 3] mG) with a time (s from the recording start) for each sample."""

    t_s: NDArray[np.float64]
    mg: NDArray[np.float64]
    fs_hz: float


@dataclass
class Notifications:
    """Every heart-rate notification of a live session as received: arrival time (s), decoded HR (bpm, NaN
    when absent), contact (``contact``, ``no_contact``, ``unsupported``) and the raw bytes."""

    t_s: NDArray[np.float64]
    hr_bpm: NDArray[np.float64]
    contact: list[str]
    raw: list[bytes]

    def __len__(self) -> int:
        return len(self.raw)


@dataclass
class PmdFrames:
    """A strap's raw Measurement Data frames (ECG, acceleration) as received: arrival time (s), bytes."""

    t_s: NDArray[np.float64]
    raw: list[bytes]

    def __len__(self) -> int:
        return len(self.raw)


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
    #: where the beats came from: ``strap`` (the strap's own R-R) or ``ecg`` (R-peaks found in ``ecg``)
    rr_source: RrSource = "strap"
    ecg: EcgTrace | None = None
    ecg_quality: EcgQuality | None = None
    acc: AccTrace | None = None
    #: the strap's own R-R (beat_t_s, rr_ms) kept beside beats found in the ECG, when it sent both
    strap_rr: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
    #: a live session's notifications and raw frames as received (a replay sends them again)
    notifications: Notifications | None = None
    pmd_frames: PmdFrames | None = None
    guided: GuidedRecord = field(default_factory=GuidedRecord)
    battery_pct: int | None = None
    end_t_s: float | None = None  # when the session ended (its ``end`` line)
    app_version: str | None = None  # of the app that wrote it
    source: str = ""  # how it was made: ble, simulated, replay, import ...
    rr_unit_detected: str = ""  # text files: "ms" or "s", as sniffed from the values
    skipped_lines: list[int] = field(default_factory=list)  # damaged lines skipped (line numbers)
    #: the session's summary as the window showed it at Stop (its ``summary`` line; the fields of
    #: ``vagal_coach.session.summary.Summary.as_dict``)
    summary: dict[str, object] | None = None

    def __post_init__(self) -> None:
        self.rr_ms = np.asarray(self.rr_ms, dtype=float)
        self.beat_t_s = np.asarray(self.beat_t_s, dtype=float)
        if self.rr_ms.shape != self.beat_t_s.shape:
            raise ValueError("rr_ms and beat_t_s differ in length")

    @classmethod
    def from_rr(cls, rr_ms: ArrayLike, **kw: object) -> Recording:
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

    def pacer_rate_at(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """The pacer's rate (breaths/min, 0 = none) at each time, ramps included (:func:`pacer_rate_at`)."""
        return pacer_rate_at(self.pacer, t_s)
