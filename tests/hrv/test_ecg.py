"""R-peaks from a 130 Hz chest ECG: against synthetic beats with known times, live vs offline, and against
a reference detector (neurokit2) run on a public ECG at its original 1000 Hz."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from tests.public_data import SYSTOLE_FS_HZ, systole_task1_ecg
from vagal_coach import synth
from vagal_coach.hrv.ecg import RPeakDetector, detect_r_peaks, ecg_quality, match_beats, rr_agreement_ms

FS_HZ = 130.0


def beats_at(hr_bpm: float, n: int, seed: int = 0, rsa: float = 0.08) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rr_s = 60.0 / hr_bpm * (1 + rsa * np.sin(np.arange(n) * 0.6)) + rng.normal(0, 0.01, n)
    return 1.0 + np.cumsum(rr_s)


@pytest.mark.parametrize("hr_bpm", [45.0, 70.0, 110.0])
def test_every_synthetic_beat_is_found_and_timed_within_a_millisecond(hr_bpm: float) -> None:
    beats = beats_at(hr_bpm, 300, seed=int(hr_bpm))
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0, seed=3)
    found = detect_r_peaks(ecg, FS_HZ)
    i, j = match_beats(beats, found)
    # the first beat falls in the filters' start-up second; every other one is found, none extra
    assert i.size >= beats.size - 1 and found.size == j.size
    err_ms = np.abs(found[j] - beats[i]) * 1000
    assert np.median(err_ms) < 0.5 and err_ms.max() < 2.0  # the sample period is 7.7 ms
    share, rr_diff_ms = rr_agreement_ms(beats, found)
    assert rr_diff_ms < 1.0


def test_an_inverted_lead_is_found_as_well() -> None:
    beats = beats_at(65, 120, seed=2)
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0)
    found = detect_r_peaks(-ecg, FS_HZ)
    i, j = match_beats(beats, found)
    assert i.size >= beats.size - 1 and found.size == j.size
    assert np.abs(found[j] - beats[i]).max() < 0.003


@pytest.mark.parametrize("chunk", [1, 13, 73, 650])
def test_live_chunks_find_the_offline_beats_each_within_300_ms_of_it_happening(chunk: int) -> None:
    beats = beats_at(80, 90, seed=5)
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0, seed=1)
    offline = detect_r_peaks(ecg, FS_HZ)
    det = RPeakDetector(FS_HZ)
    live, reported_at_s = [], []
    for k in range(0, ecg.size, chunk):
        got = det.push(ecg[k:k + chunk])
        live += list(got)
        reported_at_s += [min(k + chunk, ecg.size) / FS_HZ] * got.size
    np.testing.assert_allclose(live, offline, atol=1e-9)
    delay_s = np.asarray(reported_at_s) - np.asarray(live)
    # after the 2 s in which the level is learned, each beat is out within 0.3 s of its R peak
    settled = np.asarray(live) > 2.5
    assert delay_s[settled].max() <= 0.3 + chunk / FS_HZ
    assert det.latency_s <= 0.3


def test_memory_stays_bounded_on_a_long_stream() -> None:
    beats = beats_at(70, 800, seed=9)
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0)
    det = RPeakDetector(FS_HZ)
    for k in range(0, ecg.size, 130):
        det.push(ecg[k:k + 130])
    assert det._raw.size <= 3 * FS_HZ and det._energy.size <= 3 * FS_HZ


def test_quality_is_good_on_a_clean_ecg_and_poor_on_noise_or_a_loose_electrode() -> None:
    beats = beats_at(70, 200, seed=4)
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0)
    assert ecg_quality(detect_r_peaks(ecg, FS_HZ)).good
    noise = np.random.default_rng(0).normal(0, 300.0, ecg.size)
    assert not ecg_quality(detect_r_peaks(noise, FS_HZ)).good
    assert not ecg_quality(detect_r_peaks(np.zeros(ecg.size), FS_HZ)).good
    assert not ecg_quality(np.array([1.0, 2.0])).good


def test_a_rate_too_low_for_an_ecg_is_refused() -> None:
    with pytest.raises(ValueError, match="too low"):
        RPeakDetector(25.0)


def test_non_finite_samples_do_not_break_the_stream() -> None:
    beats = beats_at(70, 60, seed=6)
    _, ecg = synth.ecg_uv(beats, FS_HZ, beats[-1] + 1.0)
    ecg[500:505] = np.nan
    found = detect_r_peaks(ecg, FS_HZ)
    assert np.all(np.isfinite(found))
    assert match_beats(beats, found)[0].size >= beats.size - 3


@pytest.fixture(scope="module")
def public_ecg_mv() -> np.ndarray:
    return systole_task1_ecg()


def test_on_a_public_ecg_at_130_hz_the_beats_agree_with_neurokit2_at_1000_hz(public_ecg_mv: np.ndarray) -> None:
    nk = pytest.importorskip("neurokit2")
    _, info = nk.ecg_peaks(public_ecg_mv, sampling_rate=int(SYSTOLE_FS_HZ), method="neurokit")
    ref_t_s = np.asarray(info["ECG_R_Peaks"]) / SYSTOLE_FS_HZ
    assert ref_t_s.size > 1800  # 25.6 min of a resting heart
    ecg_130_uv = signal.resample_poly(public_ecg_mv, 13, 100) * 1000.0  # what an H10 would send
    ours = detect_r_peaks(ecg_130_uv, FS_HZ)
    i, j = match_beats(ref_t_s, ours)
    assert i.size / ref_t_s.size >= 0.995
    assert (ours.size - j.size) / ref_t_s.size <= 0.005  # extra beats
    share, rr_diff_ms = rr_agreement_ms(ref_t_s, ours)
    assert rr_diff_ms <= 4.0
    assert ecg_quality(ours).good
