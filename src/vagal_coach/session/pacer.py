"""The pacer's schedule math lives in :mod:`vagal_coach.model.pacer` (below ``io``, ``session`` and
``analysis``, which all use it); this name stays for code that imports it from here."""

from vagal_coach.model.pacer import (  # noqa: F401
    MAX_BPM,
    MAX_RAMP_START_BPM,
    MIN_BPM,
    STAGES,
    PacerSchedule,
    PacerState,
    pacer_rate_at,
    ramp_schedule,
)
