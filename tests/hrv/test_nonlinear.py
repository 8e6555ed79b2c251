import numpy as np
import pytest

from vagal_coach.hrv.nonlinear import dfa, poincare, sample_entropy


def test_poincare_matches_peer_report(rr_1h):
    p = poincare(rr_1h, ddof=0)  # pyHRV's convention (Kubios's, the default, is ddof 1)
    assert p["sd1_ms"] == pytest.approx(42.797, abs=5e-4)
    assert p["sd2_ms"] == pytest.approx(112.837, abs=5e-4)


def test_poincare_equals_rotated_axes(rr_5min):
    rr = rr_5min
    sd1 = np.sqrt(np.var(np.diff(rr), ddof=1) / 2)
    p = poincare(rr)
    assert p["sd1_ms"] == pytest.approx(sd1, rel=1e-9)


def test_dfa_white_and_brown_noise():
    rng = np.random.default_rng(3)
    white = rng.normal(size=8000)
    assert dfa(white, (16, 64)) == pytest.approx(0.5, abs=0.06)
    brown = np.cumsum(rng.normal(size=4000))
    assert dfa(brown, (16, 64)) == pytest.approx(1.5, abs=0.12)


def test_dfa_alpha1_close_to_neurokit2(rr_5min):
    nk = pytest.importorskip("neurokit2")
    for x in (rr_5min, np.random.default_rng(3).normal(size=4000)):
        ref, _ = nk.fractal_dfa(x, scale=np.arange(4, 17), overlap=False)
        # Peng's convention lays boxes from both ends and log-spaced sizes
        assert dfa(x, (4, 16), "peng") == pytest.approx(ref, abs=0.03)


def _sampen_bruteforce(x, m, r):
    n = len(x)

    def count(mm):
        emb = np.array([x[i:i + mm] for i in range(n - m)])
        c = 0
        for i in range(len(emb)):
            d = np.max(np.abs(emb[i + 1:] - emb[i]), axis=1)
            c += np.count_nonzero(d <= r)
        return c

    return -np.log(count(m + 1) / count(m))


def test_sample_entropy_equals_bruteforce(rr_5min):
    x = rr_5min[:200]
    r = 0.2 * np.std(x, ddof=1)
    assert sample_entropy(x, 2, r) == pytest.approx(_sampen_bruteforce(x, 2, r), rel=1e-12)


def test_sample_entropy_regular_vs_random():
    rng = np.random.default_rng(0)
    assert sample_entropy(np.sin(np.arange(1000) * 0.3)) < 0.3
    assert sample_entropy(rng.normal(size=1000)) > 1.5


def test_sample_entropy_counts_and_lists_pairs_alike(rr_1h, monkeypatch):
    """Listing the m pairs (short series) and counting with two trees (long ones) give the same value."""
    import vagal_coach.hrv.nonlinear as nl

    x = np.asarray(rr_1h[:3000], dtype=float)
    listed = sample_entropy(x)
    monkeypatch.setattr(nl, "PAIRS_MAX", 0)
    assert sample_entropy(x) == pytest.approx(listed, rel=1e-12)
