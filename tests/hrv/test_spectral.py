import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from tests.conftest import sine_rr
from vagal_coach.hrv import spectral as S


@pytest.mark.parametrize("freq_hz,amp_ms,band", [(0.1, 40.0, "lf"), (0.25, 25.0, "hf"), (0.06, 30.0, "lf"),
                                                 (0.2, 20.0, "hf")])
def test_sinusoid_band_power_is_analytic(freq_hz, amp_ms, band):
    t, rr = sine_rr(600, freq_hz, amp_ms)
    r = S.frequency_domain(t, rr)
    expected = amp_ms**2 / 2  # power of a sinusoid
    assert getattr(r, f"{band}_ms2") == pytest.approx(expected, rel=0.05)
    assert getattr(r, f"{band}_peak_hz") == pytest.approx(freq_hz, abs=0.004)
    # resonance power at the driving frequency holds nearly all of it
    assert S.power_at(r.f_hz, r.psd_ms2_hz, freq_hz) == pytest.approx(expected, rel=0.05)


def test_two_components_give_lf_hf_ratio():
    t, rr = sine_rr(600, 0.1, 40.0, extra=[(0.25, 20.0)])
    r = S.frequency_domain(t, rr)
    assert r.lf_ms2 == pytest.approx(800, rel=0.05)
    assert r.hf_ms2 == pytest.approx(200, rel=0.05)
    assert r.lf_hf == pytest.approx(4.0, rel=0.07)
    assert r.lf_nu == pytest.approx(80, abs=1.5)


def test_coherence_high_for_single_rhythm_low_for_noise():
    t, rr = sine_rr(120, 0.1, 40.0)
    f, p = S.spectrum(t, rr, window_s=120)
    coh, peak = S.coherence_ratio(f, p)
    assert peak == pytest.approx(0.1, abs=0.005)
    assert coh > 5
    rng = np.random.default_rng(1)
    rr2 = 900 + rng.normal(0, 30, 140)
    f2, p2 = S.spectrum(np.cumsum(rr2) / 1000, rr2, window_s=120)
    assert S.coherence_ratio(f2, p2)[0] < 1


def test_smoothness_priors_equals_dense_solution():
    rng = np.random.default_rng(0)
    z = np.cumsum(rng.normal(size=300))
    lam = 500.0
    n = z.size
    d2 = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(n - 2, n), format="csc")
    trend = spsolve(sparse.csc_matrix(sparse.eye(n) + lam**2 * (d2.T @ d2)), z)
    assert np.allclose(S.smoothness_priors_detrend(z, lam), z - trend, atol=1e-8)


def test_smoothness_priors_keeps_lf_removes_trend():
    t = np.arange(1000.0)
    slow = 50 * t / 1000
    fast = 10 * np.sin(2 * np.pi * 0.1 * t)
    out = S.smoothness_priors_detrend(slow + fast, 500)
    assert np.std(out[100:-100] - fast[100:-100]) < 0.5


def test_lomb_scaling_matches_variance():
    t, rr = sine_rr(600, 0.1, 40.0)
    f, p = S.psd_lomb(t, rr)
    assert S.band_power(f, p, 0.04, 0.15) == pytest.approx(800, rel=0.07)


def test_band_power_fractional_edges():
    f = np.linspace(0, 1, 11)
    p = np.ones_like(f)
    assert S.band_power(f, p, 0.05, 0.45) == pytest.approx(0.4)
    assert np.isnan(S.band_power(f, p, 2.0, 3.0))


def test_lf_hf_matches_neurokit2_at_matched_settings(rr_5min):
    nk = pytest.importorskip("neurokit2")
    rr = rr_5min
    peaks = np.concatenate(([0], np.cumsum(rr))).astype(int)
    ref = nk.hrv_frequency(peaks, sampling_rate=1000, interpolation_rate=4, normalize=False)
    t = np.cumsum(rr) / 1000
    # neurokit2: no detrending, Welch with Hann segments of half the series, nfft twice that
    n = S.resample_rr(t, rr, 4.0)[0].size  # neurokit2's grid has one more (extrapolated) point
    ours = S.frequency_domain(t, rr, detrend="none", window_s=(n // 2) / 4, nfft_min=2 * (n // 2))
    assert ours.lf_hf == pytest.approx(float(ref["HRV_LFHF"].iloc[0]), rel=0.03)
    assert ours.lf_ms2 == pytest.approx(float(ref["HRV_LF"].iloc[0]), rel=0.05)
    assert ours.hf_ms2 == pytest.approx(float(ref["HRV_HF"].iloc[0]), rel=0.05)


def test_resample_is_even_and_exact_at_beats():
    t, rr = sine_rr(60, 0.1, 40)
    g, y = S.resample_rr(t, rr, 4.0)
    assert np.allclose(np.diff(g), 0.25)
    assert np.interp(t[5], g, y) == pytest.approx(rr[5], abs=2.0)


def test_natural_cubic_spline_equals_scipy():
    from scipy.interpolate import CubicSpline

    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.5, 1.2, 50))
    y = rng.normal(size=50)
    xi = np.linspace(x[0], x[-1], 400)
    assert np.allclose(S.natural_cubic_spline(x, y, xi), CubicSpline(x, y, bc_type="natural")(xi), atol=1e-10)


def test_live_panel_equals_offline_functions_on_the_same_window(rr_1h):
    from vagal_coach.hrv.live import live_panel

    t = np.cumsum(rr_1h) / 1000
    i = 900
    got = live_panel(t[: i + 1], rr_1h[: i + 1], 0.1)
    sel = t[: i + 1] > t[i] - 120
    f, p = S.spectrum(t[: i + 1][sel], rr_1h[: i + 1][sel], window_s=120, nfft_min=1024)
    assert got["lf_ms2"] == pytest.approx(S.band_power(f, p, 0.04, 0.15), rel=1e-9)
    assert got["resonance_ms2"] == pytest.approx(S.power_at(f, p, 0.1), rel=1e-9)
    w = rr_1h[: i + 1][t[: i + 1] > t[i] - 60]
    assert got["rmssd_ms"] == pytest.approx(np.sqrt(np.mean(np.diff(w) ** 2)), rel=1e-12)


def test_single_segment_periodogram_equals_scipy_welch():
    from scipy import signal

    x = np.random.default_rng(2).normal(size=480)
    f, p = S.psd_welch(x, 4.0, window_s=120, nfft_min=1024)
    f2, p2 = signal.welch(x, fs=4.0, window="hann", nperseg=480, nfft=1024, detrend="constant")
    assert np.allclose(f, f2) and np.allclose(p, p2, rtol=1e-10)


@pytest.mark.parametrize("n,window_s", [(4000, 256.0), (1500, 100.0), (2048, 64.0)])
def test_batched_welch_equals_scipy_welch(n, window_s):
    from scipy import signal

    x = np.random.default_rng(n).normal(size=n)
    f, p = S.psd_welch(x, 4.0, window_s=window_s)
    nper = int(window_s * 4)
    f2, p2 = signal.welch(x, fs=4.0, window="hann", nperseg=nper, noverlap=nper // 2, nfft=max(nper, 2048),
                          detrend="constant")
    assert np.allclose(f, f2) and np.allclose(p, p2, rtol=1e-9)
