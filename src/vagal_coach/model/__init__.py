"""The domain model: a recording and what happened during it, as typed values, and the pacer's schedule
as a pure function of time. Below ``io`` (which reads and writes it), ``sensors``, ``session`` and
``analysis``; it imports only NumPy."""

from vagal_coach.model.events import (
    Gap,
    GuidedInfo,
    GuidedPhase,
    GuidedRecord,
    Marker,
    OwnRate,
    PacerEvent,
    Prompt,
    Rating,
    RrSource,
)
from vagal_coach.model.pacer import PacerSchedule, PacerState, pacer_rate_at, ramp_schedule
from vagal_coach.model.recording import (
    MAX_INTERVAL_MS,
    AccTrace,
    EcgQuality,
    EcgTrace,
    Notifications,
    PmdFrames,
    Recording,
)

__all__ = ["MAX_INTERVAL_MS", "AccTrace", "EcgQuality", "EcgTrace", "Gap", "GuidedInfo", "GuidedPhase",
           "GuidedRecord", "Marker", "Notifications", "OwnRate", "PacerEvent", "PacerSchedule", "PacerState",
           "PmdFrames", "Prompt", "Rating", "Recording", "RrSource", "pacer_rate_at", "ramp_schedule"]
