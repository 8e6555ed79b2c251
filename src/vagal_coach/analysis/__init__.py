"""Offline analysis: one recording (:mod:`.recording`), the resonance-frequency assessment
(:mod:`.assessment`, not to be confused with :mod:`vagal_coach.hrv.resonance`, its per-rate evidence),
and many recordings at once (:mod:`.cohort`)."""

from vagal_coach.analysis.recording import (
    JSON_KEYS,
    SUMMARY_ROWS,
    Analysis,
    AnalysisSettings,
    accepted_beats,
    analyze,
    fmt_duration,
    load_settings_file,
    summary_text,
    to_json_dict,
)

__all__ = ["JSON_KEYS", "SUMMARY_ROWS", "Analysis", "AnalysisSettings", "accepted_beats", "analyze", "fmt_duration",
           "load_settings_file", "summary_text", "to_json_dict"]
