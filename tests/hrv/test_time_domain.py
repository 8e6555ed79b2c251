import numpy as np
import pytest

from vagal_coach.hrv.time_domain import rolling_rmssd, rolling_time_domain, time_domain, windowed_time_domain


def _numpy_reference(rr):
    d = np.diff(rr)
    return {
        "mean_rr_ms": rr.mean(),
        "mean_hr_bpm": 60000 / rr.mean(),  # Kubios's convention (issue 18)
        "sdnn_ms": rr.std(ddof=1),
        "rmssd_ms": np.sqrt(np.mean(d**2)),
        "ln_rmssd": np.log(np.sqrt(np.mean(d**2))),
        "sdsd_ms": d.std(ddof=1),
        "pnn50_pct": 100 * np.mean(np.abs(d) > 50),
        "pnn20_pct": 100 * np.mean(np.abs(d) > 20),
        "nn50": np.count_nonzero(np.abs(d) > 50),
        "nn20": np.count_nonzero(np.abs(d) > 20),
        "cvnn_pct": 100 * rr.std(ddof=1) / rr.mean(),
    }


@pytest.mark.parametrize("name", ["rr_5min", "rr_1h"])
def test_time_domain_equals_numpy(name, request):
    rr = request.getfixturevalue(name)
    got = time_domain(rr)
    for k, v in _numpy_reference(rr).items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-9), k
    # the other convention, by name: the mean of the beats' rates (pyHRV, systole)
    assert time_domain(rr, mean_hr="beats")["mean_hr_bpm"] == pytest.approx(np.mean(60000 / rr), rel=1e-12)


def test_shared_data_figures(rr_5min, rr_1h):
    a = time_domain(rr_5min)
    assert a["rmssd_ms"] == pytest.approx(101.30, abs=0.005)
    assert a["sdnn_ms"] == pytest.approx(95.69, abs=0.005)
    b = time_domain(rr_1h)
    assert b["rmssd_ms"] == pytest.approx(60.523, abs=5e-4)
    assert b["sdnn_ms"] == pytest.approx(85.357, abs=5e-4)
    assert b["pnn50_pct"] == pytest.approx(28.571, abs=5e-4)


def test_rolling_rmssd_matches_naive(rr_5min):
    rr = rr_5min
    t = np.cumsum(rr) / 1000
    got = rolling_rmssd(t, rr, 60.0)
    for i in range(0, rr.size, 7):
        sel = (t > t[i] - 60.0) & (t <= t[i])
        w = rr[sel]
        if w.size < 3:
            assert np.isnan(got[i])
        else:
            assert got[i] == pytest.approx(np.sqrt(np.mean(np.diff(w) ** 2)), rel=1e-9)


def test_rolling_time_domain_matches_naive(rr_5min):
    rr = rr_5min
    t = np.cumsum(rr) / 1000
    got = rolling_time_domain(t, rr, 30.0)
    for i in range(5, rr.size, 11):
        w = rr[(t > t[i] - 30.0) & (t <= t[i])]
        assert got["mean_rr_ms"][i] == pytest.approx(w.mean(), rel=1e-9)
        assert got["sdnn_ms"][i] == pytest.approx(w.std(ddof=1), rel=1e-7)
        assert got["mean_hr_bpm"][i] == pytest.approx(60000 / w.mean(), rel=1e-9)  # as time_domain (Kubios)
        assert got["mean_hr_bpm"][i] == pytest.approx(time_domain(w)["mean_hr_bpm"], rel=1e-9)


def test_windowed_matches_per_window(rr_1h):
    rr = rr_1h
    t = np.cumsum(rr) / 1000
    w = windowed_time_domain(t, rr, 300.0)
    assert w["start_s"].size == 12
    t0 = t[0] - rr[0] / 1000
    for k in range(12):
        sel = (t - t0 >= 300 * k) & (t - t0 < 300 * (k + 1))
        x = rr[sel]
        assert w["n_beats"][k] == x.size
        assert w["rmssd_ms"][k] == pytest.approx(np.sqrt(np.mean(np.diff(x) ** 2)), rel=1e-9)
        assert w["sdnn_ms"][k] == pytest.approx(x.std(ddof=1), rel=1e-6)
        assert w["mean_hr_bpm"][k] == pytest.approx(time_domain(x)["mean_hr_bpm"], rel=1e-9)


def test_short_inputs_give_nan_not_errors():
    assert np.isnan(time_domain([])["mean_rr_ms"])
    one = time_domain([800.0])
    assert one["mean_rr_ms"] == 800.0 and np.isnan(one["rmssd_ms"])
    assert rolling_rmssd([], []).size == 0
