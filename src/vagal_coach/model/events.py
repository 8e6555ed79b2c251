"""What happens during a recording, as typed values: markers, the pacer's changes, gaps, and the guided
session's script, prompts, one's own rate and the closing rating."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: where a recording's beats come from: the strap's own R-R, or R-peaks found in its ECG
RrSource = Literal["strap", "ecg"]


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


@dataclass(frozen=True)
class Gap:
    start_s: float
    end_s: float
    reason: str = ""


@dataclass(frozen=True)
class GuidedPhase:
    kind: str
    t0_s: float
    t1_s: float


@dataclass(frozen=True)
class GuidedInfo:
    """The script a guided session followed (its ``guided`` line)."""

    script: str = ""
    language: str = ""
    title: str = ""
    minutes: float = 0.0
    resonance_bpm: float | None = None
    prompt_seconds: float = 14.0
    phases: tuple[GuidedPhase, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """A guided prompt as shown to the client."""

    t_s: float
    text: str
    phase: str = ""
    index: int = 0


@dataclass(frozen=True)
class OwnRate:
    """One's own breathing rate measured at the end of settling (``None``: not measurable)."""

    t_s: float
    bpm: float | None


@dataclass(frozen=True)
class Rating:
    """The closing 0-10 reflection (appended after the session, so its time may be unknown)."""

    value: float
    t_s: float | None = None
    scale: str = "0-10"
    question: str = ""


@dataclass
class GuidedRecord:
    """A guided session's own events, read back."""

    info: GuidedInfo | None = None
    prompts: list[Prompt] = field(default_factory=list)
    own_rates: list[OwnRate] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
