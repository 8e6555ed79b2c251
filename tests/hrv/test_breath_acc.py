"""Breathing from chest acceleration, against a synthetic chest whose lung volume (and so every breath's
start) is known, and adherence to the pacer for breaths that follow it and breaths that do not."""

from __future__ import annotations

import numpy as np
import pytest

from vagal_coach import synth
from vagal_coach.hrv.breath import AccBreathing, acc_breathing, adherence, breathing_rate_from_onsets, orient

ACC_HZ = 50.0
GRID_HZ = 20.0


def chest(rate_bpm: np.ndarray | float, duration_s: float, *, phase_cycles: float = 0.0, seed: int = 0,
          upside_down: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A breathing chest: (acc [n, 3] mG at ACC_HZ, true inhale onsets s, beat times s, RR ms)."""
    t = np.arange(0.0, duration_s, 1.0 / GRID_HZ)
    rate = np.broadcast_to(np.asarray(rate_bpm, dtype=float), t.shape)
    cycles = phase_cycles + np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) / 60.0 / GRID_HZ)))
    vol = synth.lung_volume(cycles)
    k = np.arange(np.ceil(cycles[0]), np.floor(cycles[-1]) + 1)
    onsets = np.interp(k, cycles, t)
    _, acc = synth.chest_acc_mg(t, vol, ACC_HZ, seed=seed)
    if upside_down:
        acc = acc * np.array([-1.0, -1.0, 1.0])  # the strap turned round: the tilt swings the other way
    # the heart breathes along (RSA at the same phase): the model streams beats for this very breathing
    heart = synth.HeartModel(seed=seed, grid_hz=GRID_HZ)
    beat_t, rr = heart.advance(duration_s, lambda tt: np.interp(tt, t, cycles), lambda tt: np.interp(tt, t, rate))
    return acc, onsets, beat_t, rr


@pytest.mark.parametrize("rate_bpm", [4.5, 6.0, 12.0, 20.0])
def test_breaths_and_rate_match_the_chest(rate_bpm: float) -> None:
    acc, onsets, beat_t, rr = chest(rate_bpm, 300.0, phase_cycles=0.37)
    t, w, found = acc_breathing(acc, ACC_HZ, beat_t_s=beat_t, rr_ms=rr)
    period_s = 60.0 / rate_bpm
    true = onsets[(onsets > 25.0) & (onsets < 295.0)]  # the band-pass settles in the first breaths
    got = found[(found > true[0] - period_s / 2) & (found < true[-1] + period_s / 2)]
    idx = np.abs(got[:, None] - true[None, :]).argmin(axis=1)
    err_s = got - true[idx]
    assert np.unique(idx).size == got.size == true.size  # one breath found for each, none extra
    assert np.abs(np.median(err_s)) < 0.03 * period_s  # onsets within 11 deg of the truth
    assert abs(breathing_rate_from_onsets(found) - rate_bpm) < 0.2


def test_the_waveform_rises_on_the_inhale_however_the_strap_is_worn() -> None:
    for upside_down in (False, True):
        acc, onsets, beat_t, rr = chest(6.0, 180.0, seed=2, upside_down=upside_down)
        t, w, found = acc_breathing(acc, ACC_HZ, beat_t_s=beat_t, rr_ms=rr)
        assert orient(t, w, beat_t, rr) == 1.0
        # half a breath after each onset the chest is fuller than at the onset
        mid = np.interp(found[2:-1] + 4.0, t, w) - np.interp(found[2:-1], t, w)
        assert np.all(mid > 0)


def test_live_blocks_of_any_size_give_the_same_waveform_and_breaths() -> None:
    acc, *_ = chest(6.0, 120.0, seed=3)
    ref_t, ref_w, ref_b = acc_breathing(acc, ACC_HZ)
    for block in (7, 36, 200):
        det = AccBreathing(ACC_HZ)
        parts = [det.push(acc[i:i + block]) for i in range(0, acc.shape[0], block)]
        np.testing.assert_allclose(np.concatenate([p[1] for p in parts]), ref_w, atol=1e-9)
        np.testing.assert_allclose(det.breaths(), ref_b, atol=0.11)  # one waveform sample at 10 Hz


def test_adherence_tells_a_breath_that_follows_from_one_that_does_not() -> None:
    pacer_bpm = 6.0
    # 3 min following the pacer (phase 0: onsets on the cues), then 3 min at the client's own 11 /min
    t = np.arange(0.0, 360.0, 1.0 / GRID_HZ)
    rate = np.where(t < 180.0, pacer_bpm, 11.0)
    acc, onsets, beat_t, rr = chest(rate, 360.0, seed=4)
    _, _, found = acc_breathing(acc, ACC_HZ, beat_t_s=beat_t, rr_ms=rr)
    pacer_cycles = found * pacer_bpm / 60.0
    adh = adherence(found, pacer_cycles, np.full(found.size, 60.0 / pacer_bpm))
    first = (adh.onset_t_s > 20) & (adh.onset_t_s < 170)
    second = adh.onset_t_s > 200
    assert adh.follows[first].all() and np.abs(adh.lag_deg[first]).max() < 25
    assert abs(adh.median_lag_deg) < 8
    assert not adh.follows[second].any()
    # the breaths of the first half follow, those of the second do not (the one across the change may go
    # either way)
    expected = np.mean(adh.onset_t_s < 180.0)
    assert abs(adh.share_following - expected) <= 1.5 / adh.follows.size


def test_a_breath_at_the_pacers_rate_but_a_quarter_cycle_late_does_not_follow() -> None:
    onsets = np.arange(0.0, 100.0, 10.0) + 2.5  # 6 /min, 90 deg behind a 6 /min pacer
    adh = adherence(onsets, onsets / 10.0, np.full(onsets.size, 10.0))
    np.testing.assert_allclose(adh.lag_deg, 90.0)
    np.testing.assert_allclose(adh.duration_ratio, 1.0)
    assert not adh.follows.any() and adh.share_following == 0.0
    assert adh.median_lag_deg == pytest.approx(90.0)


def test_edges_give_empty_results_not_errors() -> None:
    assert adherence([], [], []).share_following != adherence([], [], []).share_following  # NaN
    assert np.isnan(breathing_rate_from_onsets([3.0]))
    det = AccBreathing(ACC_HZ)
    assert det.push(np.zeros((0, 3)))[0].size == 0
    t, w = det.push(np.full((500, 3), np.nan))
    assert np.all(np.isfinite(w)) and det.breaths().size == 0
    with pytest.raises(ValueError, match="too low"):
        AccBreathing(1.0)
    assert orient([], [], [], []) == 0.0
