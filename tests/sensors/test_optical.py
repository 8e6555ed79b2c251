"""Optical sensors recognised by name, body location and the statistics of their RR; a chest strap's RR is not."""

from __future__ import annotations

import numpy as np
import pytest

from vagal_coach import synth
from vagal_coach.sensors import optical


@pytest.mark.parametrize("name,optical_", [
    ("Polar OH1 A1B2C3D4", True), ("Polar Sense 12345678", True), ("Forerunner 265", True),
    ("Polar H10 12345678", False), ("TICKR 1234", False), ("HRM-Dual:123456", False), (None, False),
])
def test_names(name, optical_) -> None:
    assert (optical.by_name(name) is not None) == optical_


def test_locations() -> None:
    assert optical.by_location("wrist") == "worn on the wrist"
    assert optical.by_location("chest") is None and optical.by_location(None) is None


def _chest_rr(duration_s: float = 240.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A chest strap's RR (ms) breathing at 6 /min, and each beat's HR as a strap reports it."""
    grid = 20.0
    heart = synth.HeartModel(synth.Physiology(hr_bpm=65.0), seed=seed, grid_hz=grid)
    beats, rr = heart.advance(duration_s, lambda tt: tt * 6.0 / 60.0, lambda tt: np.full(np.shape(tt), 6.0))
    rr = np.round(np.asarray(rr) * 1.024) / 1.024  # 1/1024 s units, as sent
    return rr, np.round(60000.0 / rr)


def test_a_chest_straps_rr_is_not_called_optical() -> None:
    rr, hr = _chest_rr()
    assert optical.rr_signs(float(np.sum(rr)) / 1000, hr, rr, hr) is None


def test_rr_derived_from_hr_is_found() -> None:
    rr, hr = _chest_rr()
    derived = 60000.0 / hr
    assert optical.rr_signs(float(np.sum(rr)) / 1000, hr, derived, hr) == "RR derived from the heart rate"


def test_repeated_rr_is_found() -> None:
    rr, hr = _chest_rr()
    held = np.repeat(rr[::2], 2)[:rr.size]  # each value sent twice, as a sensor that updates every other beat
    assert optical.rr_signs(float(np.sum(rr)) / 1000, hr, held, None).startswith("RR repeated (50 %")


def test_rare_rr_is_found_and_too_little_is_not_judged() -> None:
    rr, hr = _chest_rr()
    dur = float(np.sum(rr)) / 1000
    assert optical.rr_signs(dur, hr, rr[::3], None).startswith("RR for 3")
    assert optical.rr_signs(30.0, hr[:30], rr[:30], hr[:30]) is None  # 30 s: too few beats to tell

