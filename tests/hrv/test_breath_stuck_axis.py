"""A stuck accelerometer axis (an H10's stuck at -2000 mG, or one flat): detected, and breathing from the others."""

from __future__ import annotations

import numpy as np

from tests.hrv.test_breath_acc import ACC_HZ, chest
from vagal_coach.hrv.breath import STUCK_WINDOW_S, acc_breathing, breathing_rate_from_onsets, stuck_axes


def _stuck_y(acc: np.ndarray, glitches: bool) -> np.ndarray:
    out = acc.copy()
    out[:, 1] = -2000.0  # the axis the breath swings most along
    if glitches:  # a stuck axis that jumps now and then (every 3 s, to values all over)
        k = np.arange(0, out.shape[0], int(3 * ACC_HZ))
        out[k, 1] = np.random.default_rng(1).uniform(-2000, 2000, k.size)
    return out


def test_stuck_and_flat_axes_are_found_and_working_ones_are_not() -> None:
    acc, *_ = chest(6.0, 60.0, seed=4)
    win = slice(0, int(STUCK_WINDOW_S * ACC_HZ))
    assert not stuck_axes(acc[win]).any()  # noise of 2 mG on every working axis
    assert stuck_axes(_stuck_y(acc, False)[win]).tolist() == [False, True, False]
    assert stuck_axes(_stuck_y(acc, True)[win]).tolist() == [False, True, False]
    flat = acc.copy()
    flat[:, 0] = 12.0
    assert stuck_axes(flat[win]).tolist() == [True, False, False]
    still = np.round(acc)  # quantised to 1 mG as the strap sends them: still working
    assert not stuck_axes(still[win]).any()


def test_breathing_comes_from_the_other_axes_when_one_is_stuck() -> None:
    rate_bpm = 7.0
    acc, onsets, beat_t, rr = chest(rate_bpm, 240.0, phase_cycles=0.2, seed=5)
    bad = _stuck_y(acc, True)
    t, w, found = acc_breathing(bad, ACC_HZ, beat_t_s=beat_t, rr_ms=rr)
    assert abs(breathing_rate_from_onsets(found) - rate_bpm) < 0.2
    true = onsets[(onsets > 25.0) & (onsets < 235.0)]
    got = found[(found > true[0] - 4.0) & (found < true[-1] + 4.0)]
    idx = np.abs(got[:, None] - true[None, :]).argmin(axis=1)
    assert np.unique(idx).size == got.size == true.size  # each breath found once, none extra
    assert np.median(np.abs(got - true[idx])) < 0.03 * 60.0 / rate_bpm
    # the same axis used as it is (its glitches taken for breathing) finds breaths that are not there
    _, _, naive = acc_breathing(bad, ACC_HZ, beat_t_s=beat_t, rr_ms=rr, use_axes=(True, True, True))
    naive = naive[(naive > true[0] - 4.0) & (naive < true[-1] + 4.0)]
    j = np.abs(naive[:, None] - true[None, :]).argmin(axis=1)
    assert naive.size != true.size or np.median(np.abs(naive - true[j])) > 0.03 * 60.0 / rate_bpm
