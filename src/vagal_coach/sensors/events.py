"""What every beat source yields: notifications as received, link changes and device facts."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Notification:
    t_s: float  # arrival time on the session clock
    raw: bytes  # the Heart Rate Measurement bytes


@dataclass(frozen=True)
class PmdFrame:
    t_s: float  # arrival time on the session clock
    raw: bytes  # a Polar Measurement Data frame (raw ECG or acceleration), as received


@dataclass(frozen=True)
class LinkEvent:
    t_s: float
    state: str  # scanning, connecting, connected, reconnecting, lost, closed, failed
    detail: str = ""


@dataclass(frozen=True)
class DeviceInfo:
    t_s: float
    info: dict = field(default_factory=dict)  # name, address, battery_pct, body_location, simulated...


SourceEvent = Notification | PmdFrame | LinkEvent | DeviceInfo


class BeatSource(Protocol):
    """A strap, the simulator or a replay: an async stream of :data:`SourceEvent`."""

    name: str
    simulated: bool

    def events(self) -> AsyncGenerator[SourceEvent, None]: ...

    async def close(self) -> None: ...
