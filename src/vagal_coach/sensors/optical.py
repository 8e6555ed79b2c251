"""Optical heart-rate sensors (arm bands, watches, ear clips): recognised, so the user is told plainly that
RMSSD from them is unreliable.

An optical sensor sees the pulse wave at the skin, not the heart's electrical beat, and most smooth what they
report: RR values derived from the heart rate, averaged over beats, or sent rarely. Every HRV figure that
rests on beat-to-beat change (RMSSD above all) is then unfit. Three signs, any of which suffices:

- its **name** (``OPTICAL_NAMES``: Polar OH1 and Verity Sense, watches broadcasting heart rate, optical
  arm bands; matched only to warn, never to choose a strap);
- its **Body Sensor Location** (0x2A38): wrist, finger, hand or ear lobe (a chest strap says chest or other);
- the **statistics of its RR** (``rr_signs``): RR values too few for the beats, RR that is just 60000 / HR,
  or the same RR value again and again.

Pure functions; ``sensors.ble`` applies them at connection (name, location) and as RR arrives.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike

OPTICAL_NAMES = re.compile(
    r"\b(OH1|Verity|Sense\b|Forerunner|Fenix|F[eē]nix|Venu|Vivoactive|Instinct|Epix|Enduro|Vantage|Ignite|Grit ?X|"
    r"Pacer|Unite|Apple Watch|Galaxy Watch|Versa|Sense 2|Charge|Amazfit|Suunto (?:\d|Race|Vertical|Peak)|"
    r"Coros|Scosche|Rhythm\+?|TICKR FIT|HRM-Fit|Armband|Arm ?band|Whoop|Mi Band|Smart Band)", re.IGNORECASE)
OPTICAL_LOCATIONS = ("wrist", "finger", "hand", "ear lobe")
WARNING = ("optical sensor: its RR is smoothed or estimated, so RMSSD and other beat-to-beat HRV from it are "
           "unreliable; use a chest strap (ECG electrodes) for HRV")

MIN_BEATS = 60  # RR statistics judged on at least this many beats
FEW_RR_SHARE = 0.5  # fewer RR values than this share of the beats the heart rate implies
DERIVED_SHARE = 0.8  # this share of RR values equal (to a 1/1024 s unit) to 60000 / HR
REPEAT_SHARE = 0.4  # this share of RR values equal to the one before (a chest strap's repeat a few % of the time)


def by_name(name: str | None) -> str | None:
    """Why ``name`` looks optical, or None."""
    if name and (m := OPTICAL_NAMES.search(name)):
        return f"name ({m.group(0).strip()})"
    return None


def by_location(body_location: str | None) -> str | None:
    if body_location in OPTICAL_LOCATIONS:
        return f"worn on the {body_location}"
    return None


def rr_signs(duration_s: float, hr_bpm: ArrayLike, rr_ms: ArrayLike, rr_hr_bpm: ArrayLike | None = None
             ) -> str | None:
    """Why RR of ``duration_s`` of notifications looks optical, or None (also when too little is at hand).

    ``hr_bpm``: each notification's heart rate; ``rr_ms``: every RR value in order; ``rr_hr_bpm``: the heart
    rate of the notification each RR came in (for RR derived from HR)."""
    hr = np.asarray(hr_bpm, dtype=float)
    rr = np.asarray(rr_ms, dtype=float)
    hr = hr[hr > 0]
    if hr.size == 0 or duration_s <= 0:
        return None
    expected = duration_s * float(np.median(hr)) / 60.0
    if expected < MIN_BEATS:
        return None
    if rr.size < FEW_RR_SHARE * expected:
        return f"RR for {100 * rr.size / expected:.0f} % of the beats only"
    if rr.size < MIN_BEATS:
        return None
    if rr_hr_bpm is not None:
        rh = np.asarray(rr_hr_bpm, dtype=float)
        ok = rh > 0
        if ok.sum() >= MIN_BEATS:
            derived = np.abs(rr[ok] - 60000.0 / rh[ok]) <= 1000.0 / 1024.0
            if derived.mean() >= DERIVED_SHARE:
                return "RR derived from the heart rate"
    same = np.abs(np.diff(rr)) < 0.5
    if same.mean() >= REPEAT_SHARE:
        return f"RR repeated ({100 * same.mean():.0f} % of values equal to the one before)"
    return None
