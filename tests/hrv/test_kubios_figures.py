"""Issue 18: Kubios's conventions and every figure of its report, each against published values (Kubios
HRV 2.2 on systole's rr.txt, pyHRV's report on its 1 h sample) or a peer (neurokit2) at matched settings,
or analytic truth."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.analysis import AnalysisSettings, analyze, to_json_dict
from vagal_coach.analysis.recording import JSON_KEYS
from vagal_coach.hrv.nonlinear import approximate_entropy, dfa, dfa_fluctuation, poincare, sample_entropy
from vagal_coach.hrv.spectral import ar_burg, frequency_domain, psd_ar
from vagal_coach.hrv.time_domain import (
    HIST_BIN_MS,
    geometric,
    heart_rate_stats,
    segment_stats,
    stress_index,
    time_domain,
)
from vagal_coach.model import Recording

KUBIOS_KEYS = ("std_hr_bpm", "min_hr_bpm", "max_hr_bpm", "nn50", "nn20", "rr_tri_index", "tinn_ms", "vlf_pct",
               "lf_pct", "hf_pct", "vlf_log", "lf_log", "hf_log", "vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2",
               "ar_vlf_ms2", "ar_lf_ms2", "ar_hf_ms2", "ar_total_ms2", "sd2_sd1", "apen", "sampen", "dfa_alpha1",
               "dfa_alpha2", "stress_index", "sdann_ms", "sdnn_index_ms")

# Kubios HRV 2.2 on systole's rr.txt, as systole's tests quote it (tests/test_hrv.py, systole 0.3.x)
KUBIOS_22 = {"mean_rr_ms": 883.24, "sdnn_ms": 84.691, "nn50": 64, "pnn50_pct": 26.230, "rmssd_ms": 45.545,
             "sd1_ms": 32.273, "sd2_ms": 115.38, "lf_ms2": 2393.9, "hf_ms2": 566.30, "lf_hf": 4.227,
             "lf_nu": 80.860, "hf_nu": 19.129, "lf_peak_hz": 0.066406, "hf_peak_hz": 0.31250}


@pytest.fixture(scope="module")
def systole_rr():
    from tests.public_data import systole_rr_ms

    try:
        return systole_rr_ms()
    except OSError as e:  # pragma: no cover - PyPI unreachable
        pytest.skip(f"systole's rr.txt could not be fetched from PyPI: {e}")


@pytest.fixture(scope="module")
def systole_json(systole_rr):
    return to_json_dict(analyze(Recording.from_rr(systole_rr), AnalysisSettings(artifacts="none")))


def test_every_kubios_key_in_the_analysis(rr_1h):
    d = to_json_dict(analyze(Recording.from_rr(rr_1h)))
    for k in KUBIOS_KEYS:
        assert k in d and k in JSON_KEYS, k
        assert d[k] is not None, k  # an hour of beats has every figure
    for k in ("mean_hr", "poincare_ddof", "dfa", "hr_avg_beats", "ar_order"):
        assert k in d["settings"], k


def test_time_domain_as_kubios_22(systole_json):
    d = systole_json
    for k in ("mean_rr_ms", "sdnn_ms", "pnn50_pct", "rmssd_ms"):
        assert d[k] == pytest.approx(KUBIOS_22[k], abs=0.005), k  # Kubios prints 5 significant digits
    assert d["nn50"] == KUBIOS_22["nn50"]


def test_poincare_as_kubios_22(systole_json, systole_rr):
    """Kubios's SD1/SD2 are the ddof-1 SDs (32.2716 / 115.376 vs 32.273 / 115.38); ddof 0 gives 32.205."""
    assert systole_json["sd1_ms"] == pytest.approx(KUBIOS_22["sd1_ms"], rel=1e-4)
    assert systole_json["sd2_ms"] == pytest.approx(KUBIOS_22["sd2_ms"], rel=1e-4)
    assert poincare(systole_rr, ddof=0)["sd1_ms"] == pytest.approx(32.205379, rel=1e-6)  # systole's own
    assert systole_json["sd2_sd1"] == pytest.approx(systole_json["sd2_ms"] / systole_json["sd1_ms"], rel=1e-5)


def test_frequency_domain_as_kubios_22(systole_json):
    d = systole_json
    assert d["lf_ms2"] == pytest.approx(KUBIOS_22["lf_ms2"], rel=0.01)
    assert d["hf_ms2"] == pytest.approx(KUBIOS_22["hf_ms2"], rel=0.01)
    assert d["lf_hf"] == pytest.approx(KUBIOS_22["lf_hf"], rel=0.01)
    assert d["lf_nu"] == pytest.approx(KUBIOS_22["lf_nu"], abs=0.2)
    assert d["hf_nu"] == pytest.approx(KUBIOS_22["hf_nu"], abs=0.2)
    assert d["lf_peak_hz"] == pytest.approx(KUBIOS_22["lf_peak_hz"], abs=1e-6)
    assert d["hf_peak_hz"] == pytest.approx(KUBIOS_22["hf_peak_hz"], abs=1e-6)


def test_mean_hr_conventions(systole_rr):
    """Kubios (default): 60000 / mean RR; the other convention by name: the mean of 60000 / RR (systole's
    68.5778)."""
    rec = Recording.from_rr(systole_rr)
    kub = analyze(rec, AnalysisSettings(artifacts="none")).metrics["mean_hr_bpm"]
    beats = analyze(rec, AnalysisSettings(artifacts="none", mean_hr="beats")).metrics["mean_hr_bpm"]
    assert kub == pytest.approx(60000.0 / 883.238095, rel=1e-7)
    assert beats == pytest.approx(68.577834, rel=1e-7)


def test_pyhrv_report_figures(rr_1h):
    """pyHRV's report on its 1 h sample (recordings/pyhrv-nn-1h.report.txt): NN50, NN20, SD of HR, the
    single-beat HR extremes (N = 1) and the triangular index (bins of 1/128 s)."""
    td = time_domain(rr_1h)
    assert td["nn50"] == 1338 and td["nn20"] == 3008
    hr = heart_rate_stats(rr_1h, n_avg=1)
    assert hr["std_hr_bpm"] == pytest.approx(8.305, abs=5e-4)
    assert hr["min_hr_bpm"] == pytest.approx(50.505, abs=5e-4)
    assert hr["max_hr_bpm"] == pytest.approx(106.762, abs=5e-4)
    assert geometric(rr_1h)["rr_tri_index"] == pytest.approx(11.509, abs=5e-4)


def test_min_max_hr_are_n_beat_moving_averages(rr_5min):
    hr = 60000.0 / rr_5min
    for n in (1, 5, 10):
        avg = np.array([hr[i:i + n].mean() for i in range(hr.size - n + 1)])
        got = heart_rate_stats(rr_5min, n)
        assert got["min_hr_bpm"] == pytest.approx(avg.min(), rel=1e-12)
        assert got["max_hr_bpm"] == pytest.approx(avg.max(), rel=1e-12)
    assert np.isnan(heart_rate_stats(rr_5min[:4], 5)["min_hr_bpm"])


def test_against_neurokit2_at_matched_settings(rr_1h):
    nk = pytest.importorskip("neurokit2")
    peaks = np.concatenate(([0], np.cumsum(rr_1h))).astype(int)
    ref = nk.hrv_time(peaks, sampling_rate=1000).iloc[0]
    t = np.cumsum(rr_1h) / 1000.0
    seg = segment_stats(t, rr_1h)
    assert seg["sdann_ms"] == pytest.approx(ref["HRV_SDANN5"], rel=1e-9)
    assert seg["sdnn_index_ms"] == pytest.approx(ref["HRV_SDNNI5"], rel=1e-9)
    assert geometric(rr_1h)["rr_tri_index"] == pytest.approx(ref["HRV_HTI"], rel=1e-9)


def test_segment_stats_need_an_hour(rr_1h, rr_5min):
    t = np.cumsum(rr_5min) / 1000.0
    assert np.isnan(segment_stats(t, rr_5min)["sdann_ms"])
    half = rr_1h[: rr_1h.size // 2]
    assert np.isnan(segment_stats(np.cumsum(half) / 1000.0, half)["sdnn_index_ms"])


def test_dfa_as_kubios_equals_neurokit2_boxes_from_the_start():
    """Kubios's DFA (boxes from the start, every size 4..16 and 16..64) is neurokit2's fractal_dfa with
    overlap=False at those scales: equal on a continuous-valued series."""
    nk = pytest.importorskip("neurokit2")
    x = 800.0 + np.cumsum(np.random.default_rng(5).normal(0, 10, 1500)) * 0.2 + np.random.default_rng(6).normal(
        0, 20, 1500)
    for lo, hi in ((4, 16), (16, 64)):
        ref, info = nk.fractal_dfa(x, scale=np.arange(lo, hi + 1), overlap=False)
        np.testing.assert_allclose(dfa_fluctuation(x, np.arange(lo, hi + 1)), info["Fluctuations"].ravel(),
                                   rtol=1e-9)
        assert dfa(x, (lo, hi)) == pytest.approx(ref, rel=1e-9)


def test_dfa_conventions_differ_and_are_picked_by_name(rr_5min):
    a = to_json_dict(analyze(Recording.from_rr(rr_5min), AnalysisSettings(artifacts="none")))
    b = to_json_dict(analyze(Recording.from_rr(rr_5min), AnalysisSettings(artifacts="none", dfa="peng")))
    assert a["dfa_alpha1"] == pytest.approx(dfa(rr_5min, (4, 16), "kubios"), abs=1e-6)
    assert b["dfa_alpha1"] == pytest.approx(dfa(rr_5min, (4, 16), "peng"), abs=1e-6)
    assert a["dfa_alpha1"] != b["dfa_alpha1"]
    with pytest.raises(ValueError, match="dfa must be kubios or peng"):
        AnalysisSettings(dfa="both")


def test_entropies_equal_neurokit2(rr_5min):
    nk = pytest.importorskip("neurokit2")
    r = 0.2 * np.std(rr_5min, ddof=1)
    ap, _ = nk.entropy_approximate(rr_5min, dimension=2, delay=1, tolerance=r, corrected=False)
    se, _ = nk.entropy_sample(rr_5min, dimension=2, delay=1, tolerance=r)
    assert approximate_entropy(rr_5min) == pytest.approx(ap, rel=1e-9)
    assert sample_entropy(rr_5min) == pytest.approx(se, rel=1e-9)


def _apen_bruteforce(x, m, r):
    def phi(k):
        emb = np.array([x[i:i + k] for i in range(len(x) - k + 1)])
        c = [np.mean(np.max(np.abs(emb - e), axis=1) <= r) for e in emb]
        return np.mean(np.log(c))

    return phi(m) - phi(m + 1)


def test_apen_equals_its_definition(rr_5min):
    x = rr_5min[:150]
    r = 0.2 * np.std(x, ddof=1)
    assert approximate_entropy(x, 2, r) == pytest.approx(_apen_bruteforce(x, 2, r), rel=1e-12)


def _tinn_bruteforce(rr, bin_ms):
    lo = np.floor(rr.min() / bin_ms)
    h = np.bincount((np.floor(rr / bin_ms) - lo).astype(int)).astype(float)
    c = np.arange(h.size) + 0.5
    x = int(np.argmax(h))
    best = (np.inf, None)
    for n in range(0, x + 1):
        for m in range(x + 1, h.size + 1):
            q = np.where(c <= c[x], (c - n) / (c[x] - n), (m - c) / (m - c[x]))
            q = np.clip(q, 0, 1) * h[x]
            e = np.sum((h - q) ** 2)
            if e < best[0]:
                best = (e, (m - n) * bin_ms)
    return best[1]


def test_tinn_is_the_least_squares_triangle(rr_5min, rr_1h):
    for rr in (rr_5min, rr_1h[:1500]):
        assert geometric(rr)["tinn_ms"] == pytest.approx(_tinn_bruteforce(rr, HIST_BIN_MS), abs=1e-9)


def test_tinn_of_a_triangular_histogram():
    """A histogram that is exactly a triangle, 0 at the edges 0 and 19 bins, 19 at the centre of bin 9: the
    counts 1, 3, ..., 19, 17, ..., 1; TINN is its base, 19 bins."""
    counts = np.concatenate((np.arange(1, 20, 2), np.arange(17, 0, -2)))
    rr = np.repeat((np.arange(counts.size) + 100 + 0.5) * HIST_BIN_MS, counts)
    assert geometric(rr)["tinn_ms"] == pytest.approx(19 * HIST_BIN_MS, abs=1e-9)
    assert geometric(rr)["rr_tri_index"] == pytest.approx(counts.sum() / 19)


def test_stress_index_by_hand():
    """Baevsky's SI = AMo / (2 Mo MxDMn), Kubios reports its square root. 10 intervals, 6 of them in the
    800-850 ms bin (AMo 60 %, Mo 0.825 s), spread 1000 - 700 = 0.3 s: sqrt(60 / (2 x 0.825 x 0.3))."""
    rr = [700, 760, 810, 820, 830, 840, 845, 805, 900, 1000]
    assert stress_index(rr) == pytest.approx(np.sqrt(60.0 / (2 * 0.825 * 0.3)), rel=1e-12)
    assert np.isnan(stress_index([800.0] * 10))


def test_burg_recovers_a_known_ar_process():
    rng = np.random.default_rng(11)
    a_true = np.array([1.0, -1.6, 0.8])  # x[n] = 1.6 x[n-1] - 0.8 x[n-2] + e
    e = rng.normal(0, 2.0, 20000)
    x = np.zeros_like(e)
    for n in range(2, x.size):
        x[n] = 1.6 * x[n - 1] - 0.8 * x[n - 2] + e[n]
    a, var = ar_burg(x, 2)
    np.testing.assert_allclose(a, a_true, atol=0.01)
    assert var == pytest.approx(4.0, rel=0.03)


def test_ar_spectrum_integrates_to_the_variance_and_finds_the_peak():
    rng = np.random.default_rng(2)
    t = np.arange(0, 600, 0.25)
    x = 40 * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0, 10, t.size)
    f, p = psd_ar(x, 4.0, 16, 8192)
    assert np.trapezoid(p, f) == pytest.approx(np.var(x), rel=0.02)
    assert f[np.argmax(p)] == pytest.approx(0.1, abs=0.003)


def test_ar_and_welch_band_powers_agree_on_real_beats(rr_1h):
    t = np.cumsum(rr_1h) / 1000.0
    w = frequency_domain(t, rr_1h)
    ar = frequency_domain(t, rr_1h, method="ar")
    assert ar.lf_ms2 == pytest.approx(w.lf_ms2, rel=0.15)
    assert ar.hf_ms2 == pytest.approx(w.hf_ms2, rel=0.15)
    assert ar.settings["ar_order"] == 16


def test_relative_and_log_powers(rr_1h):
    d = to_json_dict(analyze(Recording.from_rr(rr_1h)))
    for pre in ("", "ar_"):
        tot = d[f"{pre}total_ms2"]
        assert d[f"{pre}vlf_pct"] + d[f"{pre}lf_pct"] + d[f"{pre}hf_pct"] == pytest.approx(100.0, abs=1e-4)
        for b in ("vlf", "lf", "hf"):
            assert d[f"{pre}{b}_pct"] == pytest.approx(100 * d[f"{pre}{b}_ms2"] / tot, abs=1e-5)
            assert d[f"{pre}{b}_log"] == pytest.approx(np.log(d[f"{pre}{b}_ms2"]), abs=1e-5)


def test_conventions_by_name_in_a_settings_file(tmp_path):
    from vagal_coach.analysis.recording import load_settings_file

    p = tmp_path / "lab.toml"
    p.write_text('mean_hr = "beats"\npoincare_ddof = 0\ndfa = "peng"\nhr_avg_beats = 1\nar_order = 20\n')
    s = load_settings_file(p)
    assert (s.mean_hr, s.poincare_ddof, s.dfa, s.hr_avg_beats, s.ar_order) == ("beats", 0, "peng", 1, 20)
    p.write_text("poincare_ddof = 2\n")
    with pytest.raises(Exception, match="poincare-ddof"):
        load_settings_file(p)


def test_recordings_file_is_the_fixture(rr_1h):
    assert np.array_equal(np.loadtxt(RECORDINGS / "pyhrv-nn-1h.txt"), rr_1h)


def test_apen_counted_either_way_agrees(rr_1h, monkeypatch):
    """Listing the pairs and counting per template (the path for very many matches) give the same ApEn."""
    import vagal_coach.hrv.nonlinear as nl

    x = np.round(rr_1h[:2000] / 20.0) * 20.0  # coarse values: many matches
    listed = approximate_entropy(x)
    monkeypatch.setattr(nl, "PAIRS_MAX", 0)
    assert approximate_entropy(x) == pytest.approx(listed, rel=1e-12)
